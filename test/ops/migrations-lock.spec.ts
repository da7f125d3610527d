import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  lockNewMigrations,
  lockViolations,
  migrationFiles,
  unlockedMigrations,
} from '../../apps/system/scripts/migrations-lock';

describe('migrations.lock.json', () => {
  it('no landed migration changed or went away (add a new migration instead)', () => {
    expect(lockViolations().map((v) => `${v}: restore it and add a new migration instead`)).toEqual([]);
  });

  it('lists every migration file (npm run migrations:lock adds new ones)', () => {
    expect(migrationFiles().length).toBeGreaterThan(0);
    expect(unlockedMigrations()).toEqual([]);
  });

  describe('in a repository of its own', () => {
    let root: string;
    const migration = 'services/demo/migrations/20260101000100_demo.ts';
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'migrations-lock-'));
      for (const group of ['libs', 'services', 'apps']) mkdirSync(join(root, group));
      mkdirSync(join(root, 'services/demo/migrations'), { recursive: true });
      writeFileSync(join(root, migration), 'export const demo = 1;\n');
      writeFileSync(join(root, 'services/demo/migrations/index.ts'), 'export const all = [];\n');
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('locks a new migration once, not the ordered index', () => {
      expect(lockNewMigrations(root)).toEqual([migration]);
      expect(lockNewMigrations(root)).toEqual([]);
      expect(lockViolations(root)).toEqual([]);
    });

    it('reports an edited or removed migration, and then refuses to lock', () => {
      lockNewMigrations(root);
      writeFileSync(join(root, migration), 'export const demo = 2;\n');
      expect(lockViolations(root)).toEqual([`${migration} changed after it landed`]);
      expect(() => lockNewMigrations(root)).toThrow('add a new migration instead');
      rmSync(join(root, migration));
      expect(lockViolations(root)).toEqual([`${migration} is listed in migrations.lock.json but is gone`]);
    });
  });
});
