import { ServiceName } from '@org-mgmt/contracts';
import { ChildProcess } from 'node:child_process';
import { killProcess } from './private-servers';
import { spawnService, TestSystem } from './system';

/**
 * Services of a test system moved out to processes of their own, so a test can kill one (SIGKILL: no
 * shutdown hook runs, whatever was in flight is cut) and start it again, as an orchestrator would.
 */
export class ServiceProcesses {
  private readonly children = new Map<ServiceName, ChildProcess>();

  constructor(private readonly sys: TestSystem) {}

  /** Replaces the in-process instance (if any) with a process and waits until the system is ready. */
  async start(name: ServiceName): Promise<void> {
    const index = this.sys.running.services.findIndex((s) => s.name === name);
    if (index >= 0) {
      await this.sys.running.services[index].close();
      this.sys.running.services.splice(index, 1);
    }
    this.children.set(name, spawnService(name, this.sys.env));
    await this.untilReady();
  }

  running(name: ServiceName): boolean {
    return this.children.has(name);
  }

  async kill(name: ServiceName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.children.get(name);
    if (!child) throw new Error(`${name} does not run as a process of this test`);
    await killProcess(child, signal);
    this.children.delete(name);
  }

  async close(): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => killProcess(child, 'SIGTERM')));
    this.children.clear();
  }

  private async untilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const res = await fetch(`${this.sys.url}/health/ready`).catch(() => undefined);
      if (res?.status === 200) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('The system did not become ready after starting a service process');
  }
}
