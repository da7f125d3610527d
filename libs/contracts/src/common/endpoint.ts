import { z } from 'zod';
import { Access } from '../permissions';
import { ErrorCode } from './errors';

export type ServiceName = 'orgs' | 'billing' | 'subscriptions' | 'transfers';
/** Every process that connects to the bus, each as a NATS user of its own. */
export type BusProcess = ServiceName | 'gateway' | 'k8s-teardown';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One operation of the API: its HTTP route under /org-management, the RPC pattern of the service
 * that owns it, who may call it, and the zod schemas of its input and output.
 */
export interface EndpointDef {
  method: HttpMethod;
  /** Express 5 path under /org-management, e.g. `/profile{/:orgId}`. */
  path: string;
  service: ServiceName;
  /** `<service>.<resource>.<verb>`; also the endpoint's id. */
  pattern: string;
  access: Access;
  /**
   * Reachable while its org is SUSPENDED or INACTIVE: what lets the org see its state and pay its way
   * out. Public endpoints are never blocked.
   */
  allowedWhenBlocked?: boolean;
  /**
   * On success the gateway drops the cached state of the orgs it acted on and answered with
   * (read-your-writes): status changes, flag overrides, every change of plan.
   */
  writesOrgState?: boolean;
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  /** Body fields naming orgs the caller acts on; checked like the `orgid` header. */
  bodyOrgFields?: readonly string[];
  /** Reached over NATS only (System callers); never routed over HTTP. */
  internal?: boolean;
  successStatus?: number;
  /** Accepts an Idempotency-Key header. */
  idempotent?: boolean;
  /** The body travels unparsed as `rawBody` (signed webhooks verify the exact bytes). */
  rawBody?: boolean;
  /** Request headers the service needs (lower case), forwarded as `headers`. */
  forwardHeaders?: readonly string[];
  /** Domain error codes it may answer besides the gateway's common ones (listed in the OpenAPI document). */
  errors?: readonly ErrorCode[];
}

export function endpoint<const D extends EndpointDef>(def: D): D {
  return def;
}

export type Input<E extends EndpointDef> = {
  params: E['params'] extends z.ZodType ? z.output<E['params']> : Record<string, never>;
  query: E['query'] extends z.ZodType ? z.output<E['query']> : Record<string, never>;
  body: E['body'] extends z.ZodType ? z.output<E['body']> : undefined;
};

/** Whether a request may go ahead while the org it acts on is SUSPENDED or INACTIVE. */
export function reachableWhenBlocked(def: EndpointDef): boolean {
  return def.access.kind === 'public' || def.allowedWhenBlocked === true;
}

/** The orgs a request body names in the endpoint's `bodyOrgFields`: checked like the `orgid` header. */
export function bodyOrgIds(def: EndpointDef, body: unknown): string[] {
  if (!def.bodyOrgFields || typeof body !== 'object' || body === null) return [];
  const record = body as Record<string, unknown>;
  return def.bodyOrgFields.map((field) => record[field]).filter((v): v is string => typeof v === 'string');
}
