import { Module } from '@nestjs/common';
import { CreditsClient } from './payments/credits.client';
import { PaymentFlow } from './payments/payment-flow';
import { PaymentRepository } from './payments/payment.repository';
import { PlanHandler } from './plans/plan.handler';
import { RenewalWorker } from './renewals/renewal.worker';
import { AccountCancellationConsumer } from './subscriptions/account-cancellation.consumer';
import { ChangeRecorder } from './subscriptions/change-recorder';
import { SubscriptionHandler } from './subscriptions/subscription.handler';
import { SubscriptionRepository } from './subscriptions/subscription.repository';
import { SubscriptionService } from './subscriptions/subscription.service';
import { SubscriptionTransitions } from './subscriptions/transitions';

@Module({
  controllers: [PlanHandler, SubscriptionHandler],
  providers: [
    SubscriptionRepository,
    PaymentRepository,
    ChangeRecorder,
    SubscriptionTransitions,
    CreditsClient,
    PaymentFlow,
    SubscriptionService,
    RenewalWorker,
    AccountCancellationConsumer,
  ],
})
export class SubscriptionsModule {}
