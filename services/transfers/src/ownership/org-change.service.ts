import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  EmailChangeResult,
  ErrorBody,
  newId,
  OrgsEndpoints,
  OwnerChangeResult,
  Principal,
  TransferEndpoints,
} from '@org-mgmt/contracts';
import { AppConfig, CLOCK, Clock, CONFIG, DATABASE, Knex, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { z } from 'zod';
import { systemCall } from '../internal-rpc';

type OwnershipBody = z.output<NonNullable<(typeof TransferEndpoints.transferOwnership)['body']>>;
type ChangeEmailBody = z.output<NonNullable<(typeof TransferEndpoints.changeEmail)['body']>>;

/**
 * Ownership transfers and primary-email changes: the orgs service owns the data and changes it in
 * one transaction with its event; this service audits every request (who, what, outcome) and
 * passes its audit id as the change id, so a retried call never changes anything twice.
 */
@Injectable()
export class OrgChangeService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
  ) {}

  async transferOwnership(orgId: string, body: OwnershipBody, principal: Principal) {
    const result = await this.audited<OwnerChangeResult>('ownership', orgId, body, principal, (changeId) => ({
      def: OrgsEndpoints.ownerChange,
      body: {
        orgId,
        changeId,
        newOwnerEmail: body.newOwnerEmail,
        previousOwner: body.previousOwner,
        newOwner: body.newOwner,
        changedBy: principal.sub,
      },
    }));
    return { ...result.data, transferId: result.changeId, transferredBy: principal.sub };
  }

  async changeEmail(orgId: string, body: ChangeEmailBody, principal: Principal) {
    const result = await this.audited<EmailChangeResult>('primary_email', orgId, body, principal, (changeId) => ({
      def: OrgsEndpoints.primaryEmailChange,
      body: { orgId, changeId, email: body.email, changedBy: principal.sub },
    }));
    return { ...result.data, transferId: result.changeId, changedBy: principal.sub };
  }

  private async audited<T>(
    kind: 'ownership' | 'primary_email',
    orgId: string,
    request: unknown,
    principal: Principal,
    call: (changeId: string) => {
      def: typeof OrgsEndpoints.ownerChange | typeof OrgsEndpoints.primaryEmailChange;
      body: unknown;
    },
  ): Promise<{ changeId: string; data: T }> {
    const changeId = newId('transfer');
    await this.db('org_change_audit').insert({
      id: changeId,
      kind,
      org_id: orgId,
      requested_by: principal.sub,
      request: JSON.stringify(request),
      status: 'pending',
      created_at: this.clock.now(),
    });
    const { def, body } = call(changeId);
    try {
      const data = await systemCall<T>(this.rpc, this.config, def, body);
      await this.finish(changeId, 'completed', { result: JSON.stringify(data) });
      return { changeId, data };
    } catch (err) {
      const error: ErrorBody = err instanceof AppError ? err.toBody() : { code: 'INTERNAL', message: 'Internal error' };
      // A timeout leaves it open whether orgs applied the change; its change log knows.
      await this.finish(changeId, error.code === 'SERVICE_TIMEOUT' ? 'unconfirmed' : 'rejected', {
        error: JSON.stringify(error),
      });
      throw err;
    }
  }

  private async finish(id: string, status: string, outcome: { result?: string; error?: string }): Promise<void> {
    await this.db('org_change_audit')
      .where({ id })
      .update({ status, ...outcome, finished_at: this.clock.now() });
  }
}
