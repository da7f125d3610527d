import { EVENT_STREAM_SUBJECTS, EventEnvelope } from '@org-mgmt/contracts';
import {
  AckPolicy,
  connect,
  ConsumerMessages,
  DeliverPolicy,
  Events,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  nanos,
  NatsConnection,
  StorageType,
} from 'nats';
import { Logger } from 'pino';
import { natsConnectionOptions, NatsSettings } from '../bus/nats-connection';
import { consumerFailures, consumerRedeliveries } from '../observability/metrics';
import { jitteredBackoff, REDELIVERY_BACKOFF } from '../service/backoff';
import { EventBus, EventSubscription, SubscriptionOptions, WatchOptions } from './event-bus';

/** How long JetStream remembers a Nats-Msg-Id: a re-publish within it is stored once. */
/** How long a process that may not create the stream waits for a service to create it. */
const STREAM_WAIT_MS = 60_000;
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
const RETENTION_MS = 7 * 24 * 3600_000;
/** JetStream's error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

export type JetStreamSettings = Partial<NatsSettings> & {
  NATS_STREAM_REPLICAS?: number;
  /**
   * False for a process that only reads the stream (the gateway, the k8s-teardown worker): its NATS
   * user may not create or reconfigure the stream, so it waits for a service to have created it.
   */
  manageStream?: boolean;
};

/** The JetStream consumer of a durable name and subject (`<durable>_<subject>`, only name-safe characters). */
export function consumerNameFor(durable: string, subject: string): string {
  return `${durable}_${subject}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function streamNameFor(subjectPrefix: string): string {
  const suffix = subjectPrefix
    .replace(/\.$/, '')
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .toUpperCase();
  return suffix ? `ORG_MANAGEMENT_${suffix}` : 'ORG_MANAGEMENT';
}

/**
 * Events on NATS JetStream: one file-backed stream for every event subject; publishes carry
 * `Nats-Msg-Id` = the event id, so a relay that publishes twice stores the event once.
 */
export class JetStreamEventBus implements EventBus {
  private readonly stream: string;
  private readonly gapListeners = new Set<() => void>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly replicas: number,
  ) {
    this.stream = streamNameFor(prefix);
    void this.followReconnects();
  }

  /** `settings`: credentials, TLS and inbox prefix (natsConnectionOptions) and NATS_STREAM_REPLICAS (default 1). */
  static async connect(
    url: string,
    prefix: string,
    logger: Logger,
    settings: JetStreamSettings = {},
  ): Promise<JetStreamEventBus> {
    const nc = await connect(
      natsConnectionOptions(url, { ...settings, NATS_SUBJECT_PREFIX: prefix }, 'org-management-events'),
    );
    try {
      const jsm = await nc.jetstreamManager();
      const bus = new JetStreamEventBus(nc, nc.jetstream(), jsm, prefix, logger, settings.NATS_STREAM_REPLICAS ?? 1);
      if (settings.manageStream ?? true) await bus.ensureStream();
      else await bus.requireStream();
      return bus;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private streamInfo() {
    return this.jsm.streams.info(this.stream).catch((err: unknown) => {
      if ((err as { api_error?: { err_code?: number } }).api_error?.err_code === STREAM_NOT_FOUND) return undefined;
      throw err;
    });
  }

  /** Creates the stream, or brings an existing one to this configuration (its replicas, say), rather than failing. */
  private async ensureStream(): Promise<void> {
    const config = {
      name: this.stream,
      subjects: EVENT_STREAM_SUBJECTS.map((s) => this.prefix + s),
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(RETENTION_MS),
      num_replicas: this.replicas,
    };
    const existing = await this.streamInfo();
    if (existing) await this.jsm.streams.update(this.stream, config);
    else await this.jsm.streams.add(config);
  }

  /**
   * Waits until a service has created the stream (processes start in any order), then gives up with
   * a clear error: a process that may not create the stream cannot do without it.
   */
  private async requireStream(timeoutMs = STREAM_WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.streamInfo())) {
      if (Date.now() > deadline) {
        throw new Error(`JetStream stream ${this.stream} does not exist: a service process creates it when it starts`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async publish(event: EventEnvelope): Promise<void> {
    await this.js.publish(this.prefix + event.type, JSON.stringify(event), { msgID: event.id });
  }

  async subscribe(options: SubscriptionOptions): Promise<EventSubscription> {
    const durable = consumerNameFor(options.durable, options.subject);
    await this.jsm.consumers.add(this.stream, {
      durable_name: durable,
      num_replicas: this.replicas,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: this.prefix + options.subject,
      max_deliver: options.maxDeliver ?? 20,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
    });
    const consumer = await this.js.consumers.get(this.stream, durable);
    const messages = await consumer.consume({ max_messages: 64 });
    const loop = this.deliver(messages, options);
    return {
      stop: async () => {
        await messages.close();
        await loop;
      },
    };
  }

  /**
   * A plain NATS subscription on the event subject: JetStream's publish reaches core subscribers too,
   * so a watcher needs no consumer (nor the permission to create one).
   */
  async watch(options: WatchOptions): Promise<EventSubscription> {
    const subscription = this.nc.subscribe(this.prefix + options.subject, {
      callback: (err, msg) => {
        if (err) return this.logger.warn({ err, subject: options.subject }, 'event watch failed');
        options.handler(JSON.parse(msg.string())).catch((error: unknown) => {
          this.logger.warn({ err: error, subject: options.subject }, 'event watcher failed; not redelivered');
        });
      },
    });
    const onGap = options.onGap;
    if (onGap) this.gapListeners.add(onGap);
    await this.nc.flush();
    return {
      stop: async () => {
        if (onGap) this.gapListeners.delete(onGap);
        subscription.unsubscribe();
      },
    };
  }

  private async followReconnects(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Reconnect) for (const listener of this.gapListeners) listener();
    }
  }

  private async deliver(messages: ConsumerMessages, options: SubscriptionOptions): Promise<void> {
    for await (const msg of messages) await this.handleOne(msg, options);
  }

  /** Acks only after the handler committed; a failure is redelivered later with a growing delay. */
  private async handleOne(msg: JsMsg, options: SubscriptionOptions): Promise<void> {
    const labels = { durable: options.durable, subject: options.subject };
    if (msg.info.redeliveryCount > 1) consumerRedeliveries.inc(labels);
    try {
      await options.handler(JSON.parse(msg.string()));
      msg.ack();
    } catch (err) {
      const attempt = msg.info.redeliveryCount;
      consumerFailures.inc(labels);
      this.logger.warn(
        { err, subject: msg.subject, durable: options.durable, attempt },
        'event handler failed; will redeliver',
      );
      msg.nak(jitteredBackoff(attempt, REDELIVERY_BACKOFF));
    }
  }

  /** One round trip to the server: the connection is up and answering. */
  async ping(): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    return this.nc.flush().then(
      () => true,
      () => false,
    );
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
