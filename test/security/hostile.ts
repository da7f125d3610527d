/** Values an attacker or a broken client sends in place of what the schema asks for. */

const deep = (depth: number): unknown => (depth === 0 ? 'bottom' : { nested: deep(depth - 1) });
/** JSON.parse makes `__proto__` an own key (an object literal would set the prototype instead). */
const protoKey = (): Record<string, unknown> =>
  JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');

export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  "' OR '1'='1",
  "'; DROP TABLE organizations; --",
  '1; SELECT pg_sleep(5)',
  '{"$gt": ""}',
  '$where: function() { return true }',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  'null\u0000byte',
  '\uD800',
  '\uFFFF\uFFFE',
  '\u202Eevil',
  'ｏｒｇ＿ｒｏｏｔ',
  'e\u0301\u0301\u0301\u0301',
  '🏢'.repeat(64),
  '<script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/x}',
  '\r\nSet-Cookie: x=y',
  'x'.repeat(10_000),
  'org_root',
];

/** Strings PostgreSQL cannot store (text or jsonb): sent to every string field, record key and path param. */
export const UNSTORABLE_STRINGS: readonly string[] = ['null\u0000byte', 'lone \ud800 high', 'lone \udc00 low'];

/**
 * Path segments sent as written, not encoded again: a NUL, UTF-8 of a lone surrogate, truncated
 * and overlong sequences, and percent signs that encode nothing.
 */
export const RAW_PATH_SEGMENTS: readonly string[] = ['a%00b', '%ED%A0%80', '%E0%A4%A', '%C0%80', '%ZZ', '%'];

const base64url = (text: string) => Buffer.from(text).toString('base64url');
/** Cursors a client could craft; only `base64url([seq])` with a safe non-negative integer is one. */
export const HOSTILE_CURSORS: readonly string[] = [
  base64url('[1.5]'),
  base64url('[1e20]'),
  base64url('[-1]'),
  base64url('[]'),
  base64url('[1,2]'),
  base64url('["1"]'),
  base64url('{"seq":1}'),
  base64url('[null]'),
  base64url('[1'),
  'not base64!',
  `${base64url('[1]')}==`,
];

/** A record (metadata, feature overrides) whose one key is `__proto__`, as JSON.parse makes it. */
export const protoRecord = (): Record<string, unknown> => JSON.parse('{"__proto__": {"polluted": "yes"}}');

export const HOSTILE_NUMBERS: readonly number[] = [
  -1,
  0,
  0.5,
  -0,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  Number.MAX_VALUE,
  1e21,
  -1e21,
  Number.MIN_VALUE,
];

export function hostileValues(): unknown[] {
  return [
    ...HOSTILE_STRINGS,
    ...HOSTILE_NUMBERS,
    null,
    true,
    false,
    [],
    ['a', 1, null],
    Array.from({ length: 5000 }, (_, i) => i),
    {},
    { $gt: '' },
    { $ne: null },
    protoKey(),
    deep(20),
  ];
}

/** Whole bodies of the wrong shape. */
export function hostileBodies(): { label: string; body?: unknown; rawBody?: string; contentType?: string }[] {
  return [
    { label: 'array body', body: [] },
    { label: 'string body', body: 'text' },
    { label: 'number body', body: 2 ** 60 },
    { label: 'null body', rawBody: 'null' },
    { label: '__proto__ body', body: protoKey() },
    { label: 'nested 40 deep', body: deep(40) },
    { label: 'nested 5000 deep (raw)', rawBody: '['.repeat(5000) + ']'.repeat(5000) },
    { label: 'huge array', body: { items: Array.from({ length: 20_000 }, () => 1) } },
    { label: 'over the body limit', body: { blob: 'x'.repeat(200_000) } },
    { label: 'malformed JSON', rawBody: '{"a": ' },
    { label: 'duplicate keys', rawBody: '{"reason": "a", "reason": {"$gt": ""}}' },
    { label: 'JSON in another charset', rawBody: '{}', contentType: 'application/json; charset=utf-16' },
    { label: 'form body', rawBody: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
  ];
}
