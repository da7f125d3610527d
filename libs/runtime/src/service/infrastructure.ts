import { CustomTransportStrategy } from '@nestjs/microservices';
import { ServiceName } from '@org-mgmt/contracts';
import { Logger } from 'pino';
import { InProcessBroker, InProcessRpcClient, InProcessServer } from '../bus/in-process.transport';
import { natsConnectionOptions } from '../bus/nats-connection';
import { NatsRpcClient, PrefixedNatsServer } from '../bus/nats.transport';
import { BusKeys, loadBusKeys } from '../bus/bus-keys';
import { AssertionSigner } from '../bus/identity-assertion';
import { RpcClient, signingRpcClient } from '../bus/rpc-client';
import { AppConfig } from '../config';
import { EventBus } from '../events/event-bus';
import { InProcessEventBus } from '../events/in-process-bus';
import { JetStreamEventBus } from '../events/jetstream-bus';
import { observedRpcClient } from '../observability/rpc-observer';

/** The bus a process uses: NATS (distributed) or in-process (embedded); everything above it is the same. */
export interface Bus {
  kind: 'nats' | 'in-process';
  serverFor(service: ServiceName): CustomTransportStrategy;
  /** Signs the identity assertion of every request it sends with this process's keys. */
  rpc: RpcClient;
  /** The keys this process signs with and trusts (BUS_SIGNING_KEYS / BUS_TRUSTED_KEYS). */
  keys: BusKeys;
  events: EventBus;
  /** Readiness: the bus answers (a NATS round trip; always true in process). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The client every process sends requests with: traced, and signed with the process's keys. */
function busClient(inner: RpcClient, keys: BusKeys): RpcClient {
  return observedRpcClient(signingRpcClient(inner, new AssertionSigner(keys.signing)));
}

export function inProcessBus(config: AppConfig, logger: Logger, keys: BusKeys = loadBusKeys(config)): Bus {
  const broker = new InProcessBroker();
  const events = new InProcessEventBus(logger);
  return {
    kind: 'in-process',
    serverFor: () => new InProcessServer(broker),
    rpc: busClient(new InProcessRpcClient(broker, config.RPC_TIMEOUT_MS), keys),
    keys,
    events,
    healthy: async () => true,
    close: () => events.close(),
  };
}

/** `manageStream`: false for a process that runs no service (the gateway), whose NATS user may only read the stream. */
export async function natsBus(
  config: AppConfig,
  url: string,
  logger: Logger,
  keys: BusKeys = loadBusKeys(config),
  manageStream = true,
): Promise<Bus> {
  const rpc = new NatsRpcClient(url, config.NATS_SUBJECT_PREFIX, config.RPC_TIMEOUT_MS, config);
  await rpc.connect();
  const events = await JetStreamEventBus.connect(url, config.NATS_SUBJECT_PREFIX, logger, { ...config, manageStream });
  return {
    kind: 'nats',
    serverFor: (service) =>
      new PrefixedNatsServer(
        { ...natsConnectionOptions(url, config, `org-management-${service}`), queue: service },
        config.NATS_SUBJECT_PREFIX,
      ),
    rpc: busClient(rpc, keys),
    keys,
    events,
    healthy: () => events.ping(),
    close: async () => {
      await rpc.close();
      await events.close();
    },
  };
}
