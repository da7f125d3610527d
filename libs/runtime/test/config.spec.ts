import { loadConfig } from '@org-mgmt/runtime';

describe('loadConfig: numeric settings', () => {
  it.each(['PORT', 'SUBSCRIPTION_WORKER_INTERVAL_MS', 'RPC_TIMEOUT_MS', 'STRIPE_API_PORT'])('refuses an empty %s, naming it, instead of reading it as 0', (name) => {
    for (const value of ['', '  ']) {
      expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}: is empty`));
    }
  });

  it('takes the default for an unset PORT and the number for a set one, 0 included (any free port)', () => {
    expect(loadConfig({}).PORT).toBe(3000);
    expect(loadConfig({ PORT: '8080' }).PORT).toBe(8080);
    expect(loadConfig({ PORT: '0' }).PORT).toBe(0);
  });

  it('refuses a PORT that is not a whole number in range', () => {
    for (const value of ['abc', '80.5', '65536', '-1']) expect(() => loadConfig({ PORT: value })).toThrow(/PORT/);
  });
});
