import { Proration } from '@org-mgmt/contracts';

export interface ProrationInput {
  /** What the current period cost, and the current period. */
  oldPrice: number;
  periodStart: number;
  periodEnd: number;
  /** The new plan's price for the period it will be billed for. */
  newPrice: number;
  /** True when the new plan keeps the current period (same interval); false when a new period starts now. */
  keepsPeriod: boolean;
  at: number;
  currency: string;
}

/**
 * An upgrade at `at`: credit for the unused seconds of the old plan, charge for the new plan (for
 * the rest of the current period when the interval stays, else for a whole new period starting now).
 * Everything is computed exactly in integers and rounded once, half up, on the amount due:
 *
 *   keepsPeriod:  due = (newPrice − oldPrice) × unused / period
 *   new period:   due = newPrice − oldPrice × unused / period
 *
 * `credit` and `charge` are the parts, each rounded for display; `amountDue` is the one figure charged.
 */
export function prorate(input: ProrationInput): Proration {
  const periodSeconds = Math.round((input.periodEnd - input.periodStart) / 1000);
  const unusedSeconds = Math.max(0, Math.min(periodSeconds, Math.floor((input.periodEnd - input.at) / 1000)));
  const period = BigInt(periodSeconds);
  const unused = BigInt(unusedSeconds);
  const oldPrice = BigInt(input.oldPrice);
  const newPrice = BigInt(input.newPrice);
  const creditNumerator = oldPrice * unused;
  const chargeNumerator = input.keepsPeriod ? newPrice * unused : newPrice * period;
  const due = roundHalfUp(chargeNumerator - creditNumerator, period);
  return {
    unusedSeconds,
    periodSeconds,
    credit: Number(roundHalfUp(creditNumerator, period)),
    charge: Number(roundHalfUp(chargeNumerator, period)),
    amountDue: Number(due < 0n ? 0n : due),
    currency: input.currency,
  };
}

function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) return 0n;
  const sign = numerator < 0n ? -1n : 1n;
  const abs = numerator < 0n ? -numerator : numerator;
  return sign * ((abs * 2n + denominator) / (2n * denominator));
}
