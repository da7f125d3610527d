import { z } from 'zod';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/**
 * Opaque keyset cursor: base64url of `[seq]`, the insertion sequence (a bigserial) of the last item
 * returned; every list pages on it.
 */
export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify([seq])).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const CursorKeySchema = z.tuple([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);

/** The seq a cursor names, or null for anything `encodeCursor` could not have made. */
export function decodeCursor(cursor: string): number | null {
  if (!BASE64URL.test(cursor)) return null;
  try {
    const key = CursorKeySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return key.success ? key.data[0] : null;
  } catch {
    return null;
  }
}

export const CursorSchema = z
  .string()
  .max(500)
  .refine((cursor) => decodeCursor(cursor) !== null, 'must be a nextCursor returned by this API');

export const PageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: CursorSchema.optional(),
});
