import { AppError, EndpointDef, OrgState, Principal, reachableWhenBlocked } from '@org-mgmt/contracts';

/**
 * The orgs a successful write's answer names: the payment finalisers are public, so the org whose
 * plan changed is known only from the subscription they answer with.
 */
export function answeredOrgIds(data: unknown): string[] {
  const subscription = (data as { subscription?: { orgId?: unknown } } | null)?.subscription;
  return typeof subscription?.orgId === 'string' ? [subscription.orgId] : [];
}

/**
 * Refuses the request when the org it acts on is SUSPENDED or INACTIVE. Principals of the root org
 * are never blocked: the root org cannot be suspended, and its operators must reach a blocked org to
 * lift its suspension or reactivate it.
 */
export function enforceOrgState(
  def: EndpointDef,
  principal: Principal | null,
  state: OrgState | null,
  rootOrgId: string,
): void {
  if (!state || state.serviceStatus === 'ACTIVE') return;
  if (reachableWhenBlocked(def)) return;
  if (principal?.orgId === rootOrgId) return;
  if (state.serviceStatus === 'SUSPENDED') {
    throw new AppError(
      'ORG_SUSPENDED',
      `Organisation ${state.orgId} is suspended (${state.suspensionType ?? 'unspecified'}); only its profile, balance, credits and subscription are reachable`,
      {
        serviceStatus: state.serviceStatus,
        suspensionType: state.suspensionType,
      },
    );
  }
  throw new AppError(
    'ORG_INACTIVE',
    `Organisation ${state.orgId} is inactive; only its profile, balance, credits and subscription are reachable`,
    {
      serviceStatus: state.serviceStatus,
    },
  );
}
