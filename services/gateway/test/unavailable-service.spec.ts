import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { connect, NatsConnection } from 'nats';

describe('a service that is stopped or silent', () => {
  let sys: TestSystem;
  let member: string;
  let nats: NatsConnection;

  beforeAll(async () => {
    // In-process services, so the test can stop one of them. The timeout is short, so the 504 comes
    // soon, but long enough that setting up (registering an org) never times out on a busy machine.
    sys = await startTestSystem({ env: { RPC_TIMEOUT_MS: '2000' }, separateProcesses: false });
    const org = await sys.registerOrg();
    member = await sys.token({ orgId: org.id });
    nats = await connect({ servers: sys.env.NATS_URL });
    const orgs = sys.running.services.find((s) => s.name === 'orgs')!;
    await orgs.close();
    sys.running.services.splice(sys.running.services.indexOf(orgs), 1);
  });
  afterAll(async () => {
    await nats?.close();
    await sys?.close();
  });

  it('answers 503 SERVICE_UNAVAILABLE in the error envelope when nobody serves the pattern', async () => {
    const res = await sys.api('GET', '/profile', { token: member });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('orgs') }),
    });
  });

  it('reports the system as not ready, naming the service that is down, and stays alive', async () => {
    expect((await fetch(`${sys.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${sys.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({
      status: 'unavailable',
      services: { orgs: false, billing: true, subscriptions: true, transfers: true },
    });
  });

  it('answers 504 SERVICE_TIMEOUT when a service takes the request and never replies', async () => {
    const silent = nats.subscribe(`${sys.env.NATS_SUBJECT_PREFIX}orgs.profile.get`, { queue: 'orgs' });
    await nats.flush();
    try {
      const res = await sys.api('GET', '/profile', { token: member });
      expect(res.status).toBe(504);
      expect(res.body.error).toMatchObject({ code: 'SERVICE_TIMEOUT', message: expect.stringContaining('2000 ms') });
    } finally {
      silent.unsubscribe();
    }
  });
});
