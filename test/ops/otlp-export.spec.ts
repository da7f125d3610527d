import { flushTraces } from '@org-mgmt/runtime';
import { startTestSystem, TestSystem } from '@org-mgmt/testing';
import { randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * OTEL_EXPORTER_OTLP_ENDPOINT turns span export on. The collector is a third party, so it is
 * stood in for at the HTTP level: a local server receiving what the official OTLP exporter posts.
 */
describe('OTLP trace export', () => {
  let sys: TestSystem;
  let collector: Server;
  const received: { path: string; body: string }[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    sys = await startTestSystem({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } });
  });
  afterAll(async () => {
    await sys?.close();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('sends the spans of a request to <endpoint>/v1/traces', async () => {
    const traceId = randomBytes(16).toString('hex');
    const res = await sys.api('GET', '/profile', {
      token: await sys.rootToken(),
      headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    });
    expect(res.status).toBe(200);
    await flushTraces();
    const exported = received.filter((r) => r.path === '/v1/traces' && r.body.includes(traceId));
    expect(exported.length).toBeGreaterThan(0);
    const body = exported.map((r) => r.body).join('\n');
    expect(body).toContain('org-management');
    expect(body).toContain('rpc orgs.profile.get');
  });
});
