import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { BillingBalanceChangedEvent, EVENT_CONSUMERS } from '@org-mgmt/contracts';
import { EVENT_BUS, EventBus, EventSubscription, LOGGER, Logger } from '@org-mgmt/runtime';
import { RenewalWorker } from './renewal.worker';

/**
 * When an org's credit balance grows (a purchase, gift, refund), its unpaid renewal is retried at
 * once instead of at the worker's next pass. Safe to see an event twice: the retry charges the
 * unpaid period by its debit reference, which billing honours once.
 */
@Injectable()
export class BalanceTopUpConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private subscription?: EventSubscription;

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly worker: RenewalWorker,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      durable: EVENT_CONSUMERS.subscriptionsBalanceTopUp.durable,
      subject: EVENT_CONSUMERS.subscriptionsBalanceTopUp.event.subject,
      handler: async (event) => {
        const parsed = BillingBalanceChangedEvent.schema.safeParse(event.data);
        if (!parsed.success) {
          this.logger.error(
            { eventId: event.id, issues: parsed.error.issues },
            'event refused by its contract; dropped',
          );
          return;
        }
        if (parsed.data.delta > 0) await this.worker.retryUnpaidOf(parsed.data.orgId);
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
  }
}
