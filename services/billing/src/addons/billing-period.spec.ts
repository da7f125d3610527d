import { addMonthUtc, nextPeriod } from './billing-period';

describe('addMonthUtc', () => {
  it.each([
    ['mid-month', Date.UTC(2026, 2, 15, 9, 30), Date.UTC(2026, 3, 15, 9, 30)],
    ['31 January to the last day of February', Date.UTC(2026, 0, 31, 12), Date.UTC(2026, 1, 28, 12)],
    ['31 January of a leap year to 29 February', Date.UTC(2028, 0, 31), Date.UTC(2028, 1, 29)],
    ['31 March to 30 April', Date.UTC(2026, 2, 31), Date.UTC(2026, 3, 30)],
    ['December into the next year', Date.UTC(2026, 11, 31, 23, 59), Date.UTC(2027, 0, 31, 23, 59)],
  ])('moves %s', (_name, from, to) => {
    expect(addMonthUtc(from)).toBe(to);
  });
});

describe('nextPeriod', () => {
  const now = Date.UTC(2026, 4, 10);

  it('covers a one-off add-on from now on, with no end', () => {
    expect(nextPeriod('one-off', now, Date.UTC(2026, 5, 1))).toEqual({ periodStart: now, periodEnd: null });
  });

  it('covers a recurring add-on for a month from now when nothing is paid for', () => {
    expect(nextPeriod('recurring', now, null)).toEqual({ periodStart: now, periodEnd: Date.UTC(2026, 5, 10) });
    expect(nextPeriod('recurring', now, Date.UTC(2026, 3, 1))).toEqual({
      periodStart: now,
      periodEnd: Date.UTC(2026, 5, 10),
    });
  });

  it('starts the new month when the paid one ends', () => {
    expect(nextPeriod('recurring', now, Date.UTC(2026, 4, 20))).toEqual({
      periodStart: Date.UTC(2026, 4, 20),
      periodEnd: Date.UTC(2026, 5, 20),
    });
  });
});
