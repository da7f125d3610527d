import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { RpcRequest, RpcResult } from '@org-mgmt/contracts';
import { lastValueFrom } from 'rxjs';
import { withTimeout } from '../service/timeout';
import { checkedResult, RpcClient, timedOut, unavailable } from './rpc-client';

type RawHandler = (json: string) => Promise<string>;

/**
 * The embedded-mode bus: subjects map to handlers in this process. Messages cross it as JSON text,
 * exactly as they cross NATS, so handlers see the same serialisation and the same errors.
 */
export class InProcessBroker {
  private readonly handlers = new Map<string, RawHandler>();

  register(subject: string, handler: RawHandler): void {
    this.handlers.set(subject, handler);
  }

  unregister(subject: string): void {
    this.handlers.delete(subject);
  }

  handlerFor(subject: string): RawHandler | undefined {
    return this.handlers.get(subject);
  }
}

/** Nest transport strategy registering a service's message handlers on the in-process broker. */
export class InProcessServer extends Server implements CustomTransportStrategy {
  private readonly subjects: string[] = [];

  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: () => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      this.broker.register(pattern, async (json) => {
        const reply$ = this.transformToObservable(await handler(JSON.parse(json)));
        return JSON.stringify(await lastValueFrom(reply$));
      });
      this.subjects.push(pattern);
    }
    callback();
  }

  close(): void {
    for (const subject of this.subjects.splice(0)) this.broker.unregister(subject);
  }

  on(): void {
    // no transport status events in process
  }

  unwrap<T>(): T {
    return this.broker as T;
  }
}

export class InProcessRpcClient implements RpcClient {
  constructor(
    private readonly broker: InProcessBroker,
    private readonly defaultTimeoutMs: number,
  ) {}

  async request(pattern: string, message: RpcRequest, timeoutMs = this.defaultTimeoutMs): Promise<RpcResult> {
    const handler = this.broker.handlerFor(pattern);
    if (!handler) return unavailable(pattern);
    const reply = handler(JSON.stringify(message)).then((json) => checkedResult(pattern, JSON.parse(json)));
    return withTimeout(reply, timeoutMs, () => timedOut(pattern, timeoutMs));
  }

  async close(): Promise<void> {}
}
