/**
 * `npm run bench [-- <name filter>]`: runs every bench/*.bench.ts in turn (each exports
 * `default async function (): Promise<void>` that prints its figures and ratios). Benchmarks
 * never run in `npm test`; they start their own processes against the local PostgreSQL and NATS.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

async function main(): Promise<void> {
  const filter = process.argv[2] ?? '';
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts') && f.includes(filter))
    .sort();
  if (!files.length) throw new Error(`No bench/*.bench.ts matches "${filter}"`);
  for (const file of files) {
    process.stdout.write(`\n=== ${file} ===\n`);
    const started = Date.now();
    const bench: { default: () => Promise<void> } = await import(join(__dirname, file));
    await bench.default();
    process.stdout.write(`(${file}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
