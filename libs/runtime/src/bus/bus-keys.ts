import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { dataDirFileOnce } from '../service/data-dir-file';
import { join, resolve } from 'node:path';

/** Who may sign identity assertions on the bus: the gateway, and each service in its own name. */
export const BUS_SIGNERS = ['gateway', 'orgs', 'billing', 'subscriptions', 'transfers'] as const;
export type BusSigner = (typeof BUS_SIGNERS)[number];

/** The Ed25519 keys of one process: the private keys it signs with, the public keys it trusts. */
export interface BusKeys {
  signing: ReadonlyMap<BusSigner, KeyObject>;
  trusted: ReadonlyMap<BusSigner, KeyObject>;
}

export class BusKeyError extends Error {}

/** `signer=<base64 DER>,…` as BUS_SIGNING_KEYS (PKCS#8) and BUS_TRUSTED_KEYS (SPKI) carry them. */
export function parseKeyList(text: string, kind: 'private' | 'public', variable: string): Map<BusSigner, KeyObject> {
  const keys = new Map<BusSigner, KeyObject>();
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [name, encoded] = entry.split('=', 2);
    if (!(BUS_SIGNERS as readonly string[]).includes(name) || !encoded) {
      throw new BusKeyError(`${variable}: "${name}" is not one of ${BUS_SIGNERS.join(', ')} followed by =<base64 key>`);
    }
    keys.set(name as BusSigner, decodeKey(encoded, kind, `${variable} (${name})`));
  }
  return keys;
}

function decodeKey(encoded: string, kind: 'private' | 'public', where: string): KeyObject {
  let key: KeyObject;
  try {
    const der = Buffer.from(encoded, 'base64');
    key =
      kind === 'private'
        ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
        : createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw new BusKeyError(`${where}: not a base64 ${kind === 'private' ? 'PKCS#8' : 'SPKI'} DER key`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new BusKeyError(`${where}: must be an Ed25519 key, not ${key.asymmetricKeyType}`);
  return key;
}

export function formatKeyList(keys: ReadonlyMap<BusSigner, KeyObject>): string {
  return [...keys].map(([name, key]) => `${name}=${encodeKey(key)}`).join(',');
}

function encodeKey(key: KeyObject): string {
  const der =
    key.type === 'private' ? key.export({ format: 'der', type: 'pkcs8' }) : key.export({ format: 'der', type: 'spki' });
  return der.toString('base64');
}

/** A fresh key pair for every signer: development installs, the test harness, `npm run bus-keys`. */
export function generateBusKeys(): BusKeys {
  const signing = new Map<BusSigner, KeyObject>();
  const trusted = new Map<BusSigner, KeyObject>();
  for (const signer of BUS_SIGNERS) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    signing.set(signer, privateKey);
    trusted.set(signer, publicKey);
  }
  return { signing, trusted };
}

/**
 * The keys of a development install without BUS_* settings: made once under DATA_DIR, so every
 * process started with the same DATA_DIR (npm start, start:distributed) trusts the others. The
 * first process to write the file wins; the others read what it wrote.
 */
export function developmentBusKeys(dataDir: string): BusKeys {
  const stored = dataDirFileOnce(dataDir, 'bus-keys.json', () => {
    const fresh = generateBusKeys();
    return JSON.stringify({ signing: formatKeyList(fresh.signing), trusted: formatKeyList(fresh.trusted) });
  });
  const { signing, trusted } = JSON.parse(stored) as { signing: string; trusted: string };
  const where = join(resolve(dataDir), 'bus-keys.json');
  return { signing: parseKeyList(signing, 'private', where), trusted: parseKeyList(trusted, 'public', where) };
}

interface KeySettings {
  NODE_ENV: string;
  BUS_SIGNING_KEYS?: string;
  BUS_TRUSTED_KEYS?: string;
  DATA_DIR: string;
}

/**
 * The keys of a process that talks on the bus: BUS_SIGNING_KEYS and BUS_TRUSTED_KEYS, both required
 * in production; elsewhere, without either, the development keys under DATA_DIR.
 */
export function loadBusKeys(settings: KeySettings): BusKeys {
  if (settings.NODE_ENV === 'production') {
    const missing = (['BUS_SIGNING_KEYS', 'BUS_TRUSTED_KEYS'] as const).filter((name) => !settings[name]);
    if (missing.length)
      throw new BusKeyError(
        `${missing.join(' and ')} required in production (generate them with \`npm run bus-keys\`)`,
      );
  } else if (!settings.BUS_SIGNING_KEYS && !settings.BUS_TRUSTED_KEYS) {
    return developmentBusKeys(settings.DATA_DIR);
  }
  return {
    signing: parseKeyList(settings.BUS_SIGNING_KEYS ?? '', 'private', 'BUS_SIGNING_KEYS'),
    trusted: parseKeyList(settings.BUS_TRUSTED_KEYS ?? '', 'public', 'BUS_TRUSTED_KEYS'),
  };
}

/** A process must hold the key of every signer it runs as, and trust every signer that calls it. */
export function requireKeys(keys: BusKeys, signers: readonly BusSigner[], trusts: readonly BusSigner[]): void {
  const missing = signers.filter((s) => !keys.signing.has(s));
  if (missing.length)
    throw new BusKeyError(`BUS_SIGNING_KEYS has no key for ${missing.join(', ')}, which this process runs as`);
  const untrusted = trusts.filter((s) => !keys.trusted.has(s));
  if (untrusted.length)
    throw new BusKeyError(`BUS_TRUSTED_KEYS has no key for ${untrusted.join(', ')}, which call this process`);
}
