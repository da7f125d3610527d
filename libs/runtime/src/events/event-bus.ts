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
  /** Only events published from now on (a per-process consumer such as a cache's invalidation), not the stream's history. */
  deliverNew?: boolean;
  /** JetStream removes the consumer after this long without a subscriber (per-process consumers of replicas that went away). */
  inactiveThresholdMs?: number;
}

export interface EventSubscription {
  stop(): Promise<void>;
}

/** Durable events: JetStream in distributed mode, an in-process queue in embedded mode. */
export interface EventBus {
  /** Publishes once in effect: the envelope id is the de-duplication id. */
  publish(event: EventEnvelope): Promise<void>;
  subscribe(options: SubscriptionOptions): Promise<EventSubscription>;
  close(): Promise<void>;
}
