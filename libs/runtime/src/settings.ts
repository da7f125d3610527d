import { Logger } from 'pino';
import { createLogger } from './logger';

/** Process-wide settings the RPC layer needs before any DI container exists. */
interface RuntimeSettings {
  rootOrgId: string;
  logger: Logger;
}

let current: RuntimeSettings = { rootOrgId: 'org_root', logger: createLogger('info', 'org-management') };

export function configureRuntime(settings: RuntimeSettings): void {
  current = settings;
}

export function runtimeSettings(): RuntimeSettings {
  return current;
}
