import { AppError, RpcRequest, RpcResult, RpcResultSchema } from '@org-mgmt/contracts';
import { AssertionSigner } from './identity-assertion';

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

/** A client that attaches the identity assertion for the message's principal, addressed to the pattern's service. */
export function signingRpcClient(inner: RpcClient, signer: AssertionSigner): RpcClient {
  return {
    async request(pattern, message, timeoutMs) {
      let assertion: string;
      try {
        assertion = await signer.assertionFor(message.principal, serviceOf(pattern));
      } catch (err) {
        if (err instanceof AppError) return { ok: false, error: err.toBody() };
        throw err;
      }
      return inner.request(pattern, { ...message, assertion }, timeoutMs);
    },
    close: () => inner.close(),
  };
}

export function unavailable(pattern: string): RpcResult {
  return {
    ok: false,
    error: new AppError('SERVICE_UNAVAILABLE', `No service answers ${serviceOf(pattern)} requests`).toBody(),
  };
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
