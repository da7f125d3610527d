/**
 * `npm run migrations:lock`: adds every migration file not yet in migrations.lock.json with its SHA-256.
 * It never changes a listed entry: a migration that has landed may have run on a deployed database, so
 * editing it would leave that database and a fresh one different. test/ops/migrations-lock.spec.ts
 * fails when a listed file changed or is gone.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
export const LOCK_FILE = 'migrations.lock.json';
const NOTE =
  'SHA-256 of every landed migration, added by `npm run migrations:lock`. Never edit a listed migration: add a new one.';

type Hashes = Record<string, string>;

/** Every migration file (repository-relative): one per file in a workspace's migrations/, not the ordered index. */
export function migrationFiles(root = ROOT): string[] {
  return ['libs', 'services', 'apps'].flatMap((group) =>
    readdirSync(join(root, group)).flatMap((name) => {
      const dir = join(group, name, 'migrations');
      if (!existsSync(join(root, dir))) return [];
      return readdirSync(join(root, dir))
        .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
        .sort()
        .map((file) => `${dir}/${file}`);
    }),
  );
}

export function fileHash(path: string, root = ROOT): string {
  return createHash('sha256')
    .update(readFileSync(join(root, path)))
    .digest('hex');
}

export function readLock(root = ROOT): Hashes {
  const path = join(root, LOCK_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { files: Hashes }).files : {};
}

/** Why the working tree breaks the lock, one line per listed migration that changed or is gone. */
export function lockViolations(root = ROOT): string[] {
  return Object.entries(readLock(root)).flatMap(([path, hash]) => {
    if (!existsSync(join(root, path))) return [`${path} is listed in ${LOCK_FILE} but is gone`];
    if (fileHash(path, root) !== hash) return [`${path} changed after it landed`];
    return [];
  });
}

/** Migration files not in the lock yet (added by `npm run migrations:lock`). */
export function unlockedMigrations(root = ROOT): string[] {
  const locked = readLock(root);
  return migrationFiles(root).filter((path) => !(path in locked));
}

/** Adds the migrations not in the lock yet and returns them; refuses while a listed one is broken. */
export function lockNewMigrations(root = ROOT): string[] {
  const violations = lockViolations(root);
  if (violations.length) throw new Error(`${violations.join('\n')}\nRestore them and add a new migration instead.`);
  const added = unlockedMigrations(root);
  const files = { ...readLock(root), ...Object.fromEntries(added.map((path) => [path, fileHash(path, root)])) };
  const sorted = Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(join(root, LOCK_FILE), `${JSON.stringify({ note: NOTE, files: sorted }, null, 2)}\n`);
  return added;
}

if (require.main === module) {
  const added = lockNewMigrations();
  process.stdout.write(added.length ? `locked ${added.join(', ')}\n` : 'every migration is already locked\n');
}
