import { Inject, Injectable } from '@nestjs/common';
import { AddonPurchase, PurchaseStatus } from '@org-mgmt/contracts';
import { DATABASE, Knex, lockUntilCommit, pageBySeqDesc } from '@org-mgmt/runtime';

/** What is stored; `suspended` and `expired` are derived when read (see AddonPurchaseService). */
export type StoredPurchaseStatus = 'pending' | 'active' | 'failed';

interface PurchaseRow {
  seq: number;
  id: string;
  org_id: string;
  service_name: string;
  status: StoredPurchaseStatus;
  billing_mode: AddonPurchase['billingMode'];
  amount: number;
  currency: string;
  payment_source: AddonPurchase['paymentSource'];
  gateway: AddonPurchase['gateway'];
  payment_intent_id: string | null;
  terms_version: string | null;
  period_start: number | null;
  period_end: number | null;
  purchased_by: string;
  failure_reason: string | null;
  created_at: number;
  completed_at: number | null;
}

export interface StoredPurchase extends Omit<AddonPurchase, 'status'> {
  status: StoredPurchaseStatus;
}

export interface Activation {
  periodStart: number;
  periodEnd: number | null;
  completedAt: number;
}

/** A purchase with its insertion sequence, the key of the page cursor. */
export interface PagedPurchase {
  seq: number;
  purchase: StoredPurchase;
}

export interface PurchasePageRequest {
  limit: number;
  cursor?: string;
  serviceName?: string;
  status?: PurchaseStatus;
  /** The clock's now, which decides `expired`. */
  now: number;
}

type Db = Knex | Knex.Transaction;

@Injectable()
export class AddonPurchaseRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async insert(db: Db, purchase: StoredPurchase): Promise<void> {
    await db('addon_purchases').insert({
      id: purchase.id,
      org_id: purchase.orgId,
      service_name: purchase.serviceName,
      status: purchase.status,
      billing_mode: purchase.billingMode,
      amount: purchase.amount,
      currency: purchase.currency,
      payment_source: purchase.paymentSource,
      gateway: purchase.gateway,
      payment_intent_id: purchase.paymentIntentId,
      terms_version: purchase.termsVersion,
      period_start: purchase.periodStart,
      period_end: purchase.periodEnd,
      purchased_by: purchase.purchasedBy,
      failure_reason: purchase.failureReason,
      created_at: purchase.createdAt,
      completed_at: purchase.completedAt,
    });
  }

  async find(orgId: string, purchaseId: string, db: Db = this.db): Promise<StoredPurchase | null> {
    const row: PurchaseRow | undefined = await db('addon_purchases').where({ id: purchaseId, org_id: orgId }).first();
    return row ? toPurchase(row) : null;
  }

  async findById(purchaseId: string): Promise<StoredPurchase | null> {
    const row: PurchaseRow | undefined = await this.db('addon_purchases').where({ id: purchaseId }).first();
    return row ? toPurchase(row) : null;
  }

  /**
   * One page, newest first. A status filter narrows the rows as far as the stored fields allow:
   * `active` and `suspended` differ only by the org's agreements, so both read the unexpired active rows.
   */
  page(orgId: string, request: PurchasePageRequest): Promise<{ items: PagedPurchase[]; nextCursor: string | null }> {
    const query = this.db('addon_purchases').where({ org_id: orgId });
    if (request.serviceName) query.where({ service_name: request.serviceName });
    if (request.status === 'pending' || request.status === 'failed') query.where({ status: request.status });
    if (request.status === 'expired') query.where({ status: 'active' }).where('period_end', '<=', request.now);
    if (request.status === 'active' || request.status === 'suspended') {
      query.where({ status: 'active' }).where((q) => q.whereNull('period_end').orWhere('period_end', '>', request.now));
    }
    return pageBySeqDesc(query, request, (row: PurchaseRow) => ({ seq: row.seq, purchase: toPurchase(row) }));
  }

  /** Serialises activations of one org's add-on, so consecutive periods never overlap. */
  async lockAddon(trx: Knex.Transaction, orgId: string, addonName: string): Promise<void> {
    await lockUntilCommit(trx, `addon:${orgId}:${addonName}`);
  }

  /** When the org's latest paid period of a recurring add-on ends (null when none). */
  async latestPeriodEnd(trx: Knex.Transaction, orgId: string, addonName: string): Promise<number | null> {
    const row = (await trx('addon_purchases')
      .where({ org_id: orgId, service_name: addonName, status: 'active' })
      .max({ end: 'period_end' })
      .first()) as { end: number | null } | undefined;
    return row?.end ?? null;
  }

  /** pending → active; false when another completion got there first. */
  async activate(trx: Knex.Transaction, purchaseId: string, activation: Activation): Promise<boolean> {
    const updated = await trx('addon_purchases').where({ id: purchaseId, status: 'pending' }).update({
      status: 'active',
      period_start: activation.periodStart,
      period_end: activation.periodEnd,
      completed_at: activation.completedAt,
    });
    return updated === 1;
  }

  /** pending → failed; false when another completion got there first. */
  async fail(trx: Knex.Transaction, purchaseId: string, reason: string, at: number): Promise<boolean> {
    const updated = await trx('addon_purchases')
      .where({ id: purchaseId, status: 'pending' })
      .update({ status: 'failed', failure_reason: reason, completed_at: at });
    return updated === 1;
  }
}

function toPurchase(row: PurchaseRow): StoredPurchase {
  return {
    id: row.id,
    orgId: row.org_id,
    serviceName: row.service_name,
    status: row.status,
    billingMode: row.billing_mode,
    amount: row.amount,
    currency: row.currency,
    paymentSource: row.payment_source,
    gateway: row.gateway,
    paymentIntentId: row.payment_intent_id,
    termsVersion: row.terms_version,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    purchasedBy: row.purchased_by,
    failureReason: row.failure_reason,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
