import knex, { Knex } from 'knex';
import { types } from 'pg';
import { traceQueries } from '../observability/db-tracing';
import { runtimeSettings } from '../settings';

// int8 columns hold Unix-millisecond timestamps and minor-unit amounts, all within 2^53.
types.setTypeParser(types.builtins.INT8, (v) => Number(v));

export type { Knex };

export interface Migration {
  name: string;
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

/** A pool bound to one service's schema: unqualified table names resolve there. */
export function createDatabase(url: string, schema: string, poolMax = 10): Knex {
  const db = knex({
    client: 'pg',
    connection: { connectionString: url, application_name: `org-management-${schema}` },
    searchPath: [schema],
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
    log: structuredKnexLog(schema),
  });
  traceQueries(db, schema);
  return db;
}

/** knex's own warnings (a dropped connection, a failed acquire) go to the JSON log, not to console.log. */
function structuredKnexLog(schema: string): Knex.Config['log'] {
  const logger = () => runtimeSettings().logger;
  const text = (message: unknown) => (message instanceof Error ? message.message : String(message));
  return {
    warn: (message: unknown) => logger().warn({ schema, knex: text(message) }, 'database client warning'),
    error: (message: unknown) => logger().error({ schema, knex: text(message) }, 'database client error'),
    deprecate: (method: string, alternative: string) =>
      logger().warn({ schema, method, alternative }, 'knex deprecation'),
    debug: (message: unknown) => logger().debug({ schema, knex: text(message) }, 'database client debug'),
  };
}

/** Creates the schema if needed and applies its migrations, with its own migrations and lock tables. */
export async function migrate(db: Knex, schema: string, migrations: readonly Migration[]): Promise<void> {
  await db.raw('CREATE SCHEMA IF NOT EXISTS ??', [schema]);
  await db.migrate.latest({
    schemaName: schema,
    tableName: 'knex_migrations',
    migrationSource: {
      getMigrations: async () => [...migrations],
      getMigrationName: (m: Migration) => m.name,
      getMigration: async (m: Migration) => m,
    },
  });
}

/** PostgreSQL's unique_violation: a concurrent writer got there first. */
/** One round trip: the database answers (readiness and health checks). */
export function databaseAnswers(db: Knex): Promise<boolean> {
  return db.raw('select 1').then(
    () => true,
    () => false,
  );
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

const UNAVAILABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * The database cannot serve us right now (down, restarting, out of connections, pool exhausted):
 * SQLSTATE classes 08 (connection) and 57P (shutdown), 53300 (too many connections), socket errors,
 * and knex's pool acquisition timeout. Callers answer 503 rather than 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, name, message } = err as { code?: unknown; name?: unknown; message?: unknown };
  if (
    typeof code === 'string' &&
    (code.startsWith('08') || code.startsWith('57P') || code === '53300' || UNAVAILABLE_NETWORK_CODES.has(code))
  ) {
    return true;
  }
  if (name === 'KnexTimeoutError') return true;
  // node-postgres's own words for a connection that broke under it (no SQLSTATE, no socket code).
  return (
    typeof message === 'string' &&
    /Connection terminated|connection is closed|not queryable|Connection ended unexpectedly/i.test(message)
  );
}

/** PostgreSQL gave up one of two colliding transactions (deadlock, serialisation failure): nothing was written, the request may be retried. */
export function isConcurrencyConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** Holds a lock named `key` until the transaction ends: serialises writers of one logical record that has no row to lock yet. */
export async function lockUntilCommit(trx: Knex.Transaction, key: string): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
}
