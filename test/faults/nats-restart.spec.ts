import {
  EventCounter,
  PrivateServer,
  ServiceProcesses,
  startPrivateNats,
  startTestSystem,
  testServersWith,
  TestSystem,
} from '@org-mgmt/testing';
import { FAULT_ENV, FAULTS_LONG, sleep } from './fault-settings';
import { MoneyTraffic, stopAndSettle, probeUnavailable } from './money-traffic';

/**
 * A private nats-server (never the shared one) killed and started again while clients move money:
 * the gateway, the services (billing as a process of its own), the outbox relays and the durable
 * consumers must reconnect, and every event must still arrive, none twice in effect.
 */
describe('faults: NATS restarted during traffic', () => {
  jest.setTimeout(FAULTS_LONG ? 900_000 : 150_000);
  const restarts = FAULTS_LONG ? 6 : 2;
  let nats: PrivateServer;
  let sys: TestSystem;
  let processes: ServiceProcesses;
  let events: EventCounter;
  let orgIds: string[];

  beforeAll(async () => {
    nats = await startPrivateNats();
    sys = await startTestSystem({
      servers: await testServersWith({ natsUrl: nats.url }),
      separateProcesses: false,
      env: { ...FAULT_ENV, RPC_TIMEOUT_MS: '2000' },
    });
    processes = new ServiceProcesses(sys);
    await processes.start('billing');
    orgIds = await Promise.all([1, 2, 3].map(async () => (await sys.registerOrg()).id));
    events = await EventCounter.start(sys, 'billing.balance_changed');
  });
  afterAll(async () => {
    await events?.close();
    await processes?.close();
    await sys?.close();
    await nats?.close();
  });

  it('fails requests cleanly while NATS is down; afterwards every accepted operation is in the ledger and published exactly once', async () => {
    const traffic = new MoneyTraffic(sys, orgIds);
    await traffic.start(FAULTS_LONG ? 8 : 4);
    const recoveryMs: number[] = [];
    const probeMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await traffic.untilMoreAccepted(FAULTS_LONG ? 40 : 12);
      await nats.stop();
      await sleep(200); // the gateway's client has seen the connection drop
      const probe = await probeUnavailable(sys);
      expect(probe.answer).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      probeMs.push(probe.ms);
      await sleep(800);
      const restarted = Date.now();
      await nats.start();
      await traffic.untilMoreAccepted(1);
      recoveryMs.push(Date.now() - restarted);
    }
    await traffic.untilMoreAccepted(FAULTS_LONG ? 40 : 12);
    const outcome = await stopAndSettle(
      traffic,
      events,
      'faults: restart NATS',
      { restarts, maxRecoveryMs: Math.max(...recoveryMs), max503Ms: Math.max(...probeMs) },
      60_000,
    );
    expect(outcome).toMatchObject({ uncleanAnswers: [], gaveUp: 0, lost: 0, doubled: 0 });
    expect(outcome).toMatchObject({ lostEvents: 0, doubledEvents: 0, balancesMatch: true });
  });
});
