import { compareChange } from '../plans/catalogue';
import { periodEnd } from '../subscriptions/periods';
import { prorate } from './proration';

const JAN_1 = Date.UTC(2026, 0, 1);
const FEB_1 = Date.UTC(2026, 1, 1);
const MONTH_SECONDS = 31 * 86_400; // 2,678,400
const base = { periodStart: JAN_1, periodEnd: FEB_1, currency: 'USD' };

describe('proration, checked against hand-computed figures', () => {
  it('charges the price difference for the unused seconds of a mid-period upgrade, rounded once', () => {
    // basic (900) → pro (2900) at 2026-01-11T08:20:00Z: 20 d 15 h 40 min = 1,784,400 s of 2,678,400 s left.
    // due = 2000 × 1,784,400 / 2,678,400 = 1332.437… → 1332; credit 599.6 → 600; charge 1932.03 → 1932.
    const p = prorate({ ...base, oldPrice: 900, newPrice: 2900, keepsPeriod: true, at: Date.UTC(2026, 0, 11, 8, 20) });
    expect(p).toEqual({
      unusedSeconds: 1_784_400,
      periodSeconds: MONTH_SECONDS,
      credit: 600,
      charge: 1932,
      amountDue: 1332,
      currency: 'USD',
    });
  });

  it('charges the whole difference on the first second of the period', () => {
    const p = prorate({ ...base, oldPrice: 900, newPrice: 2900, keepsPeriod: true, at: JAN_1 });
    expect(p).toMatchObject({ unusedSeconds: MONTH_SECONDS, credit: 900, charge: 2900, amountDue: 2000 });
  });

  it('charges nothing on the last second (2000 × 1 / 2,678,400 rounds to 0)', () => {
    const p = prorate({ ...base, oldPrice: 900, newPrice: 2900, keepsPeriod: true, at: FEB_1 - 1000 });
    expect(p).toMatchObject({ unusedSeconds: 1, amountDue: 0 });
  });

  it('counts whole seconds: 999 ms before the end leaves no unused second', () => {
    expect(prorate({ ...base, oldPrice: 900, newPrice: 2900, keepsPeriod: true, at: FEB_1 - 999 }).unusedSeconds).toBe(
      0,
    );
  });

  it('credits the unused monthly part against a whole new year when going monthly → yearly', () => {
    // pro yearly 29000 − 900 × 1,784,400 / 2,678,400 (= 599.597…) = 28400.40… → 28400.
    const p = prorate({
      ...base,
      oldPrice: 900,
      newPrice: 29_000,
      keepsPeriod: false,
      at: Date.UTC(2026, 0, 11, 8, 20),
    });
    expect(p).toMatchObject({ credit: 600, charge: 29_000, amountDue: 28_400 });
  });

  it('rounds half up exactly at .5 (2000 × 1,339,200 / 2,678,400 = 1000; 1 × 1 / 2 = 0.5 → 1)', () => {
    expect(
      prorate({ ...base, oldPrice: 900, newPrice: 2900, keepsPeriod: true, at: Date.UTC(2026, 0, 16, 12) }).amountDue,
    ).toBe(1000);
    expect(
      prorate({
        periodStart: 0,
        periodEnd: 2000,
        currency: 'USD',
        oldPrice: 0,
        newPrice: 1,
        keepsPeriod: true,
        at: 1000,
      }).amountDue,
    ).toBe(1);
  });
});

describe('billing periods', () => {
  it('adds a calendar month in UTC, clamping the day to the month length', () => {
    expect(periodEnd(JAN_1, 'month')).toBe(FEB_1);
    expect(new Date(periodEnd(Date.UTC(2026, 0, 31, 10), 'month')).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(new Date(periodEnd(Date.UTC(2028, 0, 31), 'month')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(new Date(periodEnd(Date.UTC(2026, 11, 15), 'month')).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('adds twelve months for a year', () => {
    expect(new Date(periodEnd(Date.UTC(2028, 1, 29), 'year')).toISOString()).toBe('2029-02-28T00:00:00.000Z');
  });
});

describe('which moves are upgrades', () => {
  it.each([
    ['basic', 'month', 'pro', 'month', 'upgrade'],
    ['basic', 'month', 'basic', 'year', 'upgrade'],
    ['basic', 'month', 'pro', 'year', 'upgrade'],
    ['pro', 'month', 'basic', 'month', 'downgrade'],
    ['pro', 'year', 'pro', 'month', 'downgrade'],
    ['pro', 'year', 'team', 'month', 'mixed'],
    ['pro', 'month', 'pro', 'month', 'same'],
  ] as const)('%s/%s → %s/%s is %s', (fromPlan, fromInterval, toPlan, toInterval, kind) => {
    expect(compareChange({ plan: fromPlan, interval: fromInterval }, { plan: toPlan, interval: toInterval })).toBe(
      kind,
    );
  });
});
