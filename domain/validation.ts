/**
 * Turning zod failures into problems a person can act on: every problem names its field path
 * and says what is wrong in Chinese and in English. Used at every boundary (env, import files,
 * HTTP bodies, CLI files, update arguments).
 */
import { z } from 'zod';

export interface Problem {
  /** Dotted field path, e.g. `projects[2].payments[0].amountFen`; `(root)` for the whole input. */
  path: string;
  /** Machine-readable code (zod issue code or a domain code such as `payment_exceeds_contract`). */
  code: string;
  zh: string;
  en: string;
  /** The line of the source text (a YAML file) the problem is on, when known. */
  line?: number;
}

/** Bilingual message attached to a custom refinement: `ctx.addIssue({ code: 'custom', message: bi(zh, en), params: { code } })`. */
const SEP = ' ‖ ';
export function bi(zh: string, en: string): string {
  return `${zh}${SEP}${en}`;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const typeZh: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  bigint: '整数',
  boolean: '布尔值',
  object: '对象',
  array: '数组',
  date: '日期',
  undefined: '空',
  null: '空值',
};

function describeTooSmall(issue: z.core.$ZodIssueTooSmall): [string, string] {
  const min = String(issue.minimum);
  const incl = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      return [`至少需要 ${min} 个字符`, `must have at least ${min} character(s)`];
    case 'array':
    case 'set':
      return [`至少需要 ${min} 项`, `must have at least ${min} item(s)`];
    default:
      return incl
        ? [`不得小于 ${min}`, `must be ≥ ${min}`]
        : [`必须大于 ${min}`, `must be > ${min}`];
  }
}

function describeTooBig(issue: z.core.$ZodIssueTooBig): [string, string] {
  const max = String(issue.maximum);
  const incl = issue.inclusive !== false;
  switch (issue.origin) {
    case 'string':
      return [`不得超过 ${max} 个字符`, `must have at most ${max} character(s)`];
    case 'array':
    case 'set':
      return [`不得超过 ${max} 项`, `must have at most ${max} item(s)`];
    default:
      return incl ? [`不得大于 ${max}`, `must be ≤ ${max}`] : [`必须小于 ${max}`, `must be < ${max}`];
  }
}

/** One zod issue → one bilingual problem. Custom issues carry their own `bi(zh, en)` message. */
export function problemFromIssue(issue: z.core.$ZodIssue, input?: unknown): Problem {
  const path = formatPath(issue.path);
  const custom = (code: string, zh: string, en: string): Problem => ({ path, code, zh, en });
  // A schema that wrote its own bilingual message (`bi(zh, en)`) knows best what to say.
  if (issue.code !== 'custom' && issue.message.includes(SEP)) {
    const [zh, en] = splitBi(issue.message);
    return custom(issue.code, zh, en);
  }
  switch (issue.code) {
    case 'invalid_type': {
      const expected = String(issue.expected);
      const received = typeName(valueAt(input, issue.path));
      if (received === 'undefined') return custom('required', '必填项缺失', 'is required');
      return custom(
        'invalid_type',
        `应为${typeZh[expected] ?? expected}，实际为${typeZh[received] ?? received}`,
        `expected ${expected}, received ${received}`,
      );
    }
    case 'too_small': {
      const [zh, en] = describeTooSmall(issue);
      return custom('too_small', zh, en);
    }
    case 'too_big': {
      const [zh, en] = describeTooBig(issue);
      return custom('too_big', zh, en);
    }
    case 'invalid_format':
      return custom('invalid_format', `格式不正确（应为 ${issue.format}）`, `invalid format (expected ${issue.format})`);
    case 'invalid_value': {
      if (input !== undefined && issue.path.length > 0 && valueAt(input, issue.path) === undefined) return custom('required', '必填项缺失', 'is required');
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      return custom('invalid_value', `取值无效，可选：${allowed}`, `invalid value, expected one of: ${allowed}`);
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.join(', ');
      return custom('unrecognized_keys', `无法识别的字段：${keys}`, `unrecognized field(s): ${keys}`);
    }
    case 'not_multiple_of':
      return custom('not_multiple_of', `必须是 ${String(issue.divisor)} 的整数倍`, `must be a multiple of ${String(issue.divisor)}`);
    case 'invalid_union': {
      // When only one alternative was of the right shape, its own complaint is the useful one.
      const specific = issue.errors.filter((branch) => !branch.every((sub) => sub.code === 'invalid_type' && sub.path.length === 0));
      const first = specific.length === 1 ? specific[0]?.[0] : undefined;
      if (first) return problemFromIssue({ ...first, path: [...issue.path, ...first.path] }, input);
      return custom('invalid_union', '不符合任何允许的形式', 'does not match any allowed form');
    }
    case 'custom': {
      const code = typeof issue.params?.['code'] === 'string' ? (issue.params['code']) : 'custom';
      const [zh, en] = splitBi(issue.message);
      return custom(code, zh, en);
    }
    default: {
      const [zh, en] = splitBi(issue.message);
      return custom(issue.code, zh, en);
    }
  }
}

function splitBi(message: string): [string, string] {
  const at = message.indexOf(SEP);
  if (at < 0) return [message, message];
  return [message.slice(0, at), message.slice(at + SEP.length)];
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function problemsFromZod(error: z.ZodError, input?: unknown): Problem[] {
  return error.issues.map((issue) => problemFromIssue(issue, input));
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Parse without throwing; on failure, every problem with its path, in both languages. */
export function parse<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFromZod(result.error, input) };
}

/** One line per problem, for terminals and logs. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  - ${p.path}: ${p.zh} / ${p.en}`).join('\n');
}
