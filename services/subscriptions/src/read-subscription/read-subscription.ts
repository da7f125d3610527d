import { Injectable } from '@nestjs/common';
import { AppError, Subscription } from '@org-mgmt/contracts';
import { publicSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';

/** GET subscription/current: the org's live subscription, else its most recent cancelled one. */
@Injectable()
export class ReadSubscription {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  async execute(orgId: string): Promise<Subscription> {
    const sub = await this.subscriptions.current(orgId);
    if (!sub) throw new AppError('NOT_FOUND', `Organisation ${orgId} has no subscription`);
    return publicSubscription(sub);
  }
}
