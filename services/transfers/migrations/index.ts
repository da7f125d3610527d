import { eventRetentionIndexesMigration, eventTablesMigration } from '@org-mgmt/runtime';
import { transferJobsMigration } from './20261123000710_transfers';

/** In order; never edit one that has landed. */
export const transfersMigrations = [eventTablesMigration, transferJobsMigration, eventRetentionIndexesMigration];
