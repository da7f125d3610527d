import { Module } from '@nestjs/common';
import { AddonsModule } from './addons/addons.module';

/** Boots, migrates its schema and answers billing.health.check; its domain handlers come with its issue. */
@Module({ imports: [AddonsModule] })
export class BillingModule {}
