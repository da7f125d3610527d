import { AppError, BillingInterval, Plan, PlanId } from '@org-mgmt/contracts';

const BASIC_FLAGS = ['custom-domain', 'email-support'];
const PRO_FLAGS = [...BASIC_FLAGS, 'automation', 'multi-site', 'analytics'];
const TEAM_FLAGS = [...PRO_FLAGS, 'team-roles', 'audit-log'];
const ENTERPRISE_FLAGS = [...TEAM_FLAGS, 'sso', 'priority-support'];

/** The plan ladder, cheapest first. Prices are integer minor units (USD cents) per period. */
export const PLANS: readonly Plan[] = [
  {
    id: 'free',
    name: 'Free',
    rank: 0,
    currency: 'USD',
    prices: { month: 0, year: 0 },
    limits: { seats: 1, sites: 1, storageGb: 1, apiRequestsPerMonth: 10_000 },
    features: [],
  },
  {
    id: 'basic',
    name: 'Basic',
    rank: 1,
    currency: 'USD',
    prices: { month: 900, year: 9_000 },
    limits: { seats: 3, sites: 1, storageGb: 10, apiRequestsPerMonth: 100_000 },
    features: BASIC_FLAGS,
  },
  {
    id: 'pro',
    name: 'Pro',
    rank: 2,
    currency: 'USD',
    prices: { month: 2_900, year: 29_000 },
    limits: { seats: 10, sites: 5, storageGb: 100, apiRequestsPerMonth: 1_000_000 },
    features: PRO_FLAGS,
  },
  {
    id: 'team',
    name: 'Team',
    rank: 3,
    currency: 'USD',
    prices: { month: 9_900, year: 99_000 },
    limits: { seats: 50, sites: 25, storageGb: 500, apiRequestsPerMonth: 10_000_000 },
    features: TEAM_FLAGS,
  },
  {
    id: 'enterprise',
    name: 'Enterprise',
    rank: 4,
    currency: 'USD',
    prices: { month: 49_900, year: 499_000 },
    limits: { seats: null, sites: null, storageGb: null, apiRequestsPerMonth: null },
    features: ENTERPRISE_FLAGS,
  },
].map((plan) => ({ ...plan, features: [...plan.features].sort() })) as Plan[];

export function planById(id: PlanId): Plan {
  const plan = PLANS.find((p) => p.id === id);
  if (!plan) throw new AppError('NOT_FOUND', `No plan ${id}`);
  return plan;
}

export function priceOf(id: PlanId, interval: BillingInterval): number {
  return planById(id).prices[interval];
}

/**
 * Moving to (plan, interval) is an upgrade when the plan ranks higher, or it is the same plan
 * billed yearly instead of monthly; the reverse moves are downgrades.
 */
export function compareChange(
  from: { plan: PlanId; interval: BillingInterval },
  to: { plan: PlanId; interval: BillingInterval },
): 'upgrade' | 'downgrade' | 'same' | 'mixed' {
  const rank = planById(to.plan).rank - planById(from.plan).rank;
  const interval = intervalRank(to.interval) - intervalRank(from.interval);
  if (rank === 0 && interval === 0) return 'same';
  if (rank >= 0 && interval >= 0) return 'upgrade';
  if (rank <= 0 && interval <= 0) return 'downgrade';
  return 'mixed';
}

function intervalRank(interval: BillingInterval): number {
  return interval === 'year' ? 1 : 0;
}
