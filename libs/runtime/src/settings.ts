import { Logger } from 'pino';
import { AssertionVerifier } from './bus/identity-assertion';
import { createLogger } from './logger';

/** Process-wide settings the RPC layer needs before any DI container exists. */
interface RuntimeSettings {
  rootOrgId: string;
  logger: Logger;
  /** Checks the identity assertion of every incoming RPC; until configured, it trusts no signer. */
  assertions: AssertionVerifier;
}

let current: RuntimeSettings = {
  rootOrgId: 'org_root',
  logger: createLogger('info', 'org-management'),
  assertions: new AssertionVerifier(new Map(), 'org_root'),
};

export function configureRuntime(
  settings: Omit<RuntimeSettings, 'assertions'> & Partial<Pick<RuntimeSettings, 'assertions'>>,
): void {
  current = { assertions: new AssertionVerifier(new Map(), settings.rootOrgId), ...settings };
}

export function runtimeSettings(): RuntimeSettings {
  return current;
}
