import { context, SpanKind } from '@opentelemetry/api';
import { RpcRequest, RpcResult } from '@org-mgmt/contracts';
import { RpcClient } from '../bus/rpc-client';
import { rpcClientDuration, rpcServerDuration, secondsSince } from './metrics';
import { contextFromTraceparent, currentTraceparent, inSpan } from './tracing';

function outcomeOf(result: RpcResult): string {
  return result.ok ? 'ok' : result.error.code;
}

/** A client that times every request and sends the active trace context in the envelope. */
export function observedRpcClient(inner: RpcClient): RpcClient {
  return {
    request: (pattern, message, timeoutMs) =>
      inSpan(`rpc.client ${pattern}`, SpanKind.CLIENT, context.active(), async (span) => {
        const started = process.hrtime.bigint();
        const traced: RpcRequest = { ...message, traceparent: currentTraceparent() ?? message.traceparent };
        const result = await inner.request(pattern, traced, timeoutMs);
        const outcome = outcomeOf(result);
        rpcClientDuration.observe({ pattern, outcome }, secondsSince(started));
        span.setAttribute('rpc.outcome', outcome);
        return result;
      }),
    close: () => inner.close(),
  };
}

/** Around a service's handler: continues the caller's trace and times the handling by outcome. */
export function observeHandler(pattern: string, raw: unknown, handle: () => Promise<RpcResult>): Promise<RpcResult> {
  const traceparent =
    typeof raw === 'object' && raw !== null ? (raw as { traceparent?: unknown }).traceparent : undefined;
  return inSpan(`rpc ${pattern}`, SpanKind.SERVER, contextFromTraceparent(traceparent), async (span) => {
    const started = process.hrtime.bigint();
    const result = await handle();
    const outcome = outcomeOf(result);
    rpcServerDuration.observe({ pattern, outcome }, secondsSince(started));
    span.setAttribute('rpc.outcome', outcome);
    return result;
  });
}
