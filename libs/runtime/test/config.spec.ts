import { loadConfig } from '@org-mgmt/runtime';

describe('loadConfig: numeric settings', () => {
  it.each(['PORT', 'SUBSCRIPTION_WORKER_INTERVAL_MS', 'RPC_TIMEOUT_MS', 'STRIPE_API_PORT', 'EVENT_RETENTION_DAYS'])(
    'refuses an empty %s, naming it, instead of reading it as 0',
    (name) => {
      for (const value of ['', '  ']) {
        expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: is empty`));
      }
    },
  );

  it('takes the default for an unset PORT and the number for a set one, 0 included (any free port)', () => {
    expect(loadConfig({}).PORT).toBe(3000);
    expect(loadConfig({ PORT: '8080' }).PORT).toBe(8080);
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
  });

  it('refuses a PORT that is not a whole number in range', () => {
    for (const value of ['abc', '80.5', '65536', '-1']) expect(() => loadConfig({ PORT: value })).toThrow(/PORT/);
  });
});

describe('loadConfig: EVENT_RETENTION_DAYS', () => {
  it('keeps published outbox rows and processed events 7 days unless set, in whole days', () => {
    expect(loadConfig({}).EVENT_RETENTION_DAYS).toBe(7);
    expect(loadConfig({ EVENT_RETENTION_DAYS: '30' }).EVENT_RETENTION_DAYS).toBe(30);
  });

  it("refuses a retention shorter than JetStream's duplicate window (under a day) or not whole", () => {
    for (const value of ['0', '-1', '0.5', 'week'])
      expect(() => loadConfig({ EVENT_RETENTION_DAYS: value })).toThrow(/EVENT_RETENTION_DAYS/);
  });
});
