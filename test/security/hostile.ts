/** Values an attacker or a broken client sends in place of what the schema asks for. */

const deep = (depth: number): unknown => (depth === 0 ? 'bottom' : { nested: deep(depth - 1) });
/** JSON.parse makes `__proto__` an own key (an object literal would set the prototype instead). */
const protoKey = (): Record<string, unknown> => JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}');

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
