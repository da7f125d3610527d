import { eventRetentionIndexesMigration, eventTablesMigration } from '@org-mgmt/runtime';
import { subscriptionsMigration } from './20261123001000_subscriptions';
import { deletedOrgsMigration } from './20261123001320_deleted_orgs';
import { paymentResponseTextMigration } from './20261202000100_payment_response_text';
import { paymentIdempotencyKeysMigration } from './20261215000100_idempotency_keys';

/** In order; never edit one that has landed. */
export const subscriptionsMigrations = [
  eventTablesMigration,
  subscriptionsMigration,
  deletedOrgsMigration,
  eventRetentionIndexesMigration,
  paymentResponseTextMigration,
  paymentIdempotencyKeysMigration,
];
