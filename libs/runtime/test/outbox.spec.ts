import { EventEnvelope, OrgUpdatedEvent } from '@org-mgmt/contracts';
import { createTestDatabase, deleteStream, TestDatabase, testServers } from '@org-mgmt/testing';
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  createLogger,
  EventBus,
  eventTablesMigration,
  idempotentHandler,
  JetStreamEventBus,
  Knex,
  migrate,
  Outbox,
  OutboxRelay,
} from '../src';

const logger = createLogger('silent', 'outbox-test');

/** A bus that dies after `allowed` publishes, the way a relay process crashes between publish and mark. */
function crashingAfter(allowed: number, bus: EventBus): EventBus {
  let published = 0;
  return {
    async publish(event) {
      if (published++ >= allowed) throw new Error('relay crashed');
      await bus.publish(event);
    },
    subscribe: (options) => bus.subscribe(options),
    watch: (options) => bus.watch(options),
    close: async () => {},
  };
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('transactional outbox, relay and durable consumer over JetStream', () => {
  let database: TestDatabase;
  let db: Knex;
  let bus: JetStreamEventBus;
  let natsUrl: string;
  const prefix = `t${randomBytes(5).toString('hex')}.`;
  const outbox = new Outbox();

  beforeAll(async () => {
    const servers = await testServers();
    natsUrl = servers.natsUrl;
    database = await createTestDatabase(servers.postgresAdminUrl);
    db = createDatabase(database.url, 'outbox_test', 4);
    await migrate(db, 'outbox_test', [eventTablesMigration]);
    await db.schema.createTable('effects', (t) => {
      t.text('event_id').notNullable();
    });
    bus = await JetStreamEventBus.connect(natsUrl, prefix, logger);
  });

  afterAll(async () => {
    await bus?.close();
    await deleteStream(natsUrl, prefix);
    await db?.destroy();
    await database?.drop();
  });

  async function writeEvents(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      await db.transaction(async (trx) => {
        const event = await outbox.add(trx, OrgUpdatedEvent, 'org_outbox', {
          orgId: 'org_outbox',
          changed: [`field${i}`],
          updatedAt: i,
          changedBy: 'test',
        });
        ids.push(event.id);
      });
    }
    return ids;
  }

  it('writes nothing to the outbox when the transaction rolls back', async () => {
    await expect(
      db.transaction(async (trx) => {
        await outbox.add(trx, OrgUpdatedEvent, 'org_outbox', {
          orgId: 'org_outbox',
          changed: [],
          updatedAt: 0,
          changedBy: 't',
        });
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await db('outbox').count({ n: '*' }).first()).toEqual({ n: 0 });
  });

  it('delivers every event exactly once in effect when the relay crashes mid-batch and a new one takes over', async () => {
    const ids = await writeEvents(25);

    const deliveries = new Map<string, number>();
    const subscription = await bus.subscribe({
      durable: 'outbox_test',
      subject: OrgUpdatedEvent.subject,
      handler: idempotentHandler(db, 'outbox_test', async (event: EventEnvelope, trx) => {
        await trx('effects').insert({ event_id: event.id });
      }),
    });
    const counting = await bus.subscribe({
      durable: 'outbox_test_counter',
      subject: OrgUpdatedEvent.subject,
      handler: async (event) => {
        deliveries.set(event.id, (deliveries.get(event.id) ?? 0) + 1);
      },
    });

    // The first relay publishes 10 events of its batch to JetStream, then dies before marking any as sent.
    const crashed = new OutboxRelay({
      db,
      bus: crashingAfter(10, bus),
      logger,
      service: 'outbox_test',
      pollIntervalMs: 1_000,
    });
    await expect(crashed.publishBatch()).rejects.toThrow('relay crashed');
    expect(await db('outbox').whereNotNull('published_at').count({ n: '*' }).first()).toEqual({ n: 0 });

    // Its replacement re-publishes all 25; JetStream drops the 10 it already has by Nats-Msg-Id.
    const replacement = new OutboxRelay({ db, bus, logger, service: 'outbox_test', pollIntervalMs: 1_000 });
    expect(await replacement.publishBatch()).toBe(25);
    expect(await replacement.publishBatch()).toBe(0);

    await waitFor(() => deliveries.size === ids.length);
    await waitFor(async () => Number((await db('effects').count({ n: '*' }).first())!.n) === ids.length);
    await new Promise((r) => setTimeout(r, 300)); // room for any duplicate to show up
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(deliveries.keys())).toEqual(new Set(ids));
    const effects = await db('effects').select('event_id');
    expect(effects.map((e) => e.event_id).sort()).toEqual([...ids].sort());

    await subscription.stop();
    await counting.stop();
  });

  it('redelivers an event whose handler failed and applies it once', async () => {
    const [id] = await writeEvents(1);
    let attempts = 0;
    const subscription = await bus.subscribe({
      durable: 'outbox_retry',
      subject: OrgUpdatedEvent.subject,
      handler: idempotentHandler(db, 'outbox_retry', async (event, trx) => {
        if (event.id !== id) return;
        attempts++;
        await trx('effects').insert({ event_id: `retry:${event.id}` });
        if (attempts === 1) throw new Error('transient failure after writing');
      }),
    });
    await new OutboxRelay({ db, bus, logger, service: 'outbox_test', pollIntervalMs: 1_000 }).publishBatch();

    const effectsOf = async () =>
      Number(
        (await db('effects')
          .where({ event_id: `retry:${id}` })
          .count({ n: '*' })
          .first())!.n,
      );
    await waitFor(async () => (await effectsOf()) === 1);
    expect(attempts).toBe(2); // the failed attempt's write rolled back with it
    expect(await effectsOf()).toBe(1);
    await subscription.stop();
  });
});
