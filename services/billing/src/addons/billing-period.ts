import { Addon } from '@org-mgmt/contracts';

export interface PaidPeriod {
  periodStart: number;
  /** null: a one-off add-on, paid for good. */
  periodEnd: number | null;
}

/**
 * The period a purchase paid at `now` covers: a one-off add-on from now on; a recurring one for a
 * calendar month, starting when the org's current paid month ends if it is bought again before then.
 */
export function nextPeriod(
  billingMode: Addon['billingMode'],
  now: number,
  currentPeriodEnd: number | null,
): PaidPeriod {
  if (billingMode === 'one-off') return { periodStart: now, periodEnd: null };
  const periodStart = Math.max(now, currentPeriodEnd ?? 0);
  return { periodStart, periodEnd: addMonthUtc(periodStart) };
}

/** One calendar month later (UTC), clamped to the last day of a shorter month: 31 Jan → 28/29 Feb. */
export function addMonthUtc(ms: number): number {
  const date = new Date(ms);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}
