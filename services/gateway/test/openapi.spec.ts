import { HTTP_ENDPOINTS } from '@org-mgmt/contracts';
import { createLogger, loadConfig, RpcClient, systemClock } from '@org-mgmt/runtime';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { JwtVerifier } from '../src/auth/jwt-verifier';
import { buildOpenApiDocument, openApiPaths, OpenApiDocument } from '../src/docs/openapi';
import { OrgStateCache } from '../src/org-state/org-state-cache';
import { ApiRouter } from '../src/routing/api-router';

type Layer = { route?: { path: string; methods: Record<string, boolean> } };

/** `METHOD /path` of every route the gateway's API router really registers, in OpenAPI form. */
function routedOperations(): string[] {
  const config = loadConfig({ JWT_SECRET: 'introspection-only' });
  const logger = createLogger('silent', 'test');
  const rpc = {} as RpcClient;
  const orgStates = new OrgStateCache(rpc, systemClock, config.ORG_STATE_CACHE_TTL_MS, config.ROOT_ORG_ID, logger);
  const router = new ApiRouter(config, new JwtVerifier(config), rpc, orgStates, logger).build();
  return (router.stack as Layer[]).flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).flatMap((method) =>
          openApiPaths(layer.route!.path).map((path) => `${method.toUpperCase()} ${path}`),
        )
      : [],
  );
}

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('turns express 5 paths into OpenAPI paths, an optional segment into two', () => {
    expect(openApiPaths('/profile{/:orgId}')).toEqual(['/profile', '/profile/{orgId}']);
    expect(openApiPaths('/check-org-name/:orgName')).toEqual(['/check-org-name/{orgName}']);
    expect(openApiPaths('/a{/:b{/:c}}/d')).toEqual(['/a/d', '/a/{b}/d', '/a/{b}/{c}/d']);
  });

  it('documents exactly the operations the gateway routes', () => {
    const routed = routedOperations();
    const documented = documentedOperations(doc);
    expect(routed.length).toBeGreaterThan(0);
    expect(documented.filter((op) => !routed.includes(op))).toEqual([]);
    expect(routed.filter((op) => !documented.includes(op))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('gives every operation its auth, roles, schemas and error codes in the one envelope', () => {
    for (const def of HTTP_ENDPOINTS) {
      for (const path of openApiPaths(def.path)) {
        const op = doc.paths[path][def.method.toLowerCase()] as Record<string, any>;
        expect(op['x-pattern']).toBe(def.pattern);
        expect(op.security).toEqual(def.access.kind === 'public' ? [] : [{ bearerAuth: [] }]);
        expect(op.description).toContain('**Access:**');
        if (def.body) expect(op.requestBody.content['application/json'].schema).toBeDefined();
        if (def.response)
          expect(op.responses[String(def.successStatus ?? 200)].content['application/json'].schema).toBeDefined();
        for (const [status, response] of Object.entries<any>(op.responses).filter(([s]) => Number(s) >= 400)) {
          const schema = response.content['application/json'].schema;
          expect([status, schema.required]).toEqual([status, ['error']]);
          expect(schema.properties.error.properties.code.enum.length).toBeGreaterThan(0);
        }
      }
    }
  });

  it('documents the profile read with its optional org, roles and schema', () => {
    const own = doc.paths['/profile'].get as Record<string, any>;
    const named = doc.paths['/profile/{orgId}'].get as Record<string, any>;
    expect(own.operationId).toBe('orgs.profile.get');
    expect(named.operationId).toBe('orgs.profile.get.by-orgId');
    expect(named.parameters).toContainEqual(expect.objectContaining({ name: 'orgId', in: 'path', required: true }));
    expect(own.parameters.map((p: { name: string }) => p.name)).toEqual(['orgid']);
    expect(own['x-access']).toBe('member');
    expect(own.responses['200'].content['application/json'].schema.properties).toHaveProperty('company');
    expect(own.responses['403'].description).toBe('FORBIDDEN'); // a blocked org may still read its profile
    const addresses = doc.paths['/profile/addresses'].post as Record<string, any>;
    expect(addresses.responses['403'].description).toBe('FORBIDDEN, ORG_SUSPENDED, ORG_INACTIVE');
    const register = doc.paths['/org-register'].post as Record<string, any>;
    expect(register['x-roles']).toEqual(['System', 'RootAdmin', 'RootPowerUser']);
    expect(register.responses['201']).toBeDefined();
    expect(register.requestBody.content['application/json'].schema.required).toContain('companyName');
    expect(doc.components).toMatchObject({
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    });
  });
});

describe('API docs served by the gateway', () => {
  let sys: TestSystem;
  beforeAll(async () => {
    sys = await startTestSystem();
  });
  afterAll(() => sys?.close());

  it('serves the document at /org-management/openapi.json, every documented path routed', async () => {
    const res = await fetch(`${sys.url}/org-management/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/org-management' }]);
    for (const operation of documentedOperations(doc)) {
      const [method, path] = operation.split(' ');
      const concrete = path.replace(/\{(\w+)\}/g, (_, name) => (name === 'orgId' ? 'org_docs' : 'x'));
      const answer = await sys.api(method, concrete);
      expect([operation, answer.body?.error?.code]).not.toEqual([operation, 'ROUTE_NOT_FOUND']);
    }
  });

  it('serves Swagger UI and its assets from the package, without a CDN', async () => {
    const page = await fetch(`${sys.url}/org-management/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/org-management/docs/swagger-ui-bundle.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'initializer.js']) {
      const res = await fetch(`${sys.url}/org-management/docs/${asset}`);
      expect([asset, res.status]).toEqual([asset, 200]);
    }
  });
});
