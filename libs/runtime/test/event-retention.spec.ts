import { EventEnvelope, OrgUpdatedEvent } from '@org-mgmt/contracts';
import { createTestDatabase, deleteStream, eventually, TestDatabase, testServers } from '@org-mgmt/testing';
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  createLogger,
  DAY_MS,
  eventRetentionIndexesMigration,
  EventRetention,
  eventTablesMigration,
  idempotentHandler,
  JetStreamEventBus,
  Knex,
  ManualClock,
  metricsRegistry,
  migrate,
  Outbox,
  OutboxRelay,
} from '../src';

const logger = createLogger('silent', 'retention-test');
const RETENTION_MS = 7 * DAY_MS;

describe('pruning of the event tables and the outbox backlog gauges', () => {
  let database: TestDatabase;
  let bus: JetStreamEventBus;
  let natsUrl: string;
  const pools: Knex[] = [];
  const prefix = `t${randomBytes(5).toString('hex')}.`;
  const outbox = new Outbox();

  beforeAll(async () => {
    const servers = await testServers();
    natsUrl = servers.natsUrl;
    database = await createTestDatabase(servers.postgresAdminUrl);
    bus = await JetStreamEventBus.connect(natsUrl, prefix, logger);
  });

  afterAll(async () => {
    await bus?.close();
    await deleteStream(natsUrl, prefix);
    await Promise.all(pools.map((p) => p.destroy()));
    await database?.drop();
  });

  /** A pool on a schema of its own holding a service's event tables (a second call: another replica's pool). */
  async function eventSchema(schema: string): Promise<Knex> {
    const db = createDatabase(database.url, schema, 4);
    pools.push(db);
    await migrate(db, schema, [eventTablesMigration, eventRetentionIndexesMigration]);
    return db;
  }

  async function writeEvents(db: Knex, count: number): Promise<string[]> {
    return db.transaction(async (trx) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        const event = await outbox.add(trx, OrgUpdatedEvent, 'org_retention', {
          orgId: 'org_retention',
          changed: [`f${i}`],
          updatedAt: i,
          changedBy: 'test',
        });
        ids.push(event.id);
      }
      return ids;
    });
  }

  function relayFor(db: Knex, service: string, clock: ManualClock, pollIntervalMs = 1_000) {
    return new OutboxRelay({ db, bus, logger, service, pollIntervalMs, batchSize: 1_000, clock });
  }

  const outboxIds = async (db: Knex) => (await db('outbox').select('id')).map((r) => r.id).sort();
  const processedIds = async (db: Knex) =>
    (await db('processed_events').select('event_id')).map((r) => r.event_id).sort();
  const envelope = (id: string): EventEnvelope => ({
    id,
    type: 'org.updated',
    version: 1,
    occurredAt: 0,
    orgId: null,
    data: {},
  });

  it('deletes outbox rows published longer ago than the retention, keeping recent ones and every unpublished one', async () => {
    const db = await eventSchema('retention_outbox');
    const clock = new ManualClock();
    const relay = relayFor(db, 'retention_outbox', clock);
    await writeEvents(db, 3);
    expect(await relay.publishBatch()).toBe(3);
    clock.advance(6 * DAY_MS);
    const recent = await writeEvents(db, 2);
    expect(await relay.publishBatch()).toBe(2);
    const unpublished = await writeEvents(db, 1); // written 8 days before the pruning below, never published
    clock.advance(2 * DAY_MS);

    const pruned = await new EventRetention({ db, logger, retentionMs: RETENTION_MS, clock }).prune();

    expect(pruned.outbox).toBe(3);
    expect(await outboxIds(db)).toEqual([...recent, ...unpublished].sort());
    expect(await db('outbox').whereNull('published_at').pluck('id')).toEqual(unpublished);
  });

  it('deletes processed-event records older than the retention and keeps the recent ones', async () => {
    const db = await eventSchema('retention_processed');
    const clock = new ManualClock();
    const handle = idempotentHandler(db, 'retention_consumer', async () => {}, clock);
    for (const id of ['evt_old_1', 'evt_old_2']) expect(await handle(envelope(id))).toBe(true);
    clock.advance(6 * DAY_MS);
    for (const id of ['evt_recent_1', 'evt_recent_2']) expect(await handle(envelope(id))).toBe(true);
    clock.advance(2 * DAY_MS);

    const pruned = await new EventRetention({ db, logger, retentionMs: RETENTION_MS, clock }).prune();

    expect(pruned).toEqual({ outbox: 0, processed: 2 });
    expect(await processedIds(db)).toEqual(['evt_recent_1', 'evt_recent_2']);
    expect(await handle(envelope('evt_recent_1'))).toBe(false); // still de-duplicated
  });

  it('deletes each old row once when two replicas prune at once in small batches, while a relay publishes', async () => {
    const [first, second] = [await eventSchema('retention_replicas'), await eventSchema('retention_replicas')];
    const clock = new ManualClock();
    const relay = relayFor(first, 'retention_replicas', clock);
    for (let i = 0; i < 6; i++) await writeEvents(first, 100);
    expect(await relay.publishBatch()).toBe(600);
    const handle = idempotentHandler(first, 'retention_replicas', async () => {}, clock);
    await Promise.all(Array.from({ length: 300 }, (_, i) => handle(envelope(`evt_${i}`))));
    clock.advance(8 * DAY_MS);
    const fresh = await writeEvents(first, 50);

    const pruners = [first, second].map(
      (db) => new EventRetention({ db, logger, retentionMs: RETENTION_MS, clock, batchSize: 25 }),
    );
    const [a, b, published] = await Promise.all([pruners[0].prune(), pruners[1].prune(), relay.publishBatch()]);

    expect(a.outbox + b.outbox).toBe(600);
    expect(a.processed + b.processed).toBe(300);
    expect(published).toBe(50);
    expect(await outboxIds(first)).toEqual([...fresh].sort());
    expect(await processedIds(first)).toEqual([]);
  });

  it('prunes at start and stops cleanly', async () => {
    const db = await eventSchema('retention_start');
    const clock = new ManualClock();
    await writeEvents(db, 2);
    await relayFor(db, 'retention_start', clock).publishBatch();
    clock.advance(8 * DAY_MS);
    const retention = new EventRetention({ db, logger, retentionMs: RETENTION_MS, clock });
    retention.start();
    await retention.stop(); // waits for the pass start() began
    expect(await outboxIds(db)).toEqual([]);
  });

  it('shows the unpublished backlog and the age of its oldest row on the gauges while the relay runs', async () => {
    const db = await eventSchema('retention_gauges');
    const clock = new ManualClock();
    const relay = relayFor(db, 'retention_gauges', clock, 60_000);
    relay.start(); // publishes nothing, then sleeps a minute
    const gauge = async (name: string) => {
      const text = await metricsRegistry.metrics();
      const line = text.split('\n').find((l) => l.startsWith(`${name}{service="retention_gauges"}`));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    try {
      expect(await gauge('outbox_unpublished_events')).toBe(0);
      expect(await gauge('outbox_oldest_unpublished_age_seconds')).toBe(0);

      await writeEvents(db, 4);
      clock.set(Date.now() + 90_000);
      expect(await gauge('outbox_unpublished_events')).toBe(4);
      const age = (await gauge('outbox_oldest_unpublished_age_seconds'))!;
      expect(age).toBeGreaterThanOrEqual(90);
      expect(age).toBeLessThan(100);

      relay.kick();
      await eventually(async () => expect(await gauge('outbox_unpublished_events')).toBe(0));
      expect(await gauge('outbox_oldest_unpublished_age_seconds')).toBe(0);
    } finally {
      await relay.stop();
    }
    expect(await gauge('outbox_unpublished_events')).toBeUndefined(); // a stopped relay reports nothing
  });
});
