import { decodeCursor, encodeCursor } from '@org-mgmt/contracts';
import { Knex } from 'knex';

/**
 * One page, newest first, keyset-paginated on a `seq` insertion sequence so concurrent inserts never
 * shift a page; the cursor (libs/contracts pagination) is the last row's seq.
 */
export async function pageBySeqDesc<Row extends { seq: number }, Item>(
  query: Knex.QueryBuilder,
  request: { limit: number; cursor?: string },
  toItem: (row: Row) => Item,
): Promise<{ items: Item[]; nextCursor: string | null }> {
  const afterSeq = request.cursor === undefined ? null : decodeCursor(request.cursor);
  if (afterSeq !== null) query.where('seq', '<', afterSeq);
  const rows: Row[] = await query.orderBy('seq', 'desc').limit(request.limit + 1);
  const page = rows.slice(0, request.limit);
  const last = page[page.length - 1];
  return { items: page.map(toItem), nextCursor: rows.length > request.limit && last ? encodeCursor(last.seq) : null };
}
