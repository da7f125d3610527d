import { EventCounter, ServiceProcesses, startTestSystem, TestSystem } from '@org-mgmt/testing';
import { FAULT_ENV, FAULTS_LONG, sleep } from './fault-settings';
import { MoneyTraffic, stopAndSettle, probeUnavailable } from './money-traffic';

/**
 * The billing service, as a process of its own, killed with SIGKILL while clients move money through
 * the gateway, then started again. Figures go to the run's tally; only correctness is asserted.
 */
describe('faults: a service process killed mid-request', () => {
  jest.setTimeout(FAULTS_LONG ? 900_000 : 150_000);
  const kills = FAULTS_LONG ? 10 : 3;
  let sys: TestSystem;
  let processes: ServiceProcesses;
  let events: EventCounter;
  let orgIds: string[];

  beforeAll(async () => {
    sys = await startTestSystem({ separateProcesses: false, env: { ...FAULT_ENV, RPC_TIMEOUT_MS: '2000' } });
    processes = new ServiceProcesses(sys);
    await processes.start('billing');
    orgIds = await Promise.all([1, 2, 3].map(async () => (await sys.registerOrg()).id));
    events = await EventCounter.start(sys, 'billing.balance_changed');
  });
  afterAll(async () => {
    await events?.close();
    await processes?.close();
    await sys?.close();
  });

  it('answers 503 while billing is down; afterwards every accepted operation is in the ledger and published exactly once', async () => {
    const traffic = new MoneyTraffic(sys, orgIds);
    await traffic.start(FAULTS_LONG ? 8 : 4);
    const probeMs: number[] = [];
    for (let i = 0; i < kills; i++) {
      await traffic.untilMoreAccepted(FAULTS_LONG ? 40 : 12);
      await processes.kill('billing');
      let probe = await probeUnavailable(sys);
      // A request NATS routed to the killed process before it saw the socket close goes unanswered (504);
      // once NATS knows, there are no responders: the next request must be a prompt 503.
      if (probe.answer.status === 504) probe = await probeUnavailable(sys);
      expect(probe.answer).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
      probeMs.push(probe.ms);
      await sleep(300);
      await processes.start('billing');
    }
    await traffic.untilMoreAccepted(8);
    const outcome = await stopAndSettle(
      traffic,
      events,
      'faults: kill billing mid-request',
      { kills, max503Ms: Math.max(...probeMs) },
      30_000,
    );
    expect(outcome).toMatchObject({ uncleanAnswers: [], gaveUp: 0, lost: 0, doubled: 0 });
    expect(outcome).toMatchObject({ lostEvents: 0, doubledEvents: 0, balancesMatch: true });
  });
});
