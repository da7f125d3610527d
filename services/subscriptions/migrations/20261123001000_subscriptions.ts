import { Knex, Migration } from '@org-mgmt/runtime';

/** Subscriptions, their audited change log, and the payments that pay for changes and renewals. */
export const subscriptionsMigration: Migration = {
  name: '20261123001000_subscriptions',
  async up(db: Knex) {
    await db.schema.createTable('subscriptions', (t) => {
      t.text('id').primary();
      t.text('org_id').notNullable();
      t.text('plan').notNullable();
      t.text('interval').notNullable();
      t.text('status').notNullable();
      t.bigInteger('price_amount').notNullable();
      t.text('currency').notNullable();
      t.bigInteger('current_period_start').notNullable();
      t.bigInteger('current_period_end').notNullable();
      t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
      t.text('scheduled_plan');
      t.text('scheduled_interval');
      t.bigInteger('cancelled_at');
      /** The period end whose renewal charge failed and is being retried; null when paid up. */
      t.bigInteger('unpaid_period_end');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.index(['org_id', 'created_at']);
    });
    await db.raw(`ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'past_due', 'cancelled'))`);
    await db.raw(`ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_interval_check CHECK (interval IN ('month', 'year'))`);
    await db.raw('ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_price_check CHECK (price_amount >= 0)');
    await db.raw('ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_period_check CHECK (current_period_end > current_period_start)');
    /** One live subscription per org: two racing creates cannot both win. */
    await db.raw(`CREATE UNIQUE INDEX subscriptions_one_live_per_org ON subscriptions (org_id) WHERE status <> 'cancelled'`);
    await db.raw(`CREATE INDEX subscriptions_due ON subscriptions (current_period_end) WHERE status <> 'cancelled'`);

    await db.schema.createTable('subscription_changes', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('subscription_id').notNullable().references('id').inTable('subscriptions').onDelete('CASCADE');
      t.text('org_id').notNullable();
      t.text('change').notNullable();
      t.text('from_plan');
      t.text('to_plan').notNullable();
      t.bigInteger('amount_charged').notNullable().defaultTo(0);
      t.text('changed_by').notNullable();
      t.text('reason');
      t.jsonb('details').notNullable().defaultTo('{}');
      t.bigInteger('changed_at').notNullable();
      t.index(['subscription_id', 'seq']);
    });

    await db.schema.createTable('subscription_payments', (t) => {
      t.text('id').primary();
      t.text('org_id').notNullable();
      /** Null for a create, whose subscription exists only once paid. */
      t.text('subscription_id');
      t.text('purpose').notNullable();
      t.text('plan').notNullable();
      t.text('interval').notNullable();
      t.bigInteger('amount').notNullable();
      t.text('currency').notNullable();
      t.text('method').notNullable();
      t.text('gateway');
      t.text('gateway_payment_id');
      t.text('status').notNullable();
      t.text('idempotency_key');
      t.text('requested_by').notNullable();
      t.jsonb('proration');
      t.jsonb('response');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('completed_at');
    });
    await db.raw(`ALTER TABLE subscription_payments ADD CONSTRAINT subscription_payments_status_check
      CHECK (status IN ('pending', 'succeeded', 'failed'))`);
    await db.raw('ALTER TABLE subscription_payments ADD CONSTRAINT subscription_payments_amount_check CHECK (amount > 0)');
    /** One payment in flight per org: a double-submitted upgrade cannot start a second charge. */
    await db.raw(`CREATE UNIQUE INDEX subscription_payments_one_pending ON subscription_payments (org_id) WHERE status = 'pending'`);
    await db.raw(`CREATE UNIQUE INDEX subscription_payments_idempotency ON subscription_payments (org_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL`);
    await db.raw('CREATE UNIQUE INDEX subscription_payments_gateway_ref ON subscription_payments (gateway, gateway_payment_id) WHERE gateway_payment_id IS NOT NULL');
  },
  async down(db: Knex) {
    for (const table of ['subscription_payments', 'subscription_changes', 'subscriptions']) await db.schema.dropTableIfExists(table);
  },
};
