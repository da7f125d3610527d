import { OrgsEndpoints, OrgState, Principal, WATCHED_EVENTS } from '@org-mgmt/contracts';
import { call, Clock, EventBus, EventSubscription, Logger, RpcClient, systemPrincipal } from '@org-mgmt/runtime';

/** Events after which an org's cached state may be wrong (features follow the plan, so subscription changes too). */
const INVALIDATING_EVENTS = WATCHED_EVENTS.gateway ?? [];

const MAX_ENTRIES = 50_000;

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

  /**
   * Every replica watches every invalidation live (no JetStream consumer, so the gateway's NATS user
   * needs none); while cut off from NATS it may miss some, so it forgets everything once back.
   */
  async start(events: EventBus): Promise<void> {
    for (const contract of INVALIDATING_EVENTS) {
      const subscription = await events.watch({
        subject: contract.subject,
        handler: async (event) => {
          const orgId = event.orgId ?? (event.data as { orgId?: string }).orgId;
          if (orgId) this.invalidate(orgId);
        },
        onGap: () => this.invalidateAll(),
      });
      this.subscriptions.push(subscription);
    }
  }

  invalidateAll(): void {
    for (const orgId of [...this.entries.keys(), ...this.lookups.keys()]) this.invalidate(orgId);
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
