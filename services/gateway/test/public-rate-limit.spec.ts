import { AppError } from '@org-mgmt/contracts';
import { ManualClock } from '@org-mgmt/runtime';
import { PublicRateLimit } from '../src/routing/public-rate-limit';

const refusal = (take: () => void): AppError | undefined => {
  try {
    take();
    return undefined;
  } catch (err) {
    return err as AppError;
  }
};

describe('PublicRateLimit', () => {
  const start = Date.UTC(2026, 10, 23, 12, 0, 0);

  it('allows the limit per key and window, refuses beyond it with the time left, and starts afresh next window', () => {
    const clock = new ManualClock(start + 15_000);
    const limit = new PublicRateLimit(3, 60_000, clock);
    for (let i = 0; i < 3; i++) expect(refusal(() => limit.take('plans 192.0.2.1'))).toBeUndefined();
    expect(refusal(() => limit.take('plans 192.0.2.1'))).toMatchObject({
      code: 'RATE_LIMITED',
      details: { retryAfterMs: 45_000 },
    });
    expect(refusal(() => limit.take('plans 192.0.2.2'))).toBeUndefined();
    expect(refusal(() => limit.take('validate 192.0.2.1'))).toBeUndefined();
    clock.advance(45_000);
    expect(refusal(() => limit.take('plans 192.0.2.1'))).toBeUndefined();
  });

  it('counts clients beyond the 100,000 it tracks in one shared bucket, so a flood of addresses stays limited', () => {
    const limit = new PublicRateLimit(3, 60_000, new ManualClock(start));
    for (let i = 0; i < 100_000; i++) limit.take(`plans 10.${i}`);
    const newcomers = Array.from({ length: 4 }, (_, i) => refusal(() => limit.take(`plans 192.0.2.${i}`)));
    expect(newcomers.map((r) => r?.code)).toEqual([undefined, undefined, undefined, 'RATE_LIMITED']);
    expect(refusal(() => limit.take('plans 10.7'))).toBeUndefined();
  });
});
