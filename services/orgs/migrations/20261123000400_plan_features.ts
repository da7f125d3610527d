import { Knex, Migration } from '@org-mgmt/runtime';

/** The default feature flags of each org's plan, as the last subscription.changed said. */
export const planFeaturesMigration: Migration = {
  name: '20261123000400_plan_features',
  async up(db: Knex) {
    await db.schema.createTable('org_plan_features', (t) => {
      t.text('org_id').primary().references('id').inTable('organizations').onDelete('CASCADE');
      t.text('subscription_id').notNullable();
      t.text('plan').notNullable();
      t.text('subscription_status').notNullable();
      t.jsonb('features').notNullable().defaultTo('[]');
      /** occurredAt of the event applied last: an older event redelivered late does not win. */
      t.bigInteger('source_occurred_at').notNullable();
      t.bigInteger('updated_at').notNullable();
    });
  },
  async down(db: Knex) {
    await db.schema.dropTableIfExists('org_plan_features');
  },
};
