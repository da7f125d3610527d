import { AppConfig, ConfigSchema } from '@org-mgmt/runtime';
import { join, resolve } from 'node:path';

/** Where `npm run token` (run from the repository root) looks for the development secret by default. */
const DEFAULT_DATA_DIR = join(__dirname, '..', '..', '..', '.data');
const DEFAULTS = ConfigSchema.parse({});

/**
 * The start banner's lines on getting a token this very process accepts: `npm run token` with the
 * settings it was started with (never a secret's value), or, when the gateway verifies the identity
 * provider's keys, where tokens come from instead.
 */
export function tokenHint(config: AppConfig, apiUrl: string): string[] {
  if (config.JWT_JWKS_URL || config.JWT_PUBLIC_KEY) {
    const keys = config.JWT_JWKS_URL ? `JWT_JWKS_URL (${config.JWT_JWKS_URL})` : 'JWT_PUBLIC_KEY';
    return [`  Token:   from your identity provider: this gateway verifies ${keys}; npm run token cannot mint one`];
  }
  const command = `${[...settingsFor(config), 'npm run -s token --'].join(' ')} --org ${config.ROOT_ORG_ID} --roles RootAdmin`;
  return [
    `  Token:   ${command}`,
    ...(config.JWT_SECRET
      ? ['           (signs with JWT_SECRET: run it with the same JWT_SECRET in its environment)']
      : []),
    `  Try:     curl -H "Authorization: Bearer $(${command})" ${apiUrl}/profile`,
  ];
}

/** The variables `npm run token` must see to sign as this process verifies. */
function settingsFor(config: AppConfig): string[] {
  const settings: string[] = [];
  if (!config.JWT_SECRET && resolve(config.DATA_DIR) !== DEFAULT_DATA_DIR)
    settings.push(assignment('DATA_DIR', resolve(config.DATA_DIR)));
  if (config.JWT_ISSUER !== DEFAULTS.JWT_ISSUER) settings.push(assignment('JWT_ISSUER', config.JWT_ISSUER));
  if (config.JWT_AUDIENCE !== DEFAULTS.JWT_AUDIENCE) settings.push(assignment('JWT_AUDIENCE', config.JWT_AUDIENCE));
  if (config.ROOT_ORG_ID !== DEFAULTS.ROOT_ORG_ID) settings.push(assignment('ROOT_ORG_ID', config.ROOT_ORG_ID));
  return settings;
}

function assignment(name: string, value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? `${name}=${value}` : `${name}='${value.replaceAll("'", `'\\''`)}'`;
}
