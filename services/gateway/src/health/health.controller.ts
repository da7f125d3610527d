import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ServiceName } from '@org-mgmt/contracts';
import { HealthReport, RPC_CLIENT, RpcClient } from '@org-mgmt/runtime';
import { Response } from 'express';

const SERVICES: ServiceName[] = ['orgs', 'billing', 'subscriptions', 'transfers'];
const HEALTH_TIMEOUT_MS = 2000;

/** Liveness of the gateway process, readiness of the whole system (every service and its database). */
@Controller('health')
export class HealthController {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  @Get('live')
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response) {
    const checks = await Promise.all(SERVICES.map(async (service) => [service, await this.check(service)] as const));
    const ready = checks.every(([, ok]) => ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', services: Object.fromEntries(checks) });
  }

  private async check(service: ServiceName): Promise<boolean> {
    const reply = await this.rpc.request(
      `${service}.health.check`,
      { principal: null, orgId: null, requestId: 'health' },
      HEALTH_TIMEOUT_MS,
    );
    return reply.ok && (reply.data as HealthReport).status === 'ok';
  }
}
