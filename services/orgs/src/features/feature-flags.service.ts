import { Inject, Injectable } from '@nestjs/common';
import { OrgUpdatedEvent, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { z } from 'zod';
import { OrganizationRepository } from '../profile/organization.repository';
import { applyOverrideChanges, effectiveFlags, sameFlags } from './effective-flags';
import { PlanFeaturesRepository } from './plan-features.repository';
import { orgNotFound } from '../org-not-found';

type SubscriptionChange = z.output<typeof SubscriptionChangedEvent.schema>;

/**
 * The orgs service owns each org's EFFECTIVE feature flags: the default flags of its plan (kept from
 * subscription.changed) with the per-org overrides on top. Overrides change through profile/update
 * (root roles) or subscription/admin/update (root roles; they arrive on subscription.changed).
 */
@Injectable()
export class FeatureFlagsService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly organizations: OrganizationRepository,
    private readonly planFeatures: PlanFeaturesRepository,
  ) {}

  /** The org's effective flags, sorted (for orgs.state.get and the profile). NOT_FOUND for an unknown org. */
  async effectiveFlags(orgId: string, db: Knex | Knex.Transaction = this.db): Promise<string[]> {
    const inputs = await this.planFeatures.flagInputs(orgId, db);
    if (!inputs) throw orgNotFound(orgId);
    return effectiveFlags(inputs.planDefaults, inputs.overrides);
  }

  /**
   * Applies one subscription.changed: the plan's defaults (unless an event that occurred later was
   * applied already) and any operator overrides it carries; emits org.updated when the effective
   * flags changed. An event for an org orgs does not know is ignored.
   */
  async applySubscriptionChange(trx: Knex.Transaction, change: SubscriptionChange, occurredAt: number): Promise<void> {
    if (!(await this.organizations.lockForUpdate(trx, change.orgId))) return;
    const inputs = (await this.planFeatures.flagInputs(change.orgId, trx))!;
    const before = effectiveFlags(inputs.planDefaults, inputs.overrides);
    const now = this.clock.now();
    let { planDefaults, overrides } = inputs;
    if (inputs.sourceOccurredAt === null || occurredAt >= inputs.sourceOccurredAt) {
      planDefaults = change.status === 'cancelled' ? [] : change.features;
      await this.planFeatures.save(
        trx,
        {
          orgId: change.orgId,
          subscriptionId: change.subscriptionId,
          plan: change.plan,
          subscriptionStatus: change.status,
          features: planDefaults,
          sourceOccurredAt: occurredAt,
        },
        now,
      );
    }
    if (change.featureOverrides) {
      overrides = applyOverrideChanges(overrides, change.featureOverrides);
      await this.organizations.update(trx, change.orgId, { featureOverrides: overrides }, now);
    }
    if (!sameFlags(before, effectiveFlags(planDefaults, overrides))) {
      await this.outbox.add(trx, OrgUpdatedEvent, change.orgId, {
        orgId: change.orgId,
        changed: ['features'],
        updatedAt: now,
        changedBy: change.changedBy,
      });
    }
  }
}
