import { EventEnvelope } from '@org-mgmt/contracts';

/** What it resolves to is ignored (a handler may report whether it applied the event). */
export type EventHandler = (event: EventEnvelope) => Promise<unknown>;

export interface SubscriptionOptions {
  /** Durable consumer name: unique per (service, purpose); survives restarts. */
  durable: string;
  /** One event subject, e.g. `org.deleted`. */
  subject: string;
  handler: EventHandler;
  /** Deliveries before an event is given up on (and logged). */
  maxDeliver?: number;
  ackWaitMs?: number;
}

export interface WatchOptions {
  /** One event subject, e.g. `org.updated`. */
  subject: string;
  handler: EventHandler;
  /** Called once the bus is back after being cut off: events published meanwhile were missed. */
  onGap?: () => void;
}

export interface EventSubscription {
  stop(): Promise<void>;
}

/** Durable events: JetStream in distributed mode, an in-process queue in embedded mode. */
export interface EventBus {
  /** Publishes once in effect: the envelope id is the de-duplication id. */
  publish(event: EventEnvelope): Promise<void>;
  subscribe(options: SubscriptionOptions): Promise<EventSubscription>;
  /**
   * Live events only, at most once, to every watcher in every process (a per-process cache's
   * invalidation): no consumer is stored, so nothing is redelivered and a gap is only signalled.
   */
  watch(options: WatchOptions): Promise<EventSubscription>;
  close(): Promise<void>;
}
