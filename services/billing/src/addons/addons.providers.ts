import { AddonCatalogueHandler } from './addon-catalogue.handler';
import { AddonCatalogueRepository } from './addon-catalogue.repository';
import { AddonCatalogueService } from './addon-catalogue.service';
import { AddonPurchaseHandler } from './addon-purchase.handler';
import { AddonPurchaseRepository } from './addon-purchase.repository';
import { AddonPurchaseStatus } from './addon-purchase-status';
import { AddonPurchaseService } from './addon-purchase.service';
import { AddonSettlementService } from './addon-settlement.service';

/**
 * Add-ons: the catalogue with its terms versions, and purchases. Part of BillingModule, whose
 * payment gateway, idempotency and ledger they use.
 */
export const ADDON_CONTROLLERS = [AddonCatalogueHandler, AddonPurchaseHandler];
export const ADDON_PROVIDERS = [
  AddonCatalogueRepository,
  AddonCatalogueService,
  AddonPurchaseRepository,
  AddonPurchaseStatus,
  AddonPurchaseService,
  AddonSettlementService,
];
