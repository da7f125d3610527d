import { Inject, Injectable } from '@nestjs/common';
import { Addon, AddonCategory, AddonTerms } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';

interface AddonRow {
  service_name: string;
  name: string;
  description: string;
  category: AddonCategory;
  billing_mode: Addon['billingMode'];
  price_amount: number;
  currency: string;
  interval: 'month' | null;
  requires_agreement: boolean;
  terms_version: string | null;
}

interface TermsRow {
  service_name: string;
  version: string;
  url: string;
  summary: string;
  published_at: number;
}

/**
 * Owns the add-on catalogue (addons) and its terms versions (addon_terms). An add-on is keyed by the
 * API's `serviceName` (`service_name` in the tables), which the code calls `addonName`; `name` is
 * what it is shown as.
 */
@Injectable()
export class AddonCatalogueRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async list(category?: AddonCategory): Promise<Addon[]> {
    const query = this.withCurrentTermsVersion().orderBy('a.sort_order');
    if (category) query.where('a.category', category);
    return (await query).map(toAddon);
  }

  async find(addonName: string): Promise<Addon | null> {
    const row: AddonRow | undefined = await this.withCurrentTermsVersion().where('a.service_name', addonName).first();
    return row ? toAddon(row) : null;
  }

  /** The latest published terms of each named add-on (of every add-on when none are named). */
  async currentTerms(addonNames?: readonly string[]): Promise<Map<string, AddonTerms>> {
    const query = this.db('addon_terms')
      .distinctOn('service_name')
      .orderBy([
        { column: 'service_name' },
        { column: 'published_at', order: 'desc' },
        { column: 'seq', order: 'desc' },
      ]);
    if (addonNames) query.whereIn('service_name', addonNames);
    const rows: TermsRow[] = await query;
    return new Map(
      rows.map((r) => [
        r.service_name,
        { version: r.version, url: r.url, summary: r.summary, publishedAt: r.published_at },
      ]),
    );
  }

  /** A new version of an add-on's terms: from now on, the org must accept it before buying. */
  async publishTerms(addonName: string, terms: AddonTerms): Promise<void> {
    await this.db('addon_terms').insert({
      service_name: addonName,
      version: terms.version,
      url: terms.url,
      summary: terms.summary,
      published_at: terms.publishedAt,
    });
  }

  private withCurrentTermsVersion() {
    const latestVersion = this.db('addon_terms as t')
      .select('t.version')
      .whereRaw('t.service_name = a.service_name')
      .orderBy([
        { column: 't.published_at', order: 'desc' },
        { column: 't.seq', order: 'desc' },
      ])
      .limit(1)
      .as('terms_version');
    return this.db('addons as a').select('a.*', latestVersion);
  }
}

function toAddon(row: AddonRow): Addon {
  return {
    serviceName: row.service_name,
    name: row.name,
    description: row.description,
    category: row.category,
    billingMode: row.billing_mode,
    price: { amount: row.price_amount, currency: row.currency, interval: row.interval },
    requiresAgreement: row.requires_agreement,
    termsVersion: row.terms_version,
  };
}
