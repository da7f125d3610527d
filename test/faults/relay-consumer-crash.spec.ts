import { OrgUpdatedEvent } from '@org-mgmt/contracts';
import {
  createDatabase,
  createLogger,
  eventTablesMigration,
  JetStreamEventBus,
  Knex,
  migrate,
  Outbox,
  streamNameFor,
} from '@org-mgmt/runtime';
import {
  createTestDatabase,
  eventually,
  killProcess,
  spawnScript,
  tally,
  TestDatabase,
  testServers,
} from '@org-mgmt/testing';
import { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect } from 'nats';
import { FAULTS_LONG } from './fault-settings';

const SCHEMA = 'fault_events';
const WORKER = 'test/faults/fixtures/event-worker.ts';

/**
 * Outbox relays and a durable consumer as processes that SIGKILL themselves between publish and
 * mark-as-sent, and between commit and ack, then are replaced: every event reaches the consumer's
 * effects exactly once, and JetStream stores each event once.
 */
describe('faults: the outbox relay and a consumer crash between publish and ack', () => {
  jest.setTimeout(FAULTS_LONG ? 600_000 : 120_000);
  const eventCount = FAULTS_LONG ? 2000 : 300;
  const crashes = FAULTS_LONG ? [37, 91, 150, 233, 400] : [37, 91];
  const prefix = `t${randomBytes(5).toString('hex')}.`;
  let database: TestDatabase;
  let db: Knex;
  let env: Record<string, string>;
  const running = new Set<ChildProcess>();

  beforeAll(async () => {
    const servers = await testServers();
    database = await createTestDatabase(servers.postgresAdminUrl);
    db = createDatabase(database.url, SCHEMA, 2);
    await migrate(db, SCHEMA, [eventTablesMigration]);
    await db.schema.createTable('effects', (t) => t.text('event_id').notNullable());
    // The stream exists before the workers start, so none of them races another to create it.
    await (await JetStreamEventBus.connect(servers.natsUrl, prefix, createLogger('silent', 'faults'))).close();
    env = {
      DATABASE_URL: database.url,
      NATS_URL: servers.natsUrl,
      NATS_SUBJECT_PREFIX: prefix,
      SCHEMA,
      SUBJECT: OrgUpdatedEvent.subject,
    };
  });
  afterAll(async () => {
    await Promise.all([...running].map((child) => killProcess(child)));
    const nc = await connect({ servers: env.NATS_URL });
    await (await nc.jetstreamManager()).streams.delete(streamNameFor(prefix)).catch(() => false);
    await nc.close();
    await db?.destroy();
    await database?.drop();
  });

  function worker(role: 'relay' | 'consumer', crashAfter = 0): ChildProcess {
    const child = spawnScript(WORKER, [role], { ...env, CRASH_AFTER: String(crashAfter) });
    running.add(child);
    child.once('exit', () => running.delete(child));
    return child;
  }

  /** Workers that crash at each of `crashes` in turn, each replaced by the next, then one that does not. */
  async function crashingInTurn(role: 'relay' | 'consumer'): Promise<ChildProcess> {
    for (const crashAfter of crashes) {
      const [, signal] = await once(worker(role, crashAfter), 'exit');
      expect(signal).toBe('SIGKILL');
    }
    return worker(role);
  }

  it('delivers every event to the consumer exactly once in effect, and stores it once', async () => {
    const ids = await writeEvents(db, eventCount);
    const [relay, consumer] = await Promise.all([crashingInTurn('relay'), crashingInTurn('consumer')]);

    const count = async (query: Knex.QueryBuilder) => Number((await query.count({ n: '*' }).first())!.n);
    await eventually(async () => expect(await count(db('outbox').whereNull('published_at'))).toBe(0), 60_000);
    await eventually(async () => expect(await count(db('effects'))).toBeGreaterThanOrEqual(eventCount), 60_000);
    await new Promise((r) => setTimeout(r, 1_500)); // past the consumer's ack wait: room for a late redelivery
    await Promise.all([killProcess(relay, 'SIGTERM'), killProcess(consumer, 'SIGTERM')]);

    const effects: string[] = await db('effects').pluck('event_id');
    const applied = new Set(effects);
    const stored = await storedMessages(env.NATS_URL, prefix);
    const lost = ids.filter((id) => !applied.has(id)).length;
    const doubled = effects.length - applied.size;
    tally('faults: crash relay and consumer between publish and ack', {
      events: eventCount,
      relayCrashes: crashes.length,
      consumerCrashes: crashes.length,
      storedInStream: stored,
      effects: effects.length,
      lost,
      doubled,
    });
    expect({ lost, doubled, stored }).toEqual({ lost: 0, doubled: 0, stored: eventCount });
  });
});

async function writeEvents(db: Knex, count: number): Promise<string[]> {
  const outbox = new Outbox();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    await db.transaction(async (trx) => {
      for (let j = i; j < Math.min(count, i + 50); j++) {
        const event = await outbox.add(trx, OrgUpdatedEvent, 'org_faults', {
          orgId: 'org_faults',
          changed: [`field${j}`],
          updatedAt: j,
          changedBy: 'faults',
        });
        ids.push(event.id);
      }
    });
  }
  return ids;
}

async function storedMessages(natsUrl: string, prefix: string): Promise<number> {
  const nc = await connect({ servers: natsUrl });
  try {
    return (await (await nc.jetstreamManager()).streams.info(streamNameFor(prefix))).state.messages;
  } finally {
    await nc.close();
  }
}
