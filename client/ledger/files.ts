/**
 * Ledger files: a unit-year as JSON, YAML or an Excel workbook (台账), read into the parsed
 * `UnitYear` or every problem with its location; and written back out in any of the three.
 */
import path from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { formatWanYuan, formatYuan, type Fen } from '../../domain/money';
import { parseUnitYear, type UnitYear } from '../../domain/ledger/unit-year.schema';
import type { Problem } from '../../domain/validation';
import { readWorkbook, writeWorkbook } from './excel';

export type LedgerFormat = 'json' | 'yaml' | 'xlsx';

export function formatOf(fileName: string): LedgerFormat | undefined {
  const ext = path.extname(fileName).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.xlsx') return 'xlsx';
  return undefined;
}

export type ReadResult = { ok: true; value: UnitYear } | { ok: false; problems: Problem[] };

function syntaxProblem(zh: string, en: string, code = 'syntax'): ReadResult {
  return { ok: false, problems: [{ path: '(file)', code, zh, en }] };
}

/**
 * A unit-year as text is tens of kilobytes (the seed: 30 KB); 2 MB is far beyond any real one and
 * still parses in well under a second. A larger document is refused before it is parsed.
 */
export const MAX_TEXT_DOCUMENT_BYTES = 2 * 1024 * 1024;
/** YAML aliases a document may expand (a ledger needs none); more is an expansion ("billion laughs") attack. */
export const MAX_YAML_ALIASES = 100;

/** Text with the NUL character anywhere in the document (Postgres cannot store it), iteratively. */
function nulProblems(document: unknown): Problem[] {
  const problems: Problem[] = [];
  const stack: Array<{ v: unknown; path: string }> = [{ v: document, path: '(root)' }];
  while (stack.length && problems.length < 10) {
    const { v, path: at } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) problems.push({ path: at, code: 'nul_character', zh: '文本中不能包含空字符（\\u0000）', en: 'text must not contain the NUL character (\\u0000)' });
    } else if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, path: `${at}[${i}]` }));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) stack.push({ v: x, path: at === '(root)' ? k : `${at}.${k}` });
  }
  return problems;
}

function parseChecked(document: unknown): ReadResult {
  const nul = nulProblems(document);
  return nul.length ? { ok: false, problems: nul } : parseUnitYear(document);
}

/** Reads a ledger file's bytes; the format comes from the file name. */
export async function readLedgerFile(fileName: string, bytes: Buffer): Promise<ReadResult> {
  const format = formatOf(fileName);
  if (!format) return syntaxProblem(`不支持的文件类型：${path.basename(fileName)}（应为 .json、.yaml 或 .xlsx）`, `unsupported file type: ${path.basename(fileName)} (use .json, .yaml or .xlsx)`);
  if (format === 'xlsx') {
    const read = await readWorkbook(bytes);
    if (!read.ok) return read;
    const parsed = parseChecked(read.document);
    if (parsed.ok) return parsed;
    // Say where in the workbook each problem is: "支付 第5行 (projects[1].payments[0].amount)".
    return { ok: false, problems: parsed.problems.map((p) => ({ ...p, path: read.locate(p.path) ? `${read.locate(p.path)} (${p.path})` : p.path })) };
  }
  if (bytes.length > MAX_TEXT_DOCUMENT_BYTES) {
    const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
    return syntaxProblem(
      `文件过大：${mb(bytes.length)}，${format.toUpperCase()} 账套文件最大 ${mb(MAX_TEXT_DOCUMENT_BYTES)}`,
      `the file is too large: ${mb(bytes.length)}; a ${format.toUpperCase()} unit-year file may have at most ${mb(MAX_TEXT_DOCUMENT_BYTES)}`,
      'too_large',
    );
  }
  const text = bytes.toString('utf8');
  if (format === 'json') {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (e) {
      return syntaxProblem(`JSON 语法错误：${(e as Error).message}`, `JSON syntax error: ${(e as Error).message}`);
    }
    return parseChecked(document);
  }
  let document: unknown;
  try {
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length) {
      return { ok: false, problems: doc.errors.map((e) => ({ path: '(file)', code: 'syntax', zh: `YAML 语法错误：${e.message}`, en: `YAML syntax error: ${e.message}` })) };
    }
    document = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount, and a RangeError when nesting overflows the stack.
    if (e instanceof ReferenceError && /alias/i.test(e.message)) {
      return syntaxProblem(
        `YAML 别名（*引用）展开过多（上限 ${MAX_YAML_ALIASES}）：文件被拒绝，疑为“十亿笑声”式攻击；账套文件不需要别名`,
        `YAML aliases (*references) expand too often (at most ${MAX_YAML_ALIASES}): the file is refused as a possible "billion laughs" attack; a unit-year file needs no aliases`,
        'yaml_alias_bomb',
      );
    }
    return syntaxProblem(`YAML 无法读取：${(e as Error).message}`, `YAML cannot be read: ${(e as Error).message}`);
  }
  return parseChecked(document);
}

/** An amount as the files write it: exact, in 万元 when that needs at most two decimals, else in 元. */
export function moneyText(fen: Fen): string {
  return fen % 10_000 === 0 ? `${formatWanYuan(fen)}万元` : `${formatYuan(fen)}元`;
}

function shareText(bp: number): string {
  return `${(bp / 100).toFixed(bp % 100 === 0 ? 0 : 2)}%`;
}

type MoneyCols = { previousFinal?: Fen | undefined; budget?: Fen | undefined; final?: Fen | undefined };
const moneyCols = (c: MoneyCols | undefined) =>
  c === undefined ? undefined : { previousFinal: c.previousFinal === undefined ? undefined : moneyText(c.previousFinal), budget: c.budget === undefined ? undefined : moneyText(c.budget), final: c.final === undefined ? undefined : moneyText(c.final) };
const opt = <T, R>(x: T | undefined, f: (v: T) => R): R | undefined => (x === undefined ? undefined : f(x));

/** The 基础数据表 back to its file form. */
function basicDataDocument(b: NonNullable<UnitYear['basicData']>): Record<string, unknown> {
  const group = <K extends string>(o: Partial<Record<K, MoneyCols | undefined>>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, moneyCols(v as MoneyCols)]));
  const rate = b.staff.controlRate;
  return {
    source: b.source,
    staff: {
      authorisedPosts: b.staff.authorisedPosts,
      inPost: b.staff.inPost,
      controlRate: rate && { previousFinal: opt(rate.previousFinal, shareText), budget: opt(rate.budget, shareText), final: opt(rate.final, shareText) },
    },
    threePublic: group(b.threePublic),
    projects: b.projects.map((r) => ({ name: r.name, project: r.project, ...moneyCols(r) })),
    projectsTotal: moneyCols(b.projectsTotal),
    publicFunds: group(b.publicFunds),
    procurement: moneyCols(b.procurement),
    budgetAdjustment: moneyCols(b.budgetAdjustment),
    buildings: b.buildings.map((x) => ({ ...x, budgetInvestment: moneyText(x.budgetInvestment), actualInvestment: moneyText(x.actualInvestment) })),
    savingMeasures: b.savingMeasures,
    budget: {
      initial: opt(b.budget.initial, moneyText),
      adjusted: opt(b.budget.adjusted, moneyText),
      executed: opt(b.budget.executed, moneyText),
      bySource: b.budget.bySource.map((x) => ({ source: x.source, initial: opt(x.initial, moneyText), adjusted: opt(x.adjusted, moneyText), executed: opt(x.executed, moneyText) })),
      plannedPaymentProgress: opt(b.budget.plannedPaymentProgress, shareText),
    },
  };
}

/** The parsed document back to its file form (amounts with units, shares as percentages). */
export function toDocument(y: UnitYear): Record<string, unknown> {
  const amount = (s: { amount: Fen; source?: string | undefined } | undefined) =>
    s === undefined ? undefined : s.source ? { amount: moneyText(s.amount), source: s.source } : moneyText(s.amount);
  const share = (s: { shareBp: number; source?: string | undefined } | undefined) =>
    s === undefined ? undefined : s.source ? { share: shareText(s.shareBp), source: s.source } : shareText(s.shareBp);
  const mapValues = (o: Record<string, { amount: Fen; source?: string | undefined } | undefined>) =>
    Object.fromEntries(Object.entries(o).map(([k, v]) => [k, amount(v)]));
  return {
    format: y.format,
    year: y.year,
    unit: y.unit,
    staff: y.staff,
    people: y.people,
    stated: {
      income: { total: amount(y.stated.income.total), bySource: y.stated.income.bySource.map((b) => ({ source: b.source, amount: moneyText(b.amount) })) },
      carryOver: amount(y.stated.carryOver),
      closingBalance: amount(y.stated.closingBalance),
      expenditure: {
        total: amount(y.stated.expenditure.total),
        basic: amount(y.stated.expenditure.basic),
        personnel: amount(y.stated.expenditure.personnel),
        personnelShare: share(y.stated.expenditure.personnelShare),
        public: amount(y.stated.expenditure.public),
        publicShare: share(y.stated.expenditure.publicShare),
        project: amount(y.stated.expenditure.project),
      },
      budget: mapValues(y.stated.budget),
      actual: mapValues(y.stated.actual),
    },
    projects: y.projects.map((p) => ({
      ...p,
      allocations: p.allocations.map((a) => ({ ...a, amount: moneyText(a.amount) })),
      contracts: p.contracts.map((c) => ({ ...c, amount: c.amount === undefined ? undefined : moneyText(c.amount), retentionRate: c.retentionRate === undefined ? undefined : shareText(c.retentionRate) })),
      payments: p.payments.map((x) => ({ ...x, amount: moneyText(x.amount) })),
      holdbacks: p.holdbacks.map((h) => ({ ...h, amount: moneyText(h.amount) })),
      assessments: p.assessments.map((a) => ({ ...a, coefficient: a.coefficient === undefined ? undefined : shareText(a.coefficient) })),
    })),
    narrative: y.narrative,
    submissions: y.submissions,
    reportDate: y.reportDate,
    ruleSet: y.ruleSet,
    outline: y.outline,
    basicData: opt(y.basicData, basicDataDocument),
    selfAssessment: y.selfAssessment,
    dataNote: y.dataNote,
  };
}

export async function writeLedgerFile(y: UnitYear, format: LedgerFormat): Promise<Buffer> {
  if (format === 'xlsx') return writeWorkbook(y);
  const doc = JSON.parse(JSON.stringify(toDocument(y))) as unknown; // drops undefined members
  return Buffer.from(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, { lineWidth: 0 }), 'utf8');
}
