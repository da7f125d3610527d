/**
 * The stock-NestJS peer's service: what a team builds from the design card's packages out of the
 * box. A Nest microservice on Nest's NATS transport (one queue group) whose `@MessagePattern`
 * handlers run the benchmarked reads through knex: the same queries as bench/baseline-server.ts.
 */
import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';
import knex from 'knex';
import { PEER_PATTERNS } from './patterns';

const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 10 } });

@Controller()
class ReadsController {
  @MessagePattern(PEER_PATTERNS.balance)
  async balance(@Payload() { orgId }: { orgId: string }) {
    const row = await db('billing.balances').where({ org_id: orgId }).first('balance', 'currency', 'updated_at');
    return { orgId, balance: row?.balance ?? 0, currency: row?.currency ?? 'USD', updatedAt: row?.updated_at ?? null };
  }

  @MessagePattern(PEER_PATTERNS.profile)
  async profile(@Payload() { orgId }: { orgId: string }) {
    const [company, history, customer, address] = await Promise.all([
      db('orgs.organizations').where({ id: orgId }).first(),
      db('orgs.service_status_records').where({ org_id: orgId }).orderBy(['timestamp', 'id']),
      db('orgs.customers').where({ org_id: orgId }).first(),
      db('orgs.addresses')
        .where({ org_id: orgId })
        .orderByRaw("is_default desc, (type = 'billing') desc, seq desc")
        .first(),
    ]);
    if (!company) return null;
    return {
      company: { ...company, serviceStatusHistory: history },
      customer: customer ?? null,
      address: address ?? null,
    };
  }
}

@Module({ controllers: [ReadsController] })
class PeerServiceModule {}

async function main(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(PeerServiceModule, {
    transport: Transport.NATS,
    options: { servers: [process.env.NATS_URL!], queue: 'peer-service' },
    logger: ['error'],
  });
  await app.listen();
  process.once('SIGTERM', () => {
    const exit = () => process.exit(0);
    app
      .close()
      .then(() => db.destroy())
      .then(exit, exit);
  });
}

void main();
