import { Knex, Migration } from '@org-mgmt/runtime';

/** Credit ledger: transactions, immutable ledger entries, one balance row per org, idempotency keys. */
export const ledgerMigration: Migration = {
  name: '20261123000200_ledger',
  async up(db: Knex) {
    await db.schema.createTable('balances', (t) => {
      t.text('org_id').primary();
      t.text('currency').notNullable();
      t.bigInteger('balance').notNullable().defaultTo(0);
      t.bigInteger('updated_at').notNullable();
    });
    await db.raw('ALTER TABLE balances ADD CONSTRAINT balances_never_negative CHECK (balance >= 0)');

    await db.schema.createTable('transactions', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      t.text('type').notNullable();
      t.text('status').notNullable();
      t.bigInteger('amount').notNullable();
      t.text('currency').notNullable();
      t.bigInteger('balance_after');
      t.text('gateway');
      t.text('payment_intent_id');
      t.text('reference');
      t.text('reason');
      t.text('related_transaction_id');
      t.text('created_by');
      t.text('failure_reason');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('completed_at');
      t.index(['org_id', 'seq']);
    });
    await db.raw(`ALTER TABLE transactions
      ADD CONSTRAINT transactions_type CHECK (type IN ('purchase', 'gift', 'adjustment', 'refund', 'debit')),
      ADD CONSTRAINT transactions_status CHECK (status IN ('pending', 'succeeded', 'failed')),
      ADD CONSTRAINT transactions_amount_positive CHECK (amount > 0)`);
    await db.raw('CREATE UNIQUE INDEX transactions_one_per_payment ON transactions (gateway, payment_intent_id) WHERE payment_intent_id IS NOT NULL');
    await db.raw("CREATE UNIQUE INDEX transactions_debit_reference ON transactions (org_id, reference) WHERE type = 'debit'");

    await db.schema.createTable('ledger_entries', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      // One entry per transaction: a payment credits the ledger once, whoever finalises it.
      t.text('transaction_id').notNullable().unique().references('id').inTable('transactions');
      t.bigInteger('delta').notNullable();
      t.text('currency').notNullable();
      t.bigInteger('balance_after').notNullable();
      t.text('created_by');
      t.bigInteger('created_at').notNullable();
      t.index(['org_id', 'seq']);
    });
    await db.raw(`ALTER TABLE ledger_entries
      ADD CONSTRAINT ledger_entries_delta_nonzero CHECK (delta <> 0),
      ADD CONSTRAINT ledger_entries_balance_never_negative CHECK (balance_after >= 0)`);
    await db.raw(`CREATE FUNCTION ledger_entries_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'ledger entries are immutable'; END $$`);
    await db.raw(`CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
      FOR EACH ROW EXECUTE FUNCTION ledger_entries_immutable()`);

    await db.schema.createTable('idempotency_keys', (t) => {
      t.text('scope').notNullable();
      t.text('account').notNullable();
      t.text('key').notNullable();
      t.text('request_hash').notNullable();
      t.jsonb('response');
      t.bigInteger('created_at').notNullable();
      t.primary(['scope', 'account', 'key']);
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('idempotency_keys');
    await db.schema.dropTableIfExists('ledger_entries');
    await db.raw('DROP FUNCTION IF EXISTS ledger_entries_immutable()');
    await db.schema.dropTableIfExists('transactions');
    await db.schema.dropTableIfExists('balances');
  },
};
