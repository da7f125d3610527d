import { eventRetentionIndexesMigration, eventTablesMigration } from '@org-mgmt/runtime';
import { profileMigration } from './20261123000100_profile';
import { lifecycleMigration } from './20261123000200_lifecycle';
import { planFeaturesMigration } from './20261123000400_plan_features';
import { deletionPurgeMigration } from './20261123000500_deletion_purge';
import { transfersMigration } from './20261123000700_transfers';
import { serviceAgreementsMigration } from './20261123000900_service_agreements';
import { changeIdempotencyKeysMigration } from './20261216000100_idempotency_keys';

/** In order; never edit one that has landed. */
export const orgsMigrations = [
  eventTablesMigration,
  profileMigration,
  lifecycleMigration,
  planFeaturesMigration,
  deletionPurgeMigration,
  transfersMigration,
  serviceAgreementsMigration,
  eventRetentionIndexesMigration,
  changeIdempotencyKeysMigration,
];
