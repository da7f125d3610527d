import { AppError, RpcRequest, RpcResult, RpcResultSchema } from '@org-mgmt/contracts';

/** Sends a request to the service owning `pattern` and waits for its RpcResult, bounded by a timeout. */
export interface RpcClient {
  request(pattern: string, message: RpcRequest, timeoutMs?: number): Promise<RpcResult>;
  close(): Promise<void>;
}

/** Sends and unwraps: resolves with the data of a success, throws the AppError of a failure. */
export async function call<T>(client: RpcClient, pattern: string, message: RpcRequest, timeoutMs?: number): Promise<T> {
  const result = await client.request(pattern, message, timeoutMs);
  if (result.ok) return result.data as T;
  throw AppError.fromBody(result.error);
}

export function unavailable(pattern: string): RpcResult {
  return { ok: false, error: new AppError('SERVICE_UNAVAILABLE', `No service answers ${serviceOf(pattern)} requests`).toBody() };
}

export function timedOut(pattern: string, timeoutMs: number): RpcResult {
  return {
    ok: false,
    error: new AppError('SERVICE_TIMEOUT', `${serviceOf(pattern)} did not answer within ${timeoutMs} ms`).toBody(),
  };
}

/** A reply that is not an RpcResult means a handler broke the contract: never pass it on as data. */
export function checkedResult(pattern: string, reply: unknown): RpcResult {
  const parsed = RpcResultSchema.safeParse(reply);
  if (parsed.success) return parsed.data as RpcResult;
  return { ok: false, error: new AppError('INTERNAL', `Malformed reply from ${serviceOf(pattern)}`).toBody() };
}

function serviceOf(pattern: string): string {
  return pattern.split('.')[0];
}
