import { BusProcess } from '@org-mgmt/contracts';
import { createLogger, JetStreamEventBus, natsInboxPrefix, streamNameFor } from '@org-mgmt/runtime';
import {
  eventually,
  natsUsersFor,
  PrivateServer,
  startPrivateNats,
  startTestSystem,
  testBusKeys,
  testServersWith,
  TestSystem,
} from '@org-mgmt/testing';
import { SignJWT } from 'jose';
import { connect, NatsConnection } from 'nats';

const logger = createLogger('silent', 'nats-permissions');
/** Long enough for a message the server let through to arrive on loopback. */
const SETTLE_MS = 300;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** A forged request in the RPC packet format: a RootAdmin of the root org, straight onto the bus. */
function forged(pattern: string, body: unknown, orgId: string | null = null): string {
  const principal = { sub: 'attacker', orgId: 'org_root', roles: ['RootAdmin', 'System'] };
  return JSON.stringify({
    pattern,
    id: 'forged',
    data: { principal, orgId, requestId: 'forged', params: orgId ? { orgId } : {}, body },
  });
}

/** Connections opened as the generated users of one private nats-server, closed together. */
class BusUsers {
  private readonly opened: NatsConnection[] = [];

  constructor(
    private readonly url: string,
    private readonly users: ReturnType<typeof natsUsersFor>,
  ) {}

  async as(process: BusProcess): Promise<NatsConnection> {
    const nc = await connect({ servers: this.url, maxReconnectAttempts: 0, ...this.users.connectAs(process) });
    this.opened.push(nc);
    return nc;
  }

  async admin(): Promise<NatsConnection> {
    const nc = await connect({ servers: this.url, ...this.users.admin });
    this.opened.push(nc);
    return nc;
  }

  /** What a subscription of `nc` on `subject` receives; `denied` collects the server's refusal of it. */
  async listen(nc: NatsConnection, subject: string): Promise<{ messages: string[]; denied: Error[] }> {
    const seen = { messages: [] as string[], denied: [] as Error[] };
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) seen.denied.push(err);
        else seen.messages.push(msg.string());
      },
    });
    await nc.flush();
    return seen;
  }

  async close(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((nc) => nc.close().catch(() => undefined)));
  }
}

describe('security: NATS users and permissions (a private nats-server with the generated config)', () => {
  const users = natsUsersFor();
  const subject = (s: string) => users.subjectPrefix + s;
  let nats: PrivateServer;
  let bus: BusUsers;

  beforeAll(async () => {
    nats = await startPrivateNats({ config: users.config, probe: users.admin });
    bus = new BusUsers(nats.url, users);
  });
  afterAll(async () => {
    await bus?.close();
    await nats?.close();
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    await expect(
      connect({ servers: nats.url, maxReconnectAttempts: 0, user: 'orgs', pass: 'guessed' }),
    ).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
  });

  it("drops billing's publish on an orgs request subject and delivers the gateway's", async () => {
    const orgs = await bus.listen(await bus.as('orgs'), subject('orgs.org.delete'));
    const billing = await bus.as('billing');
    billing.publish(subject('orgs.org.delete'), forged('orgs.org.delete', { reason: 'from billing' }));
    await billing.flush();
    const gateway = await bus.as('gateway');
    gateway.publish(subject('orgs.org.delete'), forged('orgs.org.delete', { reason: 'from gateway' }));
    await gateway.flush();
    await eventually(async () => expect(orgs.messages).toHaveLength(1));
    await settle();
    expect(orgs.messages.map((m) => JSON.parse(m).data.body.reason)).toEqual(['from gateway']);
  });

  it("refuses billing's subscription to an orgs request subject, so it never sees what the gateway sends there", async () => {
    const billing = await bus.listen(await bus.as('billing'), subject('orgs.profile.get'));
    const orgs = await bus.listen(await bus.as('orgs'), subject('orgs.profile.get'));
    const gateway = await bus.as('gateway');
    gateway.publish(subject('orgs.profile.get'), forged('orgs.profile.get', {}));
    await gateway.flush();
    await eventually(async () => expect(orgs.messages).toHaveLength(1));
    await settle();
    expect(billing.messages).toEqual([]);
    expect(String(billing.denied[0])).toMatch(/permissions violation/i);
  });

  it("answers a service's declared call through its own inbox, which no other user can read", async () => {
    const billing = await bus.as('billing');
    billing.subscribe(subject('billing.addon.terms'), { callback: (_err, msg) => msg.respond('terms') });
    await billing.flush();
    const eavesdropper = await bus.listen(await bus.as('gateway'), `${natsInboxPrefix(users.subjectPrefix, 'orgs')}.>`);
    const orgs = await bus.as('orgs');
    const reply = await orgs.request(subject('billing.addon.terms'), '{}', { timeout: 2000 });
    expect(reply.string()).toBe('terms');
    await settle();
    expect(eavesdropper.messages).toEqual([]);
    expect(eavesdropper.denied).toHaveLength(1);
  });

  it('lets only the services reconfigure the event stream; the gateway and the teardown worker may only read it', async () => {
    const service = await JetStreamEventBus.connect(nats.url, users.subjectPrefix, logger, users.env('billing'));
    try {
      const name = streamNameFor(users.subjectPrefix);
      for (const reader of ['gateway', 'k8s-teardown'] as const) {
        const jsm = await (await bus.as(reader)).jetstreamManager();
        const { config } = await jsm.streams.info(name);
        await expect(jsm.streams.update(name, { ...config, max_age: 1_000_000_000 })).rejects.toThrow();
      }
      const admin = await (await bus.admin()).jetstreamManager();
      expect((await admin.streams.info(name)).config.max_age).not.toBe(1_000_000_000);
    } finally {
      await service.close();
    }
  });

  it('stores events on a subject only from the process that owns it', async () => {
    const owner = await JetStreamEventBus.connect(nats.url, users.subjectPrefix, logger, users.env('transfers'));
    try {
      const impostor = (await bus.as('billing')).jetstream();
      await expect(
        impostor.publish(subject('transfer.completed'), '{"forged":true}', { timeout: 1000 }),
      ).rejects.toThrow();
      await owner.publish({
        id: 'evt_1',
        type: 'transfer.completed',
        version: 1,
        occurredAt: Date.now(),
        orgId: null,
        data: {},
      });
      const jsm = await (await bus.admin()).jetstreamManager();
      const stored = await jsm.streams.info(streamNameFor(users.subjectPrefix));
      expect(stored.state.messages).toBe(1);
      expect((await jsm.streams.getMessage(streamNameFor(users.subjectPrefix), { seq: 1 })).string()).toContain(
        'evt_1',
      );
    } finally {
      await owner.close();
    }
  });
});

/**
 * The whole system with every process connected as its own user: if a generated permission list
 * were too narrow, one of these flows would fail (a call refused, an event never published or
 * consumed, a reply never read).
 */
describe('security: the system runs with one NATS user per process', () => {
  const users = natsUsersFor();
  let nats: PrivateServer;
  let sys: TestSystem;
  let bus: BusUsers;
  let root: string;

  beforeAll(async () => {
    nats = await startPrivateNats({ config: users.config, probe: users.admin });
    bus = new BusUsers(nats.url, users);
    sys = await startTestSystem({
      servers: await testServersWith({ natsUrl: nats.url }),
      separateProcesses: true,
      natsUsers: users,
    });
    root = await sys.rootToken();
  }, 120_000);
  afterAll(async () => {
    await bus?.close();
    await sys?.close();
    await nats?.close();
  });

  const balanceOf = async (orgId: string) =>
    (await sys.api('GET', '/billing/balance', { token: root, orgid: orgId })).body.balance;

  it('registers an org with a plan, and subscriptions starts it from org.created', async () => {
    const res = await sys.api('POST', '/org-register', {
      token: root,
      body: { companyName: 'Permitted Ltd', ownerEmail: 'owner@permitted.example', plan: { planId: 'basic' } },
    });
    expect(res.status).toBe(201);
    await eventually(async () => {
      const current = await sys.api('GET', '/subscription/current', { token: root, orgid: res.body.id });
      expect(current.body).toMatchObject({ plan: 'basic', status: 'active' });
    }, 20_000);
  });

  it('gifts credits, reads the balance, and pays a subscription from them (subscriptions calls billing)', async () => {
    const org = await sys.registerOrg();
    const gift = await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 5000, currency: 'USD', reason: 'welcome' },
    });
    expect(gift.status).toBe(201);
    expect(await balanceOf(org.id)).toBe(5000);
    const admin = await sys.token({ orgId: org.id, roles: ['ConfigAdmin'] });
    const created = await sys.api('POST', '/subscription/create', {
      token: admin,
      body: { plan: 'basic', payment: { method: 'credits' } },
    });
    expect(created.status).toBe(201);
    expect(await balanceOf(org.id)).toBeLessThan(5000);
  });

  it('changes nothing for a forged RootAdmin or System request sent with no credentials or with another service’s', async () => {
    const org = await sys.registerOrg();
    await sys.api('POST', '/billing/gift-credits', {
      token: root,
      body: { orgId: org.id, amount: 100, currency: 'USD', reason: 'welcome' },
    });
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toMatchObject({
      code: 'AUTHORIZATION_VIOLATION',
    });
    const billing = await bus.as('billing');
    const deletion = billing.request(
      subject('orgs.org.delete'),
      forged('orgs.org.delete', { reason: 'forged' }, org.id),
      { timeout: 1000 },
    );
    await expect(deletion).rejects.toThrow();
    const orgs = await bus.as('orgs');
    const debit = { orgId: org.id, amount: 1, currency: 'USD', reference: 'forged', description: 'forged' };
    await expect(
      orgs.request(subject('billing.credits.debit'), forged('billing.credits.debit', debit, org.id), { timeout: 1000 }),
    ).rejects.toThrow();
    await settle();
    expect((await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company).toMatchObject({
      id: org.id,
      serviceStatus: 'ACTIVE',
    });
    expect(await balanceOf(org.id)).toBe(100);
  });

  it('refuses, with the credentials that may reach the pattern, a request with no signature or one signed by a service claiming a user role', async () => {
    const org = await sys.registerOrg();
    const answerOf = async (nc: NatsConnection, pattern: string, data: object) => {
      const reply = await nc.request(subject(pattern), JSON.stringify({ pattern, id: 'forged', data }), {
        timeout: 5000,
      });
      return (JSON.parse(reply.string()) as { response: unknown }).response;
    };
    const gateway = await bus.as('gateway');
    const unsigned = JSON.parse(forged('orgs.org.delete', { reason: 'forged' }, org.id)).data;
    expect(await answerOf(gateway, 'orgs.org.delete', unsigned)).toMatchObject({
      ok: false,
      error: { code: 'UNAUTHENTICATED' },
    });
    // Billing may call orgs.state.get, and signs with its own key, but only ever as its own System principal.
    const billing = await bus.as('billing');
    const principal = { sub: 'attacker', orgId: 'org_root', roles: ['RootAdmin' as const] };
    const assertion = await new SignJWT({ p: principal })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'billing' })
      .setIssuer('billing')
      .setAudience('orgs')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(testBusKeys().signing.get('billing')!);
    const claim = { principal, assertion, orgId: org.id, requestId: 'forged', params: { orgId: org.id } };
    expect(await answerOf(billing, 'orgs.state.get', claim)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await settle();
    expect((await sys.api('GET', `/profile/${org.id}`, { token: root })).body.company).toMatchObject({
      id: org.id,
      serviceStatus: 'ACTIVE',
    });
  });

  function subject(s: string): string {
    return users.subjectPrefix + s;
  }
});
