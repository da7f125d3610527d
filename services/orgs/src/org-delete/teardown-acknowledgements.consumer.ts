import { Inject, Injectable } from '@nestjs/common';
import { EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EventConsumers, LOGGER, Logger } from '@org-mgmt/runtime';
import { OrgDeleteRepository } from './org-delete.repository';

/** Subscribers acknowledge each resource kind they tore down (org.teardown_acknowledged). */
@Injectable()
export class TeardownAcknowledgementsConsumer {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly deletions: OrgDeleteRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.consumers.consume(EVENT_CONSUMERS.orgsTeardownAcknowledged, async (ack, trx) => {
      const known = await this.deletions.acknowledge(trx, { ...ack, detail: ack.detail ?? null });
      if (!known)
        this.logger.warn(
          { orgId: ack.orgId, resource: ack.resource },
          'teardown acknowledged for no requested teardown; skipped',
        );
    });
  }
}
