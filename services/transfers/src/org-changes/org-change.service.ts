import { Inject, Injectable } from '@nestjs/common';
import { AppError, ErrorBody, newId, OrgsEndpoints, Principal, TransferEndpoints } from '@org-mgmt/contracts';
import { callAsSystem, CLOCK, Clock, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { z } from 'zod';
import { OrgChangeAuditRepository, OrgChangeKind } from './org-change-audit.repository';

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
    private readonly audit: OrgChangeAuditRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RPC_CLIENT) private readonly rpc: RpcClient,
  ) {}

  async transferOwnership(orgId: string, body: OwnershipBody, principal: Principal) {
    const result = await this.audited('ownership', { orgId, request: body, principal }, (changeId) =>
      callAsSystem(this.rpc, 'transfers', OrgsEndpoints.ownerChange, {
        orgId: null,
        body: {
          orgId,
          changeId,
          newOwnerEmail: body.newOwnerEmail,
          previousOwner: body.previousOwner,
          newOwner: body.newOwner,
          changedBy: principal.sub,
        },
      }),
    );
    return { ...result.data, transferId: result.changeId, transferredBy: principal.sub };
  }

  async changeEmail(orgId: string, body: ChangeEmailBody, principal: Principal) {
    const result = await this.audited('primary_email', { orgId, request: body, principal }, (changeId) =>
      callAsSystem(this.rpc, 'transfers', OrgsEndpoints.primaryEmailChange, {
        orgId: null,
        body: { orgId, changeId, email: body.email, changedBy: principal.sub },
      }),
    );
    return { ...result.data, transferId: result.changeId, changedBy: principal.sub };
  }

  private async audited<T>(
    kind: OrgChangeKind,
    { orgId, request, principal }: { orgId: string; request: unknown; principal: Principal },
    change: (changeId: string) => Promise<T>,
  ): Promise<{ changeId: string; data: T }> {
    const changeId = newId('transfer');
    await this.audit.open({ id: changeId, kind, orgId, requestedBy: principal.sub, request, now: this.clock.now() });
    try {
      const data = await change(changeId);
      await this.audit.close(changeId, { status: 'completed', result: data, now: this.clock.now() });
      return { changeId, data };
    } catch (err) {
      const error: ErrorBody = err instanceof AppError ? err.toBody() : { code: 'INTERNAL', message: 'Internal error' };
      // A timeout leaves it open whether orgs applied the change; its change log knows.
      const status = error.code === 'SERVICE_TIMEOUT' ? 'unconfirmed' : 'rejected';
      await this.audit.close(changeId, { status, error, now: this.clock.now() });
      throw err;
    }
  }
}
