import { Inject, Injectable } from '@nestjs/common';
import { BillingInterval, PlanId, SubscriptionEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, LOGGER, Logger, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';

/**
 * Starts the plan an org registers with before org-register answers (`subscriptions.registration.start`),
 * which hands the plan's flags back to orgs in the same flow. Never fails the registration: org.created
 * carries the plan too, and subscriptions starts it from there if this call did not get through.
 */
@Injectable()
export class PlanStartClient {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(
    input: { orgId: string; planId: PlanId; interval: BillingInterval; changedBy: string },
    requestId?: string,
  ): Promise<void> {
    try {
      await callAsSystem(this.rpc, 'orgs', SubscriptionEndpoints.startForRegistration, {
        orgId: input.orgId,
        body: input,
        requestId,
      });
    } catch (err) {
      this.logger.warn(
        { err, orgId: input.orgId },
        'subscriptions did not start the registered plan now; org.created will',
      );
    }
  }
}
