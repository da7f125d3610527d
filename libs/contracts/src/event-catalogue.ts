import { BusProcess } from './common/endpoint';
import { EventContract } from './common/events';
import {
  BillingBalanceChangedEvent,
  BillingDebitDeclinedEvent,
  ServicePurchasedEvent,
  ServicePurchaseFailedEvent,
} from './billing/events';
import {
  OrgCreatedEvent,
  OrgDeletedEvent,
  OrgEmailChangedEvent,
  OrgOwnershipTransferredEvent,
  OrgStatusChangedEvent,
  OrgTeardownAcknowledgedEvent,
  OrgUpdatedEvent,
  ServiceAgreementAcceptedEvent,
  ServiceAgreementRevokedEvent,
} from './orgs/events';
import { TransferCompletedEvent } from './transfers/events';
import { SubscriptionChangedEvent, SubscriptionPaymentFailedEvent } from './subscriptions/events';

/** Every event subject published to JetStream, with its payload schema, and the one process that publishes it. */
export const EVENT_PRODUCERS: ReadonlyMap<EventContract, BusProcess> = new Map<EventContract, BusProcess>([
  [OrgCreatedEvent, 'orgs'],
  [OrgUpdatedEvent, 'orgs'],
  [OrgStatusChangedEvent, 'orgs'],
  [BillingBalanceChangedEvent, 'billing'],
  [OrgDeletedEvent, 'orgs'],
  [OrgTeardownAcknowledgedEvent, 'k8s-teardown'],
  [OrgOwnershipTransferredEvent, 'orgs'],
  [OrgEmailChangedEvent, 'orgs'],
  [TransferCompletedEvent, 'transfers'],
  [BillingDebitDeclinedEvent, 'billing'],
  [SubscriptionChangedEvent, 'subscriptions'],
  [SubscriptionPaymentFailedEvent, 'subscriptions'],
  [ServiceAgreementAcceptedEvent, 'orgs'],
  [ServiceAgreementRevokedEvent, 'orgs'],
  [ServicePurchasedEvent, 'billing'],
  [ServicePurchaseFailedEvent, 'billing'],
]);

/** Every event subject published to JetStream, with its payload schema (documented for subscribers). */
export const EVENT_CATALOGUE: readonly EventContract[] = [...EVENT_PRODUCERS.keys()];

/** JetStream subjects the stream captures: two-token subjects only, so RPC patterns never land in it. */
export const EVENT_STREAM_SUBJECTS = ['org.*', 'billing.*', 'subscription.*', 'transfer.*', 'services.*'] as const;
