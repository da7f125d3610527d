import { loadConfig } from '@org-mgmt/runtime';
import { busKeyEnv } from '@org-mgmt/testing';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tokenHint } from '../../apps/system/scripts/token-command';

const REPO_ROOT = join(__dirname, '..', '..');

/** `npm start` as a user runs it: its own process, its own environment. */
function startEmbedded(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/system/scripts/start-embedded.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, LOG_LEVEL: 'error', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function untilLine(
  { child, output }: ReturnType<typeof startEmbedded>,
  prefix: string,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    const line = output()
      .split('\n')
      .find((l) => l.trimStart().startsWith(prefix));
    if (line) return line.trimStart().slice(prefix.length).trim();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no "${prefix}" line in:\n${output()}`);
}

describe('npm start (embedded mode)', () => {
  jest.setTimeout(120_000);

  it('is refused with NODE_ENV=production, naming the variables that would make it not embedded', async () => {
    const { output, exited } = startEmbedded({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
      // Everything else production requires is there, so only the embedded bus is left to refuse.
      ...busKeyEnv(),
    });
    expect(await exited).toBe(1);
    expect(output()).toContain('Embedded mode is refused with NODE_ENV=production: set NATS_URL');
    expect(output()).not.toContain('DATABASE_URL and');
  });

  it('prints a token command that mints a token this process accepts, with its DATA_DIR and JWT settings', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'org-mgmt-embedded-'));
    chmodSync(dataDir, 0o755); // run as root, embedded PostgreSQL runs as its own user
    const env = { DATA_DIR: dataDir, JWT_ISSUER: 'https://issuer.example', JWT_AUDIENCE: 'console' };
    const started = startEmbedded(env);
    try {
      const command = await untilLine(started, 'Token:');
      const api = await untilLine(started, 'API:');
      expect(command).toContain(`DATA_DIR=${dataDir}`);
      expect(command).toContain('JWT_ISSUER=https://issuer.example');
      // Run as the user would, from a shell that has none of the process's settings.
      const { stdout } = await promisify(execFile)('sh', ['-c', command], {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH!, HOME: process.env.HOME! },
      });
      const res = await fetch(`${api}/profile`, { headers: { authorization: `Bearer ${stdout.trim()}` } });
      expect(res.status).toBe(200);
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the start banner on tokens', () => {
  const api = 'http://localhost:3000/org-management';

  it('says the command signs with JWT_SECRET from its environment, never printing the secret', () => {
    const lines = tokenHint(
      loadConfig({ JWT_SECRET: 'a-development-secret-of-some-length', DATA_DIR: '/tmp/elsewhere' }),
      api,
    ).join('\n');
    expect(lines).toContain('JWT_SECRET');
    expect(lines).not.toContain('a-development-secret-of-some-length');
    expect(lines).not.toContain('DATA_DIR='); // the secret, not DATA_DIR's development secret, signs
  });

  it('sends the user to the identity provider when the gateway verifies its keys', () => {
    const lines = tokenHint(loadConfig({ JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' }), api);
    expect(lines).toEqual([expect.stringContaining('from your identity provider')]);
    expect(lines.join('\n')).not.toContain('--roles');
  });

  it('quotes a DATA_DIR the shell would split', () => {
    expect(tokenHint(loadConfig({ DATA_DIR: "/tmp/my data's dir" }), api)[0]).toContain(
      `DATA_DIR='/tmp/my data'\\''s dir'`,
    );
  });
});
