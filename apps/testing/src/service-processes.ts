import { ServiceName } from '@org-mgmt/contracts';
import { freePort } from '@org-mgmt/runtime';
import { ChildProcess } from 'node:child_process';
import { killProcess } from './private-servers';
import { spawnService, TestSystem } from './system';

interface Replica {
  child: ChildProcess;
  /** The replica's own probe port (HEALTH_PORT): ready there means this very process serves. */
  healthPort: number;
}

/**
 * Services of a test system moved out to processes of their own, one or more replicas each (the same
 * NATS queue group, the same database), so a test can kill one (SIGKILL: no shutdown hook runs,
 * whatever was in flight is cut) and start it again, as an orchestrator would.
 */
export class ServiceProcesses {
  private readonly replicas = new Map<ServiceName, Replica[]>();

  constructor(private readonly sys: TestSystem) {}

  /** Replaces the in-process instance (if any) with `count` more processes and waits until each is ready. */
  async start(name: ServiceName, count = 1): Promise<void> {
    const index = this.sys.running.services.findIndex((s) => s.name === name);
    if (index >= 0) {
      await this.sys.running.services[index].close();
      this.sys.running.services.splice(index, 1);
    }
    const started = await Promise.all(
      Array.from({ length: count }, async () => {
        const healthPort = await freePort();
        return { child: spawnService(name, { ...this.sys.env, HEALTH_PORT: String(healthPort) }), healthPort };
      }),
    );
    this.replicas.set(name, [...(this.replicas.get(name) ?? []), ...started]);
    await Promise.all(started.map((replica) => untilReady(replica.child, `http://127.0.0.1:${replica.healthPort}`)));
    await untilReady(undefined, this.sys.url);
  }

  running(name: ServiceName): boolean {
    return this.count(name) > 0;
  }

  count(name: ServiceName): number {
    return this.replicas.get(name)?.length ?? 0;
  }

  /** Kills every replica of `name`. */
  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const replicas = this.replicasOf(name);
    await Promise.all(replicas.map((r) => killProcess(r.child, signal)));
    this.replicas.delete(name);
  }

  /** Kills the longest-running replica of `name`; the others go on. */
  async killOldest(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const [oldest, ...rest] = this.replicasOf(name);
    await killProcess(oldest.child, signal);
    this.replicas.set(name, rest);
  }

  async close(): Promise<void> {
    await Promise.all([...this.replicas.values()].flat().map((r) => killProcess(r.child, 'SIGTERM')));
    this.replicas.clear();
  }

  private replicasOf(name: ServiceName): Replica[] {
    const replicas = this.replicas.get(name);
    if (!replicas?.length) throw new Error(`${name} does not run as a process of this test`);
    return replicas;
  }
}

/** Until `url`'s /health/ready answers 200 (a replica's own probe port, or the test system's gateway). */
async function untilReady(child: ChildProcess | undefined, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (child?.exitCode ?? null) === null) {
    const res = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `${url}/health/ready did not answer 200 after starting a service process${child ? ` (pid ${child.pid})` : ''}`,
  );
}
