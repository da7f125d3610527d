import { Inject, Injectable } from '@nestjs/common';
import { AddonPurchase, AgreementRecord, PurchaseStatus, ServicePurchasedEvent } from '@org-mgmt/contracts';
import { CLOCK, Clock } from '@org-mgmt/runtime';
import { z } from 'zod';
import { StoredPurchase } from './addon-purchase.repository';
import { OrgsClient } from '../clients/orgs.client';

/**
 * Purchases as the org sees them: an active purchase whose paid period is over is `expired`; one of
 * an add-on whose terms the org has revoked is `suspended` (no refund) until the terms are accepted again.
 */
@Injectable()
export class AddonPurchaseStatus {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly orgs: OrgsClient,
  ) {}

  async derive(orgId: string, stored: StoredPurchase[], requestId: string): Promise<AddonPurchase[]> {
    const now = this.clock.now();
    const gated = [
      ...new Set(stored.filter((p) => p.status === 'active' && p.termsVersion !== null).map((p) => p.serviceName)),
    ];
    const agreements = await this.orgs.latestAgreements(orgId, gated, requestId);
    return stored.map((purchase) => {
      let status: PurchaseStatus = purchase.status;
      if (status === 'active' && purchase.periodEnd !== null && purchase.periodEnd <= now) status = 'expired';
      else if (
        status === 'active' &&
        purchase.termsVersion !== null &&
        !isAccepted(agreements.get(purchase.serviceName))
      )
        status = 'suspended';
      return { ...purchase, status };
    });
  }
}

/** The fields every add-on purchase event carries. */
export function purchaseEventData(
  purchase: StoredPurchase,
): Omit<z.input<typeof ServicePurchasedEvent.schema>, 'periodStart' | 'periodEnd' | 'completedAt'> {
  return {
    orgId: purchase.orgId,
    purchaseId: purchase.id,
    serviceName: purchase.serviceName,
    billingMode: purchase.billingMode,
    amount: purchase.amount,
    currency: purchase.currency,
    paymentSource: purchase.paymentSource,
    termsVersion: purchase.termsVersion,
  };
}

/** True when the org's standing acceptance is of `termsVersion` (any version when none is named). */
export function isAccepted(record: AgreementRecord | null | undefined, termsVersion?: string | null): boolean {
  return record?.action === 'accepted' && (!termsVersion || record.termsVersion === termsVersion);
}
