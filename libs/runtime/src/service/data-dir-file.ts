import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A development file under DATA_DIR (the dev JWT secret, the dev bus keys), made once and readable
 * by its owner only. Processes started together race to make it: the first to write it wins and
 * every other reads what it wrote, so they all share one secret.
 */
export function dataDirFileOnce(dataDir: string, name: string, make: () => string): string {
  const dir = resolve(dataDir);
  const file = join(dir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8');
  mkdirSync(dir, { recursive: true });
  const content = make();
  try {
    writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8');
  }
}
