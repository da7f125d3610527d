import { Knex, Migration } from '@org-mgmt/runtime';
import { createTransferLedger, LEDGER_TABLE } from '@org-mgmt/transfer-participant';

/** Transfer jobs with their per-datatype steps and committed batches; the audit of owner and email changes. */
export const transferJobsMigration: Migration = {
  name: '20261123000710_transfer_jobs',
  async up(db: Knex) {
    await db.schema.createTable('transfer_jobs', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('mode').notNullable();
      t.text('source_org_id').notNullable().index();
      t.text('target_org_id').notNullable().index();
      t.text('status').notNullable();
      t.integer('batch_size').notNullable();
      t.jsonb('error');
      t.jsonb('retrying');
      t.boolean('cancel_requested').notNullable().defaultTo(false);
      t.text('requested_by').notNullable();
      t.bigInteger('created_at').notNullable();
      t.bigInteger('updated_at').notNullable();
      t.bigInteger('started_at');
      t.bigInteger('finished_at');
    });
    await db.raw("CREATE INDEX transfer_jobs_runnable ON transfer_jobs (seq) WHERE status IN ('queued', 'running', 'rolling_back')");
    await db.schema.createTable('transfer_job_steps', (t) => {
      t.text('job_id').notNullable().references('id').inTable('transfer_jobs').onDelete('CASCADE');
      t.integer('position').notNullable();
      t.text('datatype').notNullable();
      t.text('status').notNullable();
      t.bigInteger('source_count').notNullable();
      t.bigInteger('transferred').notNullable().defaultTo(0);
      t.bigInteger('rolled_back').notNullable().defaultTo(0);
      t.integer('batches').notNullable().defaultTo(0);
      t.text('cursor');
      t.jsonb('error');
      t.primary(['job_id', 'position']);
    });
    await db.schema.createTable('transfer_job_batches', (t) => {
      t.text('job_id').notNullable().references('id').inTable('transfer_jobs').onDelete('CASCADE');
      t.integer('position').notNullable();
      t.integer('batch_no').notNullable();
      t.text('batch_id').notNullable().unique();
      t.integer('transferred').notNullable();
      t.text('cursor_after');
      t.bigInteger('committed_at').notNullable();
      t.bigInteger('rolled_back_at');
      t.primary(['job_id', 'position', 'batch_no']);
    });
    await db.schema.createTable('org_change_audit', (t) => {
      t.text('id').primary();
      t.text('kind').notNullable();
      t.text('org_id').notNullable().index();
      t.text('requested_by').notNullable();
      t.jsonb('request').notNullable();
      t.text('status').notNullable();
      t.jsonb('result');
      t.jsonb('error');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('finished_at');
    });

    // The generic record store: the reference participant (datatypes `collections` and `records`).
    await db.schema.createTable('record_collections', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      t.text('key').notNullable();
      t.text('name').notNullable();
      t.bigInteger('created_at').notNullable();
      t.unique(['org_id', 'key']);
      t.index(['org_id', 'seq']);
    });
    await db.schema.createTable('records', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      t.text('collection_id');
      t.text('parent_id');
      t.text('key').notNullable();
      t.jsonb('data').notNullable().defaultTo('{}');
      t.bigInteger('created_at').notNullable();
      t.unique(['org_id', 'key']);
      t.index(['org_id', 'seq']);
    });
    await createTransferLedger(db);
  },
  async down(db: Knex) {
    for (const table of [LEDGER_TABLE, 'records', 'record_collections', 'org_change_audit', 'transfer_job_batches', 'transfer_job_steps', 'transfer_jobs']) {
      await db.schema.dropTableIfExists(table);
    }
  },
};
