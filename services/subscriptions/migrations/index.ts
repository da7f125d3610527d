import { eventTablesMigration } from '@org-mgmt/runtime';
import { subscriptionsMigration } from './20261123001000_subscriptions';

/** In order; never edit one that has landed. */
export const subscriptionsMigrations = [eventTablesMigration, subscriptionsMigration];
