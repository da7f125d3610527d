import { Caller, CALLER_FACTS } from './permissions';
import { TestSystem } from './system';

/** A token for one kind of caller of the permission tests: root callers belong to the root org, others to `customerOrgId`. */
export async function callerToken(
  sys: TestSystem,
  caller: Caller,
  customerOrgId: string,
): Promise<{ token?: string; ownOrg: string }> {
  if (caller === 'none') return { ownOrg: customerOrgId };
  const facts = CALLER_FACTS[caller];
  const ownOrg = facts.inRootOrg ? sys.config.ROOT_ORG_ID : customerOrgId;
  return { token: await sys.token({ orgId: ownOrg, roles: facts.roles, sub: `user-${caller}` }), ownOrg };
}
