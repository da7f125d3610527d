import { eventTablesMigration } from '@org-mgmt/runtime';
import { profileMigration } from './20261123000100_profile';
import { serviceAgreementsMigration } from './20261123000900_service_agreements';

/** In order; never edit one that has landed. */
export const orgsMigrations = [eventTablesMigration, profileMigration, serviceAgreementsMigration];
