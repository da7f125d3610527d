import { eventually, testServers } from '@org-mgmt/testing';
import { NatsRpcClient } from '../src';

const openSockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

/**
 * A request made after close (a handler still running while its process shuts down) must not open a
 * new NATS connection: nobody would close it, and it would keep the process (or test worker) alive.
 */
describe('an RPC client after close', () => {
  it('answers SERVICE_UNAVAILABLE without connecting again', async () => {
    const { natsUrl } = await testServers();
    await eventually(async () => expect(openSockets()).toBe(0));
    const rpc = new NatsRpcClient(natsUrl, 'tclosed.', 500);
    await rpc.connect();
    await rpc.close();
    const result = await rpc.request('orgs.profile.get', { principal: null, orgId: null, requestId: 'after-close' });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(openSockets()).toBe(0);
  });
});
