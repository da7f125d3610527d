import { randomBytes } from 'node:crypto';

/** Id prefixes: every id says what it identifies, as in the spec's `org_abc123`. */
export const ID_PREFIX = {
  org: 'org',
  customer: 'cus',
  address: 'adr',
  statusRecord: 'ssr',
  event: 'evt',
  transaction: 'txn',
  ledgerEntry: 'led',
  subscription: 'sub',
  subscriptionPayment: 'spay',
  subscriptionChange: 'schg',
  transfer: 'xfer',
  signup: 'sgn',
  agreement: 'agr',
  purchase: 'pur',
} as const;
export type IdKind = keyof typeof ID_PREFIX;

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** A prefixed random id: 20 base-36 characters (~103 bits), unbiased. */
export function newId(kind: IdKind): string {
  const bytes = randomBytes(40);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < 20; i++) {
    if (bytes[i] < 252) out += ALPHABET[bytes[i] % 36];
  }
  while (out.length < 20) out += ALPHABET[randomBytes(1)[0] % 36];
  return `${ID_PREFIX[kind]}_${out}`;
}

export const ORG_ID_PATTERN = /^org_[a-z0-9_]{1,64}$/;

/**
 * A payment gateway's payment id as callers send it back. Stripe's are short; the sandbox's encode
 * the whole payment (org id included, up to 68 characters), hence the room.
 */
export const GATEWAY_PAYMENT_ID_MAX = 500;
export const PAYMENT_INTENT_ID_PATTERN = new RegExp(`^pi_[A-Za-z0-9_]{1,${GATEWAY_PAYMENT_ID_MAX - 3}}$`);
