import { Module } from '@nestjs/common';
import { createPaymentGateway, PAYMENT_GATEWAY } from '@org-mgmt/payments';
import { CONFIG, EventConsumers, IdempotencyKeys } from '@org-mgmt/runtime';
import { AdminUpdateSubscription } from './admin-update-subscription/admin-update-subscription';
import { AdminUpdateSubscriptionHandler } from './admin-update-subscription/admin-update-subscription.handler';
import { CancelSubscription } from './cancel-subscription/cancel-subscription';
import { CancelSubscriptionHandler } from './cancel-subscription/cancel-subscription.handler';
import { CompleteSubscriptionPayment } from './complete-subscription-payment/complete-subscription-payment';
import { CompleteSubscriptionPaymentHandler } from './complete-subscription-payment/complete-subscription-payment.handler';
import { CreateSubscription } from './create-subscription/create-subscription';
import { CreateSubscriptionHandler } from './create-subscription/create-subscription.handler';
import { DowngradeSubscription } from './downgrade-subscription/downgrade-subscription';
import { DowngradeSubscriptionHandler } from './downgrade-subscription/downgrade-subscription.handler';
import { AccountCancellationConsumer } from './org-events/account-cancellation.consumer';
import { DeletedOrgsRepository } from './org-events/deleted-orgs.repository';
import { EndOrgSubscription } from './org-events/end-org-subscription';
import { OrgLifecycleConsumer } from './org-events/org-lifecycle.consumer';
import { CreditsClient } from './payments/credits.client';
import { PaymentFlow } from './payments/payment-flow';
import { PaymentRepository } from './payments/payment.repository';
import { PaymentSettlement } from './payments/payment-settlement';
import { ReadSubscription } from './read-subscription/read-subscription';
import { ReadSubscriptionHandler } from './read-subscription/read-subscription.handler';
import { BalanceTopUpConsumer } from './renew-subscriptions/balance-topup.consumer';
import { RenewalWorker } from './renew-subscriptions/renewal.worker';
import { SettleSubscriptionPayment } from './settle-subscription-payment/settle-subscription-payment';
import { SettleSubscriptionPaymentHandler } from './settle-subscription-payment/settle-subscription-payment.handler';
import { StartSubscriptionForRegistration } from './start-subscription-for-registration/start-subscription-for-registration';
import { StartSubscriptionForRegistrationHandler } from './start-subscription-for-registration/start-subscription-for-registration.handler';
import { ChangeRecorder } from './subscriptions/change-recorder';
import { ChangeRequests } from './subscriptions/change-requests';
import { OrgFeaturesClient } from './subscriptions/org-features.client';
import { SubscriptionRepository } from './subscriptions/subscription.repository';
import { SubscriptionTransitions } from './subscriptions/transitions';
import { UpgradeSubscription } from './upgrade-subscription/upgrade-subscription';
import { UpgradeSubscriptionHandler } from './upgrade-subscription/upgrade-subscription.handler';

/** One handler per use-case folder; the shared rules (transitions, change requests, payments) under them. */
@Module({
  controllers: [
    ReadSubscriptionHandler,
    CreateSubscriptionHandler,
    UpgradeSubscriptionHandler,
    DowngradeSubscriptionHandler,
    CancelSubscriptionHandler,
    AdminUpdateSubscriptionHandler,
    CompleteSubscriptionPaymentHandler,
    SettleSubscriptionPaymentHandler,
    StartSubscriptionForRegistrationHandler,
  ],
  providers: [
    { provide: PAYMENT_GATEWAY, useFactory: createPaymentGateway, inject: [CONFIG] },
    EventConsumers,
    IdempotencyKeys,
    SubscriptionRepository,
    PaymentRepository,
    DeletedOrgsRepository,
    ChangeRecorder,
    SubscriptionTransitions,
    CreditsClient,
    PaymentSettlement,
    PaymentFlow,
    ChangeRequests,
    ReadSubscription,
    CreateSubscription,
    UpgradeSubscription,
    DowngradeSubscription,
    CancelSubscription,
    AdminUpdateSubscription,
    CompleteSubscriptionPayment,
    SettleSubscriptionPayment,
    StartSubscriptionForRegistration,
    EndOrgSubscription,
    RenewalWorker,
    BalanceTopUpConsumer,
    AccountCancellationConsumer,
    OrgLifecycleConsumer,
    OrgFeaturesClient,
  ],
})
export class SubscriptionsModule {}
