import { Module } from '@nestjs/common';
import { createPaymentGateway, PAYMENT_GATEWAY } from '@org-mgmt/payments';
import { CONFIG, EventConsumers, IdempotencyKeys } from '@org-mgmt/runtime';
import { AddCreditHandler } from './add-credit/add-credit.handler';
import { AddCreditService } from './add-credit/add-credit.service';
import { ADDON_CONTROLLERS, ADDON_PROVIDERS } from './addons/addons.providers';
import { BuyCreditsHandler } from './buy-credits/buy-credits.handler';
import { BuyCreditsService } from './buy-credits/buy-credits.service';
import { OrgsClient } from './clients/orgs.client';
import { SubscriptionsClient } from './clients/subscriptions.client';
import { CompletePaymentHandler } from './complete-payment/complete-payment.handler';
import { CompletePaymentService } from './complete-payment/complete-payment.service';
import { DebitHandler } from './debit/debit.handler';
import { DebitService } from './debit/debit.service';
import { GiftCreditsHandler } from './gift-credits/gift-credits.handler';
import { GiftCreditsService } from './gift-credits/gift-credits.service';
import { BalanceHandler } from './ledger/balance.handler';
import { LedgerClosureConsumer } from './ledger/ledger-closure.consumer';
import { LedgerRepository } from './ledger/ledger.repository';
import { LedgerService } from './ledger/ledger.service';
import { TransactionRepository } from './ledger/transaction.repository';
import { StripeWebhookHandler } from './stripe-webhook/stripe-webhook.handler';

/** One folder per use case, named after its endpoint key; the ledger, the clients and add-ons are shared. */
@Module({
  controllers: [
    BalanceHandler,
    BuyCreditsHandler,
    CompletePaymentHandler,
    StripeWebhookHandler,
    GiftCreditsHandler,
    AddCreditHandler,
    DebitHandler,
    ...ADDON_CONTROLLERS,
  ],
  providers: [
    { provide: PAYMENT_GATEWAY, useFactory: createPaymentGateway, inject: [CONFIG] },
    EventConsumers,
    IdempotencyKeys,
    LedgerRepository,
    TransactionRepository,
    LedgerService,
    OrgsClient,
    SubscriptionsClient,
    BuyCreditsService,
    CompletePaymentService,
    GiftCreditsService,
    AddCreditService,
    DebitService,
    LedgerClosureConsumer,
    ...ADDON_PROVIDERS,
  ],
})
export class BillingModule {}
