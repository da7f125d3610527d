import { newId, TransferJob } from '@org-mgmt/contracts';
import { TestSystem } from '@org-mgmt/testing';

const TERMINAL = ['completed', 'failed', 'cancelled', 'rolled_back', 'rollback_failed'];

/** Seeds `count` records (keys `<prefix>-<i>`) in `collections` collections; every record after the first names a parent. */
export async function seedRecords(
  sys: TestSystem,
  orgId: string,
  count: number,
  options: { prefix?: string; collections?: number } = {},
) {
  const db = sys.db('transfers');
  const prefix = options.prefix ?? 'r';
  const collections = Array.from({ length: options.collections ?? 2 }, (_, i) => ({
    id: newId('transfer').replace('xfer_', 'col_'),
    org_id: orgId,
    key: `${prefix}-collection-${i}`,
    name: `Collection ${i}`,
    created_at: Date.now(),
  }));
  await db('record_collections').insert(collections);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const rows = [];
    for (let i = start; i < Math.min(count, start + 1000); i++) {
      const id = newId('transfer').replace('xfer_', 'rec_');
      rows.push({
        id,
        org_id: orgId,
        collection_id: collections[i % collections.length].id,
        parent_id: i > 0 ? ids[Math.floor((i - 1) / 2)] : null,
        key: `${prefix}-${i}`,
        data: JSON.stringify({ n: i, tags: ['a', 'b'] }),
        created_at: Date.now(),
      });
      ids.push(id);
    }
    await db('records').insert(rows);
  }
  return { recordIds: ids, collectionIds: collections.map((c) => c.id) };
}

export async function countOf(
  sys: TestSystem,
  table: 'records' | 'record_collections',
  orgId: string,
): Promise<number> {
  const [{ count }] = await sys.db('transfers')(table).where({ org_id: orgId }).count({ count: '*' });
  return Number(count);
}

/** Polls the job through the API until it reaches one of `statuses` (a terminal one by default). */
export async function waitForJob(
  sys: TestSystem,
  id: string,
  statuses: readonly string[] = TERMINAL,
  timeoutMs = 60_000,
): Promise<TransferJob> {
  const token = await sys.rootToken();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await sys.api('GET', `/transfer/${id}`, { token });
    if (res.status !== 200) throw new Error(`GET /transfer/${id}: ${res.status} ${JSON.stringify(res.body)}`);
    if (statuses.includes(res.body.status)) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${res.body.status}: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startTransfer(sys: TestSystem, body: Record<string, unknown>): Promise<TransferJob> {
  const bulk = Array.isArray(body.datatypes);
  const res = await sys.api('POST', bulk ? '/transfer/assets-bulk' : '/transfer/assets', {
    token: await sys.rootToken(),
    body,
  });
  if (res.status !== 202) throw new Error(`start transfer: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
