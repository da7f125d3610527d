import { eventRetentionIndexesMigration, eventTablesMigration } from '@org-mgmt/runtime';
import { addonsMigration } from './20261123000900_addons';
import { ledgerMigration } from './20261123000200_ledger';
import { ledgerClosureMigration } from './20261123001310_ledger_closure';
import { idempotencyResponseTextMigration } from './20261124000100_idempotency_response_text';

/** In order; never edit one that has landed. */
export const billingMigrations = [
  eventTablesMigration,
  ledgerMigration,
  addonsMigration,
  ledgerClosureMigration,
  idempotencyResponseTextMigration,
  eventRetentionIndexesMigration,
];
