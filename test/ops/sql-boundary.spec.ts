import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** What writes SQL with knex: a table call (`trx('outbox')`), `.raw(`, or a query builder naming a table. */
const SQL = /\.raw\(|\b(?:trx|db|knex|this\.db)\(\s*['"`A-Z]|\.(?:from|into|table)\(\s*['"`]/;

/** Where SQL may stand: repositories, migrations, and the database layer itself (schemas, pools, locks). */
function mayHoldSql(path: string): boolean {
  return path.endsWith('.repository.ts') || path.includes('/migrations/') || path.startsWith('libs/runtime/src/db/');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [path] : [];
  });
}

describe('SQL lives only in repositories and migrations', () => {
  it('finds no SQL in any other source file of a lib, service or app', () => {
    const roots = ['libs', 'services', 'apps'].flatMap((group) =>
      readdirSync(join(ROOT, group)).map((name) => join(ROOT, group, name, 'src')),
    );
    const offenders = roots
      .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      .flatMap(sourceFiles)
      .map((file) => relative(ROOT, file))
      .filter((path) => !mayHoldSql(path))
      .flatMap((path) =>
        readFileSync(join(ROOT, path), 'utf8')
          .split('\n')
          .flatMap((line, i) => (SQL.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });
});
