/**
 * Generated bad input for the HTTP boundary: wrong types, huge and deeply nested values, odd
 * Unicode, money beyond the safe range, impossible dates and injection strings — and bodies shaped
 * like a route's own schema with such values inside, so the handler's deeper checks are reached too.
 */
import fc from 'fast-check';
import type { ZodType } from 'zod';

/** Strings that have broken servers: SQL, HTML/JS, template and path injection, prototype keys. */
export const INJECTIONS = [
  "'; drop table units; --",
  "' or '1'='1",
  '1; select pg_sleep(10)',
  '"><img src=x onerror=alert(1)>',
  '<script>alert(document.cookie)</script>',
  'javascript:alert(1)',
  '${7*7}{{7*7}}<%= 7*7 %>',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%00',
  '__proto__',
  'constructor',
  'prototype',
  '\\',
  '$where',
  'null',
  'undefined',
  'NaN',
  '',
  ' ',
  '\t\n\r',
];

/** Unicode that trips code written for ASCII: NUL, lone surrogates, bidi overrides, zero-width and combining marks, astral planes, BOM. */
export const ODD_UNICODE = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\u202eevil\u202c',
  '\u200b\u200c\u200d\u2060',
  'e\u0301\u0301\u0301\u0301',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  '𠜎𠜱𠝹𠱓',
  '🏳️‍🌈👩‍👩‍👧‍👦',
  '\ufeff',
  '\uffff\ufffe',
  '部门整体支出绩效自评\u0000',
  'İıſK',
  '\u2028\u2029',
];

/** Money as people and attackers write it: beyond 2^53 分, exponents, negative zero, separators, non-numbers. */
export const MONEY = [
  '99999999999999999999',
  '9007199254740993',
  '90071992547409.93元',
  '-90071992547409.93',
  '99999999999999999999万元',
  '1e308',
  '1e400',
  '-0',
  '0.001',
  '1.005',
  '１２３',
  '1,000,000.00',
  '¥100',
  'Infinity',
  '-Infinity',
  '0x1F',
  '1_000',
  '.5',
  '5.',
];

/** Dates that do not exist or are not dates. */
export const DATES = [
  '2021-02-29',
  '2020-02-30',
  '2020-13-01',
  '2020-00-10',
  '2020-04-31',
  '0000-00-00',
  '9999-99-99',
  '-001-01-01',
  '20200101',
  '2020/01/01',
  '2020-1-1',
  '2020-01-01T25:61:61Z',
  '2020-01-01T00:00:00+99:00',
  '275760-09-14',
  '1970-01-01',
  '2020-W53-8',
];

/** Lengths just past the limits the schemas use, and far past them. */
const HUGE_LENGTHS = [65, 101, 201, 301, 2_001, 10_001, 100_001];

const hugeString = fc.tuple(fc.constantFrom(...HUGE_LENGTHS), fc.constantFrom('a', '分', '😀', '<', '\u0301')).map(([n, c]) => c.repeat(n));

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...INJECTIONS, ...ODD_UNICODE, ...MONEY, ...DATES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...INJECTIONS), fc.constantFrom(...ODD_UNICODE)).map(([a, b]) => `${a}${b}`) },
);

export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1e21, -1e21, 2 ** 53 + 2, -(2 ** 53) - 2, Number.MAX_VALUE, Number.MIN_VALUE, 1999, 2101, 1e15, 2 ** 31, -(2 ** 31) - 1),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value that is wrong for a field: a type it does not take, or a value it should refuse. */
export const badScalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: oddString },
  { weight: 3, arbitrary: oddNumber },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  { weight: 1, arbitrary: fc.constantFrom([], {}, [null], { '': '' }, [[[]]], { length: -1 }, { toString: 'x' }, { valueOf: 1 }) },
);

export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: badScalar },
  { weight: 2, arbitrary: fc.array(badScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.dictionary(oddString.filter((k) => k.length < 50), badScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(1, 10, 100, 1_000).map((n) => Array.from({ length: n }, () => 'x')) },
);

// ── Bodies shaped like a route's schema ───────────────────────────────────────────────────────

interface ZodDef {
  type: string;
  innerType?: ZodType;
  in?: ZodType;
  element?: ZodType;
  shape?: Record<string, ZodType>;
}
const defOf = (s: ZodType): ZodDef => (s as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The schema under optional/default/nullable/pipe wrappers. */
export function unwrap(schema: ZodType): ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const def = defOf(s);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type) && def.innerType) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else break;
  }
  return s;
}

export function objectShape(schema: ZodType | undefined): Record<string, ZodType> | undefined {
  if (!schema) return undefined;
  const s = unwrap(schema);
  const def = defOf(s);
  return def.type === 'object' ? (s as unknown as { shape: Record<string, ZodType> }).shape : undefined;
}

/** A value for a field of this schema with something wrong inside: nested objects and arrays keep their shape. */
export function badFor(schema: ZodType, depth = 0): fc.Arbitrary<unknown> {
  const s = unwrap(schema);
  const def = defOf(s);
  if (depth < 3 && def.type === 'object') return badObject(s, depth + 1);
  if (depth < 3 && def.type === 'array' && def.element) {
    return fc.oneof(badValue, fc.array(badFor(def.element, depth + 1), { minLength: 1, maxLength: 3 }));
  }
  return badValue;
}

/** An object with some of the schema's own keys (bad values inside), and sometimes a stray key. */
export function badObject(schema: ZodType, depth = 0): fc.Arbitrary<Record<string, unknown>> {
  const shape = objectShape(schema) ?? {};
  const keys = Object.keys(shape);
  const fields = fc.record(Object.fromEntries(keys.map((k) => [k, badFor(shape[k]!, depth)])), { requiredKeys: [] });
  return fc.tuple(fields, fc.option(fc.tuple(fc.constantFrom('__proto__x', 'extra', '部门', '', ' ', 'constructor'), badScalar), { freq: 4 })).map(([f, extra]) => (extra ? { ...f, [extra[0]]: extra[1] } : f));
}

// ── Raw bodies the JSON parser or the size limits must refuse ────────────────────────────────

export interface RawBody {
  contentType: string;
  payload: string | Buffer;
  /** What the family is, for the counts. */
  kind: string;
}

const nestedJson = (depth: number, open: string, close: string, leaf = '1') => `${open.repeat(depth)}${leaf}${close.repeat(depth)}`;

export const rawBody: fc.Arbitrary<RawBody> = fc.oneof(
  fc.constantFrom(
    '{', '{"a":', '[1,2', '{"a":1,}', "{'a':1}", 'NaN', 'undefined', '{"a":1}{"b":2}', '\u0000', '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}', '1e999', '-1e999', '{"a":1e999}', '"\\ud800"', '{"a":"\\u0000"}', '[]', 'null', '"text"', '123', 'true',
  ).map((payload): RawBody => ({ contentType: 'application/json', payload, kind: 'malformed json' })),
  fc.tuple(fc.integer({ min: 65, max: 20_000 }), fc.constantFrom<[string, string, string]>(['[', ']', '1'], ['{"a":', '}', '1'], ['{"entries":[', ']}', '{}'], ['[{"x":', '}]', '0'])).map(
    ([depth, [open, close, leaf]]): RawBody => ({ contentType: 'application/json', payload: nestedJson(depth, open, close, leaf), kind: 'deeply nested json' }),
  ),
  fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'application/json; charset=latin1', 'image/png', 'application/yaml'), oddString).map(
    ([contentType, text]): RawBody => ({ contentType, payload: contentType.startsWith('application/x-www') ? `a=${encodeURIComponent('x')}&__proto__[admin]=1&b=${text.length}` : text, kind: 'wrong content type' }),
  ),
  fc.constantFrom(
    Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
    Buffer.from([0xc3, 0x28, 0x7b, 0x7d]),
    Buffer.from('{"a":"\xff"}', 'latin1'),
  ).map((payload): RawBody => ({ contentType: 'application/json', payload, kind: 'invalid utf-8' })),
);

/** A JSON body just over a size limit (made once per size, it is large). */
export function oversizedJson(bytes: number): string {
  const filler = 'x'.repeat(bytes);
  return `{"fileName":"a.yaml","contentBase64":"${filler}","name":"${'n'.repeat(10)}"}`;
}

// ── URL parts ──────────────────────────────────────────────────────────────────────────────────

/** A path segment or query value as it would arrive on the wire (lone surrogates as the bytes of one). */
export function encodeSegment(value: string): string {
  let out = '';
  for (const ch of value) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      out += '%ED%A0%80'; // a UTF-16 surrogate encoded as if it were a character: invalid UTF-8
    }
  }
  return out;
}

/** A path segment or query value, percent-encoded as it would arrive on the wire (some deliberately malformed). */
export const badSegment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: oddString.filter((s) => s.length <= 3_000).map(encodeSegment) },
  { weight: 2, arbitrary: oddNumber.map((n) => encodeSegment(String(n))) },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '%', '%zz', '%2e%2e', '%2F', '%00', '%ED%A0%80', '%C0%AF', '+', '*', '%3F', '%23', ';', '%25') },
);

export const badQuery: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom('unit', 'year', 'open', 'limit', 'format', 'lang', 'next', '__proto__', 'constructor', 'a[b]', 'a[]'), oddString.filter((s) => s.length < 200)), badSegment), { minLength: 1, maxLength: 6 })
  .map((pairs) => pairs.map(([k, v]) => `${encodeSegment(k)}=${v}`).join('&'));

/** Header values that are legal on the wire (latin-1 printable) but carry nonsense. */
export const badToken: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 300 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  fc.constantFrom('', 'null', 'undefined', "' or 1=1 --", 'a'.repeat(10_000), '../../', 'se_', 'Bearer'),
);
