import { z } from 'zod';

/**
 * What PostgreSQL refuses in `text` and in `jsonb`: NUL, and a UTF-16 surrogate without its pair
 * (it has no UTF-8 form). Matched per code unit, so a well-formed pair passes.
 */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this refuses
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const UNSTORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * The one string of the contracts' input: every free-text field, record key and path param that
 * can reach the database is built from it, so a NUL or a lone surrogate is a 400, never a 500.
 * Ids, codes and other strings held to a pattern of plain characters need not use it.
 */
export function safeString() {
  return z.string().refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);
}

/** Free text: storable, trimmed, then `min` to `max` characters. */
export function boundedText(max: number, min = 1) {
  return safeString().trim().min(min).max(max);
}

/**
 * A JSON object as a record. z.record silently drops an own `__proto__` key (JSON.parse makes one);
 * this refuses it, so a caller never has part of its input ignored. `constructor` and `prototype`
 * are ordinary keys of a flat record and are kept.
 */
export function safeRecord<T extends z.ZodType>(record: T) {
  return z.preprocess((input, ctx) => {
    if (typeof input === 'object' && input !== null && Object.hasOwn(input, '__proto__')) {
      ctx.issues.push({ code: 'custom', message: '"__proto__" is not allowed as a key', input, path: ['__proto__'] });
    }
    return input;
  }, record);
}
