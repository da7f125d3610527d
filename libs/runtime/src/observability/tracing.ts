import { Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * W3C trace context across the system: the gateway continues a caller's `traceparent` (or starts a
 * trace), the RPC envelope carries it over the bus, each service continues it around its handler
 * and its database queries. Spans leave the process only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
 */
const TRACER = 'org-management';
const w3c = new W3CTraceContextPropagator();
let provider: NodeTracerProvider | undefined;

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL, e.g. http://otel-collector:4318; spans go to `<endpoint>/v1/traces`. */
  otlpEndpoint?: string;
  /** Extra processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/** Once per process; later calls keep the first setup (so a test's setup wins over startSystem's). */
export function initTracing(options: TracingOptions): void {
  if (provider) return;
  const processors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  // With nowhere to send spans, none is recorded; trace ids still flow from hop to hop (and into logs).
  const sampler = processors.length ? undefined : new AlwaysOffSampler();
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors: processors,
    sampler,
  });
  provider.register({ propagator: w3c });
}

/** Sends buffered spans now (before exit, or in tests). */
export async function flushTraces(): Promise<void> {
  await provider?.forceFlush();
}

export function tracer() {
  return trace.getTracer(TRACER);
}

/** The context a `traceparent` header value names (the active context when there is none). */
export function contextFromTraceparent(traceparent: unknown, parent: Context = ROOT_CONTEXT): Context {
  if (typeof traceparent !== 'string') return parent;
  return w3c.extract(parent, { traceparent }, { get: (c, k) => c[k as 'traceparent'], keys: (c) => Object.keys(c) });
}

/** The `traceparent` of the active span, for the next hop. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, { set: (c, k, v) => (c[k] = v) });
  return carrier.traceparent;
}

/** Runs `work` in a new span (child of `parent`), ending it with the outcome `work` reports. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { kind }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}

export { context, propagation, SpanKind, SpanStatusCode };
