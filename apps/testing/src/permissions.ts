import { Access, Role } from '@org-mgmt/contracts';

/** Every kind of caller the permission tests try. */
export const CALLERS = [
  'none',
  'member',
  'ConfigAdmin',
  'RootPowerUser',
  'RootAdmin',
  'System',
  'RootAdminOfCustomerOrg',
] as const;
/** Users of the root org without a root role; the security suite's matrix tries them as well. */
export const ROOT_ORG_CALLERS = ['MemberOfRootOrg', 'ConfigAdminOfRootOrg'] as const;
export type Caller = (typeof CALLERS)[number] | (typeof ROOT_ORG_CALLERS)[number];
export type Scope = 'own' | 'other';
export type Expected = 'allowed' | 'unauthenticated' | 'forbidden';

interface CallerFacts {
  inRootOrg: boolean;
  /** Roles as written in the token. */
  roles: Role[];
  /** Roles that count (root roles outside the root org count for nothing). */
  counted: Role[];
}

export const CALLER_FACTS: Record<Exclude<Caller, 'none'>, CallerFacts> = {
  member: { inRootOrg: false, roles: [], counted: [] },
  ConfigAdmin: { inRootOrg: false, roles: ['ConfigAdmin'], counted: ['ConfigAdmin'] },
  RootPowerUser: { inRootOrg: true, roles: ['RootPowerUser'], counted: ['RootPowerUser'] },
  RootAdmin: { inRootOrg: true, roles: ['RootAdmin'], counted: ['RootAdmin'] },
  System: { inRootOrg: true, roles: ['System'], counted: ['System'] },
  RootAdminOfCustomerOrg: { inRootOrg: false, roles: ['RootAdmin'], counted: [] },
  MemberOfRootOrg: { inRootOrg: true, roles: [], counted: [] },
  ConfigAdminOfRootOrg: { inRootOrg: true, roles: ['ConfigAdmin'], counted: ['ConfigAdmin'] },
};

const CROSS_ORG_ROLES: Role[] = ['RootAdmin', 'RootPowerUser', 'System'];

/**
 * The outcome the matrix in libs/contracts promises, written out as a table of rules (an oracle
 * independent of the code under test):
 * - public: always allowed;
 * - otherwise no token is 401; the caller needs a counted role the access names
 *   (member: any caller; configAdmin: ConfigAdmin, RootAdmin, RootPowerUser);
 * - rootOrgOnly accesses also need the caller to be in the root org;
 * - acting on another org needs a counted root role that the access grants, or one of its
 *   `otherOrgRoles` where it names them.
 */
export function expectedOutcome(access: Access, caller: Caller, scope: Scope): Expected {
  if (access.kind === 'public') return 'allowed';
  if (caller === 'none') return 'unauthenticated';
  const facts = CALLER_FACTS[caller];
  const granted: Role[] | 'any' =
    access.kind === 'member'
      ? 'any'
      : access.kind === 'configAdmin'
        ? ['ConfigAdmin', 'RootAdmin', 'RootPowerUser']
        : [...access.roles];
  const holds = (roles: Role[]) => facts.counted.some((r) => roles.includes(r));
  if (granted !== 'any' && !holds(granted)) return 'forbidden';
  if (access.kind === 'roles' && access.rootOrgOnly && !facts.inRootOrg) return 'forbidden';
  if (scope === 'other') {
    const crossOrg = access.otherOrgRoles
      ? [...access.otherOrgRoles]
      : granted === 'any'
        ? (['RootAdmin', 'RootPowerUser'] as Role[])
        : granted.filter((r) => CROSS_ORG_ROLES.includes(r));
    if (!holds(crossOrg)) return 'forbidden';
  }
  return 'allowed';
}
