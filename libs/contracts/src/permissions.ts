import { AppError } from './common/errors';
import { Principal, Role, ROOT_ROLES } from './common/principal';

/**
 * Who may call an endpoint. The matrix is data: the gateway enforces it, each service enforces it
 * again, and the permission tests are generated from it.
 *
 * - public:      no JWT needed (a JWT, if sent, is still verified).
 * - member:      any authenticated principal, on its own org.
 * - configAdmin: ConfigAdmin of the target org, or a root role ("ConfigAdmin or higher").
 * - roles:       only the roles named; root roles count only for principals of the root org.
 *                With rootOrgOnly, every listed role must be held in the root org.
 *
 * Acting on another org than one's own (by path, `orgid` header or body field) needs a root role
 * (RootAdmin, RootPowerUser, or System where named) held in the root org; `otherOrgRoles` narrows
 * that to the roles it names.
 */
export type Access = (
  | { kind: 'public' }
  | { kind: 'member' }
  | { kind: 'configAdmin' }
  | { kind: 'roles'; roles: readonly Role[]; rootOrgOnly?: boolean }
) & { otherOrgRoles?: readonly Role[] };

// Typed by their literal kind (not widened to Access), so RpcContext can tell public endpoints apart.
export const PUBLIC = { kind: 'public' } satisfies Access;
export const MEMBER = { kind: 'member' } satisfies Access;
export const CONFIG_ADMIN = { kind: 'configAdmin' } satisfies Access;
export const rolesOnly = (...roles: Role[]) => ({ kind: 'roles', roles }) satisfies Access;
export const rootOrgRoles = (...roles: Role[]) => ({ kind: 'roles', roles, rootOrgOnly: true }) satisfies Access;
/** `access` on one's own org; on another org only for the root roles named. */
export const otherOrgOnlyBy = <A extends Access>(access: A, ...roles: Role[]) => ({ ...access, otherOrgRoles: roles });

/** Roles a principal really holds: root roles held outside the root org count for nothing. */
export function effectiveRoles(principal: Principal, rootOrgId: string): Set<Role> {
  const inRoot = principal.orgId === rootOrgId;
  return new Set(principal.roles.filter((role) => inRoot || !ROOT_ROLES.includes(role)));
}

/** The roles that satisfy an access rule, or `any` authenticated principal. */
export function rolesGranting(access: Access): readonly Role[] | 'any' {
  switch (access.kind) {
    case 'public':
    case 'member':
      return 'any';
    case 'configAdmin':
      return ['ConfigAdmin', 'RootAdmin', 'RootPowerUser'];
    case 'roles':
      return access.roles;
  }
}

/** Root roles this access lets act across orgs. */
function crossOrgRoles(access: Access): readonly Role[] {
  if (access.otherOrgRoles) return access.otherOrgRoles;
  const granting = rolesGranting(access);
  if (granting === 'any') return ['RootAdmin', 'RootPowerUser'];
  return granting.filter((role) => ROOT_ROLES.includes(role));
}

/**
 * Throws UNAUTHENTICATED / FORBIDDEN unless `principal` may call an endpoint with `access` on every
 * org in `targetOrgIds`.
 */
export function authorize(
  access: Access,
  principal: Principal | null,
  targetOrgIds: readonly string[],
  rootOrgId: string,
): void {
  if (access.kind === 'public') return;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'A valid bearer token is required');
  const held = effectiveRoles(principal, rootOrgId);
  const granting = rolesGranting(access);
  if (granting !== 'any' && !granting.some((role) => held.has(role))) {
    throw new AppError('FORBIDDEN', `Requires one of: ${granting.join(', ')}`);
  }
  if (access.kind === 'roles' && access.rootOrgOnly && principal.orgId !== rootOrgId) {
    throw new AppError('FORBIDDEN', 'Only principals of the root org may do this');
  }
  const actsElsewhere = targetOrgIds.some((orgId) => orgId !== principal.orgId);
  if (actsElsewhere && !crossOrgRoles(access).some((role) => held.has(role))) {
    throw new AppError('FORBIDDEN', 'You may act on your own organisation only');
  }
}

/** True when the principal is a platform operator (may act on any org). */
export function isOperator(principal: Principal | null, rootOrgId: string): boolean {
  if (!principal) return false;
  const held = effectiveRoles(principal, rootOrgId);
  return held.has('RootAdmin') || held.has('RootPowerUser');
}
