import { createHash } from 'node:crypto';

/**
 * The id a copy gets: derived from the transfer and the source id, keeping the source's prefix.
 * Deterministic, so a reference can be remapped before or after its record is copied, in any
 * batch, and a retried copy writes the very same ids.
 */
export function derivedId(transferId: string, sourceId: string): string {
  const separator = sourceId.indexOf('_');
  const prefix = separator > 0 ? sourceId.slice(0, separator) : 'id';
  const digest = createHash('sha256').update(`${transferId}\0${sourceId}`).digest();
  return `${prefix}_${base36(digest).slice(0, 20)}`;
}

function base36(bytes: Buffer): string {
  let out = '';
  for (let i = 0; i + 8 <= bytes.length; i += 8) out += bytes.readBigUInt64BE(i).toString(36).padStart(13, '0');
  return out;
}
