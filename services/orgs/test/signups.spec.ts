import { randomBytes } from 'node:crypto';
import { ManualClock } from '@org-mgmt/runtime';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';

const HOUR = 3600_000;
const unique = () => randomBytes(4).toString('hex');

describe('pre-approved signups', () => {
  const clock = new ManualClock(Date.UTC(2026, 10, 23, 12));
  let sys: TestSystem;
  let root: string;

  beforeAll(async () => {
    sys = await startTestSystem({ clock });
    root = await sys.rootToken();
  });
  afterAll(() => sys?.close());

  const create = (body: unknown, token = root) => sys.api('POST', '/pre-approved-signups', { token, body });
  const remove = (id: string) => sys.api('POST', '/pre-approved-signups/remove', { token: root, body: { id } });
  /** Each test validates from a client IP of its own (the gateway trusts X-Forwarded-For from loopback). */
  const validateFrom = (ip: string) => (body: unknown) =>
    sys.api('POST', '/pre-approved-signups/validate', { body, headers: { 'x-forwarded-for': ip } });
  const register = (body: Record<string, unknown>, token = root) =>
    sys.api('POST', '/org-register', {
      token,
      body: { companyName: `Co ${unique()}`, ownerEmail: `owner-${unique()}@example.com`, ...body },
    });
  const newCode = async (extra: Record<string, unknown> = {}) => (await create({ kind: 'code', ...extra })).body;

  describe('POST /pre-approved-signups', () => {
    it('allowlists an email, single use by default', async () => {
      const email = `Invitee-${unique()}@Example.com`;
      const res = await create({ kind: 'email', email, note: 'Beta wave 1' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^sgn_/),
        kind: 'email',
        email: email.toLowerCase(),
        code: null,
        maxUses: 1,
        uses: 0,
        expiresAt: null,
        note: 'Beta wave 1',
        state: 'active',
        createdBy: 'root-operator',
        createdAt: clock.now(),
        removedAt: null,
      });
    });

    it('generates a multi-use code with an expiry', async () => {
      const res = await create({ kind: 'code', maxUses: 5, expiresAt: clock.now() + HOUR });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        kind: 'code',
        email: null,
        code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/),
        maxUses: 5,
        expiresAt: clock.now() + HOUR,
      });
    });

    it('lets a ConfigAdmin of the root org allowlist', async () => {
      const token = await sys.token({ orgId: sys.config.ROOT_ORG_ID, roles: ['ConfigAdmin'] });
      expect((await create({ kind: 'code' }, token)).status).toBe(201);
    });

    it('refuses an email that is already pre-approved with 409, and accepts it again once removed', async () => {
      const email = `twice-${unique()}@example.com`;
      const first = await create({ kind: 'email', email });
      expect((await create({ kind: 'email', email })).status).toBe(409);
      await remove(first.body.id);
      expect((await create({ kind: 'email', email })).status).toBe(201);
    });

    it.each([
      ['an expiry in the past', { kind: 'code', expiresAt: Date.UTC(2026, 0, 1) }, 'body.expiresAt'],
      ['an unknown kind', { kind: 'domain', email: 'a@b.co' }, 'body.kind'],
      ['an email entry without an email', { kind: 'email' }, 'body.email'],
      ['a malformed email', { kind: 'email', email: 'not-an-email' }, 'body.email'],
      ['zero uses', { kind: 'code', maxUses: 0 }, 'body.maxUses'],
      ['a chosen code (codes are generated)', { kind: 'code', code: 'AAAA-BBBB-CCCC' }, 'body'],
    ])('refuses %s with 400, adding nothing', async (_case, body, path) => {
      const before = await sys.db('orgs')('pre_approved_signups').count<{ count: number }[]>();
      const res = await create(body);
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toContain(path);
      expect(await sys.db('orgs')('pre_approved_signups').count()).toEqual(before);
    });
  });

  describe('POST /pre-approved-signups/remove', () => {
    it('removes an entry: listed as removed, no longer valid, no longer usable', async () => {
      const entry = await newCode();
      const res = await remove(entry.id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: entry.id, state: 'removed', removedAt: clock.now() });
      expect((await validateFrom('10.0.1.1')({ code: entry.code })).body).toEqual({ valid: false });
      expect((await register({ signupCode: entry.code })).status).toBe(422);
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      expect((await remove('sgn_doesnotexist')).status).toBe(404);
      const bad = await remove('org_123');
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.fields[0].path).toBe('body.id');
    });
  });

  describe('GET /pre-approved-signups', () => {
    it('pages newest first and filters by kind, state and email', async () => {
      const note = `list-${unique()}`;
      const email = `listed-${unique()}@example.com`;
      const emailEntry = (await create({ kind: 'email', email, note })).body;
      const expiring = await newCode({ note, expiresAt: clock.now() + 1000 });
      const removed = await newCode({ note });
      await remove(removed.id);
      const spent = await newCode({ note });
      expect((await register({ signupCode: spent.code })).status).toBe(201);
      clock.advance(2000);

      const all = await sys.api('GET', '/pre-approved-signups?limit=100', { token: root });
      const ours = all.body.items.filter((s: { note: string }) => s.note === note);
      expect(ours.map((s: { id: string; state: string }) => [s.id, s.state])).toEqual([
        [spent.id, 'exhausted'],
        [removed.id, 'removed'],
        [expiring.id, 'expired'],
        [emailEntry.id, 'active'],
      ]);
      const pick = async (query: string) =>
        (await sys.api('GET', `/pre-approved-signups?limit=100&${query}`, { token: root })).body.items.map(
          (s: { id: string }) => s.id,
        );
      expect(await pick(`email=${email}`)).toEqual([emailEntry.id]);
      expect(await pick('state=expired')).toContain(expiring.id);
      expect(await pick('state=expired')).not.toContain(spent.id);
      expect(await pick('state=exhausted')).toContain(spent.id);
      expect(await pick('state=removed')).toContain(removed.id);
      expect(await pick('kind=email')).not.toContain(spent.id);

      const first = await sys.api('GET', '/pre-approved-signups?limit=2', { token: root });
      const second = await sys.api('GET', `/pre-approved-signups?limit=2&cursor=${first.body.nextCursor}`, {
        token: root,
      });
      expect(first.body.items).toHaveLength(2);
      expect(second.body.items[0].id).not.toBe(first.body.items[1].id);
      expect(all.body.items.map((s: { id: string }) => s.id).slice(0, 4)).toEqual(
        [...first.body.items, ...second.body.items].map((s) => s.id),
      );
    });

    it.each([
      ['an unknown state', 'state=spent'],
      ['a page size over the maximum', 'limit=1000'],
      ['a forged cursor', 'cursor=xyz'],
      ['an unknown parameter', 'sort=asc'],
    ])('refuses %s with 400', async (_case, query) => {
      expect((await sys.api('GET', `/pre-approved-signups?${query}`, { token: root })).status).toBe(400);
    });
  });

  describe('POST /pre-approved-signups/validate (public)', () => {
    it('answers valid for a usable email or code, and nothing more', async () => {
      const validate = validateFrom('10.0.2.1');
      const email = `valid-${unique()}@example.com`;
      await create({ kind: 'email', email });
      const code = (await newCode()).code;
      expect(await validate({ email: email.toUpperCase() })).toMatchObject({ status: 200, body: { valid: true } });
      expect(await validate({ code: code.toLowerCase() })).toMatchObject({ status: 200, body: { valid: true } });
      expect(await validate({ email: `nobody-${unique()}@example.com` })).toMatchObject({
        status: 200,
        body: { valid: false },
      });
      expect(await validate({ code: 'ZZZZ-ZZZZ-ZZZZ' })).toMatchObject({ status: 200, body: { valid: false } });
    });

    it('answers invalid for an expired or a spent code, the same way as for an unknown one', async () => {
      const validate = validateFrom('10.0.3.1');
      const expiring = await newCode({ expiresAt: clock.now() + 1000 });
      const spent = await newCode();
      await register({ signupCode: spent.code });
      clock.advance(1001);
      expect((await validate({ code: expiring.code })).body).toEqual({ valid: false });
      expect((await validate({ code: spent.code })).body).toEqual({ valid: false });
    });

    it.each([
      ['both an email and a code', { email: 'a@b.co', code: 'AAAA-BBBB-CCCC' }],
      ['neither', {}],
      ['a malformed code', { code: 'abc' }],
    ])('refuses %s with 400', async (_case, body) => {
      const res = await validateFrom('10.0.4.1')(body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('rate-limits per client IP: 429 after 10 a minute, other clients unaffected, allowed again next minute', async () => {
      const validate = validateFrom('10.0.5.1');
      for (let i = 0; i < 10; i++) expect((await validate({ code: 'ZZZZ-ZZZZ-ZZZZ' })).status).toBe(200);
      const limited = await validate({ code: 'ZZZZ-ZZZZ-ZZZZ' });
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } });
      expect(limited.headers.get('retry-after')).toBe(
        String(Math.max(1, Math.ceil(limited.body.error.details.retryAfterMs / 1000))),
      );
      expect((await validateFrom('10.0.5.2')({ code: 'ZZZZ-ZZZZ-ZZZZ' })).status).toBe(200);
      clock.advance(60_000);
      expect((await validate({ code: 'ZZZZ-ZZZZ-ZZZZ' })).status).toBe(200);
    });
  });

  describe('consumption at POST /org-register', () => {
    it('consumes a single-use code: the org registers, the code is spent', async () => {
      const entry = await newCode();
      const res = await register({ signupCode: entry.code });
      expect(res.status).toBe(201);
      const row = await sys.db('orgs')('pre_approved_signups').where({ id: entry.id }).first();
      expect(row.uses).toBe(1);
      expect(await sys.db('orgs')('signup_consumptions').where({ signup_id: entry.id }).pluck('org_id')).toEqual([
        res.body.id,
      ]);
      const again = await register({ signupCode: entry.code });
      expect(again.status).toBe(422);
      expect(again.body.error.details.fields[0].path).toBe('body.signupCode');
    });

    it('calls a spent code unusable without claiming signups are by invitation when they are open', async () => {
      const entry = await newCode();
      await register({ signupCode: entry.code });
      const again = await register({ signupCode: entry.code });
      expect(again.body.error).toMatchObject({
        code: 'UNPROCESSABLE',
        message: 'The signup code is not usable: it is spent, expired or removed',
      });
      expect(again.body.error.message).not.toMatch(/invitation/i);
    });

    it('registers at most one org with a single-use code under concurrent attempts', async () => {
      const entry = await newCode();
      const results = await Promise.all(Array.from({ length: 12 }, () => register({ signupCode: entry.code })));
      expect(results.map((r) => r.status).sort()).toEqual([201, ...Array(11).fill(422)]);
      expect(await sys.db('orgs')('signup_consumptions').where({ signup_id: entry.id }).count()).toEqual([
        { count: 1 },
      ]);
      const winner = results.find((r) => r.status === 201)!.body.id;
      expect(
        await sys
          .db('orgs')('organizations')
          .where({ company_name: results.find((r) => r.status === 201)!.body.companyName })
          .pluck('id'),
      ).toEqual([winner]);
    });

    it('registers exactly maxUses orgs with a multi-use code under concurrent attempts', async () => {
      const entry = await newCode({ maxUses: 3 });
      const results = await Promise.all(Array.from({ length: 8 }, () => register({ signupCode: entry.code })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(3);
      expect((await sys.db('orgs')('pre_approved_signups').where({ id: entry.id }).first()).uses).toBe(3);
    });

    it('consumes nothing when the registration fails (name taken)', async () => {
      const taken = await sys.registerOrg();
      const entry = await newCode();
      expect((await register({ companyName: taken.companyName, signupCode: entry.code })).status).toBe(409);
      expect((await sys.db('orgs')('pre_approved_signups').where({ id: entry.id }).first()).uses).toBe(0);
    });

    it('consumes a pre-approved owner email', async () => {
      const email = `owner-${unique()}@example.com`;
      const entry = (await create({ kind: 'email', email })).body;
      expect((await register({ ownerEmail: email })).status).toBe(201);
      expect((await sys.db('orgs')('pre_approved_signups').where({ id: entry.id }).first()).uses).toBe(1);
    });

    it('refuses a malformed signup code with 400', async () => {
      const res = await register({ signupCode: 'not a code' });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields[0].path).toBe('body.signupCode');
    });
  });
});

describe('org-register on an invitation-only platform', () => {
  let sys: TestSystem;
  let system: string;

  beforeAll(async () => {
    sys = await startTestSystem({ env: { SIGNUPS_INVITATION_ONLY: 'true' } });
    system = await sys.token({ orgId: sys.config.ROOT_ORG_ID, roles: ['System'], sub: 'signup-flow' });
  });
  afterAll(() => sys?.close());

  const register = (token: string, body: Record<string, unknown> = {}) =>
    sys.api('POST', '/org-register', {
      token,
      body: { companyName: `Co ${unique()}`, ownerEmail: `owner-${unique()}@example.com`, ...body },
    });

  it('refuses the signup flow (System) without a pre-approval with 422', async () => {
    const res = await register(system);
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'UNPROCESSABLE', details: { fields: [{ path: 'body.ownerEmail' }] } });
  });

  it('registers for a pre-approved owner email or with a code', async () => {
    const root = await sys.rootToken();
    const email = `invited-${unique()}@example.com`;
    await sys.api('POST', '/pre-approved-signups', { token: root, body: { kind: 'email', email } });
    expect((await register(system, { ownerEmail: email })).status).toBe(201);
    expect((await register(system, { ownerEmail: email })).status).toBe(422);
    const code = (await sys.api('POST', '/pre-approved-signups', { token: root, body: { kind: 'code' } })).body.code;
    expect((await register(system, { signupCode: code })).status).toBe(201);
    const spent = await register(system, { signupCode: code });
    expect(spent.body.error).toMatchObject({ code: 'UNPROCESSABLE', message: expect.stringMatching(/by invitation/) });
  });

  it('lets root operators register without a pre-approval', async () => {
    expect((await register(await sys.rootToken())).status).toBe(201);
  });
});
