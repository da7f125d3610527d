import { EndpointDef } from '@org-mgmt/contracts';
import { validSample } from './generate';

/**
 * Valid requests for every endpoint of the contract, generated from its zod schemas, with a small
 * override table where a useful request needs real values (an add-on that exists, an org id).
 */

/** How a request names the org it acts on. */
export type Via = 'implicit' | 'path' | 'header' | 'body';

export interface SampleRequest {
  path: string;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body?: unknown;
  rawBody?: string;
  orgid?: string;
}

/** Endpoints whose success would block the org for every later case: each of their cases gets fresh orgs. */
export const DESTRUCTIVE = new Set(['orgs.status.suspend', 'orgs.account.cancel', 'orgs.org.delete']);

/**
 * Endpoints a permitted caller's sample request really succeeds on (the matrix then asserts the
 * exact success status, not only "not refused").
 */
export const SUCCEEDS = new Set([
  'orgs.org-name.check',
  'orgs.profile.update',
  'orgs.customer.update',
  'orgs.address.create',
  'orgs.signup.create',
  'orgs.signup.validate',
  'billing.credits.buy',
  'billing.credits.gift',
  'billing.credits.add',
  'orgs.address.list',
  'orgs.profile.get',
  'orgs.signup.list',
  'orgs.agreement.list',
  'orgs.agreement.get',
  'billing.balance.get',
  'billing.transaction.list',
  'billing.addon.list',
  'billing.addon.pricing',
  'billing.addon.purchased',
  'subscriptions.plan.list',
  'transfers.job.list',
]);

export const SERVICE_WITH_TERMS = 'premium-domain';

/** Values generation cannot guess: param and body fields that must name something real. */
const OVERRIDES: Record<string, { params?: Record<string, string>; body?: Record<string, unknown>; rawBody?: string }> =
  {
    // Generation may add `features` or `policy`, which only root roles may set: keep to company fields.
    'orgs.profile.update': { body: { displayName: 'Matrix Display' } },
    'orgs.agreement.get': { params: { serviceName: SERVICE_WITH_TERMS } },
    'orgs.agreement.accept': { params: { serviceName: SERVICE_WITH_TERMS } },
    'orgs.agreement.revoke': { params: { serviceName: SERVICE_WITH_TERMS } },
    'billing.addon.pricing': { params: { serviceName: SERVICE_WITH_TERMS } },
    'billing.addon.purchase': { body: { serviceName: 'priority-support', paymentSource: 'credits' } },
    'billing.credits.buy': { body: { amount: 500, currency: 'USD', paymentMethodId: 'pm_card_visa' } },
    'billing.webhook.stripe': { rawBody: '{"id":"evt_matrix","type":"ping"}' },
  };

/** The ways an endpoint lets a caller name another org than its own. */
export function otherOrgVias(def: EndpointDef): Via[] {
  const vias: Via[] = [];
  if (pathOrgParam(def)) vias.push('path');
  if (!requiresPathOrg(def)) vias.push('header');
  if (def.bodyOrgFields?.length) vias.push('body');
  return vias;
}

/**
 * How a request names the caller's own org: the path or body when the endpoint takes one there, else
 * nothing; an optional path org is tried both left out and given.
 */
export function ownOrgVias(def: EndpointDef): Via[] {
  if (requiresPathOrg(def)) return ['path'];
  if (def.bodyOrgFields?.length) return ['body'];
  return pathOrgParam(def) ? ['implicit', 'path'] : ['implicit'];
}

function pathOrgParam(def: EndpointDef): boolean {
  return /:orgId\b/.test(def.path);
}

function requiresPathOrg(def: EndpointDef): boolean {
  return /\/:orgId\b/.test(def.path) && !/\{\/:orgId\}/.test(def.path);
}

/**
 * A valid request acting on `target`, named `via`; `ownOrg` fills the other org fields of a body
 * naming several (a transfer from the caller's org to `target`).
 */
export function sampleRequest(
  def: EndpointDef,
  target: string,
  ownOrg: string,
  via: Via,
  seed = 1,
  optionals = false,
): SampleRequest {
  const override = OVERRIDES[def.pattern] ?? {};
  const params = {
    ...(def.params ? (validSample(def.params, seed, optionals) as Record<string, string>) : {}),
    ...override.params,
  };
  if (pathOrgParam(def)) {
    if (via === 'path') params.orgId = target;
    else delete params.orgId;
  }
  const query = def.query ? ((validSample(def.query, seed, optionals) as Record<string, unknown>) ?? {}) : {};
  let body: unknown = def.body ? (override.body ?? validSample(def.body, seed, optionals)) : undefined;
  if (def.bodyOrgFields?.length && body) {
    const fields = def.bodyOrgFields;
    body = {
      ...(body as object),
      ...Object.fromEntries(
        fields.map((field, i) => [field, via === 'body' && i === fields.length - 1 ? target : ownOrg]),
      ),
    };
  }
  return {
    path: expressPath(def.path, params),
    params,
    query,
    body,
    rawBody: override.rawBody,
    orgid: via === 'header' ? target : undefined,
  };
}

/**
 * An Express 5 path with its parameters filled in (`{/:orgId}` dropped when not given); `rawParams`
 * go in as written, for segments that are not valid percent-encoding.
 */
export function expressPath(
  path: string,
  params: Record<string, string | undefined>,
  rawParams: Record<string, string> = {},
): string {
  const part = (name: string) => rawParams[name] ?? encodePathPart(params[name] ?? '');
  return path
    .replace(/\{\/:(\w+)\}/g, (_all, name: string) => ((rawParams[name] ?? params[name]) ? `/${part(name)}` : ''))
    .replace(/:(\w+)/g, (_all, name: string) => part(name));
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) goes as the three bytes a
 * careless encoder makes of it (`%ED%A0%80` for U+D800): not UTF-8, so the server cannot decode it.
 */
export function encodePathPart(value: string): string {
  return [...value]
    .map((char) => (isLoneSurrogate(char) ? surrogateBytes(char.charCodeAt(0)) : encodeURIComponent(char)))
    .join('');
}

const isLoneSurrogate = (char: string) =>
  char.length === 1 && char.charCodeAt(0) >= 0xd800 && char.charCodeAt(0) <= 0xdfff;

function surrogateBytes(unit: number): string {
  return [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
    .map((b) => `%${b.toString(16).toUpperCase()}`)
    .join('');
}

export function withQuery(path: string, query: Record<string, unknown>): string {
  const search: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      search.push(`${encodePathPart(name)}=${encodePathPart(typeof item === 'string' ? item : JSON.stringify(item))}`);
    }
  }
  return search.length > 0 ? `${path}?${search.join('&')}` : path;
}
