import { Knex, Migration } from '@org-mgmt/runtime';

/**
 * A deleted org's ledger is closed: who closed it, when and why are kept on its balance row (which
 * every balance change locks, so a change racing the closure either commits first or is refused).
 */
export const ledgerClosureMigration: Migration = {
  name: '20261123001310_ledger_closure',
  async up(db: Knex) {
    await db.schema.alterTable('balances', (t) => {
      t.bigInteger('closed_at');
      t.text('closed_by');
      t.text('closed_reason');
    });
  },
  async down(db: Knex) {
    await db.schema.alterTable('balances', (t) => {
      t.dropColumns('closed_at', 'closed_by', 'closed_reason');
    });
  },
};
