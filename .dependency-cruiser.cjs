// Import boundaries, checked by `npm run deps:check` in CI. The graph runs one way:
// libs/ (contracts, runtime, ...) <- services/ <- apps/ (the composition root, the test harness).
// Test code (test/ folders, *.spec.ts) sits on top of everything and may import any package it declares.
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const TEST_CODE = ['(^|/)test/', '\\.spec\\.ts$'];

/** Every workspace with its folder, its package name and the names its package.json declares. */
function workspaces() {
  const root = { dir: '', ...manifest(__dirname) };
  const members = ['libs', 'services', 'apps'].flatMap((group) =>
    readdirSync(join(__dirname, group))
      .filter((name) => existsSync(join(__dirname, group, name, 'package.json')))
      .map((name) => ({ dir: `${group}/${name}/`, ...manifest(join(__dirname, group, name)) })),
  );
  return { root, members };
}

function manifest(dir) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies });
  return { name: pkg.name, declared };
}

/**
 * A workspace package is linked into node_modules, so dependency-cruiser sees its real path and cannot
 * tell from node_modules whether the importer declares it: one rule per workspace, from its manifest.
 */
function undeclaredWorkspaceRules() {
  const { root, members } = workspaces();
  const dirOf = new Map(members.map((ws) => [ws.name, ws.dir]));
  const rootFiles = `^(?!${members.map((ws) => ws.dir.replace(/\/$/, '/|')).join('')}node_modules/)`;
  return [root, ...members].map((ws) => ({
    name: 'undeclared-workspace-dependency',
    comment: `${ws.name} imports a workspace package that its package.json does not declare: add it there`,
    severity: 'error',
    from: { path: ws.dir ? `^${ws.dir}` : rootFiles },
    to: {
      path: `^(${members.map((m) => m.dir).join('|')})`,
      pathNot: [ws.dir, ...ws.declared.filter((d) => dirOf.has(d)).map((d) => dirOf.get(d))]
        .filter(Boolean)
        .map((dir) => `^${dir}`),
    },
  }));
}

module.exports = {
  forbidden: [
    {
      name: 'lib-imports-service-or-app',
      comment: 'libs/ are the bottom of the graph: a lib never depends on a service or an app',
      severity: 'error',
      from: { path: '^libs/[^/]+/', pathNot: TEST_CODE },
      to: { path: '^(services|apps)/' },
    },
    {
      name: 'service-imports-another-service',
      comment: 'A service reaches another only over the bus (libs/contracts); shared code belongs in libs/',
      severity: 'error',
      from: { path: '^services/([^/]+)/', pathNot: TEST_CODE },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'service-imports-app',
      comment: 'apps/ compose the services; a service never depends on one',
      severity: 'error',
      from: { path: '^services/[^/]+/', pathNot: TEST_CODE },
      to: { path: '^apps/' },
    },
    {
      name: 'production-imports-test-code',
      comment: 'Only test code may import the test harness or another test file',
      severity: 'error',
      from: {
        path: '^(libs|services|apps)/[^/]+/(src|scripts|migrations)/',
        pathNot: ['^apps/testing/', ...TEST_CODE],
      },
      to: { path: ['^apps/testing/', ...TEST_CODE] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes the load order decide behaviour; break it with a module both can import',
      severity: 'error',
      from: {},
      // `import type` is erased when compiled: only a cycle of runtime imports changes the load order.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing on disk',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-non-package-json',
      comment:
        'A package imported but not declared in the nearest package.json (it only works by hoisting): add it there',
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Code that runs in the image imports a devDependency, which the image does not install',
      severity: 'error',
      // apps/system/scripts/ other than start-service.ts are development tools (tokens, keys, NATS config, compile).
      from: {
        path: ['^(libs|services|apps)/[^/]+/(src|migrations)/', '^apps/system/scripts/start-service\\.ts$'],
        pathNot: ['^apps/testing/', ...TEST_CODE],
      },
      to: { dependencyTypes: ['npm-dev'] },
    },
    ...undeclaredWorkspaceRules(),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^bench/results/', '^\\.data/', '^coverage/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
  },
};
