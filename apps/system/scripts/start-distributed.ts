/**
 * `npm run start:distributed`: the five processes of the distributed deployment on this machine,
 * over NATS_URL and DATABASE_URL (defaults: the local servers). Ctrl-C stops them all.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const PROCESSES = ['orgs', 'billing', 'subscriptions', 'transfers', 'gateway'];
const env = {
  ...process.env,
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

const children: ChildProcess[] = PROCESSES.map((name) => {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'start-service.ts'), name], {
    env,
    stdio: 'inherit',
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`${name} exited with ${code}\n`);
  });
  return child;
});

function stopAll(): void {
  for (const child of children) child.kill('SIGTERM');
}
process.once('SIGINT', stopAll);
process.once('SIGTERM', stopAll);
