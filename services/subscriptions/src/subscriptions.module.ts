import { Module } from '@nestjs/common';
import { createPaymentGateway, PAYMENT_GATEWAY } from '@org-mgmt/payments';
import { CONFIG, EventConsumers, IdempotencyKeys } from '@org-mgmt/runtime';
import { CreditsClient } from './payments/credits.client';
import { DeletedOrgsRepository } from './org-events/deleted-orgs.repository';
import { OrgFeaturesClient } from './subscriptions/org-features.client';
import { OrgLifecycleConsumer } from './org-events/org-lifecycle.consumer';
import { PaymentFlow } from './payments/payment-flow';
import { PaymentHandler } from './payments/payment.handler';
import { PaymentRepository } from './payments/payment.repository';
import { PaymentSettlement } from './payments/payment-settlement';
import { PlanHandler } from './plans/plan.handler';
import { BalanceTopUpConsumer } from './renew-subscriptions/balance-topup.consumer';
import { RenewalWorker } from './renew-subscriptions/renewal.worker';
import { AccountCancellationConsumer } from './org-events/account-cancellation.consumer';
import { ChangeRecorder } from './subscriptions/change-recorder';
import { SubscriptionHandler } from './subscriptions/subscription.handler';
import { SubscriptionRepository } from './subscriptions/subscription.repository';
import { SubscriptionService } from './subscriptions/subscription.service';
import { SubscriptionTransitions } from './subscriptions/transitions';
import { ChangeRequests } from './subscriptions/change-requests';
import { UpgradeSubscription } from './upgrade-subscription/upgrade-subscription';
import { UpgradeSubscriptionHandler } from './upgrade-subscription/upgrade-subscription.handler';

@Module({
  controllers: [PlanHandler, SubscriptionHandler, UpgradeSubscriptionHandler, PaymentHandler],
  providers: [
    { provide: PAYMENT_GATEWAY, useFactory: createPaymentGateway, inject: [CONFIG] },
    EventConsumers,
    IdempotencyKeys,
    SubscriptionRepository,
    PaymentRepository,
    ChangeRecorder,
    SubscriptionTransitions,
    CreditsClient,
    PaymentSettlement,
    PaymentFlow,
    ChangeRequests,
    SubscriptionService,
    UpgradeSubscription,
    RenewalWorker,
    BalanceTopUpConsumer,
    AccountCancellationConsumer,
    DeletedOrgsRepository,
    OrgLifecycleConsumer,
    OrgFeaturesClient,
  ],
})
export class SubscriptionsModule {}
