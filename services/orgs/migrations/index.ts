import { eventTablesMigration } from '@org-mgmt/runtime';
import { profileMigration } from './20261123000100_profile';
import { transfersMigration } from './20261123000700_transfers';

/** In order; never edit one that has landed. */
export const orgsMigrations = [eventTablesMigration, profileMigration, transfersMigration];
