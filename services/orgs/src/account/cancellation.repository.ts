import { Injectable } from '@nestjs/common';
import { Cancellation } from '@org-mgmt/contracts';
import { Knex } from '@org-mgmt/runtime';

interface CancellationRow {
  reason: string;
  data_deletion_requested: boolean;
  cancelled_by: string;
  cancelled_at: number;
  reactivated_by: string | null;
  reactivated_at: number | null;
  reactivation_reason: string | null;
}

/** Account cancellations; at most one open (not reactivated) per org. */
@Injectable()
export class CancellationRepository {
  async open(
    trx: Knex.Transaction,
    orgId: string,
    reason: string,
    dataDeletionRequested: boolean,
    by: string,
    at: number,
  ): Promise<Cancellation> {
    const [row]: CancellationRow[] = await trx('account_cancellations')
      .insert({
        org_id: orgId,
        reason,
        data_deletion_requested: dataDeletionRequested,
        cancelled_by: by,
        cancelled_at: at,
      })
      .returning('*');
    return toCancellation(row);
  }

  /** Closes the open cancellation; null when there is none. */
  async close(
    trx: Knex.Transaction,
    orgId: string,
    reason: string,
    by: string,
    at: number,
  ): Promise<Cancellation | null> {
    const [row]: CancellationRow[] = await trx('account_cancellations')
      .where({ org_id: orgId })
      .whereNull('reactivated_at')
      .update({ reactivated_by: by, reactivated_at: at, reactivation_reason: reason })
      .returning('*');
    return row ? toCancellation(row) : null;
  }
}

function toCancellation(row: CancellationRow): Cancellation {
  return {
    reason: row.reason,
    dataDeletionRequested: row.data_deletion_requested,
    cancelledBy: row.cancelled_by,
    cancelledAt: row.cancelled_at,
    reactivatedBy: row.reactivated_by,
    reactivatedAt: row.reactivated_at,
    reactivationReason: row.reactivation_reason,
  };
}
