import { Inject, Injectable } from '@nestjs/common';
import { PreApprovedSignup, SignupListQuery } from '@org-mgmt/contracts';
import { DATABASE, Knex, pageBySeqDesc } from '@org-mgmt/runtime';

interface SignupRow {
  seq: number;
  id: string;
  kind: 'email' | 'code';
  email: string | null;
  code: string | null;
  max_uses: number;
  uses: number;
  expires_at: number | null;
  note: string | null;
  created_by: string;
  created_at: number;
  removed_at: number | null;
}

export type NewSignup = Pick<
  PreApprovedSignup,
  'id' | 'kind' | 'email' | 'code' | 'maxUses' | 'expiresAt' | 'note' | 'createdBy' | 'createdAt'
>;

/** An email or a code, as a registration or a validation names it. */
export type SignupKey = { email: string } | { code: string };

@Injectable()
export class SignupRepository {
  constructor(@Inject(DATABASE) private readonly db: Knex) {}

  async insert(signup: NewSignup, now: number): Promise<PreApprovedSignup> {
    const [row]: SignupRow[] = await this.db('pre_approved_signups')
      .insert({
        id: signup.id,
        kind: signup.kind,
        email: signup.email,
        code: signup.code,
        max_uses: signup.maxUses,
        expires_at: signup.expiresAt,
        note: signup.note,
        created_by: signup.createdBy,
        created_at: signup.createdAt,
      })
      .returning('*');
    return toSignup(row, now);
  }

  /** Marks the entry removed; an entry removed before stays as it was. Null when there is no such entry. */
  async remove(id: string, by: string, now: number): Promise<PreApprovedSignup | null> {
    const [removed]: SignupRow[] = await this.db('pre_approved_signups')
      .where({ id })
      .whereNull('removed_at')
      .update({ removed_at: now, removed_by: by })
      .returning('*');
    const row: SignupRow | undefined = removed ?? (await this.db('pre_approved_signups').where({ id }).first());
    return row ? toSignup(row, now) : null;
  }

  /** Newest first, keyset-paginated on the insertion sequence. */
  page(query: SignupListQuery, now: number): Promise<{ items: PreApprovedSignup[]; nextCursor: string | null }> {
    const q = this.db('pre_approved_signups');
    if (query.kind) q.where({ kind: query.kind });
    if (query.email) q.where({ email: query.email });
    if (query.state) whereState(q, query.state, now);
    return pageBySeqDesc(q, query, (row: SignupRow) => toSignup(row, now));
  }

  async isUsable(key: SignupKey, now: number): Promise<boolean> {
    return Boolean(await whereUsable(this.db('pre_approved_signups'), key, now).first('id'));
  }

  /**
   * Takes one use of a usable entry, atomically: the conditional update locks the row, so concurrent
   * registrations with a single-use code serialise on it and only the first finds a use left.
   */
  async consume(trx: Knex.Transaction, key: SignupKey, orgId: string, now: number): Promise<string | null> {
    const [row]: { id: string }[] = await whereUsable(trx('pre_approved_signups'), key, now)
      .increment('uses', 1)
      .returning('id');
    if (!row) return null;
    await trx('signup_consumptions').insert({ signup_id: row.id, org_id: orgId, consumed_at: now });
    return row.id;
  }
}

function whereUsable(q: Knex.QueryBuilder, key: SignupKey, now: number): Knex.QueryBuilder {
  q.where('email' in key ? { email: key.email } : { code: key.code });
  return whereState(q, 'active', now);
}

function whereState(q: Knex.QueryBuilder, state: PreApprovedSignup['state'], now: number): Knex.QueryBuilder {
  if (state === 'removed') return q.whereNotNull('removed_at');
  q.whereNull('removed_at');
  if (state === 'exhausted') return q.whereRaw('uses >= max_uses');
  q.whereRaw('uses < max_uses');
  if (state === 'expired') return q.where('expires_at', '<=', now);
  return q.where((w) => w.whereNull('expires_at').orWhere('expires_at', '>', now));
}

function stateOf(row: SignupRow, now: number): PreApprovedSignup['state'] {
  if (row.removed_at !== null) return 'removed';
  if (row.uses >= row.max_uses) return 'exhausted';
  if (row.expires_at !== null && row.expires_at <= now) return 'expired';
  return 'active';
}

function toSignup(row: SignupRow, now: number): PreApprovedSignup {
  return {
    id: row.id,
    kind: row.kind,
    email: row.email,
    code: row.code,
    maxUses: row.max_uses,
    uses: row.uses,
    expiresAt: row.expires_at,
    note: row.note,
    state: stateOf(row, now),
    createdBy: row.created_by,
    createdAt: row.created_at,
    removedAt: row.removed_at,
  };
}
