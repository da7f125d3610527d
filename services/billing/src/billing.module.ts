import { Module } from '@nestjs/common';

/** Boots, migrates its schema and answers billing.health.check; its domain handlers come with its issue. */
@Module({})
export class BillingModule {}
