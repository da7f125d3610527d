import { EVENT_CONSUMERS, EventEnvelope, OrgDeletedEvent, OrgTeardownAcknowledgedEvent } from '@org-mgmt/contracts';
import { EventBus, EventSubscription, Logger, metricsRegistry } from '@org-mgmt/runtime';
import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import { KubernetesTeardown, TeardownOutcome } from './kubernetes-teardown';

export const ACKNOWLEDGED_BY = 'k8s-teardown';
/** The durable JetStream consumer; replicas share it, so each org.deleted is handled by one of them at a time. */
export const DURABLE = EVENT_CONSUMERS.k8sTeardown.durable;

const teardowns = new Counter({
  name: 'k8s_teardown_total',
  help: 'Kubernetes teardowns of deleted orgs by outcome: completed, failed (acknowledged as failed) or retried (transient error, redelivered)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * The acknowledgement of one org.deleted: its id is derived from the org.deleted event id and the
 * outcome, so a redelivery that tears down again publishes the same id, which JetStream drops as a
 * duplicate (Nats-Msg-Id) and the orgs consumer ignores in any case (processed_events).
 */
export function acknowledgementFor(
  deleted: EventEnvelope,
  orgId: string,
  outcome: TeardownOutcome,
  now: number,
): EventEnvelope {
  const digest = createHash('sha256')
    .update(`${deleted.id}:kubernetesResources:${outcome.status}`)
    .digest('hex')
    .slice(0, 24);
  return {
    id: `event_k8s${digest}`,
    type: OrgTeardownAcknowledgedEvent.subject,
    version: OrgTeardownAcknowledgedEvent.version,
    occurredAt: now,
    orgId,
    data: OrgTeardownAcknowledgedEvent.schema.parse({
      orgId,
      resource: 'kubernetesResources',
      status: outcome.status,
      detail: outcome.detail,
      acknowledgedBy: ACKNOWLEDGED_BY,
      acknowledgedAt: now,
    }),
  };
}

/**
 * Tears down the Kubernetes resources of each org.deleted asking for it, then acknowledges with
 * org.teardown_acknowledged. The JetStream message is acked only after that publish: a crash or a
 * transient API error before it means redelivery and a repeat of the (idempotent) teardown.
 */
export class OrgDeletedConsumer {
  constructor(
    private readonly bus: EventBus,
    private readonly teardown: KubernetesTeardown,
    private readonly logger: Logger,
    private readonly ackWaitMs: number,
  ) {}

  start(): Promise<EventSubscription> {
    return this.bus.subscribe({
      durable: DURABLE,
      subject: EVENT_CONSUMERS.k8sTeardown.event.subject,
      handler: (event) => this.handle(event),
      // A teardown is never given up on: only transient errors are retried (at most every 30 s).
      maxDeliver: -1,
      ackWaitMs: this.ackWaitMs,
    });
  }

  async handle(event: EventEnvelope): Promise<void> {
    const parsed = OrgDeletedEvent.schema.safeParse(event.data);
    if (!parsed.success) {
      this.logger.error(
        { eventId: event.id, issues: parsed.error.issues },
        'org.deleted refused by its contract; dropped',
      );
      return;
    }
    const { orgId, teardown } = parsed.data;
    if (!teardown.kubernetesResources) return;
    const outcome = await this.tearDown(orgId);
    await this.bus.publish(acknowledgementFor(event, orgId, outcome, Date.now()));
    teardowns.inc({ outcome: outcome.status });
    this.logger.info({ orgId, eventId: event.id, ...outcome }, 'kubernetes teardown acknowledged');
  }

  private async tearDown(orgId: string): Promise<TeardownOutcome> {
    try {
      return await this.teardown.tearDown(orgId);
    } catch (err) {
      teardowns.inc({ outcome: 'retried' });
      throw err;
    }
  }
}
