import {
  Access,
  EndpointDef,
  ERROR_HTTP_STATUS,
  ErrorBodySchema,
  ErrorCode,
  ErrorEnvelopeSchema,
  HTTP_ENDPOINTS,
  reachableWhenBlocked,
  rolesGranting,
} from '@org-mgmt/contracts';
import { z } from 'zod';
import { isRateLimited } from '../routing/public-rate-limit';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Record<string, unknown>;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
  tags: { name: string }[];
}

/**
 * The OpenAPI paths of an express 5 path: an optional group `{...}` gives one path without it and
 * one with it; `:name` and `*name` become `{name}`. `/profile{/:orgId}` → `/profile`, `/profile/{orgId}`.
 */
export function openApiPaths(expressPath: string): string[] {
  return expandOptional(expressPath).map((p) => p.replace(/[:*](\w+)/g, '{$1}'));
}

function expandOptional(path: string): string[] {
  const open = path.indexOf('{');
  if (open < 0) return [path];
  let depth = 0;
  let close = open;
  for (; close < path.length; close++) {
    if (path[close] === '{') depth++;
    if (path[close] === '}' && --depth === 0) break;
  }
  const [before, inner, after] = [path.slice(0, open), path.slice(open + 1, close), path.slice(close + 1)];
  return expandOptional(after).flatMap((rest) => [
    before + rest,
    ...expandOptional(inner).map((i) => before + i + rest),
  ]);
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** Path or query parameters from an object schema's properties. */
function parameters(schema: z.ZodType | undefined, location: 'path' | 'query', names?: string[]): Operation[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {})
    .filter(([name]) => !names || names.includes(name))
    .map(([name, property]) => ({
      name,
      in: location,
      required: location === 'path' || (object.required ?? []).includes(name),
      schema: property,
      ...(typeof property.description === 'string' ? { description: property.description } : {}),
    }));
}

const HEADER_ORGID = {
  name: 'orgid',
  in: 'header',
  required: false,
  description:
    "The org to act on when the path names none (default: the caller's own org). Another org needs a root role.",
  schema: { type: 'string', pattern: '^org_[a-z0-9_]{1,64}$' },
};

const HEADER_IDEMPOTENCY_KEY = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Replaying a key returns the first response; the same key with a different body is 409 IDEMPOTENCY_KEY_REUSED.',
  schema: { type: 'string', minLength: 1, maxLength: 255 },
};

/** The error codes an endpoint can answer: the gateway's own, by what the endpoint takes, plus its declared ones. */
export function errorCodesOf(def: EndpointDef): ErrorCode[] {
  const codes = new Set<ErrorCode>(['UNAUTHENTICATED']);
  if (def.params || def.query || def.body || def.access.kind !== 'public') codes.add('VALIDATION_FAILED');
  if (def.method !== 'GET') codes.add('PAYLOAD_TOO_LARGE').add('UNSUPPORTED_MEDIA_TYPE');
  if (def.access.kind !== 'public') codes.add('FORBIDDEN');
  if (isRateLimited(def)) codes.add('RATE_LIMITED');
  if (!reachableWhenBlocked(def)) codes.add('ORG_SUSPENDED').add('ORG_INACTIVE');
  if (/[:*]\w/.test(def.path)) codes.add('NOT_FOUND');
  if (def.idempotent) codes.add('IDEMPOTENCY_KEY_REUSED');
  for (const code of def.errors ?? []) codes.add(code);
  // Any request: malformed HTTP or percent-encoding, oversize headers, sent too slowly, or a failure behind.
  for (const code of [
    'MALFORMED_REQUEST',
    'REQUEST_TIMEOUT',
    'HEADERS_TOO_LARGE',
    'INTERNAL',
    'SERVICE_UNAVAILABLE',
    'SERVICE_TIMEOUT',
  ] as const) {
    codes.add(code);
  }
  return [...codes];
}

function errorResponses(def: EndpointDef): Record<string, Operation> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(def)) {
    const status = ERROR_HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => {
        const envelope = z.object({
          error: ErrorBodySchema.extend({ code: z.enum(codes as [ErrorCode, ...ErrorCode[]]) }),
        });
        return [
          String(status),
          {
            description: codes.join(', '),
            content: { 'application/json': { schema: jsonSchema(envelope, 'output') } },
          },
        ];
      }),
  );
}

/** Who may call it, in words; `x-roles` carries the same as data. */
export function accessText(access: Access): string {
  if (access.kind === 'member' && access.otherOrgRoles) {
    return `Any authenticated member of the org; ${access.otherOrgRoles.join(' or ')} of the root org on any org.`;
  }
  switch (access.kind) {
    case 'public':
      return 'Public: no token needed (a token that is sent must still be valid).';
    case 'member':
      return 'Any authenticated member of the org; RootAdmin or RootPowerUser of the root org on any org.';
    case 'configAdmin':
      return 'ConfigAdmin of the org, or RootAdmin / RootPowerUser of the root org (any org).';
    case 'roles':
      return `Roles: ${access.roles.join(', ')}${access.rootOrgOnly ? ', held in the root org' : ''}. Root roles count only in the root org.`;
  }
}

function successResponse(def: EndpointDef): Record<string, Operation> {
  const status = String(def.successStatus ?? 200);
  if (!def.response) return { [status]: { description: 'Done' } };
  return {
    [status]: {
      description: 'Success',
      content: { 'application/json': { schema: jsonSchema(def.response, 'output') } },
    },
  };
}

function operation(def: EndpointDef, path: string, operationId: string): Operation {
  const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const granting = rolesGranting(def.access);
  const isPublic = def.access.kind === 'public';
  return {
    operationId,
    tags: [def.service],
    summary: def.summary,
    description: `${def.summary}\n\n**Access:** ${accessText(def.access)}`,
    security: isPublic ? [] : [{ bearerAuth: [] }],
    parameters: [
      ...parameters(def.params, 'path', pathNames),
      ...parameters(def.query, 'query'),
      ...(isPublic ? [] : [HEADER_ORGID]),
      ...(def.idempotent ? [HEADER_IDEMPOTENCY_KEY] : []),
    ],
    ...(def.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(def.body, 'input') } } } }
      : {}),
    responses: { ...successResponse(def), ...errorResponses(def) },
    'x-pattern': def.pattern,
    'x-access': def.access.kind,
    'x-roles': granting === 'any' ? [] : [...granting],
  };
}

/** The OpenAPI 3.1 document of every HTTP endpoint, generated from the endpoint table and its zod schemas. */
export function buildOpenApiDocument(
  endpoints: readonly EndpointDef[] = HTTP_ENDPOINTS,
  serverUrl = '/org-management',
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const def of endpoints) {
    openApiPaths(def.path).forEach((path, index, all) => {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const operationId = all.length > 1 && index > 0 ? `${def.pattern}.by-${names.join('-')}` : def.pattern;
      paths[path] ??= {};
      paths[path][def.method.toLowerCase()] = operation(def, path, operationId);
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Org Management API',
      version: '0.1.0',
      description:
        'Tenant administration: organisations, billing, subscriptions, lifecycle and transfers. ' +
        'Every error answers with one envelope: `{"error": {"code", "message", "details"}}`; `x-error-codes` maps each code to its HTTP status.',
      'x-error-codes': ERROR_HTTP_STATUS,
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(endpoints.map((e) => e.service))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ErrorEnvelope: jsonSchema(ErrorEnvelopeSchema, 'output') },
    },
  };
}
