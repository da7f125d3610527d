import { createTestDatabase, TestDatabase, testServers } from '@org-mgmt/testing';
import { Client } from 'pg';
import {
  answer,
  configureRuntime,
  createDatabase,
  createLogger,
  isConcurrencyConflict,
  isDatabaseUnavailable,
  Knex,
} from '../src';

describe('a database that cannot serve requests', () => {
  let database: TestDatabase;
  let db: Knex;
  let unreachable: Knex;

  beforeAll(async () => {
    configureRuntime({ rootOrgId: 'org_root', logger: createLogger('silent', 'test') });
    database = await createTestDatabase((await testServers()).postgresAdminUrl);
    db = createDatabase(database.url, 'public', 1);
    // Port 1 on loopback: nothing listens, so every connection attempt is refused.
    unreachable = createDatabase('postgres://postgres@127.0.0.1:1/none', 'public', 1);
  });
  afterAll(async () => {
    await Promise.all([db?.destroy(), unreachable?.destroy()]);
    await database?.drop();
  });

  it('is told apart from a bug: a refused connection is unavailability, a bad query is not', async () => {
    const refused = await unreachable.raw('select 1').catch((err: unknown) => err);
    const badQuery = await db.raw('select * from no_such_table').catch((err: unknown) => err);
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(badQuery)).toBe(false);
  });

  it('counts a server that terminates the connection as unavailable', async () => {
    const terminated = await db.raw('select pg_terminate_backend(pg_backend_pid())').catch((err: unknown) => err);
    expect(isDatabaseUnavailable(terminated)).toBe(true);
  });

  it('counts a query on a connection that already broke (the ROLLBACK after a restart) as unavailable', async () => {
    const client = new Client({ connectionString: database.url });
    client.on('error', () => {});
    await client.connect();
    await client.query('select pg_terminate_backend(pg_backend_pid())').catch(() => {});
    await new Promise((r) => setTimeout(r, 50)); // the socket's close reaches the client
    const notQueryable = await client.query('ROLLBACK').catch((err: unknown) => err);
    await client.end().catch(() => {});
    expect((notQueryable as Error).message).toMatch(/not queryable/);
    expect(isDatabaseUnavailable(notQueryable)).toBe(true);
  });

  it('answers 503 SERVICE_UNAVAILABLE to the caller instead of INTERNAL', async () => {
    const result = await answer(() => unreachable('anything').select(), 'orgs.profile.get');
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) });
  });
});

describe('a transaction PostgreSQL aborts to break a deadlock', () => {
  let database: TestDatabase;
  let db: Knex;

  beforeAll(async () => {
    configureRuntime({ rootOrgId: 'org_root', logger: createLogger('silent', 'test') });
    database = await createTestDatabase((await testServers()).postgresAdminUrl);
    db = createDatabase(database.url, 'public', 2);
    await db.schema.createTable('pair', (t) => t.integer('id').primary());
    await db('pair').insert([{ id: 1 }, { id: 2 }]);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('answers 409 CONFLICT (retry), not INTERNAL, and the other transaction commits', async () => {
    const bothHoldOne = new Barrier(2);
    const lockInOrder = (first: number, second: number) => () =>
      db.transaction(async (trx) => {
        await trx('pair').where({ id: first }).forUpdate();
        await bothHoldOne.arrive();
        await trx('pair').where({ id: second }).forUpdate();
      });
    const results = await Promise.all([answer(lockInOrder(1, 2), 'test.a'), answer(lockInOrder(2, 1), 'test.b')]);
    expect(results.map((r) => (r.ok ? 'committed' : r.error.code)).sort()).toEqual(['CONFLICT', 'committed']);
    expect(isConcurrencyConflict(await db.raw('select * from no_such_table').catch((err: unknown) => err))).toBe(false);
  });
});

/** Resolves once `parties` callers have arrived. */
class Barrier {
  private waiting: (() => void)[] = [];
  constructor(private readonly parties: number) {}
  arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length === this.parties) this.waiting.forEach((r) => r());
    });
  }
}
