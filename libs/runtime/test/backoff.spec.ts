import { jitteredBackoff, REDELIVERY_BACKOFF } from '@org-mgmt/runtime';

describe('jitteredBackoff', () => {
  const backoff = { baseMs: 100, maxMs: 5_000 };

  it('waits between half and all of the exponential ceiling, never beyond maxMs', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const delay = jitteredBackoff(attempt, backoff);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('reaches both ends of its range: the ceiling when random is 0, half of it when random is 1', () => {
    expect(jitteredBackoff(3, backoff, () => 0)).toBe(800);
    expect(jitteredBackoff(3, backoff, () => 1)).toBe(400);
    expect(jitteredBackoff(1000, REDELIVERY_BACKOFF, () => 0)).toBe(30_000);
  });

  it('spreads retries that failed together instead of repeating one delay', () => {
    const delays = new Set(Array.from({ length: 20 }, () => jitteredBackoff(6, backoff)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('treats a negative attempt as the first', () => {
    expect(jitteredBackoff(-3, backoff, () => 0)).toBe(100);
  });
});
