import { Inject, Injectable } from '@nestjs/common';
import { AccountCancel, AccountState, AppError, Principal } from '@org-mgmt/contracts';
import { DATABASE, Knex } from '@org-mgmt/runtime';
import { OrgStatusService } from '../org-status/org-status.service';
import { CancellationRepository } from './cancellation.repository';

/**
 * Account cancel and reactivate. Cancelling makes the org INACTIVE with cause `account_cancelled`;
 * the subscriptions service cancels the subscription when it sees that event. Reactivating makes it
 * ACTIVE again and leaves the subscription alone: the org subscribes again itself.
 */
@Injectable()
export class AccountService {
  constructor(
    @Inject(DATABASE) private readonly db: Knex,
    private readonly statuses: OrgStatusService,
    private readonly cancellations: CancellationRepository,
  ) {}

  cancel(orgId: string, input: AccountCancel, principal: Principal): Promise<AccountState> {
    return this.db.transaction(async (trx) => {
      const status = await this.statuses.change(trx, orgId, {
        cause: 'account_cancelled',
        reason: input.reason,
        changedBy: principal.sub,
      });
      const cancellation = await this.cancellations.open(
        trx,
        orgId,
        input.reason,
        input.deleteData,
        principal.sub,
        status.lastServiceStatusChanged!,
      );
      return { ...status, cancellation };
    });
  }

  reactivate(orgId: string, reason: string, principal: Principal): Promise<AccountState> {
    return this.db.transaction(async (trx) => {
      const status = await this.statuses.change(trx, orgId, {
        cause: 'account_reactivated',
        reason,
        changedBy: principal.sub,
      });
      const cancellation = await this.cancellations.close(
        trx,
        orgId,
        reason,
        principal.sub,
        status.lastServiceStatusChanged!,
      );
      if (!cancellation)
        throw new AppError('CONFLICT', 'The organisation is inactive but was not cancelled; nothing to reverse');
      return { ...status, cancellation };
    });
  }
}
