import { BusProcess, EndpointDef, ServiceName } from './common/endpoint';
import { EventContract } from './common/events';
import { BillingBalanceChangedEvent, BillingDebitDeclinedEvent } from './billing/events';
import { BillingEndpoints } from './billing/endpoints';
import { EVENT_CATALOGUE, EVENT_PRODUCERS } from './event-catalogue';
import { HTTP_ENDPOINTS, ALL_ENDPOINTS } from './endpoints';
import {
  OrgCreatedEvent,
  OrgDeletedEvent,
  OrgStatusChangedEvent,
  OrgTeardownAcknowledgedEvent,
  OrgUpdatedEvent,
} from './orgs/events';
import { OrgsEndpoints } from './orgs/endpoints';
import { SubscriptionChangedEvent, SubscriptionPaymentFailedEvent } from './subscriptions/events';
import { SubscriptionEndpoints } from './subscriptions/endpoints';
import { TRANSFER_DATATYPE_NAMES } from './transfers/datatypes';
import { participantEndpoints } from './transfers/participant';

/**
 * Who on the bus may do what, as data: which process serves which patterns, calls which endpoints
 * and holds which durable consumers (the producer of each event is in the event catalogue). The NATS server's per-user permissions
 * are generated from it (libs/runtime nats-permissions.ts), and the runtime refuses a call or a
 * consumer that is not declared here, so the two cannot drift apart.
 */
export const BUS_PROCESSES: readonly BusProcess[] = [
  'gateway',
  'orgs',
  'billing',
  'subscriptions',
  'transfers',
  'k8s-teardown',
];

/** The subject a service's readiness is asked on (the gateway asks each service). */
export function healthPattern(service: ServiceName): string {
  return `${service}.health.check`;
}

const SERVICES: readonly ServiceName[] = ['orgs', 'billing', 'subscriptions', 'transfers'];

/** Every participant endpoint of every transferable datatype. */
function allParticipantEndpoints(): EndpointDef[] {
  return TRANSFER_DATATYPE_NAMES.flatMap((datatype) => Object.values(participantEndpoints(datatype)));
}

/** The patterns a service answers: its endpoints, the participant patterns of the datatypes it stores, its health check. */
export function servedPatterns(process: BusProcess): string[] {
  if (!isService(process)) return [];
  const own = [...ALL_ENDPOINTS, ...allParticipantEndpoints()].filter((e) => e.service === process);
  return [...own.map((e) => e.pattern), healthPattern(process)];
}

/** Endpoints each service calls on another, as the System principal (callAsSystem / requestAsSystem). */
export const SERVICE_CALLS: Readonly<Record<ServiceName, readonly EndpointDef[]>> = {
  orgs: [BillingEndpoints.addonTerms, SubscriptionEndpoints.startForRegistration],
  billing: [OrgsEndpoints.agreementStatus, OrgsEndpoints.orgState, SubscriptionEndpoints.settleFromWebhook],
  subscriptions: [BillingEndpoints.debit, OrgsEndpoints.featuresApply],
  transfers: [
    OrgsEndpoints.ownerChange,
    OrgsEndpoints.primaryEmailChange,
    OrgsEndpoints.orgLookup,
    ...allParticipantEndpoints(),
  ],
};

/** The patterns a process sends requests to. The gateway: every HTTP endpoint, each health check and the org-state lookup. */
export function calledPatterns(process: BusProcess): string[] {
  if (process === 'gateway') {
    return [...HTTP_ENDPOINTS.map((e) => e.pattern), ...SERVICES.map(healthPattern), OrgsEndpoints.orgState.pattern];
  }
  if (!isService(process)) return [];
  return SERVICE_CALLS[process].map((e) => e.pattern);
}

/** Whether `from` has declared calling `pattern`; an undeclared call would be refused by the NATS server anyway. */
export function callDeclared(from: BusProcess, pattern: string): boolean {
  return calledPatterns(from).includes(pattern);
}

/** The event subjects a process publishes. */
export function producedSubjects(process: BusProcess): string[] {
  return EVENT_CATALOGUE.filter((e) => EVENT_PRODUCERS.get(e) === process).map((e) => e.subject);
}

/** A durable JetStream consumer of one event subject, held by one process. */
export interface EventConsumerDef<T extends EventContract = EventContract> {
  process: BusProcess;
  /** Durable name (the JetStream consumer is `<durable>_<subject>`, see jetstream-bus.ts). */
  durable: string;
  event: T;
}

function consumer<T extends EventContract>(process: BusProcess, durable: string, event: T): EventConsumerDef<T> {
  return { process, durable, event };
}

/** Every durable consumer of the system. */
export const EVENT_CONSUMERS = {
  orgsFeatureFlags: consumer('orgs', 'orgs_feature_flags', SubscriptionChangedEvent),
  orgsStatusPaymentFailed: consumer('orgs', 'orgs_status_payment_failed', SubscriptionPaymentFailedEvent),
  orgsStatusSubscriptionChanged: consumer('orgs', 'orgs_status_subscription_changed', SubscriptionChangedEvent),
  orgsStatusDebitDeclined: consumer('orgs', 'orgs_status_debit_declined', BillingDebitDeclinedEvent),
  orgsTeardownAcknowledged: consumer('orgs', 'orgs_teardown_acknowledged', OrgTeardownAcknowledgedEvent),
  billingLedgerClosure: consumer('billing', 'billing-ledger-closure', OrgDeletedEvent),
  subscriptionsOrgCreated: consumer('subscriptions', 'subscriptions-org-created', OrgCreatedEvent),
  subscriptionsOrgDeleted: consumer('subscriptions', 'subscriptions-org-deleted', OrgDeletedEvent),
  subscriptionsAccountCancellation: consumer(
    'subscriptions',
    'subscriptions-account-cancellation',
    OrgStatusChangedEvent,
  ),
  subscriptionsBalanceTopUp: consumer('subscriptions', 'subscriptions-balance-topup', BillingBalanceChangedEvent),
  k8sTeardown: consumer('k8s-teardown', 'k8s_teardown', OrgDeletedEvent),
} as const;

/** The durable consumers a process holds. */
export function consumersOf(process: BusProcess): EventConsumerDef[] {
  return Object.values(EVENT_CONSUMERS).filter((c) => c.process === process);
}

/**
 * Events a process watches live, without a durable consumer: every gateway replica drops its cached
 * org state on these (a plain NATS subscription, so it needs no JetStream consumer of its own).
 */
export const WATCHED_EVENTS: Readonly<Partial<Record<BusProcess, readonly EventContract[]>>> = {
  gateway: [OrgCreatedEvent, OrgUpdatedEvent, OrgStatusChangedEvent, OrgDeletedEvent, SubscriptionChangedEvent],
};

export function isService(process: BusProcess): process is ServiceName {
  return (SERVICES as readonly string[]).includes(process);
}
