import { Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Knex } from 'knex';
import { tracer } from './tracing';

interface QueryEvent {
  __knexQueryUid: string;
  sql: string;
  method?: string;
}

/**
 * One client span per query run inside a traced request (knex's query events fire in the caller's
 * async context). Background work with no active span (the outbox relay's polling) is not traced.
 */
export function traceQueries(db: Knex, schema: string): void {
  const open = new Map<string, Span>();
  db.on('query', (query: QueryEvent) => {
    if (!trace.getActiveSpan()) return;
    const span = tracer().startSpan(`db ${query.method ?? 'query'}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.namespace': schema, 'db.query.text': query.sql },
    });
    open.set(query.__knexQueryUid, span);
  });
  const end = (query: QueryEvent, err?: Error) => {
    const span = open.get(query.__knexQueryUid);
    if (!span) return;
    open.delete(query.__knexQueryUid);
    if (err) span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    span.end();
  };
  db.on('query-response', (_response: unknown, query: QueryEvent) => end(query));
  db.on('query-error', (err: Error, query: QueryEvent) => end(query, err));
}
