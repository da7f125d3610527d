import { eventTablesMigration } from '@org-mgmt/runtime';

/** In order; never edit one that has landed. */
export const billingMigrations = [eventTablesMigration];
