import { Module } from '@nestjs/common';
import { createPaymentGateway, PAYMENT_GATEWAY } from '@org-mgmt/payments';
import { CONFIG, EventConsumers, IdempotencyKeys } from '@org-mgmt/runtime';
import { ADDON_CONTROLLERS, ADDON_PROVIDERS } from './addons/addons.providers';
import { CreditsHandler } from './credits/credits.handler';
import { DebitService } from './credits/debit.service';
import { GrantService } from './credits/grant.service';
import { BalanceHandler } from './ledger/balance.handler';
import { LedgerClosureConsumer } from './ledger/ledger-closure.consumer';
import { LedgerRepository } from './ledger/ledger.repository';
import { LedgerService } from './ledger/ledger.service';
import { OrgDirectory } from './ledger/org-directory';
import { TransactionRepository } from './ledger/transaction.repository';
import { PurchaseHandler } from './payments/purchase.handler';
import { PurchaseService } from './payments/purchase.service';
import { SubscriptionPaymentsClient } from './payments/subscription-payments.client';

@Module({
  controllers: [BalanceHandler, CreditsHandler, PurchaseHandler, ...ADDON_CONTROLLERS],
  providers: [
    { provide: PAYMENT_GATEWAY, useFactory: createPaymentGateway, inject: [CONFIG] },
    EventConsumers,
    IdempotencyKeys,
    LedgerRepository,
    TransactionRepository,
    LedgerService,
    OrgDirectory,
    GrantService,
    DebitService,
    PurchaseService,
    SubscriptionPaymentsClient,
    LedgerClosureConsumer,
    ...ADDON_PROVIDERS,
  ],
})
export class BillingModule {}
