import { z } from 'zod';

/**
 * Seeded, deterministic generation of values from the contracts' zod schemas (through their JSON
 * Schema), for the permission matrix's sample requests and the fuzzer. Same seed, same values.
 */

export type Rng = () => number;

/** mulberry32: small, fast, good enough to spread test inputs. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const between = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

interface Options {
  /** Include optional properties (each with even odds) instead of only the required ones. */
  optionals: boolean;
}

/** One value the JSON Schema describes (most of the time: refinements it cannot express may fail). */
export function generate(schema: JsonSchema, rng: Rng, options: Options, depth = 0): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return pick(rng, schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const nonNull = alternatives.filter((alt) => alt.type !== 'null');
    return generate(pick(rng, nonNull.length > 0 ? nonNull : alternatives), rng, options, depth);
  }
  if (schema.allOf) return generate(Object.assign({}, ...schema.allOf), rng, options, depth);
  const type = Array.isArray(schema.type)
    ? pick(
        rng,
        schema.type.filter((t) => t !== 'null'),
      )
    : schema.type;
  switch (type) {
    case 'object':
      return generateObject(schema, rng, options, depth);
    case 'array': {
      const count = between(rng, schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, (schema.minItems ?? 0) + 2));
      return Array.from({ length: count }, () => generate(schema.items ?? {}, rng, options, depth + 1));
    }
    case 'string':
      return generateString(schema, rng);
    case 'integer':
    case 'number':
      return generateNumber(schema, rng, type === 'integer');
    case 'boolean':
      return rng() < 0.5;
    case 'null':
      return null;
    default:
      return 'x';
  }
}

function generateObject(schema: JsonSchema, rng: Rng, options: Options, depth: number): Record<string, unknown> {
  const required = new Set(schema.required ?? []);
  const result: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (!required.has(name) && !(options.optionals && depth < 3 && rng() < 0.5)) continue;
    // JSON Schema loses z.email() behind a pipe: the field's name says what it holds.
    result[name] = /email$/i.test(name)
      ? `user${between(rng, 1, 9999)}@example.com`
      : generate(property, rng, options, depth + 1);
  }
  if (!schema.properties && typeof schema.additionalProperties === 'object' && options.optionals) {
    result[`key${between(rng, 0, 99)}`] = generate(schema.additionalProperties, rng, options, depth + 1);
  }
  return result;
}

function generateString(schema: JsonSchema, rng: Rng): string {
  if (schema.pattern && schema.format !== 'email') return fromPattern(schema.pattern, rng);
  switch (schema.format) {
    case 'email':
      return `user${between(rng, 1, 9999)}@example.com`;
    case 'uri':
    case 'url':
      return `https://example.com/${between(rng, 1, 9999)}`;
    case 'date-time':
      return new Date(Date.UTC(2030, 0, between(rng, 1, 28))).toISOString();
    case 'uuid':
      return '3f1c2e9a-5b7d-4c1e-8f2a-0b9c8d7e6f5a';
    default:
      break;
  }
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 24, Math.max(min, 24));
  const length = between(rng, Math.max(min, 1), Math.max(max, 1));
  return Array.from({ length }, () => pick(rng, [...'abcdefghijklmnopqrstuvwxyz']))
    .join('')
    .slice(0, schema.maxLength ?? length);
}

function generateNumber(schema: JsonSchema, rng: Rng, integer: boolean): number {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : min + 1000);
  const value = min + rng() * (Math.min(max, min + 1000) - min);
  return integer ? Math.ceil(value) : value;
}

/**
 * A string matching the simple anchored patterns the contracts use: literals, escapes, character
 * classes with ranges, and the quantifiers ?, {n} and {n,m}.
 */
export function fromPattern(pattern: string, rng: Rng): string {
  const source = pattern.replace(/^\^/, '').replace(/\$$/, '');
  let out = '';
  let i = 0;
  while (i < source.length) {
    let choices: string[];
    if (source[i] === '[') {
      const end = source.indexOf(']', i + 1);
      choices = expandClass(source.slice(i + 1, end));
      i = end + 1;
    } else if (source[i] === '\\') {
      choices = [source[i + 1]];
      i += 2;
    } else {
      choices = [source[i]];
      i += 1;
    }
    let [min, max] = [1, 1];
    const quantifier = /^\{(\d+)(?:,(\d+))?\}/.exec(source.slice(i));
    if (quantifier) {
      min = Number(quantifier[1]);
      max = quantifier[2] === undefined ? min : Math.min(Number(quantifier[2]), min + 12);
      i += quantifier[0].length;
    } else if (source[i] === '?') {
      [min, max] = [0, 1];
      i += 1;
    }
    const count = between(rng, min, max);
    for (let n = 0; n < count; n++) out += pick(rng, choices);
  }
  return out;
}

function expandClass(body: string): string[] {
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    if (body[i + 1] === '-' && i + 2 < body.length) {
      for (let c = body.charCodeAt(i); c <= body.charCodeAt(i + 2); c++) chars.push(String.fromCharCode(c));
      i += 2;
    } else {
      chars.push(body[i] === '\\' ? body[++i] : body[i]);
    }
  }
  return chars;
}

/** A value `schema` accepts, searched deterministically from `seed`; undefined when none was found. */
export function validSample(schema: z.ZodType, seed: number, optionals = false): unknown {
  const json = jsonSchemaOf(schema);
  for (let attempt = 0; attempt < 40; attempt++) {
    const candidate = generate(json, seededRng(seed + attempt * 7919), { optionals: optionals || attempt >= 10 });
    if (schema.safeParse(candidate).success) return candidate;
  }
  return undefined;
}
