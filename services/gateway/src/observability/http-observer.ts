import {
  contextFromTraceparent,
  httpRequestDuration,
  inSpan,
  metricsRegistry,
  secondsSince,
  SpanKind,
} from '@org-mgmt/runtime';
import { NextFunction, Request, RequestHandler, Response } from 'express';
import { context } from '@opentelemetry/api';

/**
 * Every API request in a server span that continues the caller's `traceparent`, and in the latency
 * histogram by route (the endpoint table's path, so ids do not explode the label set) and status.
 */
export function httpObserver(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    void inSpan(
      `HTTP ${req.method}`,
      SpanKind.SERVER,
      contextFromTraceparent(req.header('traceparent'), context.active()),
      (span) => {
        const finished = new Promise<void>((resolve) => res.once('close', resolve));
        next();
        return finished.then(() => {
          const route: string = req.route?.path ?? 'unmatched';
          const status = String(res.statusCode);
          span.updateName(`HTTP ${req.method} ${route}`);
          span.setAttributes({
            'http.request.method': req.method,
            'http.route': route,
            'http.response.status_code': res.statusCode,
          });
          httpRequestDuration.observe({ method: req.method, route, status }, secondsSince(started));
        });
      },
    );
  };
}

/** Prometheus text of this process's registry. */
export async function metricsHandler(_req: Request, res: Response): Promise<void> {
  res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
}
