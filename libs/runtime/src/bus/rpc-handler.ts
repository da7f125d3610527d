import { MessagePattern } from '@nestjs/microservices';
import {
  AppError,
  authorize,
  bodyOrgIds,
  EndpointDef,
  Input,
  Principal,
  RpcRequest,
  RpcRequestSchema,
  RpcResult,
  validationError,
} from '@org-mgmt/contracts';
import { z } from 'zod';
import { observeHandler } from '../observability/rpc-observer';
import { runtimeSettings } from '../settings';
import { isConcurrencyConflict, isDatabaseUnavailable } from '../db/database';
import { ReplayedResponse } from './replayed-response';

/** Any endpoint only an authenticated caller may reach: the default, for helpers several handlers share. */
type AuthenticatedEndpoint = EndpointDef & { access: { kind: 'member' | 'configAdmin' | 'roles' } };

/** The caller by access kind: only public endpoints may have none (`authorize` refuses the others without one). */
interface CallerOf {
  public: Principal | null;
  member: Principal;
  configAdmin: Principal;
  roles: Principal;
}

/** What a handler receives: the verified caller, the org acted on, and input parsed by the contract. */
export interface RpcContext<E extends EndpointDef = AuthenticatedEndpoint> extends Input<E> {
  principal: CallerOf[E['access']['kind']];
  orgId: string | null;
  requestId: string;
  idempotencyKey?: string;
  client?: RpcRequest['client'];
  orgState?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** The org a context acts on; endpoints that need one fail clearly when it is missing. */
export function requireOrgId(ctx: RpcContext): string {
  if (!ctx.orgId) throw new AppError('VALIDATION_FAILED', 'An org is required: send the orgid header');
  return ctx.orgId;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, location: string): unknown {
  if (!schema) return location === 'body' ? undefined : {};
  const parsed = schema.safeParse(value ?? (location === 'body' ? undefined : {}));
  if (!parsed.success) throw validationError(parsed.error.issues, location);
  return parsed.data;
}

/**
 * Checks the caller's signed identity assertion before anything else, then parses the envelope and
 * the input against the contract and enforces the permission matrix again.
 */
export async function contextFrom<E extends EndpointDef>(def: E, raw: unknown): Promise<RpcContext<E>> {
  const { rootOrgId, assertions } = runtimeSettings();
  const fields = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const principal = await assertions.verify(fields.assertion, def.service, fields.principal);
  const envelope = RpcRequestSchema.safeParse(raw);
  if (!envelope.success) throw validationError(envelope.error.issues, 'message');
  const msg = envelope.data;
  // Who before what: a caller without the rights learns nothing about what the input should be.
  authorize(def.access, principal, msg.orgId ? [msg.orgId] : [], rootOrgId);
  const params = parsePart(def.params, msg.params, 'params');
  const query = parsePart(def.query, msg.query, 'query');
  const body = parsePart(def.body, msg.body, 'body');
  authorize(def.access, principal, bodyOrgIds(def, body), rootOrgId);
  return {
    principal,
    orgId: msg.orgId,
    requestId: msg.requestId,
    idempotencyKey: msg.idempotencyKey,
    client: msg.client,
    orgState: msg.orgState,
    rawBody: msg.rawBody,
    headers: msg.headers,
    params,
    query,
    body,
  } as RpcContext<E>;
}

/** Runs `work`, answering with a success or a failure: nothing is ever thrown into the transport. */
export async function answer(work: () => Promise<unknown>, pattern: string): Promise<RpcResult> {
  try {
    const data = await work();
    if (data instanceof ReplayedResponse) return { ok: true, data: JSON.parse(data.body), replayedBody: data.body };
    return { ok: true, data: data ?? null };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, error: err.toBody() };
    if (isDatabaseUnavailable(err)) {
      runtimeSettings().logger.warn({ err, pattern }, 'database unavailable');
      return {
        ok: false,
        error: new AppError('SERVICE_UNAVAILABLE', 'The service cannot reach its database; try again shortly').toBody(),
      };
    }
    if (isConcurrencyConflict(err)) {
      runtimeSettings().logger.error({ err, pattern }, 'transaction aborted by a concurrent one (a lock-order defect)');
      return {
        ok: false,
        error: new AppError('CONFLICT', 'A concurrent request changed the same data; retry the request').toBody(),
      };
    }
    runtimeSettings().logger.error({ err, pattern }, 'unhandled error in handler');
    return { ok: false, error: { code: 'INTERNAL', message: 'Internal error' } };
  }
}

/**
 * Marks a method as the handler of an endpoint's pattern. The method receives an RpcContext whose
 * input is already validated and whose caller is already authorised against the matrix.
 */
export function Rpc<E extends EndpointDef>(def: E) {
  return <R>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<(ctx: RpcContext<E>) => Promise<R>>,
  ) => {
    const handler = descriptor.value!;
    const wrapped = function (this: unknown, raw: unknown) {
      return observeHandler(def.pattern, raw, () =>
        answer(async () => handler.call(this, await contextFrom(def, raw)), def.pattern),
      );
    };
    Object.defineProperty(wrapped, 'name', { value: String(key) });
    descriptor.value = wrapped as unknown as typeof handler;
    MessagePattern(def.pattern)(target, key, descriptor);
    return descriptor;
  };
}
