import { z } from 'zod';
import { ErrorBodySchema } from './errors';
import { PrincipalSchema } from './principal';

/** What the gateway sends with every RPC: the caller, the org acted on, and the validated input. */
export const RpcRequestSchema = z.object({
  principal: PrincipalSchema.nullable(),
  /** The signed identity assertion naming `principal` (libs/runtime bus/identity-assertion.ts); services refuse a request without one. */
  assertion: z.string().optional(),
  /** The org the request acts on (path, `orgid` header, else the principal's own); null when public and unnamed. */
  orgId: z.string().nullable(),
  requestId: z.string(),
  traceparent: z.string().optional(),
  idempotencyKey: z.string().optional(),
  client: z.object({ ip: z.string().optional(), userAgent: z.string().optional() }).optional(),
  /** Org state as the gateway's cache knows it (status, effective features). */
  orgState: z.unknown().optional(),
  params: z.unknown().optional(),
  query: z.unknown().optional(),
  body: z.unknown().optional(),
  /** The request body as received, for endpoints with `rawBody` (signature verification). */
  rawBody: z.string().optional(),
  /** The endpoint's `forwardHeaders` that the request carried. */
  headers: z.record(z.string(), z.string()).optional(),
});
export type RpcRequest = z.infer<typeof RpcRequestSchema>;

/**
 * Handlers never throw into the transport: they answer with a success or a failure. `replayedBody`:
 * the stored response text of a repeated Idempotency-Key, sent to the client verbatim.
 */
export type RpcResult<T = unknown> =
  { ok: true; data: T; replayedBody?: string } | { ok: false; error: z.infer<typeof ErrorBodySchema> };
export const RpcResultSchema = z.union([
  z.object({ ok: z.literal(true), data: z.unknown(), replayedBody: z.string().optional() }),
  z.object({ ok: z.literal(false), error: ErrorBodySchema }),
]);
