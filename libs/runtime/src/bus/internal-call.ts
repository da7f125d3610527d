import { AppError, BusProcess, callDeclared, EndpointDef, Input, RpcResult } from '@org-mgmt/contracts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { runtimeSettings } from '../settings';
import { BusSigner } from './bus-keys';
import { systemPrincipal } from './identity-assertion';
import { RpcClient } from './rpc-client';

export interface InternalCallInput<E extends EndpointDef> {
  /** The org the call acts on. */
  orgId: string | null;
  params?: Partial<Input<E>['params']>;
  body?: E['body'] extends z.ZodType ? z.input<E['body']> : undefined;
  /** The request id of the request that caused this call, for tracing. */
  requestId?: string;
}

type Output<E extends EndpointDef> = E['response'] extends z.ZodType ? z.output<E['response']> : unknown;

/**
 * One service calling another's endpoint as the System principal of the root org, `from` naming the
 * caller (its bus signing key signs the assertion). The answer is parsed by the endpoint's response
 * schema; a failure throws its AppError.
 */
export async function callAsSystem<E extends EndpointDef>(
  rpc: RpcClient,
  from: BusSigner,
  def: E,
  input: InternalCallInput<E>,
): Promise<Output<E>> {
  const result = await requestAsSystem(rpc, from, def, input);
  if (!result.ok) throw AppError.fromBody(result.error);
  return (def.response ? def.response.parse(result.data) : result.data) as Output<E>;
}

/** Like callAsSystem, but answers the RpcResult as it came, for callers that decide on its error code. */
export async function requestAsSystem<E extends EndpointDef>(
  rpc: RpcClient,
  from: BusSigner,
  def: E,
  input: InternalCallInput<E>,
): Promise<RpcResult> {
  assertCallDeclared(from, def);
  return rpc.request(def.pattern, {
    principal: systemPrincipal(from, runtimeSettings().rootOrgId),
    orgId: input.orgId,
    requestId: input.requestId ?? randomUUID(),
    params: input.params,
    body: input.body,
  });
}

/**
 * A service call not declared in contracts' SERVICE_CALLS is a programming error: the NATS server's
 * generated permissions would refuse it in production, so it is refused here, in every mode, too.
 */
export function assertCallDeclared(from: BusProcess, def: EndpointDef): void {
  if (!callDeclared(from, def.pattern))
    throw new Error(`${from} calls ${def.pattern}, which contracts' SERVICE_CALLS does not declare`);
}
