import { Inject, Injectable } from '@nestjs/common';
import { DATABASE, Knex } from '@org-mgmt/runtime';
import { FlagOverrides } from './effective-flags';

export interface PlanFeatures {
  orgId: string;
  subscriptionId: string;
  plan: string;
  subscriptionStatus: string;
  features: string[];
  sourceOccurredAt: number;
}

/** The flag inputs of one org: its plan's defaults (if it has had a subscription) and its overrides. */
export interface FlagInputs {
  planDefaults: string[];
  overrides: FlagOverrides;
  sourceOccurredAt: number | null;
}

type Db = Knex | Knex.Transaction;

@Injectable()
export class PlanFeaturesRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  /** Null when the org does not exist. */
  async flagInputs(orgId: string, db: Db = this.db): Promise<FlagInputs | null> {
    const row:
      { feature_overrides: FlagOverrides; features: string[] | null; source_occurred_at: number | null } | undefined =
      await db('organizations')
        .leftJoin('org_plan_features', 'org_plan_features.org_id', 'organizations.id')
        .where('organizations.id', orgId)
        .first('organizations.feature_overrides', 'org_plan_features.features', 'org_plan_features.source_occurred_at');
    if (!row) return null;
    return {
      planDefaults: row.features ?? [],
      overrides: row.feature_overrides,
      sourceOccurredAt: row.source_occurred_at,
    };
  }

  async save(trx: Knex.Transaction, plan: PlanFeatures, now: number): Promise<void> {
    const row = {
      org_id: plan.orgId,
      subscription_id: plan.subscriptionId,
      plan: plan.plan,
      subscription_status: plan.subscriptionStatus,
      features: JSON.stringify(plan.features),
      source_occurred_at: plan.sourceOccurredAt,
      updated_at: now,
    };
    await trx('org_plan_features').insert(row).onConflict('org_id').merge();
  }
}
