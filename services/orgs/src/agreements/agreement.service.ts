import { Inject, Injectable } from '@nestjs/common';
import {
  AddonTermsEntry,
  Agreement,
  AgreementDetail,
  AgreementRecord,
  AgreementStatus,
  AppError,
  newId,
  Principal,
  RpcRequest,
  ServiceAgreementAcceptedEvent,
  ServiceAgreementRevokedEvent,
} from '@org-mgmt/contracts';
import { CLOCK, Clock, DATABASE, Knex, OUTBOX, Outbox } from '@org-mgmt/runtime';
import { OrganizationRepository } from '../profile/organization.repository';
import { AddonTermsClient } from './addon-terms.client';
import { AgreementRepository } from './agreement.repository';
import { orgNotFound } from '../org-not-found';

/** Who acts and from where: recorded with every acceptance and revocation. */
export interface AgreementActor {
  principal: Principal;
  client?: RpcRequest['client'];
  requestId: string;
}

@Injectable()
export class AgreementService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(OUTBOX) private readonly outbox: Outbox,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly records: AgreementRepository,
    private readonly organizations: OrganizationRepository,
    private readonly terms: AddonTermsClient,
  ) {}

  /** Every add-on with terms of its own, with this org's status for it. */
  async list(orgId: string, requestId: string): Promise<Agreement[]> {
    await this.requireOrg(orgId);
    const [catalogue, latest] = await Promise.all([this.terms.all(requestId), this.records.latest(orgId)]);
    return catalogue
      .filter((entry) => entry.requiresAgreement || latest.has(entry.serviceName))
      .map((entry) => agreementOf(entry, latest.get(entry.serviceName) ?? null));
  }

  async get(orgId: string, addonName: string, requestId: string): Promise<AgreementDetail> {
    await this.requireOrg(orgId);
    const entry = await this.terms.of(addonName, requestId);
    return this.detail(orgId, entry);
  }

  /** Records an acceptance of the current version; accepting the version already accepted records nothing new. */
  async accept(
    orgId: string,
    addonName: string,
    termsVersion: string,
    actor: AgreementActor,
  ): Promise<AgreementDetail> {
    const entry = await this.terms.of(addonName, actor.requestId);
    const current = requireTerms(entry);
    if (termsVersion !== current.version) {
      throw new AppError('CONFLICT', `The current terms of ${addonName} are version ${current.version}`, {
        fields: [{ path: 'body.termsVersion', message: `must be the current version ${current.version}` }],
      });
    }
    await this.db.transaction(async (trx) => {
      await this.records.lock(trx, orgId, addonName);
      await this.requireOrg(orgId, trx);
      const latest = (await this.records.latest(orgId, [addonName], trx)).get(addonName);
      if (latest?.action === 'accepted' && latest.termsVersion === current.version) return;
      const record = this.newRecord(orgId, addonName, 'accepted', current.version, actor, null);
      await this.records.append(trx, record);
      await this.outbox.add(trx, ServiceAgreementAcceptedEvent, orgId, eventData(record));
    });
    return this.detail(orgId, entry);
  }

  /**
   * Records a revocation of the standing acceptance. The add-on stops being available: billing refuses
   * new purchases and shows an active purchase as suspended (no refund) until the terms are accepted again.
   */
  async revoke(
    orgId: string,
    addonName: string,
    reason: string | null,
    actor: AgreementActor,
  ): Promise<AgreementDetail> {
    const entry = await this.terms.of(addonName, actor.requestId);
    requireTerms(entry);
    await this.db.transaction(async (trx) => {
      await this.records.lock(trx, orgId, addonName);
      await this.requireOrg(orgId, trx);
      const latest = (await this.records.latest(orgId, [addonName], trx)).get(addonName);
      if (latest?.action !== 'accepted') {
        throw new AppError('CONFLICT', `The terms of ${addonName} are not accepted: there is nothing to revoke`);
      }
      const record = this.newRecord(orgId, addonName, 'revoked', latest.termsVersion, actor, reason);
      await this.records.append(trx, record);
      await this.outbox.add(trx, ServiceAgreementRevokedEvent, orgId, { ...eventData(record), reason });
    });
    return this.detail(orgId, entry);
  }

  /** The latest record per named add-on, for billing's purchase gate; NOT_FOUND for an org that does not exist. */
  async latestRecords(orgId: string, addonNames: readonly string[]) {
    await this.requireOrg(orgId);
    const latest = await this.records.latest(orgId, addonNames);
    return addonNames.map((addonName) => ({ serviceName: addonName, latest: latest.get(addonName) ?? null }));
  }

  private async detail(orgId: string, entry: AddonTermsEntry): Promise<AgreementDetail> {
    const history = await this.records.history(orgId, entry.serviceName);
    return { ...agreementOf(entry, history[0] ?? null), terms: entry.terms, history };
  }

  private newRecord(
    orgId: string,
    addonName: string,
    action: AgreementRecord['action'],
    termsVersion: string,
    actor: AgreementActor,
    reason: string | null,
  ): AgreementRecord {
    return {
      id: newId('agreement'),
      orgId,
      serviceName: addonName,
      action,
      termsVersion,
      actor: actor.principal.sub,
      actorEmail: actor.principal.email ?? null,
      ip: actor.client?.ip ?? null,
      userAgent: actor.client?.userAgent ?? null,
      reason,
      recordedAt: this.clock.now(),
    };
  }

  /** Inside a transaction, pass it: a second pool connection while holding a lock can starve the pool. */
  private async requireOrg(orgId: string, db?: Knex.Transaction): Promise<void> {
    if (!(await this.organizations.exists(orgId, db))) throw orgNotFound(orgId);
  }
}

function requireTerms(entry: AddonTermsEntry) {
  if (!entry.requiresAgreement || !entry.terms) {
    throw new AppError('CONFLICT', `${entry.serviceName} has no terms of its own to accept or revoke`);
  }
  return entry.terms;
}

function agreementOf(entry: AddonTermsEntry, latest: AgreementRecord | null): Agreement {
  const currentTermsVersion = entry.terms?.version ?? null;
  const acceptedTermsVersion = latest?.action === 'accepted' ? latest.termsVersion : null;
  return {
    serviceName: entry.serviceName,
    status: statusOf(entry, latest),
    currentTermsVersion,
    acceptedTermsVersion,
    latest,
  };
}

function statusOf(entry: AddonTermsEntry, latest: AgreementRecord | null): AgreementStatus {
  if (!entry.requiresAgreement || !entry.terms) return 'not_required';
  if (!latest) return 'not_accepted';
  if (latest.action === 'revoked') return 'revoked';
  return latest.termsVersion === entry.terms.version ? 'accepted' : 'outdated';
}

function eventData(record: AgreementRecord) {
  return {
    orgId: record.orgId,
    serviceName: record.serviceName,
    termsVersion: record.termsVersion,
    recordId: record.id,
    actor: record.actor,
    recordedAt: record.recordedAt,
  };
}
