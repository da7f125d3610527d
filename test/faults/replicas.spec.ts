import { OrgCreatedEvent, ServiceName, SubscriptionChangedEvent } from '@org-mgmt/contracts';
import { streamNameFor } from '@org-mgmt/runtime';
import { EventCounter, eventually, ServiceProcesses, startTestSystem, tally, TestSystem } from '@org-mgmt/testing';
import { connect } from 'nats';
import { countOf, seedRecords, startTransfer, waitForJob } from '../../services/transfers/test/helpers';
import { FAULT_ENV, FAULTS_LONG } from './fault-settings';
import { MoneyTraffic, stopAndSettle } from './money-traffic';

const SUITE = 'faults: two replicas of every service, one of each killed';
const SERVICES: ServiceName[] = ['orgs', 'billing', 'subscriptions', 'transfers'];
const WITH_EVENTS: ServiceName[] = SERVICES;
/** Durable consumers whose every event the check follows: [consumer's service, durable, producer, subject]. */
const CONSUMERS = [
  ['orgs', 'orgs_feature_flags', 'subscriptions', SubscriptionChangedEvent.subject],
  ['subscriptions', 'subscriptions-org-created', 'orgs', OrgCreatedEvent.subject],
] as const;
const BASIC_PRICE = 900;

/**
 * Every service runs as two processes (one NATS queue group, one database); while clients move money,
 * subscriptions fall due and an asset move runs, one replica of each is SIGKILLed mid-work. The
 * survivors finish the work: no renewal charged twice or skipped, no record moved twice or lost, no
 * outbox event published twice or lost, no consumer applying an event twice or missing one.
 */
describe('faults: two replicas of every service, one of each killed mid-work', () => {
  jest.setTimeout(FAULTS_LONG ? 600_000 : 180_000);
  const renewals = FAULTS_LONG ? 120 : 30;
  const records = FAULTS_LONG ? 30_000 : 8_000;
  let sys: TestSystem;
  let processes: ServiceProcesses;
  let events: EventCounter;

  beforeAll(async () => {
    sys = await startTestSystem({
      separateProcesses: false,
      env: { ...FAULT_ENV, RPC_TIMEOUT_MS: '2000', SUBSCRIPTION_WORKER_INTERVAL_MS: '100', DATABASE_POOL_MAX: '3' },
    });
    processes = new ServiceProcesses(sys);
  });
  afterAll(async () => {
    await events?.close();
    await processes?.close();
    await sys?.close();
  });

  it('finishes the renewals, the asset move, the money and the events exactly once after a replica of each service dies', async () => {
    const moneyOrgs = await Promise.all([1, 2, 3].map(async () => (await sys.registerOrg()).id));
    const subscribers = await subscribedOrgs(sys, renewals);
    const [source, target] = [(await sys.registerOrg()).id, (await sys.registerOrg()).id];
    const { recordIds } = await seedRecords(sys, source, records, { prefix: 'rp' });

    // The transfers replica that will be killed takes the job before its peer exists.
    await Promise.all(SERVICES.map((name) => processes.start(name, name === 'transfers' ? 1 : 2)));
    events = await EventCounter.start(sys, 'billing.balance_changed', 'replicas_counter');
    const traffic = new MoneyTraffic(sys, moneyOrgs);
    await traffic.start(FAULTS_LONG ? 8 : 4);
    const job = await startTransfer(sys, {
      datatype: 'records',
      mode: 'move',
      sourceOrgId: source,
      targetOrgId: target,
      batchSize: 20,
    });
    await until(async () => (await batchesOf(sys, job.id)) >= 3, 'the transfer to get going');
    await processes.start('transfers');

    const due = Date.now() - 1_000;
    const periodEnds = await makeDue(sys, subscribers, due);
    await until(async () => (await renewedCount(sys, subscribers)) >= renewals / 5, 'renewals to get going');
    await traffic.untilMoreAccepted(6);
    const renewedBeforeKill = await renewedCount(sys, subscribers);
    const batchesBeforeKill = await batchesOf(sys, job.id);
    await Promise.all(SERVICES.map((name) => processes.killOldest(name)));

    const done = await waitForJob(sys, job.id, undefined, 120_000);
    await until(async () => (await renewedCount(sys, subscribers)) === renewals, 'every renewal', 60_000);
    await traffic.untilMoreAccepted(8);
    const transfer = await transferCheck(sys, source, target, recordIds);
    const renewal = await renewalCheck(sys, subscribers, periodEnds);
    const outcome = await stopAndSettle(
      traffic,
      events,
      SUITE,
      {
        replicasKilled: SERVICES.length,
        renewals,
        renewedBeforeKill,
        records,
        batchesBeforeKill,
        ...transfer,
        ...renewal,
      },
      30_000,
    );
    expect(outcome).toMatchObject({ uncleanAnswers: [], gaveUp: 0, lost: 0, doubled: 0 });
    expect(outcome).toMatchObject({ lostEvents: 0, doubledEvents: 0, balancesMatch: true });

    await eventually(async () => expect(await unpublished(sys)).toBe(0), 30_000);
    const outbox = await outboxCheck(sys);
    const consumers = await eventually(async () => {
      const check = await consumerCheck(sys);
      expect(check.consumerLost).toBe(0);
      return check;
    }, 30_000);
    tally(SUITE, { ...outbox, ...consumers });

    expect(done).toMatchObject({ status: 'completed', totals: { transferred: records } });
    expect(transfer).toEqual({ recordsLost: 0, recordsDoubled: 0, recordsLeftAtSource: 0 });
    expect(renewal).toEqual({
      renewedTwice: 0,
      renewalsMissed: 0,
      renewalDebitsDoubled: 0,
      renewalDebitsMissed: 0,
      balancesOff: 0,
    });
    expect(outbox.storedInStream).toBe(outbox.outboxEvents);
    expect(consumers).toMatchObject({ consumerLost: 0, consumerDoubled: 0 });
  });
});

/** Orgs on the basic plan paid from credits, with credits left for exactly one renewal more. */
async function subscribedOrgs(sys: TestSystem, count: number): Promise<string[]> {
  const root = await sys.rootToken();
  const orgIds: string[] = [];
  for (let i = 0; i < count; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(5, count - i) }, async () => {
        const org = await sys.registerOrg();
        await sys.api('POST', '/billing/gift-credits', {
          token: root,
          body: { orgId: org.id, amount: 3 * BASIC_PRICE, currency: 'USD', reason: 'replicas' },
        });
        const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
        const res = await sys.api('POST', '/subscription/create', {
          token: admin,
          body: { plan: 'basic', payment: { method: 'credits' } },
        });
        if (res.status !== 201) throw new Error(`subscription/create: ${res.status} ${JSON.stringify(res.body)}`);
        return org.id;
      }),
    );
    orgIds.push(...batch);
  }
  return orgIds;
}

/** Moves the orgs' period ends into the past: every replica's worker finds them due at its next pass. */
async function makeDue(sys: TestSystem, orgIds: string[], at: number): Promise<Map<string, number>> {
  const subs = sys.db('subscriptions');
  await subs('subscriptions').whereIn('org_id', orgIds).update({ current_period_end: at });
  return new Map(orgIds.map((id) => [id, at]));
}

async function renewedCount(sys: TestSystem, orgIds: string[]): Promise<number> {
  const row = await sys
    .db('subscriptions')('subscription_changes')
    .whereIn('org_id', orgIds)
    .where({ change: 'renewed' })
    .countDistinct({ n: 'org_id' })
    .first();
  return Number(row!.n);
}

/** Each org renewed once (one history entry, the period moved on once), debited once by its renewal reference, its balance right. */
async function renewalCheck(sys: TestSystem, orgIds: string[], periodEnds: Map<string, number>) {
  const changes: { org_id: string }[] = await sys
    .db('subscriptions')('subscription_changes')
    .whereIn('org_id', orgIds)
    .where({ change: 'renewed' });
  const subs: { org_id: string; current_period_start: string }[] = await sys
    .db('subscriptions')('subscriptions')
    .whereIn('org_id', orgIds);
  const debits: { org_id: string }[] = await sys
    .db('billing')('transactions')
    .whereIn('org_id', orgIds)
    .where({ type: 'debit' })
    .where('reference', 'like', 'renewal:%');
  const balances: { org_id: string; balance: string }[] = await sys.db('billing')('balances').whereIn('org_id', orgIds);
  const per = (rows: { org_id: string }[]) => orgIds.map((id) => rows.filter((r) => r.org_id === id).length);
  return {
    renewedTwice: per(changes).filter((n) => n > 1).length,
    renewalsMissed: subs.filter((s) => Number(s.current_period_start) !== periodEnds.get(s.org_id)).length,
    renewalDebitsDoubled: per(debits).filter((n) => n > 1).length,
    renewalDebitsMissed: per(debits).filter((n) => n === 0).length,
    balancesOff: balances.filter((b) => Number(b.balance) !== BASIC_PRICE).length,
  };
}

async function batchesOf(sys: TestSystem, jobId: string): Promise<number> {
  const row = await sys.db('transfers')('transfer_job_batches').where({ job_id: jobId }).count({ n: '*' }).first();
  return Number(row!.n);
}

async function transferCheck(sys: TestSystem, source: string, target: string, recordIds: string[]) {
  const moved: string[] = await sys.db('transfers')('records').where({ org_id: target }).pluck('id');
  const seeded = new Set(recordIds);
  return {
    recordsLost: recordIds.length - new Set(moved.filter((id) => seeded.has(id))).size,
    recordsDoubled: moved.length - new Set(moved).size + moved.filter((id) => !seeded.has(id)).length,
    recordsLeftAtSource: await countOf(sys, 'records', source),
  };
}

async function unpublished(sys: TestSystem): Promise<number> {
  const counts = await Promise.all(
    WITH_EVENTS.map(async (name) =>
      Number((await sys.db(name)('outbox').whereNull('published_at').count({ n: '*' }).first())!.n),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Every outbox row of every service stored once in the stream: none lost, none published twice. */
async function outboxCheck(sys: TestSystem): Promise<{ outboxEvents: number; storedInStream: number }> {
  const counts = await Promise.all(
    WITH_EVENTS.map(async (name) => Number((await sys.db(name)('outbox').count({ n: '*' }).first())!.n)),
  );
  const nc = await connect({ servers: sys.env.NATS_URL });
  try {
    const info = await (await nc.jetstreamManager()).streams.info(streamNameFor(sys.env.NATS_SUBJECT_PREFIX));
    return { outboxEvents: counts.reduce((a, b) => a + b, 0), storedInStream: info.state.messages };
  } finally {
    await nc.close();
  }
}

/** Each followed consumer recorded every event of its subject once (its effect commits with that record). */
async function consumerCheck(
  sys: TestSystem,
): Promise<{ consumed: number; consumerLost: number; consumerDoubled: number }> {
  let consumed = 0;
  let consumerLost = 0;
  let consumerDoubled = 0;
  for (const [service, durable, producer, subject] of CONSUMERS) {
    const produced: string[] = await sys.db(producer)('outbox').where({ subject }).pluck('id');
    const processed: string[] = await sys
      .db(service)('processed_events')
      .where({ consumer: durable })
      .pluck('event_id');
    const seen = new Set(processed);
    consumed += processed.length;
    consumerLost += produced.filter((id) => !seen.has(id)).length;
    consumerDoubled += processed.length - seen.size;
  }
  return { consumed, consumerLost, consumerDoubled };
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
