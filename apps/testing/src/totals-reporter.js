const { mkdtempSync, readFileSync, existsSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

/**
 * Ends every jest run with one plain line, `N passed, N failed`, easy to read in any log, preceded
 * by the figures the suites recorded with `tally()` (summed per suite). The tally file's path goes
 * to the test workers through the environment, which they inherit when jest starts them.
 */
class TotalsReporter {
  constructor() {
    this.tallyDir = mkdtempSync(join(tmpdir(), 'org-mgmt-tally-'));
    process.env.ORG_MGMT_TALLY_FILE = join(this.tallyDir, 'tally.jsonl');
  }

  onRunComplete(_contexts, results) {
    this.printTally();
    const skipped = results.numPendingTests + results.numTodoTests;
    const failedSuites = results.numRuntimeErrorTestSuites;
    const failed = results.numFailedTests + failedSuites;
    process.stdout.write(
      `\n${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
    );
  }

  printTally() {
    const file = process.env.ORG_MGMT_TALLY_FILE;
    if (!existsSync(file)) return;
    const totals = new Map();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const { suite, counts } = JSON.parse(line);
      const sum = totals.get(suite) ?? {};
      for (const [key, n] of Object.entries(counts)) sum[key] = (sum[key] ?? 0) + n;
      totals.set(suite, sum);
    }
    rmSync(this.tallyDir, { recursive: true, force: true });
    const width = Math.max(...[...totals.keys()].map((s) => s.length));
    process.stdout.write('\nFigures recorded by the suites:\n');
    for (const [suite, counts] of [...totals].sort(([a], [b]) => a.localeCompare(b))) {
      const figures = Object.entries(counts)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      process.stdout.write(`  ${suite.padEnd(width)}  ${figures}\n`);
    }
  }
}
module.exports = TotalsReporter;
