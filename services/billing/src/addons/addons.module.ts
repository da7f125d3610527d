import { Module } from '@nestjs/common';
import { createPaymentGateway, PAYMENT_GATEWAY } from '@org-mgmt/payments';
import { CONFIG } from '@org-mgmt/runtime';
import { AddonCatalogueHandler } from './addon-catalogue.handler';
import { AddonCatalogueRepository } from './addon-catalogue.repository';
import { AddonCatalogueService } from './addon-catalogue.service';
import { AddonPurchaseHandler } from './addon-purchase.handler';
import { AddonPurchaseRepository } from './addon-purchase.repository';
import { AddonPurchaseService } from './addon-purchase.service';
import { AgreementStatusClient } from './agreement-status.client';

/** Add-on services: the catalogue with its terms versions, and purchases. */
@Module({
  controllers: [AddonCatalogueHandler, AddonPurchaseHandler],
  providers: [
    AddonCatalogueRepository,
    AddonCatalogueService,
    AddonPurchaseRepository,
    AddonPurchaseService,
    AgreementStatusClient,
    { provide: PAYMENT_GATEWAY, useFactory: createPaymentGateway, inject: [CONFIG] },
  ],
  exports: [AddonCatalogueService, AddonPurchaseService],
})
export class AddonsModule {}
