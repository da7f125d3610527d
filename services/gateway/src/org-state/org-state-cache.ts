import {
  EventContract,
  OrgCreatedEvent,
  OrgDeletedEvent,
  OrgsEndpoints,
  OrgState,
  OrgStatusChangedEvent,
  OrgUpdatedEvent,
  Principal,
  SubscriptionChangedEvent,
} from '@org-mgmt/contracts';
import { call, Clock, EventBus, EventSubscription, Logger, RpcClient, systemPrincipal } from '@org-mgmt/runtime';
import { randomBytes } from 'node:crypto';

/** Events after which an org's cached state may be wrong (features follow the plan, so subscription changes too). */
const INVALIDATING_EVENTS: readonly EventContract[] = [
  OrgCreatedEvent,
  OrgUpdatedEvent,
  OrgStatusChangedEvent,
  OrgDeletedEvent,
  SubscriptionChangedEvent,
];

const MAX_ENTRIES = 50_000;
/** A gateway replica's invalidation consumer outlives a crash by this much, then JetStream removes it. */
const CONSUMER_INACTIVE_THRESHOLD_MS = 10 * 60_000;

interface Entry {
  /** null: no such org (requests pass and the service answers 404). */
  state: OrgState | null;
  expiresAt: number;
}

/**
 * Per-org OrgState for the gateway, filled from `orgs.state.get` and dropped when an event says it
 * changed; the TTL bounds staleness should an event be missed. A generation per org stops a lookup
 * that started before an invalidation from storing what it read.
 */
export class OrgStateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly generations = new Map<string, number>();
  private readonly lookups = new Map<string, Promise<OrgState | null>>();
  private readonly subscriptions: EventSubscription[] = [];
  private readonly principal: Principal;

  constructor(
    private readonly rpc: RpcClient,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    rootOrgId: string,
    private readonly logger: Logger,
  ) {
    this.principal = systemPrincipal('gateway', rootOrgId);
  }

  /** One consumer per gateway process: every replica must see every invalidation. */
  async start(events: EventBus): Promise<void> {
    const durable = `gateway_org_state_${randomBytes(6).toString('hex')}`;
    for (const contract of INVALIDATING_EVENTS) {
      const subscription = await events.subscribe({
        durable,
        subject: contract.subject,
        deliverNew: true,
        inactiveThresholdMs: CONSUMER_INACTIVE_THRESHOLD_MS,
        handler: async (event) => {
          const orgId = event.orgId ?? (event.data as { orgId?: string }).orgId;
          if (orgId) this.invalidate(orgId);
        },
      });
      this.subscriptions.push(subscription);
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.stop()));
  }

  invalidate(orgId: string): void {
    this.entries.delete(orgId);
    this.lookups.delete(orgId);
    this.generations.set(orgId, (this.generations.get(orgId) ?? 0) + 1);
  }

  /** The cached state; a failed lookup falls back to an expired entry, else throws the lookup's error. */
  async get(orgId: string): Promise<OrgState | null> {
    const entry = this.entries.get(orgId);
    if (entry && entry.expiresAt > this.clock.now()) return entry.state;
    try {
      return await this.lookup(orgId);
    } catch (err) {
      if (entry) {
        this.logger.warn({ err, orgId }, 'org state lookup failed; serving the expired entry');
        return entry.state;
      }
      throw err;
    }
  }

  private lookup(orgId: string): Promise<OrgState | null> {
    const pending = this.lookups.get(orgId);
    if (pending) return pending;
    const generation = this.generations.get(orgId) ?? 0;
    const lookup = this.fetch(orgId)
      .then((state) => {
        if ((this.generations.get(orgId) ?? 0) === generation) this.store(orgId, state);
        return state;
      })
      .finally(() => {
        if (this.lookups.get(orgId) === lookup) this.lookups.delete(orgId);
      });
    this.lookups.set(orgId, lookup);
    return lookup;
  }

  private async fetch(orgId: string): Promise<OrgState | null> {
    try {
      return await call<OrgState>(this.rpc, OrgsEndpoints.orgState.pattern, {
        principal: this.principal,
        orgId,
        requestId: `org-state-${orgId}`,
        params: { orgId },
      });
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  private store(orgId: string, state: OrgState | null): void {
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(orgId, { state, expiresAt: this.clock.now() + this.ttlMs });
  }
}
