import { EventContract } from './common/events';
import { BillingBalanceChangedEvent, BillingDebitDeclinedEvent, ServicePurchasedEvent, ServicePurchaseFailedEvent } from './billing/events';
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

/** Every event subject published to JetStream, with its payload schema (documented for subscribers). */
export const EVENT_CATALOGUE: readonly EventContract[] = [
  OrgCreatedEvent,
  OrgUpdatedEvent,
  OrgStatusChangedEvent,
  BillingBalanceChangedEvent,
  OrgDeletedEvent,
  OrgTeardownAcknowledgedEvent,
  OrgOwnershipTransferredEvent,
  OrgEmailChangedEvent,
  TransferCompletedEvent,
  BillingDebitDeclinedEvent,
  SubscriptionChangedEvent,
  SubscriptionPaymentFailedEvent,
  ServiceAgreementAcceptedEvent,
  ServiceAgreementRevokedEvent,
  ServicePurchasedEvent,
  ServicePurchaseFailedEvent,
];

/** JetStream subjects the stream captures: two-token subjects only, so RPC patterns never land in it. */
export const EVENT_STREAM_SUBJECTS = ['org.*', 'billing.*', 'subscription.*', 'transfer.*', 'services.*'] as const;
