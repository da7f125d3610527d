import { EndpointDef, ErrorBody, ErrorCode, httpStatusOf } from '@org-mgmt/contracts';
import { Logger } from '@org-mgmt/runtime';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { NextFunction, Request, Response, Router } from 'express';
import { Server as HttpServer, STATUS_CODES, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';

/**
 * What the gateway answers when no endpoint takes a request: an unknown path, a known path with
 * the wrong method, an error no handler caught, a request node's parser refused. All in the one
 * error envelope, never express's HTML page, Nest's own JSON or a stack.
 */

export function sendError(res: Response, error: ErrorBody): void {
  const retryAfterMs = (error.details as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (error.code === 'RATE_LIMITED' && typeof retryAfterMs === 'number') {
    res.setHeader('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  }
  res.status(httpStatusOf(error.code)).json({ error });
}

/**
 * Mounted after the endpoints' routes: a request still unanswered whose path is an endpoint's gets
 * 405 with `Allow` (every method of every route its path matches); OPTIONS gets 204 with `Allow`.
 */
export function methodNotAllowed(endpoints: readonly EndpointDef[]): Router {
  const router = express.Router();
  for (const def of endpoints) {
    router.all(def.path, (_req, res, next) => {
      const allowed: Set<string> = (res.locals.allowedMethods ??= new Set<string>());
      allowed.add(def.method);
      if (def.method === 'GET') allowed.add('HEAD');
      next();
    });
  }
  router.use((req, res, next) => {
    const allowed = res.locals.allowedMethods as Set<string> | undefined;
    if (!allowed) return next();
    res.setHeader('allow', [...allowed, 'OPTIONS'].join(', '));
    if (req.method === 'OPTIONS') return void res.status(204).end();
    sendError(res, {
      code: 'METHOD_NOT_ALLOWED',
      message: `${req.method} is not allowed here; use ${[...allowed].join(', ')}`,
    });
  });
  return router;
}

function routeNotFound(_req: Request, res: Response): void {
  sendError(res, { code: 'ROUTE_NOT_FOUND', message: 'No such endpoint' });
}

/** Errors no route handled. Express marks a path param it cannot percent-decode with status 400. */
function lastErrorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) return void res.destroy();
    if (err instanceof URIError || (err as { status?: unknown })?.status === 400) {
      return sendError(res, { code: 'MALFORMED_REQUEST', message: 'The path is not valid percent-encoded UTF-8' });
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled gateway error');
    sendError(res, { code: 'INTERNAL', message: 'Internal error' });
  };
}

/**
 * Nest installs its own not-found and error handlers after every route when the app starts; this
 * adapter installs the envelope's in their place, so they also cover paths outside /org-management.
 */
export class EnvelopeExpressAdapter extends ExpressAdapter {
  constructor(
    server: express.Express,
    private readonly errorLogger: Logger,
  ) {
    super(server);
  }

  override setNotFoundHandler(): this {
    return this.use(routeNotFound);
  }

  override setErrorHandler(): this {
    return this.use(lastErrorHandler(this.errorLogger));
  }
}

/** Node's parser refusals, by the code node gives them; anything else it refuses is malformed HTTP. */
const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: ['HEADERS_TOO_LARGE', 'Request headers too large'],
  ERR_HTTP_REQUEST_TIMEOUT: ['REQUEST_TIMEOUT', 'The request was not sent in time'],
  ERR_HTTP_REQUEST_HEADERS_TIMEOUT: ['REQUEST_TIMEOUT', 'The request headers were not sent in time'],
};
const NOT_HTTP: [ErrorCode, string] = ['MALFORMED_REQUEST', 'The request is not valid HTTP'];

/**
 * Requests node refuses before express sees them (bad header bytes, oversize headers, a client too
 * slow to send its request) are answered in the envelope too, where the socket can still take an
 * answer: not once a response has begun on it, as node itself decides.
 */
export function answerClientErrors(server: HttpServer): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
    const [code, message] = CLIENT_ERRORS[err.code ?? ''] ?? NOT_HTTP;
    const status = httpStatusOf(code);
    const body = JSON.stringify({ error: { code, message } });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
