/**
 * The stock-NestJS peer's gateway: a Nest HTTP app on express whose controller verifies the same
 * JWT (jose) and forwards each read with `ClientProxy.send` over Nest's NATS transport, with a
 * timeout, as the Nest microservices guide shows. No contract validation, no signed identities, no
 * org-state enforcement: less work per request than ours, by design of the comparison.
 */
import 'reflect-metadata';
import { Controller, Get, Headers, Inject, Module, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxy, ClientsModule, Transport } from '@nestjs/microservices';
import { jwtVerify } from 'jose';
import { firstValueFrom, timeout } from 'rxjs';
import { PEER_PATTERNS } from './patterns';

const secret = new TextEncoder().encode(process.env.JWT_SECRET);

async function callerOrg(authorization: string | undefined): Promise<string> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token) throw new UnauthorizedException();
  try {
    const { payload } = await jwtVerify(token, secret, {
      issuer: process.env.JWT_ISSUER,
      audience: process.env.JWT_AUDIENCE,
    });
    return String(payload.orgId);
  } catch {
    throw new UnauthorizedException();
  }
}

@Controller('org-management')
class ReadsController {
  constructor(@Inject('PEER_SERVICE') private readonly client: ClientProxy) {}

  @Get('billing/balance')
  async balance(@Headers('authorization') authorization?: string): Promise<unknown> {
    return this.send(PEER_PATTERNS.balance, await callerOrg(authorization));
  }

  @Get('profile')
  async profile(@Headers('authorization') authorization?: string): Promise<unknown> {
    const profile = await this.send(PEER_PATTERNS.profile, await callerOrg(authorization));
    if (!profile) throw new NotFoundException();
    return profile;
  }

  private send(pattern: string, orgId: string): Promise<unknown> {
    return firstValueFrom(this.client.send(pattern, { orgId }).pipe(timeout(5000)));
  }
}

@Module({
  imports: [
    ClientsModule.register([
      { name: 'PEER_SERVICE', transport: Transport.NATS, options: { servers: [process.env.NATS_URL!] } },
    ]),
  ],
  controllers: [ReadsController],
})
class PeerGatewayModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(PeerGatewayModule, { logger: ['error'] });
  await app.listen(Number(process.env.PORT), '127.0.0.1');
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
