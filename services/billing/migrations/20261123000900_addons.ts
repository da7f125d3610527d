import { Knex, Migration } from '@org-mgmt/runtime';

const PUBLISHED = 1_763_856_000_000; // 2025-11-23, when the first catalogue was published

/** Add-on catalogue, the versions of each add-on's own terms (append-only), and purchases. */
export const addonsMigration: Migration = {
  name: '20261123000900_addons',
  async up(db: Knex) {
    await db.schema.createTable('addons', (t) => {
      t.text('service_name').primary();
      t.text('name').notNullable();
      t.text('description').notNullable();
      t.text('category').notNullable();
      t.text('billing_mode').notNullable();
      t.bigInteger('price_amount').notNullable();
      t.text('currency').notNullable();
      t.text('interval');
      t.boolean('requires_agreement').notNullable();
      t.integer('sort_order').notNullable();
    });
    await db.raw(`ALTER TABLE addons ADD CONSTRAINT addons_price_check CHECK (price_amount >= 0),
      ADD CONSTRAINT addons_mode_check CHECK (billing_mode IN ('one-off', 'recurring')),
      ADD CONSTRAINT addons_interval_check CHECK ((billing_mode = 'recurring') = (interval IS NOT NULL))`);

    await db.schema.createTable('addon_terms', (t) => {
      t.bigIncrements('seq').primary();
      t.text('service_name').notNullable().references('service_name').inTable('addons');
      t.text('version').notNullable();
      t.text('url').notNullable();
      t.text('summary').notNullable();
      t.bigInteger('published_at').notNullable();
      t.unique(['service_name', 'version']);
    });

    await db.schema.createTable('addon_purchases', (t) => {
      t.bigIncrements('seq').primary();
      t.text('id').notNullable().unique();
      t.text('org_id').notNullable();
      t.text('service_name').notNullable().references('service_name').inTable('addons');
      t.text('status').notNullable();
      t.text('billing_mode').notNullable();
      t.bigInteger('amount').notNullable();
      t.text('currency').notNullable();
      t.text('payment_source').notNullable();
      t.text('gateway');
      t.text('payment_intent_id').unique();
      t.text('terms_version');
      t.bigInteger('period_start');
      t.bigInteger('period_end');
      t.text('purchased_by').notNullable();
      t.text('idempotency_key');
      t.text('request_hash');
      t.text('failure_reason');
      t.bigInteger('created_at').notNullable();
      t.bigInteger('completed_at');
      t.unique(['org_id', 'idempotency_key']);
      t.index(['org_id', 'seq']);
    });
    await db.raw(`ALTER TABLE addon_purchases ADD CONSTRAINT addon_purchases_status_check
      CHECK (status IN ('pending', 'active', 'failed')),
      ADD CONSTRAINT addon_purchases_amount_check CHECK (amount >= 0)`);

    await db('addons').insert(CATALOGUE.map(({ terms: _terms, ...addon }) => addon));
    await db('addon_terms').insert(
      CATALOGUE.filter((a) => a.terms).map((a) => ({ service_name: a.service_name, ...a.terms!, published_at: PUBLISHED })),
    );
  },
  async down(db: Knex) {
    for (const table of ['addon_purchases', 'addon_terms', 'addons']) await db.schema.dropTableIfExists(table);
  },
};

interface SeedAddon {
  service_name: string;
  name: string;
  description: string;
  category: string;
  billing_mode: 'one-off' | 'recurring';
  price_amount: number;
  currency: string;
  interval: 'month' | null;
  requires_agreement: boolean;
  sort_order: number;
  terms?: { version: string; url: string; summary: string };
}

const CATALOGUE: SeedAddon[] = [
  {
    service_name: 'priority-support', name: 'Priority support', category: 'support',
    description: 'Four-hour first response, around the clock, by senior engineers.',
    billing_mode: 'recurring', price_amount: 4900, currency: 'USD', interval: 'month', requires_agreement: false, sort_order: 10,
  },
  {
    service_name: 'dedicated-success-manager', name: 'Dedicated success manager', category: 'support',
    description: 'A named customer success manager with quarterly business reviews.',
    billing_mode: 'recurring', price_amount: 150000, currency: 'USD', interval: 'month', requires_agreement: false, sort_order: 20,
  },
  {
    service_name: 'extra-storage-100gb', name: 'Extra storage (100 GB)', category: 'storage',
    description: '100 GB of storage on top of the plan allowance.',
    billing_mode: 'recurring', price_amount: 1500, currency: 'USD', interval: 'month', requires_agreement: false, sort_order: 30,
  },
  {
    service_name: 'premium-domain', name: 'Premium domain registration', category: 'domains',
    description: 'Registration of one premium domain name for a year, through our registrar partner.',
    billing_mode: 'one-off', price_amount: 2500, currency: 'USD', interval: null, requires_agreement: true, sort_order: 40,
    terms: {
      version: '2025-11',
      url: 'https://legal.example.com/addons/premium-domain/2025-11',
      summary: "The registrar partner's registration agreement and the domain dispute policy apply.",
    },
  },
  {
    service_name: 'premium-ai-models', name: 'Premium AI models', category: 'ai',
    description: 'Access to premium third-party AI models, licensed separately.',
    billing_mode: 'recurring', price_amount: 9900, currency: 'USD', interval: 'month', requires_agreement: true, sort_order: 50,
    terms: {
      version: '2025-11',
      url: 'https://legal.example.com/addons/premium-ai-models/2025-11',
      summary: "The model providers' licence and acceptable-use terms apply; prompts may be processed by the provider.",
    },
  },
];
