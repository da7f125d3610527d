import {
  EventCounter,
  PrivateServer,
  startPrivatePostgres,
  startTestSystem,
  testServersWith,
  TestSystem,
} from '@org-mgmt/testing';
import { FAULT_ENV, FAULTS_LONG, sleep } from './fault-settings';
import { MoneyTraffic, stopAndSettle } from './money-traffic';

/**
 * A private PostgreSQL (never the shared one) shut down and started again while clients move money:
 * requests fail cleanly (503 SERVICE_UNAVAILABLE, never a 500), pools reconnect, and nothing accepted
 * is lost or doubled.
 */
describe('faults: PostgreSQL restarted during traffic', () => {
  jest.setTimeout(FAULTS_LONG ? 900_000 : 150_000);
  const restarts = FAULTS_LONG ? 6 : 2;
  let postgres: PrivateServer;
  let sys: TestSystem;
  let events: EventCounter;
  let orgIds: string[];

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    sys = await startTestSystem({
      servers: await testServersWith({ postgresAdminUrl: postgres.url }),
      separateProcesses: false,
      env: FAULT_ENV,
    });
    orgIds = await Promise.all([1, 2, 3].map(async () => (await sys.registerOrg()).id));
    events = await EventCounter.start(sys, 'billing.balance_changed');
  });
  afterAll(async () => {
    await events?.close();
    await sys?.close();
    await postgres?.close();
  });

  it('fails requests cleanly while PostgreSQL is down; afterwards every accepted operation is in the ledger and published exactly once', async () => {
    const traffic = new MoneyTraffic(sys, orgIds);
    await traffic.start(FAULTS_LONG ? 8 : 4);
    const recoveryMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await traffic.untilMoreAccepted(FAULTS_LONG ? 40 : 12);
      await postgres.stop();
      await sleep(1000);
      const restarted = Date.now();
      await postgres.start();
      await traffic.untilMoreAccepted(1);
      recoveryMs.push(Date.now() - restarted);
    }
    await traffic.untilMoreAccepted(FAULTS_LONG ? 40 : 12);
    const outcome = await stopAndSettle(
      traffic,
      events,
      'faults: restart PostgreSQL',
      { restarts, maxRecoveryMs: Math.max(...recoveryMs) },
      60_000,
    );
    expect(outcome).toMatchObject({ uncleanAnswers: [], gaveUp: 0, lost: 0, doubled: 0 });
    expect(outcome).toMatchObject({ lostEvents: 0, doubledEvents: 0, balancesMatch: true });
  });
});
