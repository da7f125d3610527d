import { AppError, EndpointDef, RpcResult } from '@org-mgmt/contracts';
import { AppConfig, assertCallDeclared, RpcClient, systemPrincipal } from '@org-mgmt/runtime';
import { randomUUID } from 'node:crypto';

/** Calls another service's System-only endpoint as the transfers service. */
export async function systemRequest(
  rpc: RpcClient,
  config: AppConfig,
  def: EndpointDef,
  body: unknown,
  timeoutMs?: number,
): Promise<RpcResult> {
  assertCallDeclared('transfers', def);
  return rpc.request(
    def.pattern,
    { principal: systemPrincipal('transfers', config.ROOT_ORG_ID), orgId: null, requestId: randomUUID(), body },
    timeoutMs,
  );
}

/** Like systemRequest, but resolves with the data and throws the failure as an AppError. */
export async function systemCall<T>(
  rpc: RpcClient,
  config: AppConfig,
  def: EndpointDef,
  body: unknown,
  timeoutMs?: number,
): Promise<T> {
  const result = await systemRequest(rpc, config, def, body, timeoutMs);
  if (result.ok) return result.data as T;
  throw AppError.fromBody(result.error);
}
