import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually, startTestSystem } from '../src';

const openSockets = () =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;

/**
 * A system that fails at the last step of starting (its health port is taken, after the services
 * and the gateway are up) closes what it had started: no NATS connection, pool, server or database
 * is left to keep the test worker alive after the file ends.
 */
describe('a test system that cannot start', () => {
  let taken: Server;

  beforeAll(async () => {
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => taken.close(resolve)));

  it('rejects with the cause and leaves nothing running', async () => {
    const port = (taken.address() as AddressInfo).port;
    const before = openSockets();
    await expect(startTestSystem({ separateProcesses: false, env: { HEALTH_PORT: String(port) } })).rejects.toThrow(
      'EADDRINUSE',
    );
    // The services, the gateway, their pools and NATS connections were all up when the health port failed.
    await eventually(async () => expect(openSockets()).toBeLessThanOrEqual(before));
  });
});
