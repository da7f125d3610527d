import { EVENT_STREAM_SUBJECTS, EventEnvelope } from '@org-mgmt/contracts';
import {
  AckPolicy,
  connect,
  ConsumerMessages,
  DeliverPolicy,
  JetStreamClient,
  JetStreamManager,
  JsMsg,
  nanos,
  NatsConnection,
  StorageType,
} from 'nats';
import { Logger } from 'pino';
import { consumerFailures, consumerRedeliveries } from '../observability/metrics';
import { jitteredBackoff, NATS_RECONNECT, REDELIVERY_BACKOFF } from '../service/backoff';
import { EventBus, EventSubscription, SubscriptionOptions } from './event-bus';

/** How long JetStream remembers a Nats-Msg-Id: a re-publish within it is stored once. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
const RETENTION_MS = 7 * 24 * 3600_000;

export function streamNameFor(subjectPrefix: string): string {
  const suffix = subjectPrefix.replace(/\.$/, '').replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
  return suffix ? `ORG_MANAGEMENT_${suffix}` : 'ORG_MANAGEMENT';
}

/**
 * Events on NATS JetStream: one file-backed stream for every event subject; publishes carry
 * `Nats-Msg-Id` = the event id, so a relay that publishes twice stores the event once.
 */
export class JetStreamEventBus implements EventBus {
  private readonly stream: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.stream = streamNameFor(prefix);
  }

  static async connect(url: string, prefix: string, logger: Logger): Promise<JetStreamEventBus> {
    const nc = await connect({ servers: url, ...NATS_RECONNECT, name: 'org-management-events' });
    const jsm = await nc.jetstreamManager();
    const bus = new JetStreamEventBus(nc, nc.jetstream(), jsm, prefix, logger);
    await bus.ensureStream();
    return bus;
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: this.stream,
      subjects: EVENT_STREAM_SUBJECTS.map((s) => this.prefix + s),
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      max_age: nanos(RETENTION_MS),
    };
    try {
      await this.jsm.streams.info(this.stream);
      await this.jsm.streams.update(this.stream, config);
    } catch {
      await this.jsm.streams.add(config);
    }
  }

  async publish(event: EventEnvelope): Promise<void> {
    await this.js.publish(this.prefix + event.type, JSON.stringify(event), { msgID: event.id });
  }

  async subscribe(options: SubscriptionOptions): Promise<EventSubscription> {
    const durable = `${options.durable}_${options.subject}`.replace(/[^A-Za-z0-9_-]/g, '_');
    await this.jsm.consumers.add(this.stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: options.deliverNew ? DeliverPolicy.New : DeliverPolicy.All,
      ...(options.inactiveThresholdMs ? { inactive_threshold: nanos(options.inactiveThresholdMs) } : {}),
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
      this.logger.warn({ err, subject: msg.subject, durable: options.durable, attempt }, 'event handler failed; will redeliver');
      msg.nak(jitteredBackoff(attempt, REDELIVERY_BACKOFF));
    }
  }

  /** One round trip to the server: the connection is up and answering. */
  async ping(): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    return this.nc.flush().then(() => true, () => false);
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}
