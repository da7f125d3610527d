import { EventCounter, eventually, RetryingClient, tally, TestSystem } from '@org-mgmt/testing';
import { randomBytes, randomInt } from 'node:crypto';

interface AcceptedOperation {
  orgId: string;
  transactionId: string;
  amount: number;
}

/** Lost: accepted but not in the ledger (or no event); doubled: in the ledger (or published) beyond what was accepted. */
export interface MoneyCheck {
  accepted: number;
  lost: number;
  doubled: number;
  lostEvents: number;
  doubledEvents: number;
  /** Event deliveries beyond the first of the same event id (harmless to idempotent consumers). */
  redelivered: number;
}

/**
 * Money moving through the gateway while a fault is injected: workers give credits
 * (`gift-credits`) and buy them (`buy-credits` then `complete-payment`, sandbox gateway), each
 * operation with its own Idempotency-Key, retried by a RetryingClient on 503/504 as a real client would.
 */
export class MoneyTraffic {
  readonly client = new RetryingClient();
  readonly accepted: AcceptedOperation[] = [];
  private running = false;
  private workers: Promise<void>[] = [];
  private rootToken = '';

  constructor(
    private readonly sys: TestSystem,
    private readonly orgIds: string[],
  ) {}

  async start(workers: number): Promise<void> {
    this.rootToken = await this.sys.rootToken();
    this.running = true;
    this.workers = Array.from({ length: workers }, (_, i) => this.work(i));
  }

  /** Resolves once `count` more operations were accepted (traffic is flowing). */
  async untilMoreAccepted(count: number, timeoutMs = 120_000): Promise<void> {
    const target = this.accepted.length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.accepted.length < target) {
      if (Date.now() > deadline)
        throw new Error(`only ${this.accepted.length} of ${target} operations accepted in time`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Lets the operations in flight finish (retrying as long as they need), then stops. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }

  private async work(worker: number): Promise<void> {
    for (let n = 0; this.running; n++) {
      const orgId = this.orgIds[(worker + n) % this.orgIds.length];
      const operation = n % 2 === 0 ? this.gift(orgId) : this.purchase(orgId);
      const accepted = await operation;
      if (accepted) this.accepted.push(accepted);
    }
  }

  private async gift(orgId: string): Promise<AcceptedOperation | undefined> {
    const amount = randomInt(1, 1000);
    const idempotencyKey = key();
    const res = await this.client.send(201, () =>
      this.sys.api('POST', '/billing/gift-credits', {
        token: this.rootToken,
        headers: { 'idempotency-key': idempotencyKey },
        body: { orgId, amount, currency: 'USD', reason: 'fault suite' },
      }),
    );
    return res && { orgId, transactionId: res.body.transaction.id, amount };
  }

  private async purchase(orgId: string): Promise<AcceptedOperation | undefined> {
    const amount = randomInt(50, 1000);
    const idempotencyKey = key();
    const bought = await this.client.send(201, () =>
      this.sys.api('POST', '/billing/buy-credits', {
        token: this.rootToken,
        orgid: orgId,
        headers: { 'idempotency-key': idempotencyKey },
        body: { amount, currency: 'USD', paymentMethodId: 'pm_card_visa' },
      }),
    );
    if (!bought) return undefined;
    const { transactionId, paymentIntentId } = bought.body;
    const completed = await this.client.send(200, () =>
      this.sys.api('POST', '/billing/complete-payment', { body: { transactionId, paymentIntentId } }),
    );
    return completed && { orgId, transactionId, amount };
  }

  /** Compares the ledger, the balances and the published events with what the clients were told. */
  async check(events: EventCounter): Promise<MoneyCheck & { balancesMatch: boolean }> {
    const billing = this.sys.db('billing');
    const entries: { transaction_id: string }[] = await billing('ledger_entries')
      .whereIn('org_id', this.orgIds)
      .select('transaction_id');
    const acceptedIds = new Set(this.accepted.map((a) => a.transactionId));
    const inLedger = new Set(entries.map((e) => e.transaction_id));
    const published = new Map<string, number>();
    const orgIds = new Set(this.orgIds);
    for (const event of events.events.values()) {
      // Only this traffic's orgs: other work of the same test (renewals, say) moves other balances.
      const { orgId, transactionId } = event.data as { orgId: string; transactionId: string };
      if (!orgIds.has(orgId)) continue;
      published.set(transactionId, (published.get(transactionId) ?? 0) + 1);
    }
    return {
      accepted: this.accepted.length,
      lost: [...acceptedIds].filter((id) => !inLedger.has(id)).length,
      doubled: entries.length - [...inLedger].filter((id) => acceptedIds.has(id)).length,
      lostEvents: [...acceptedIds].filter((id) => !published.has(id)).length,
      doubledEvents:
        [...published.values()].reduce((sum, n) => sum + n - 1, 0) +
        [...published.keys()].filter((id) => !acceptedIds.has(id)).length,
      redelivered: events.redelivered,
      balancesMatch: await this.balancesMatch(),
    };
  }

  /** Each org's balance row equals the sum of the operations accepted for it. */
  private async balancesMatch(): Promise<boolean> {
    const rows: { org_id: string; balance: string }[] = await this.sys
      .db('billing')('balances')
      .whereIn('org_id', this.orgIds);
    return this.orgIds.every((orgId) => {
      const expected = this.accepted.filter((a) => a.orgId === orgId).reduce((sum, a) => sum + a.amount, 0);
      return Number(rows.find((r) => r.org_id === orgId)?.balance ?? 0) === expected;
    });
  }
}

function key(): string {
  return `fault-${randomBytes(8).toString('hex')}`;
}

/** How long a caller waited to learn that billing cannot be reached, and the answer it got (it must be a clean 503). */
export async function probeUnavailable(
  sys: TestSystem,
): Promise<{ ms: number; answer: { status: number; code?: string } }> {
  const started = Date.now();
  const res = await sys.api('GET', '/billing/balance', { token: await sys.rootToken() });
  return { ms: Date.now() - started, answer: { status: res.status, code: res.body?.error?.code } };
}

/** What a fault left behind: the clients' unclean answers and give-ups, and what was lost or doubled. */
export interface FaultOutcome extends MoneyCheck {
  uncleanAnswers: string[];
  gaveUp: number;
  balancesMatch: boolean;
}

/**
 * Stops the clients, lets the events settle and records the suite's figures; the spec asserts the
 * outcome it returns.
 */
export async function stopAndSettle(
  traffic: MoneyTraffic,
  events: EventCounter,
  suite: string,
  figures: Record<string, number>,
  settleMs: number,
): Promise<FaultOutcome> {
  await traffic.stop();
  await eventually(async () => expect((await traffic.check(events)).lostEvents).toBe(0), settleMs).catch(() => {});
  const { balancesMatch, ...check } = await traffic.check(events);
  tally(suite, { ...figures, ...traffic.client.counts, ...check });
  return {
    ...check,
    uncleanAnswers: traffic.client.uncleanAnswers,
    gaveUp: traffic.client.counts.gaveUp,
    balancesMatch,
  };
}
