import { appendFileSync } from 'node:fs';

/**
 * Adds counts to the run's tally (e.g. `{ sent: 120, failedCleanly: 7, lost: 0, doubled: 0 }` under
 * suite `faults: kill a service`). The totals reporter sums them per suite and prints one table at
 * the end of the jest run, so the security and fault suites report figures, not only pass/fail.
 */
export function tally(suite: string, counts: Record<string, number>): void {
  const file = process.env.ORG_MGMT_TALLY_FILE;
  if (!file) return;
  appendFileSync(file, `${JSON.stringify({ suite, counts })}\n`);
}
