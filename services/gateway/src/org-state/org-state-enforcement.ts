import {
  AppError,
  BillingEndpoints,
  EndpointDef,
  OrgsEndpoints,
  OrgState,
  Principal,
  SubscriptionEndpoints,
} from '@org-mgmt/contracts';

/**
 * What a SUSPENDED or INACTIVE org may still call: see its state and pay its way out.
 * Public endpoints (plans, signup validation, payment finalisers, webhooks) are never blocked.
 */
export const ALLOWED_WHEN_BLOCKED: ReadonlySet<string> = new Set([
  OrgsEndpoints.profileGet.pattern,
  BillingEndpoints.balance.pattern,
  BillingEndpoints.buyCredits.pattern,
  BillingEndpoints.completePayment.pattern,
  SubscriptionEndpoints.current.pattern,
  SubscriptionEndpoints.completePayment.pattern,
  SubscriptionEndpoints.completeCheckout.pattern,
]);

/**
 * Endpoints after whose success the gateway drops the target orgs' cached state at once
 * (read-your-writes): status changes, flag overrides, and every change of plan (the services have
 * applied the new flags before these answer).
 */
export const ORG_STATE_WRITES: ReadonlySet<string> = new Set([
  OrgsEndpoints.statusSuspend.pattern,
  OrgsEndpoints.statusLift.pattern,
  OrgsEndpoints.accountCancel.pattern,
  OrgsEndpoints.accountReactivate.pattern,
  OrgsEndpoints.orgDelete.pattern,
  OrgsEndpoints.profileUpdate.pattern,
  SubscriptionEndpoints.create.pattern,
  SubscriptionEndpoints.upgrade.pattern,
  SubscriptionEndpoints.cancel.pattern,
  SubscriptionEndpoints.adminUpdate.pattern,
  SubscriptionEndpoints.completePayment.pattern,
  SubscriptionEndpoints.completeCheckout.pattern,
]);

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
  if (def.access.kind === 'public' || ALLOWED_WHEN_BLOCKED.has(def.pattern)) return;
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
