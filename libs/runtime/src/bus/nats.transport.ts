import { ServerNats } from '@nestjs/microservices';
import { RpcRequest, RpcResult } from '@org-mgmt/contracts';
import { connect, ErrorCode, Events, NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { natsConnectionOptions, NatsSettings } from './nats-connection';
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

/**
 * Request/reply over NATS with the nats client's own request (one shared reply subscription), in the
 * packet format Nest's NATS server reads and writes, rather than through Nest's client, which
 * subscribes and unsubscribes an inbox per request. A subject nobody listens on answers at once
 * (NATS "no responders"), as does a client cut off from NATS: SERVICE_UNAVAILABLE; silence becomes
 * SERVICE_TIMEOUT.
 */
export class NatsRpcClient implements RpcClient {
  private connection?: NatsConnection;
  private connected = false;
  private closed = false;

  constructor(
    private readonly servers: string,
    private readonly subjectPrefix: string,
    private readonly defaultTimeoutMs: number,
    /** Credentials, TLS and inbox prefix (natsConnectionOptions); none by default. */
    private readonly settings: Partial<NatsSettings> = {},
  ) {}

  async connect(): Promise<void> {
    const settings = { ...this.settings, NATS_SUBJECT_PREFIX: this.subjectPrefix };
    this.connection = await connect(natsConnectionOptions(this.servers, settings, 'org-management-rpc'));
    this.connected = true;
    void this.followStatus(this.connection);
  }

  async request(pattern: string, message: RpcRequest, timeoutMs = this.defaultTimeoutMs): Promise<RpcResult> {
    if (this.closed || !this.connected || !this.connection) return unavailable(pattern);
    const packet = { pattern, data: message, id: randomUUID() };
    try {
      const reply = await this.connection.request(prefixed(this.subjectPrefix, pattern), JSON.stringify(packet), {
        timeout: timeoutMs,
      });
      const answer = JSON.parse(reply.string()) as { response?: unknown; err?: unknown };
      // Nest's server answers `err` only when no handler has the pattern: as good as nobody listening.
      return answer.err == null ? checkedResult(pattern, answer.response) : unavailable(pattern);
    } catch (err) {
      return (err as { code?: string }).code === ErrorCode.Timeout
        ? timedOut(pattern, timeoutMs)
        : unavailable(pattern);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connection?.close();
  }

  /** While the client is cut off from NATS, requests fail at once instead of waiting out their timeout. */
  private async followStatus(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === Events.Disconnect) this.connected = false;
      if (status.type === Events.Reconnect) this.connected = true;
    }
  }
}
