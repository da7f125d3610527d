import { Inject, Injectable } from '@nestjs/common';
import { EventEnvelope, OrgsEndpoints, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { callAsSystem, LOGGER, Logger, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { z } from 'zod';

/**
 * Hands a committed subscription.changed to orgs (`orgs.features.apply`) so the org's effective
 * flags have changed before the change answers. Never fails: the event in the outbox is the
 * guarantee, this is only the head start.
 */
@Injectable()
export class OrgFeaturesClient {
  constructor(
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handOver(event: EventEnvelope<z.output<typeof SubscriptionChangedEvent.schema>>): Promise<void> {
    try {
      await callAsSystem(this.rpc, 'subscriptions', OrgsEndpoints.featuresApply, {
        orgId: event.data.orgId,
        body: { eventId: event.id, occurredAt: event.occurredAt, change: event.data },
      });
    } catch (err) {
      this.logger.warn(
        { err, eventId: event.id, orgId: event.data.orgId },
        'orgs did not take the subscription change; the event will carry it',
      );
    }
  }
}
