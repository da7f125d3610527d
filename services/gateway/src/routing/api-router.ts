import {
  AppError,
  authorize,
  bodyOrgIds,
  EndpointDef,
  ErrorBody,
  HTTP_ENDPOINTS,
  httpStatusOf,
  OrgState,
  Principal,
  reachableWhenBlocked,
  RpcRequest,
} from '@org-mgmt/contracts';
import { AppConfig, Clock, Logger, RpcClient, systemClock } from '@org-mgmt/runtime';
import express, { NextFunction, Request, Response, Router } from 'express';
import { JwtVerifier } from '../auth/jwt-verifier';
import { OrgStateCache } from '../org-state/org-state-cache';
import { answeredOrgIds, enforceOrgState } from '../org-state/org-state-enforcement';
import { methodNotAllowed, sendError } from './edge-errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';
import { isRateLimited, PublicRateLimit } from './public-rate-limit';
import { bearerToken, parseInput, requestIdOf, requireJsonBody, targetOrgOf } from './request-context';

export const API_PREFIX = '/org-management';

interface Outcome {
  status: number;
  body: unknown;
  /** A replayed Idempotency-Key's stored response, sent as it is. */
  replayedBody?: string;
  principal: Principal | null;
  orgId: string | null;
}

/**
 * Routes /org-management/* from the endpoint table: authenticate, resolve the org, authorise,
 * validate, then one RPC to the owning service. Every failure leaves in the one error envelope.
 */
export class ApiRouter {
  private readonly publicRateLimit: PublicRateLimit;

  constructor(
    private readonly config: AppConfig,
    private readonly jwt: JwtVerifier,
    private readonly rpc: RpcClient,
    private readonly orgStates: OrgStateCache,
    private readonly logger: Logger,
    clock: Clock = systemClock,
  ) {
    this.publicRateLimit = new PublicRateLimit(config.PUBLIC_RATE_LIMIT_PER_MINUTE, 60_000, clock);
  }

  build(): Router {
    const router = express.Router();
    const rawBodyPaths = new Set(HTTP_ENDPOINTS.filter((def) => def.rawBody).map((def) => def.path));
    const keepRawBody = (req: Request, _res: Response, buf: Buffer) => {
      if (rawBodyPaths.has(req.path)) (req as RawBodyRequest).rawBody = buf.toString('utf8');
    };
    router.use(express.json({ limit: this.config.BODY_LIMIT_BYTES, strict: true, verify: keepRawBody }));
    router.use(jsonErrors);
    router.use(refuseDeepNesting);
    for (const def of HTTP_ENDPOINTS) {
      router[method(def)](def.path, (req, res) => void this.serve(def, req, res));
    }
    router.use(methodNotAllowed(HTTP_ENDPOINTS));
    return router;
  }

  private async serve(def: EndpointDef, req: Request, res: Response): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const outcome = await this.handle(def, req, requestId);
    if (outcome.status >= 400) sendError(res, (outcome.body as { error: ErrorBody }).error);
    else if (outcome.replayedBody !== undefined)
      res.status(outcome.status).set('Idempotent-Replayed', 'true').type('application/json').send(outcome.replayedBody);
    else res.status(outcome.status).json(outcome.body);
    this.logger.info(
      {
        requestId,
        method: req.method,
        route: def.path,
        pattern: def.pattern,
        status: outcome.status,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        orgId: outcome.orgId,
        sub: outcome.principal?.sub,
      },
      'request',
    );
  }

  private async handle(def: EndpointDef, req: Request, requestId: string): Promise<Outcome> {
    let principal: Principal | null = null;
    let orgId: string | null = null;
    try {
      if (isRateLimited(def)) this.publicRateLimit.take(`${def.pattern} ${req.ip ?? 'unknown'}`);
      principal = await this.authenticate(def, req);
      // Who before what: a caller without the role is refused before any of its input is looked at.
      authorize(def.access, principal, [], this.config.ROOT_ORG_ID);
      const params = parseInput(def.params, { ...req.params }, 'params') as { orgId?: string };
      orgId = targetOrgOf(req, params.orgId, principal);
      authorize(def.access, principal, orgId ? [orgId] : [], this.config.ROOT_ORG_ID);
      const orgState = await this.orgStateFor(def, orgId, principal);
      enforceOrgState(def, principal, orgState, this.config.ROOT_ORG_ID);
      const query = parseInput(def.query, { ...req.query }, 'query');
      requireJsonBody(req);
      const body = def.rawBody ? undefined : parseInput(def.body, req.body, 'body');
      authorize(def.access, principal, bodyOrgIds(def, body), this.config.ROOT_ORG_ID);
      const message: RpcRequest = {
        principal,
        orgId,
        requestId,
        idempotencyKey: def.idempotent ? req.header('idempotency-key') : undefined,
        client: { ip: req.ip, userAgent: req.header('user-agent')?.slice(0, 500) },
        orgState: orgState ?? undefined,
        params,
        query,
        body,
        ...(def.rawBody ? { rawBody: (req as RawBodyRequest).rawBody ?? '' } : {}),
        ...(def.forwardHeaders ? { headers: forwardedHeaders(req, def.forwardHeaders) } : {}),
      };
      const result = await this.rpc.request(def.pattern, message);
      if (result.ok && def.writesOrgState) {
        for (const changed of [orgId, ...bodyOrgIds(def, body), ...answeredOrgIds(result.data)])
          if (changed) this.orgStates.invalidate(changed);
      }
      if (result.ok)
        return {
          status: def.successStatus ?? 200,
          body: result.data,
          replayedBody: result.replayedBody,
          principal,
          orgId,
        };
      return { status: httpStatusOf(result.error.code), body: { error: result.error }, principal, orgId };
    } catch (err) {
      const error = err instanceof AppError ? err.toBody() : internal(err, this.logger, requestId);
      return { status: httpStatusOf(error.code), body: { error }, principal, orgId };
    }
  }

  /**
   * The cached state of the org acted on (none for anonymous public calls, so they cannot fill the
   * cache with made-up org ids). Without it, only what a blocked org may call anyway goes ahead.
   */
  private async orgStateFor(
    def: EndpointDef,
    orgId: string | null,
    principal: Principal | null,
  ): Promise<OrgState | null> {
    if (!orgId || !principal) return null;
    try {
      return await this.orgStates.get(orgId);
    } catch (err) {
      if (reachableWhenBlocked(def)) return null;
      throw err;
    }
  }

  /** Public endpoints take no token, but one that is sent must still be valid. */
  private async authenticate(def: EndpointDef, req: Request): Promise<Principal | null> {
    const token = bearerToken(req);
    if (token) return this.jwt.verify(token);
    if (def.access.kind === 'public') return null;
    throw new AppError('UNAUTHENTICATED', 'A bearer token is required');
  }
}

type RawBodyRequest = Request & { rawBody?: string };

function forwardedHeaders(req: Request, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    names.map((name) => [name, req.header(name)]).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function method(def: EndpointDef): 'get' | 'post' | 'put' | 'delete' {
  return def.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
}

function internal(err: unknown, logger: Logger, requestId: string): ErrorBody {
  logger.error({ err, requestId }, 'unexpected gateway error');
  return { code: 'INTERNAL', message: 'Internal error' };
}

/** JSON.parse accepts any depth; the contracts need little, and deep values are costly further on (zod, jsonb). */
function refuseDeepNesting(req: Request, res: Response, next: NextFunction): void {
  if (!nestsDeeperThan(req.body, MAX_JSON_DEPTH)) return next();
  sendError(res, { code: 'MALFORMED_REQUEST', message: `Request body nests deeper than ${MAX_JSON_DEPTH} levels` });
}

/** Body-parser failures become envelope errors instead of express's HTML page. */
function jsonErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (!err) return next();
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large')
    return sendError(res, { code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large' });
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return sendError(res, { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported body encoding' });
  }
  sendError(res, { code: 'MALFORMED_REQUEST', message: 'Request body is not valid JSON' });
}
