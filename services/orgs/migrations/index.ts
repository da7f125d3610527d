import { eventTablesMigration } from '@org-mgmt/runtime';
import { profileMigration } from './20261123000100_profile';
import { lifecycleMigration } from './20261123000200_lifecycle';

/** In order; never edit one that has landed. */
export const orgsMigrations = [eventTablesMigration, profileMigration, lifecycleMigration];
