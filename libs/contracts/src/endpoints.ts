import { EndpointDef } from './common/endpoint';
import { BillingEndpoints } from './billing/endpoints';
import { OrgsEndpoints } from './orgs/endpoints';
import { SubscriptionEndpoints } from './subscriptions/endpoints';
import { TransferEndpoints } from './transfers/endpoints';

/**
 * Every operation of the API, in routing order (static paths before parameterised ones).
 * The gateway routes, validates and authorises from this list; the OpenAPI document and the
 * permission tests are generated from it.
 */
export const ALL_ENDPOINTS: readonly EndpointDef[] = [
  ...Object.values(OrgsEndpoints),
  ...Object.values(BillingEndpoints),
  ...Object.values(SubscriptionEndpoints),
  ...Object.values(TransferEndpoints),
];

export const HTTP_ENDPOINTS = ALL_ENDPOINTS.filter((e) => !e.internal);
