import { Inject, Injectable } from '@nestjs/common';
import { ErrorBody } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';

export type OrgChangeKind = 'ownership' | 'primary_email';
export type OrgChangeOutcome = 'completed' | 'rejected' | 'unconfirmed';

/** Owns org_change_audit: who asked for which ownership or primary-email change, and how it ended. */
@Injectable()
export class OrgChangeAuditRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async open(entry: {
    id: string;
    kind: OrgChangeKind;
    orgId: string;
    requestedBy: string;
    request: unknown;
    now: number;
  }) {
    await this.db('org_change_audit').insert({
      id: entry.id,
      kind: entry.kind,
      org_id: entry.orgId,
      requested_by: entry.requestedBy,
      request: JSON.stringify(entry.request),
      status: 'pending',
      created_at: entry.now,
    });
  }

  async close(
    id: string,
    outcome: { status: OrgChangeOutcome; result?: unknown; error?: ErrorBody; now: number },
  ): Promise<void> {
    await this.db('org_change_audit')
      .where({ id })
      .update({
        status: outcome.status,
        ...(outcome.result !== undefined && { result: JSON.stringify(outcome.result) }),
        ...(outcome.error && { error: JSON.stringify(outcome.error) }),
        finished_at: outcome.now,
      });
  }
}
