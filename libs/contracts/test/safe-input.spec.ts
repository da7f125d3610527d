import {
  CursorSchema,
  decodeCursor,
  encodeCursor,
  MetadataSchema,
  ProfileUpdateBodySchema,
  safeString,
} from '@org-mgmt/contracts';

const cursorOf = (text: string) => Buffer.from(text).toString('base64url');

describe('safe input', () => {
  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'a\ud800'],
    ['a lone low surrogate', '\udc00b'],
    ['two high surrogates', '\ud800\ud800\udc00'],
  ])('refuses a string with %s', (_label, value) => {
    expect(safeString().safeParse(value).success).toBe(false);
  });

  it('accepts well-formed surrogate pairs, emoji and other scripts', () => {
    expect(safeString().safeParse('🏢 Ｏｒｇ e\u0301 \u202e').success).toBe(true);
  });

  it('refuses NUL in a metadata key or value, and an own __proto__ key, which z.record would drop', () => {
    expect(MetadataSchema.safeParse({ 'k\u0000': 'v' }).success).toBe(false);
    expect(MetadataSchema.safeParse({ k: 'v\ud800' }).success).toBe(false);
    const proto = MetadataSchema.safeParse(JSON.parse('{"__proto__": {"polluted": true}, "plain": 1}'));
    expect(proto.error?.issues.map((issue) => issue.path)).toEqual([['__proto__']]);
    expect(MetadataSchema.safeParse({ constructor: 'kept', prototype: 1 }).data).toEqual({
      constructor: 'kept',
      prototype: 1,
    });
  });

  it('refuses an own __proto__ key in profile feature overrides', () => {
    expect(ProfileUpdateBodySchema.safeParse(JSON.parse('{"features": {"__proto__": true}}')).success).toBe(false);
  });

  it('round-trips the cursors it makes', () => {
    expect(decodeCursor(encodeCursor(0))).toBe(0);
    expect(decodeCursor(encodeCursor(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([
    ['a fraction', cursorOf('[1.5]')],
    ['a number beyond 2^53', cursorOf('[1e20]')],
    ['a negative number', cursorOf('[-1]')],
    ['no key', cursorOf('[]')],
    ['two keys', cursorOf('[1,2]')],
    ['a string key', cursorOf('["1"]')],
    ['an object', cursorOf('{"seq":1}')],
    ['a bare number', cursorOf('1')],
    ['bytes that are not base64url', '!!!'],
    ['base64 padding', `${cursorOf('[1]')}=`],
    ['not JSON', cursorOf('[1')],
  ])('refuses a cursor holding %s', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
    expect(CursorSchema.safeParse(cursor).success).toBe(false);
  });
});
