import { BUS_PROCESSES } from '@org-mgmt/contracts';
import { natsPasswordVariable, natsUsers } from '@org-mgmt/runtime';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { natsConfigFiles } from '../../apps/system/scripts/nats-config';

const ROOT = join(__dirname, '..', '..');
const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'].find((p) =>
  existsSync(p),
);

describe('the shipped NATS server configurations (npm run nats:config)', () => {
  const files = natsConfigFiles();

  it.each(Object.keys(files))('%s is what the generator writes from libs/contracts', (path) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(files[path]);
  });

  it('the compose configuration is one nats-server accepts, once each password variable is set', () => {
    if (!NATS_SERVER) throw new Error('nats-server is not installed (Debian: apt-get install nats-server)');
    const check = (env: Record<string, string>) =>
      spawnSync(NATS_SERVER, ['-c', join(ROOT, 'docker-compose.nats.conf'), '-t'], { env, encoding: 'utf8' });
    const passwords = Object.fromEntries(BUS_PROCESSES.map((p) => [natsPasswordVariable(p), `dev-${p}`]));
    const valid = check(passwords);
    expect([valid.status, valid.stderr]).toEqual([0, expect.stringMatching(/is valid/)]);
    expect(check({}).stderr).toMatch(/NATS_PASSWORD_GATEWAY.*can not be found/);
  });

  it('the Helm values run 3 JetStream nodes and hold one user per process, each password a reference to the Secret', () => {
    const values = parse(files['k8s/nats/values.yaml']);
    expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
    expect(values.config.jetstream).toMatchObject({ enabled: true, fileStore: { enabled: true } });
    const users = values.config.merge.authorization.users as { user: string; password: string; permissions: unknown }[];
    const generated = natsUsers({ subjectPrefix: '', password: (p) => ({ env: natsPasswordVariable(p) }) });
    expect(users.map((u) => u.user)).toEqual([...BUS_PROCESSES]);
    for (const [i, user] of users.entries()) {
      expect(user.password).toBe(`<< $${natsPasswordVariable(BUS_PROCESSES[i])} >>`);
      expect(user.permissions).toEqual(generated[i].permissions);
      expect(values.container.env[natsPasswordVariable(BUS_PROCESSES[i])]).toEqual({
        valueFrom: { secretKeyRef: { name: 'org-management-nats', key: BUS_PROCESSES[i] } },
      });
    }
  });
});
