import { ConfigError } from '@org-mgmt/runtime';
import { loadTeardownConfig } from './config';
import { namespaceFor } from './kubernetes-teardown';

describe('k8s-teardown configuration', () => {
  it('defaults: the org id as namespace, the org-management.io/org-id label, no swept namespaces', () => {
    expect(loadTeardownConfig({})).toEqual({
      K8S_TEARDOWN_NAMESPACE_TEMPLATE: '{orgId}',
      K8S_TEARDOWN_DELETE_NAMESPACE: true,
      K8S_TEARDOWN_LABEL_KEY: 'org-management.io/org-id',
      K8S_TEARDOWN_NAMESPACES: [],
      K8S_TEARDOWN_ACK_WAIT_MS: 60_000,
      K8S_TEARDOWN_REQUEST_TIMEOUT_MS: 10_000,
    });
    expect(loadTeardownConfig({ K8S_TEARDOWN_NAMESPACES: ' tenants, shared ,' }).K8S_TEARDOWN_NAMESPACES).toEqual([
      'tenants',
      'shared',
    ]);
  });

  it.each([
    [
      'a namespace template without {orgId}',
      { K8S_TEARDOWN_NAMESPACE_TEMPLATE: 'tenants' },
      'K8S_TEARDOWN_NAMESPACE_TEMPLATE',
    ],
    ['a label key that is not one', { K8S_TEARDOWN_LABEL_KEY: 'org id' }, 'K8S_TEARDOWN_LABEL_KEY'],
    [
      'a swept namespace that is not a DNS label',
      { K8S_TEARDOWN_NAMESPACES: 'tenants,Shared_NS' },
      'K8S_TEARDOWN_NAMESPACES',
    ],
    [
      'a delete-namespace flag that is not true/false',
      { K8S_TEARDOWN_DELETE_NAMESPACE: 'yes' },
      'K8S_TEARDOWN_DELETE_NAMESPACE',
    ],
    ['an ack wait under a second', { K8S_TEARDOWN_ACK_WAIT_MS: '10' }, 'K8S_TEARDOWN_ACK_WAIT_MS'],
  ])('refuses %s, naming the variable', (_, env, variable) => {
    expect(() => loadTeardownConfig(env)).toThrow(ConfigError);
    expect(() => loadTeardownConfig(env)).toThrow(variable);
  });
});

describe('namespaceFor', () => {
  it('fills the template and makes a DNS label of it', () => {
    expect(namespaceFor('{orgId}', 'org_ab12')).toBe('org-ab12');
    expect(namespaceFor('tenant-{orgId}', 'org_AB12')).toBe('tenant-org-ab12');
    expect(namespaceFor('{orgId}-', 'org_x')).toBe('org-x');
  });

  it('keeps long names within 63 characters and distinct', () => {
    const a = namespaceFor('tenant-{orgId}', `org_${'a'.repeat(60)}1`);
    const b = namespaceFor('tenant-{orgId}', `org_${'a'.repeat(60)}2`);
    expect(a).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(b.length).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
  });
});
