import { existsSync } from 'node:fs';
import { z } from 'zod';
import { DAY_MS } from './events/event-retention';
import { DUPLICATE_WINDOW_MS } from './events/jetstream-bus';

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/**
 * A whole number from the environment. Unset takes the default; an empty or blank value is refused
 * (z.coerce reads '' as 0, which for PORT would mean "any free port").
 */
export const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .unknown()
    .refine((v) => typeof v !== 'string' || v.trim() !== '', 'is empty: set a whole number or leave the variable unset')
    .pipe(z.coerce.number().int().min(min).max(max));

/** A whole-number setting with a default (see wholeNumber). */
export const intSetting = (def: number, min = 1, max?: number) => wholeNumber(min, max).optional().default(def);

/** Every environment variable the system reads, validated once at boot. README "Configuration" lists them. */
export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: intSetting(3000, 0, 65535),
    DATA_DIR: z.string().default('./.data'),
    DATABASE_URL: optionalText,
    NATS_URL: optionalText,
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^([a-zA-Z0-9_-]+\.)?$/, 'empty, or a token ending with a dot, e.g. "staging."')
      .default(''),
    /** One way to authenticate to NATS (docs/security.md "NATS users and permissions"): a creds file, an NKEY seed file, or user and password. */
    NATS_CREDS_FILE: optionalText,
    NATS_NKEY_SEED_FILE: optionalText,
    NATS_USER: optionalText,
    NATS_PASSWORD: optionalText,
    /** Subject prefix of this process's reply inboxes; defaults to `_INBOX.<NATS_SUBJECT_PREFIX><NATS_USER>` (see natsInboxPrefix). */
    NATS_INBOX_PREFIX: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'dot-separated NATS tokens, no wildcards')
        .optional(),
    ),
    NATS_TLS_CA_FILE: optionalText,
    NATS_TLS_CERT_FILE: optionalText,
    NATS_TLS_KEY_FILE: optionalText,
    /** Replicas of the event stream and of every durable consumer (3 on a 3-node NATS cluster). */
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    JWT_JWKS_URL: optionalText.pipe(z.url().optional()),
    JWT_PUBLIC_KEY: optionalText,
    JWT_SECRET: optionalText,
    JWT_ISSUER: z.string().min(1).default('org-management'),
    JWT_AUDIENCE: z.string().min(1).default('org-management'),
    /** Ed25519 private keys this process signs bus identity assertions with: `signer=<base64 PKCS#8 DER>,…`. */
    BUS_SIGNING_KEYS: optionalText,
    /** Ed25519 public keys of the signers this process believes: `signer=<base64 SPKI DER>,…`. */
    BUS_TRUSTED_KEYS: optionalText,
    ROOT_ORG_ID: z
      .string()
      .regex(/^org_[a-z0-9_]{1,64}$/)
      .default('org_root'),
    ROOT_ORG_NAME: z.string().min(2).default('Platform Operator'),
    ROOT_ORG_EMAIL: optionalText.pipe(z.email().optional()),
    /** Connections each service's pool may open (a replica's share of PostgreSQL's max_connections). */
    DATABASE_POOL_MAX: intSetting(10),
    RPC_TIMEOUT_MS: intSetting(5000),
    BODY_LIMIT_BYTES: intSetting(100_000),
    /** Longest the gateway waits for a client to send a whole request (headers and body); 408 beyond. */
    HTTP_REQUEST_TIMEOUT_MS: intSetting(30_000, 100),
    /** Requests per minute and client IP to each public endpoint, per gateway process; 429 beyond. */
    PUBLIC_RATE_LIMIT_PER_MINUTE: intSetting(60),
    OUTBOX_POLL_INTERVAL_MS: intSetting(250, 10),
    /**
     * Days published outbox rows and processed-event records are kept. Never shorter than JetStream's
     * duplicate window: a relay re-publishing within it relies on JetStream, not on the row.
     */
    EVENT_RETENTION_DAYS: intSetting(7, Math.ceil(DUPLICATE_WINDOW_MS / DAY_MS)),
    /** How long the gateway trusts a cached org state when no invalidating event arrives. */
    ORG_STATE_CACHE_TTL_MS: intSetting(30_000, 100),
    /** Invitation-only platform: org-register by System needs a pre-approved signup code or owner email. */
    SIGNUPS_INVITATION_ONLY: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** How often the subscriptions worker renews and applies period-end changes; 0 turns it off. */
    SUBSCRIPTION_WORKER_INTERVAL_MS: intSetting(60_000, 0),
    HEALTH_PORT: optionalText
      .transform((v) => (v === undefined ? undefined : Number(v)))
      .pipe(z.number().int().min(0).max(65535).optional()),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url().optional()),
    OTEL_SERVICE_NAME: optionalText,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    PAYMENT_GATEWAY: z.enum(['stripe', 'sandbox']).optional(),
    STRIPE_SECRET_KEY: optionalText,
    STRIPE_WEBHOOK_SECRET: optionalText,
    STRIPE_API_HOST: optionalText,
    STRIPE_API_PORT: wholeNumber(1, 65535).optional(),
    STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && c.JWT_SECRET && !c.JWT_JWKS_URL && !c.JWT_PUBLIC_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_SECRET'],
        message: 'an HS256 development secret is refused in production: set JWT_JWKS_URL or JWT_PUBLIC_KEY',
      });
    }
    if (c.NODE_ENV === 'production' && c.PAYMENT_GATEWAY === 'sandbox') {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENT_GATEWAY'],
        message: 'the sandbox payment gateway is refused in production',
      });
    }
    for (const issue of natsCredentialIssues(c)) ctx.addIssue({ code: 'custom', ...issue });
    if (c.PAYMENT_GATEWAY === 'stripe' && !c.STRIPE_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['STRIPE_SECRET_KEY'], message: 'required when PAYMENT_GATEWAY is stripe' });
    }
  });

export type AppConfig = z.infer<typeof ConfigSchema>;

type NatsCredentialSettings = Pick<
  AppConfig,
  | 'NATS_CREDS_FILE'
  | 'NATS_NKEY_SEED_FILE'
  | 'NATS_USER'
  | 'NATS_PASSWORD'
  | 'NATS_TLS_CA_FILE'
  | 'NATS_TLS_CERT_FILE'
  | 'NATS_TLS_KEY_FILE'
>;

/** A bad combination of NATS credential settings, each naming its variable. */
function natsCredentialIssues(c: NatsCredentialSettings): { path: string[]; message: string }[] {
  const issues: { path: string[]; message: string }[] = [];
  const methods = (['NATS_CREDS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_USER'] as const).filter((k) => c[k] !== undefined);
  if (methods.length > 1)
    issues.push({
      path: [methods[1]],
      message: `one NATS authentication at a time: ${methods.join(' and ')} are both set`,
    });
  if (c.NATS_USER && !c.NATS_PASSWORD)
    issues.push({ path: ['NATS_PASSWORD'], message: 'required when NATS_USER is set' });
  if (c.NATS_PASSWORD && !c.NATS_USER)
    issues.push({ path: ['NATS_USER'], message: 'required when NATS_PASSWORD is set' });
  if (c.NATS_TLS_CERT_FILE && !c.NATS_TLS_KEY_FILE)
    issues.push({ path: ['NATS_TLS_KEY_FILE'], message: 'required when NATS_TLS_CERT_FILE is set' });
  if (c.NATS_TLS_KEY_FILE && !c.NATS_TLS_CERT_FILE)
    issues.push({ path: ['NATS_TLS_CERT_FILE'], message: 'required when NATS_TLS_KEY_FILE is set' });
  for (const key of [
    'NATS_CREDS_FILE',
    'NATS_NKEY_SEED_FILE',
    'NATS_TLS_CA_FILE',
    'NATS_TLS_CERT_FILE',
    'NATS_TLS_KEY_FILE',
  ] as const) {
    const file = c[key];
    if (file !== undefined && !existsSync(file)) issues.push({ path: [key], message: `no such file: ${file}` });
  }
  return issues;
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return parseEnvironment(ConfigSchema, env);
}

/** Parses environment variables with a process's own schema (a worker's extra settings), failing as loadConfig does. */
export function parseEnvironment<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
