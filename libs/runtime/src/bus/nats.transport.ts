import { ClientNats, ServerNats } from '@nestjs/microservices';
import { RpcRequest, RpcResult } from '@org-mgmt/contracts';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { checkedResult, RpcClient, timedOut, unavailable } from './rpc-client';

/** Prefixing is idempotent: Nest normalises a pattern more than once on its way in. */
function prefixed(prefix: string, route: string): string {
  return prefix && !route.startsWith(prefix) ? prefix + route : route;
}

/** Nest's NATS server, one queue group per service, every subject under NATS_SUBJECT_PREFIX. */
export class PrefixedNatsServer extends ServerNats {
  constructor(
    options: ConstructorParameters<typeof ServerNats>[0],
    private readonly subjectPrefix: string,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ServerNats['normalizePattern']>[0]): string {
    return prefixed(this.subjectPrefix, super.normalizePattern(pattern));
  }
}

class PrefixedNatsClient extends ClientNats {
  constructor(
    options: ConstructorParameters<typeof ClientNats>[0],
    private readonly subjectPrefix: string,
  ) {
    super(options);
  }

  protected override normalizePattern(pattern: Parameters<ClientNats['normalizePattern']>[0]): string {
    return prefixed(this.subjectPrefix, super.normalizePattern(pattern));
  }
}

/**
 * Request/reply over NATS through Nest's client. A subject nobody listens on answers at once
 * (NATS "no responders"), which becomes SERVICE_UNAVAILABLE; silence becomes SERVICE_TIMEOUT.
 */
export class NatsRpcClient implements RpcClient {
  private readonly client: PrefixedNatsClient;
  private closed = false;

  constructor(
    servers: string,
    subjectPrefix: string,
    private readonly defaultTimeoutMs: number,
  ) {
    this.client = new PrefixedNatsClient({ servers, maxReconnectAttempts: -1, reconnectTimeWait: 500 }, subjectPrefix);
  }

  async connect(): Promise<void> {
    await this.client.connect();
  }

  async request(pattern: string, message: RpcRequest, timeoutMs = this.defaultTimeoutMs): Promise<RpcResult> {
    // Nest's client would connect again on send: a connection nobody closes, keeping the process alive.
    if (this.closed) return unavailable(pattern);
    try {
      const reply = await firstValueFrom(this.client.send(pattern, message).pipe(timeout(timeoutMs)));
      return checkedResult(pattern, reply);
    } catch (err) {
      // Anything else is the transport's: no responders, no handler, a lost connection.
      return err instanceof TimeoutError ? timedOut(pattern, timeoutMs) : unavailable(pattern);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }
}
