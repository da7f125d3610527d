import { AppError, OrgIdSchema, Principal, validationError } from '@org-mgmt/contracts';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** Keeps a caller's request id when it is sane, else makes one; it travels to the services. */
export function requestIdOf(req: Request): string {
  const given = req.header('x-request-id');
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

export function bearerToken(req: Request): string | null {
  const header = req.header('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <token>"');
  return match[1];
}

/** A body in anything but JSON is refused, not ignored (it would otherwise reach the service as no body at all). */
export function requireJsonBody(req: Request): void {
  const hasBody = req.header('transfer-encoding') !== undefined || Number(req.header('content-length') ?? 0) > 0;
  if (hasBody && !req.is('application/json'))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json');
}

export function parseInput(
  schema: z.ZodType | undefined,
  value: unknown,
  location: 'params' | 'query' | 'body',
): unknown {
  if (!schema) {
    if (value !== undefined && !isEmptyObject(value)) {
      throw new AppError(
        'VALIDATION_FAILED',
        location === 'body' ? 'This endpoint takes no body' : `This endpoint takes no ${location}`,
      );
    }
    return location === 'body' ? undefined : {};
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error.issues, location);
  return parsed.data;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

/**
 * The org a request acts on: the path's :orgId, else the `orgid` header, else the caller's own org.
 * A malformed header is 400; a header contradicting the path is 400; acting on another org is
 * decided by `authorize`, never silently ignored.
 */
export function targetOrgOf(req: Request, pathOrgId: string | undefined, principal: Principal | null): string | null {
  const header = req.header('orgid');
  let headerOrgId: string | undefined;
  if (header !== undefined) {
    const parsed = OrgIdSchema.safeParse(header);
    if (!parsed.success) throw validationError(parsed.error.issues, 'headers.orgid');
    headerOrgId = parsed.data;
  }
  if (pathOrgId && headerOrgId && pathOrgId !== headerOrgId) {
    throw new AppError('VALIDATION_FAILED', 'The orgid header and the path name different orgs');
  }
  return pathOrgId ?? headerOrgId ?? principal?.orgId ?? null;
}
