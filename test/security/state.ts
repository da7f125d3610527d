import { ServiceName } from '@org-mgmt/contracts';
import { TestSystem } from '@org-mgmt/testing';

const SCHEMAS: ServiceName[] = ['orgs', 'billing', 'subscriptions', 'transfers'];

/** Bookkeeping that changes without any request (the outbox relay, consumers, migrations, rate-limit windows). */
const BOOKKEEPING = /outbox|processed|migrations|signup_validation_windows/;

/**
 * A fingerprint of every business table of every service: row count and a hash of the rows. Two
 * equal fingerprints mean no request in between changed anything.
 */
export async function stateDigest(sys: TestSystem): Promise<Record<string, string>> {
  const db = sys.db('orgs');
  const { rows: tables } = await db.raw<{ rows: { table_schema: string; table_name: string }[] }>(
    `SELECT table_schema, table_name FROM information_schema.tables
     WHERE table_schema = ANY(?) AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    [SCHEMAS],
  );
  const business = tables.filter((t) => !BOOKKEEPING.test(t.table_name));
  const selects = business.map(
    (t) =>
      `SELECT '${t.table_schema}.${t.table_name}' AS name, count(*) || ':' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') AS digest
       FROM "${t.table_schema}"."${t.table_name}" r`,
  );
  const { rows } = await db.raw<{ rows: { name: string; digest: string }[] }>(selects.join(' UNION ALL '));
  return Object.fromEntries(rows.map((r) => [r.name, r.digest]));
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

/** The fingerprint once the effects of earlier requests (events, workers) have stopped changing it. */
export async function settledDigest(sys: TestSystem, timeoutMs = 5000): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  let previous = await stateDigest(sys);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await stateDigest(sys);
    if (changedTables(previous, current).length === 0 || Date.now() > deadline) return current;
    previous = current;
  }
}
