import { CustomTransportStrategy } from '@nestjs/microservices';
import { ServiceName } from '@org-mgmt/contracts';
import { Logger } from 'pino';
import { InProcessBroker, InProcessRpcClient, InProcessServer } from '../bus/in-process.transport';
import { natsConnectionOptions } from '../bus/nats-connection';
import { NatsRpcClient, PrefixedNatsServer } from '../bus/nats.transport';
import { RpcClient } from '../bus/rpc-client';
import { AppConfig } from '../config';
import { EventBus } from '../events/event-bus';
import { InProcessEventBus } from '../events/in-process-bus';
import { JetStreamEventBus } from '../events/jetstream-bus';
import { observedRpcClient } from '../observability/rpc-observer';

/** The bus a process uses: NATS (distributed) or in-process (embedded); everything above it is the same. */
export interface Bus {
  kind: 'nats' | 'in-process';
  serverFor(service: ServiceName): CustomTransportStrategy;
  rpc: RpcClient;
  events: EventBus;
  /** Readiness: the bus answers (a NATS round trip; always true in process). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export function inProcessBus(config: AppConfig, logger: Logger): Bus {
  const broker = new InProcessBroker();
  const events = new InProcessEventBus(logger);
  return {
    kind: 'in-process',
    serverFor: () => new InProcessServer(broker),
    rpc: observedRpcClient(new InProcessRpcClient(broker, config.RPC_TIMEOUT_MS)),
    events,
    healthy: async () => true,
    close: () => events.close(),
  };
}

export async function natsBus(config: AppConfig, url: string, logger: Logger): Promise<Bus> {
  const rpc = new NatsRpcClient(url, config.NATS_SUBJECT_PREFIX, config.RPC_TIMEOUT_MS, config);
  await rpc.connect();
  const events = await JetStreamEventBus.connect(url, config.NATS_SUBJECT_PREFIX, logger, config);
  return {
    kind: 'nats',
    serverFor: (service) =>
      new PrefixedNatsServer({ ...natsConnectionOptions(url, config, `org-management-${service}`), queue: service }, config.NATS_SUBJECT_PREFIX),
    rpc: observedRpcClient(rpc),
    events,
    healthy: () => events.ping(),
    close: async () => {
      await rpc.close();
      await events.close();
    },
  };
}
