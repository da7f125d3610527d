import { Controller } from '@nestjs/common';
import { OrgsEndpoints, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { Rpc, RpcContext } from '@org-mgmt/runtime';
import { SubscriptionChangesConsumer } from './subscription-changes.consumer';

@Controller()
export class FeaturesHandler {
  constructor(private readonly changes: SubscriptionChangesConsumer) {}

  @Rpc(OrgsEndpoints.featuresApply)
  async apply(ctx: RpcContext<typeof OrgsEndpoints.featuresApply>) {
    const { eventId, occurredAt, change } = ctx.body;
    const event = {
      id: eventId,
      type: SubscriptionChangedEvent.subject,
      version: SubscriptionChangedEvent.version,
      occurredAt,
      orgId: change.orgId,
      data: change,
    };
    return { applied: await this.changes.deliver(event) };
  }
}
