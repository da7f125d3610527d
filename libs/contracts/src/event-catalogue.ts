import { EventContract } from './common/events';
import { BillingDebitDeclinedEvent } from './billing/events';
import { OrgCreatedEvent, OrgEmailChangedEvent, OrgOwnershipTransferredEvent, OrgStatusChangedEvent, OrgUpdatedEvent } from './orgs/events';
import { TransferCompletedEvent } from './transfers/events';
import { SubscriptionChangedEvent, SubscriptionPaymentFailedEvent } from './subscriptions/events';

/** Every event subject published to JetStream, with its payload schema (documented for subscribers). */
export const EVENT_CATALOGUE: readonly EventContract[] = [
  OrgCreatedEvent,
  OrgUpdatedEvent,
  OrgStatusChangedEvent,
  OrgOwnershipTransferredEvent,
  OrgEmailChangedEvent,
  TransferCompletedEvent,
  BillingDebitDeclinedEvent,
  SubscriptionChangedEvent,
  SubscriptionPaymentFailedEvent,
];

/** JetStream subjects the stream captures: two-token subjects only, so RPC patterns never land in it. */
export const EVENT_STREAM_SUBJECTS = ['org.*', 'billing.*', 'subscription.*', 'transfer.*', 'services.*'] as const;
