import {
  AssertionSigner,
  BusKeys,
  formatKeyList,
  generateBusKeys,
  NatsRpcClient,
  RpcClient,
  signingRpcClient,
} from '@org-mgmt/runtime';

let keys: BusKeys | undefined;

/** One set of bus keys per test worker: every test system of the worker, and its service processes, share it. */
export function testBusKeys(): BusKeys {
  return (keys ??= generateBusKeys());
}

/** BUS_SIGNING_KEYS and BUS_TRUSTED_KEYS for a test system's processes. */
export function busKeyEnv(): Record<string, string> {
  const { signing, trusted } = testBusKeys();
  return { BUS_SIGNING_KEYS: formatKeyList(signing), BUS_TRUSTED_KEYS: formatKeyList(trusted) };
}

/**
 * A client on the test system's NATS that signs as the deployment's processes do (it holds every
 * signer's key): for tests that put principals of their choosing on the bus. A bare NatsRpcClient
 * sends unsigned requests, which every service refuses.
 */
export async function signedRpcClient(env: Record<string, string>, timeoutMs = 5000): Promise<RpcClient> {
  const raw = new NatsRpcClient(env.NATS_URL, env.NATS_SUBJECT_PREFIX, timeoutMs);
  await raw.connect();
  return signingRpcClient(raw, new AssertionSigner(testBusKeys().signing));
}
