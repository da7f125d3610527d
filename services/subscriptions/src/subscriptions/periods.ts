import { BillingInterval } from '@org-mgmt/contracts';

/** Periods start on whole seconds, so proration "to the second" divides whole numbers. */
export function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/**
 * The end of a period that starts at `start`: one calendar month (or twelve) later in UTC, the day
 * clamped to the month's length (Jan 31 + 1 month = Feb 28/29).
 */
export function periodEnd(start: number, interval: BillingInterval): number {
  const months = interval === 'year' ? 12 : 1;
  const date = new Date(start);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  target.setUTCHours(date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds());
  return target.getTime();
}
