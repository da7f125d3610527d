/**
 * `node -r @swc-node/register apps/system/scripts/compile.ts <outDir>`: the runnable JavaScript of the project
 * for container images. Transpiles every source file (not tests) with the same swc settings the
 * tests use, keeps the layout, and points each workspace's `main` at the .js entry, so the image
 * runs on plain `node` with production dependencies only.
 */
import { transformFileSync } from '@swc/core';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SOURCE_DIRS = workspaces().flatMap((ws) => ['src', 'migrations', 'scripts'].map((d) => join(ws, d)));

function workspaces(): string[] {
  return ['libs', 'services', 'apps'].flatMap((group) =>
    readdirSync(join(ROOT, group)).map((name) => join(group, name)),
  );
}

function sourceFiles(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!exists(abs)) return [];
  return readdirSync(abs).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|js)$/.test(name) && !/\.(spec|d)\.ts$/.test(name) ? [path] : [];
  });
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function write(outDir: string, path: string, text: string): void {
  mkdirSync(dirname(join(outDir, path)), { recursive: true });
  writeFileSync(join(outDir, path), text);
}

function compile(outDir: string, file: string): void {
  const { code } = transformFileSync(join(ROOT, file), {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  write(outDir, file.replace(/\.ts$/, '.js'), code);
}

/** Workspace manifests with `main` moved from the .ts entry to the compiled one. */
function manifest(outDir: string, path: string): void {
  const pkg = JSON.parse(readFileSync(join(ROOT, path), 'utf8'));
  if (typeof pkg.main === 'string') pkg.main = pkg.main.replace(/\.ts$/, '.js');
  write(outDir, path, `${JSON.stringify(pkg, null, 2)}\n`);
}

function main(): void {
  const outDir = process.argv[2];
  if (!outDir) throw new Error('Usage: compile.ts <outDir>');
  const files = SOURCE_DIRS.flatMap(sourceFiles);
  for (const file of files) compile(outDir, file);
  for (const ws of workspaces()) manifest(outDir, join(ws, 'package.json'));
  copyFileSync(join(ROOT, 'package.json'), join(outDir, 'package.json'));
  copyFileSync(join(ROOT, 'package-lock.json'), join(outDir, 'package-lock.json'));
  process.stdout.write(`compiled ${files.length} files to ${relative(process.cwd(), outDir) || '.'}\n`);
}

main();
