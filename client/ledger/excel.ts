/**
 * The unit-year as an Excel workbook laid out like a finance office's own 台账: one sheet per
 * table, a header row of Chinese column titles, amounts in 元 with two decimals. Reading maps
 * the sheets onto the unit-year document (then validated like any file); problems are reported
 * with their sheet and row. Writing produces the same layout, so export → import is lossless.
 */
import ExcelJS from 'exceljs';
import { formatYuan, yuanNumberToFen, type Fen } from '../../domain/money';
import { UNIT_YEAR_FORMAT, type UnitYear } from '../../domain/ledger/unit-year.schema';
import type { Problem } from '../../domain/validation';

type Cell = string | number | boolean | null;
type RowObject = Record<string, Cell>;

interface Column {
  title: string;
  width?: number;
  kind?: 'money' | 'percent' | 'date' | 'int' | 'bool' | 'text';
}

const SHEETS = {
  unit: '单位',
  posts: '领导职数',
  functions: '主要职能',
  sections: '科室',
  people: '人员',
  stated: '申报数',
  income: '收入来源',
  projects: '项目',
  allocations: '资金安排',
  contracts: '合同',
  payments: '支付',
  holdbacks: '暂缓支付',
  assessments: '运维考核',
  narrative: '评价说明',
  submissions: '科室提交',
} as const;

const COLUMNS: Record<keyof typeof SHEETS, Column[]> = {
  unit: [{ title: '字段', width: 16 }, { title: '值', width: 60 }],
  posts: [{ title: '职务', width: 16 }, { title: '人数', kind: 'int' }],
  functions: [{ title: '序号', kind: 'int', width: 6 }, { title: '职能', width: 100 }],
  sections: [{ title: '编码', width: 16 }, { title: '名称', width: 16 }, { title: '级别' }, { title: '报告顺序', kind: 'int' }],
  people: [{ title: '姓名', width: 14 }, { title: '邮箱', width: 36 }, { title: '角色', width: 24 }, { title: '科室编码', width: 14 }],
  stated: [{ title: '键', width: 30 }, { title: '名称', width: 20 }, { title: '金额（元）', kind: 'money', width: 18 }, { title: '比例（%）', kind: 'percent' }, { title: '出处', width: 12 }],
  income: [{ title: '来源', width: 24 }, { title: '金额（元）', kind: 'money', width: 18 }],
  projects: [{ title: '编码', width: 20 }, { title: '名称', width: 36 }, { title: '重点项目', kind: 'bool' }, { title: '出处' }, { title: '说明', width: 40 }],
  allocations: [
    { title: '项目编码', width: 20 }, { title: '编码', width: 24 }, { title: '名称', width: 32 }, { title: '预算年度', kind: 'int' },
    { title: '原始预算年度', kind: 'int' }, { title: '金额（元）', kind: 'money', width: 18 }, { title: '出处' },
  ],
  contracts: [
    { title: '项目编码', width: 20 }, { title: '编码', width: 28 }, { title: '名称', width: 28 }, { title: '供应商', width: 24 }, { title: '金额（元）', kind: 'money', width: 18 },
    { title: '签订日期', kind: 'date', width: 12 }, { title: '验收日期', kind: 'date', width: 12 }, { title: '质保期（月）', kind: 'int' }, { title: '质保金比例（%）', kind: 'percent' },
    { title: '付款期限（天）', kind: 'int' }, { title: '按考核系数付款', kind: 'bool' }, { title: '备注', width: 40 },
  ],
  payments: [
    { title: '项目编码', width: 20 }, { title: '编码', width: 28 }, { title: '资金安排编码', width: 24 }, { title: '合同编码', width: 28 }, { title: '金额（元）', kind: 'money', width: 18 },
    { title: '支付日期', kind: 'date', width: 12 }, { title: '备注', width: 20 }, { title: '出处' },
  ],
  holdbacks: [
    { title: '项目编码', width: 20 }, { title: '编码', width: 28 }, { title: '类型', width: 16 }, { title: '资金安排编码', width: 24 }, { title: '合同编码', width: 28 },
    { title: '金额（元）', kind: 'money', width: 18 }, { title: '条件', width: 40 }, { title: '考核期间' }, { title: '里程碑', width: 24 }, { title: '到期日', kind: 'date', width: 12 },
    { title: '状态' }, { title: '出处' },
  ],
  assessments: [
    { title: '项目编码', width: 20 }, { title: '暂缓支付编码', width: 24 }, { title: '考核期间' }, { title: '考核日期', kind: 'date', width: 12 }, { title: '得分' },
    { title: '是否通过', kind: 'bool' }, { title: '付款系数（%）', kind: 'percent' }, { title: '备注', width: 30 },
  ],
  narrative: [{ title: '部分', width: 10 }, { title: '类别', width: 8 }, { title: '内容', width: 100 }],
  submissions: [
    { title: '科室编码', width: 14 }, { title: '类别', width: 10 }, { title: '标题', width: 30 }, { title: '内容', width: 80 }, { title: '计量单位' },
    { title: '方向' }, { title: '目标值' }, { title: '实际值' }, { title: '备注', width: 30 },
  ],
};

const UNIT_FIELDS: Array<[string, string]> = [
  ['format', '格式'], ['code', '编码'], ['name', '名称'], ['shortName', '简称'], ['level', '级别'], ['category', '类别'], ['fundingType', '经费形式'],
  ['staffQuota', '核定编制数'], ['sectionLeadershipPosts', '内设机构领导职数'], ['year', '年度'], ['staff.actual', '年末实有人数'],
  ['staff.previousYear', '上年实有人数'], ['staff.source', '人数出处'], ['reportDate', '报告日期'],
];

const ROLE_LABELS: Record<string, string> = { finance_officer: '财务人员', section_head: '科室负责人', unit_head: '单位负责人', admin: '管理员' };
const KIND_LABELS: Record<string, string> = { retention: '质保金', om_assessment: '运维考核', acceptance: '验收后支付', milestone: '里程碑' };
const STATUS_LABELS: Record<string, string> = { waiting: '等待', payable: '可支付', partially_released: '部分支付', released: '已支付', forfeited: '不予支付' };
const STATED_LABELS: Record<string, string> = {
  'income.total': '收入合计', carryOver: '上年结转结余', closingBalance: '年末结转结余', 'expenditure.total': '支出合计', 'expenditure.basic': '基本支出',
  'expenditure.personnel': '人员经费', 'expenditure.personnelShare': '人员经费占比', 'expenditure.public': '公用经费', 'expenditure.publicShare': '公用经费占比',
  'expenditure.project': '项目支出', 'budget.initial': '年初预算', 'budget.supplementary': '本年追加预算', 'budget.adjusted': '调整后预算',
  'budget.publicFunds': '公用经费预算', 'budget.threePublic': '“三公”经费预算', 'budget.threePublicPreviousYear': '上年“三公”经费预算',
  'budget.procurement': '政府采购预算', 'actual.threePublic': '“三公”经费实际支出', 'actual.procurement': '政府采购实际金额', 'actual.previousClosingBalance': '上年末结转结余',
};
const NARRATIVE_PARTS: Record<string, string> = { economy: '经济性', efficiency: '效率性' };
const INCLUDES_PARTS: Record<string, string> = { personnelIncludes: '人员经费', publicIncludes: '公用经费' };
const SUBMISSION_KINDS = { achievement: '工作成效', indicator: '产出指标', problem: '存在问题', nextStep: '改进措施' } as const;

const invert = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));

// ── Writing ────────────────────────────────────────────────────────────────────────────────

function yuan(fen: Fen | undefined): number | null {
  return fen === undefined ? null : Number(formatYuan(fen));
}
function percent(bp: number | undefined): number | null {
  return bp === undefined ? null : bp / 100;
}
const v = <T>(x: T | undefined): T | null => (x === undefined ? null : x);

function addSheet(wb: ExcelJS.Workbook, key: keyof typeof SHEETS, rows: Cell[][]): void {
  const ws = wb.addWorksheet(SHEETS[key], { views: [{ state: 'frozen', ySplit: 1 }] });
  const columns = COLUMNS[key];
  ws.columns = columns.map((c) => ({ header: c.title, width: c.width ?? 12 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    if (c.kind === 'money') col.numFmt = '#,##0.00';
    if (c.kind === 'percent') col.numFmt = '0.00';
    if (c.kind === 'text' || c.kind === 'date' || c.kind === undefined) col.numFmt = '@';
  });
}

export async function writeWorkbook(y: UnitYear): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'selfeval';
  const unitValues: Record<string, Cell> = {
    format: UNIT_YEAR_FORMAT, code: y.unit.code, name: y.unit.name, shortName: v(y.unit.shortName), level: v(y.unit.level), category: v(y.unit.category),
    fundingType: v(y.unit.fundingType), staffQuota: y.unit.staffQuota, sectionLeadershipPosts: v(y.unit.sectionLeadershipPosts), year: y.year,
    'staff.actual': y.staff.actual, 'staff.previousYear': v(y.staff.previousYear), 'staff.source': v(y.staff.source), reportDate: v(y.reportDate),
  };
  addSheet(wb, 'unit', UNIT_FIELDS.map(([k, label]) => [label, unitValues[k] ?? null]));
  addSheet(wb, 'posts', y.unit.leadershipPosts.map((p) => [p.title, p.count]));
  addSheet(wb, 'functions', y.unit.functions.map((f, i) => [i + 1, f]));
  addSheet(wb, 'sections', y.unit.sections.map((s) => [s.code, s.name, v(s.level), v(s.reportOrder)]));
  addSheet(wb, 'people', y.people.map((p) => [p.name, p.email, p.roles.map((r) => ROLE_LABELS[r]).join('、'), v(p.section)]));
  const st = y.stated;
  const statedRows: Cell[][] = [];
  const pushAmount = (key: string, s: { amount: Fen; source?: string | undefined } | undefined) => {
    if (s) statedRows.push([key, STATED_LABELS[key] ?? key, yuan(s.amount), null, v(s.source)]);
  };
  const pushShare = (key: string, s: { shareBp: number; source?: string | undefined } | undefined) => {
    if (s) statedRows.push([key, STATED_LABELS[key] ?? key, null, percent(s.shareBp), v(s.source)]);
  };
  pushAmount('income.total', st.income.total);
  pushAmount('carryOver', st.carryOver);
  pushAmount('closingBalance', st.closingBalance);
  pushAmount('expenditure.total', st.expenditure.total);
  pushAmount('expenditure.basic', st.expenditure.basic);
  pushAmount('expenditure.personnel', st.expenditure.personnel);
  pushShare('expenditure.personnelShare', st.expenditure.personnelShare);
  pushAmount('expenditure.public', st.expenditure.public);
  pushShare('expenditure.publicShare', st.expenditure.publicShare);
  pushAmount('expenditure.project', st.expenditure.project);
  for (const [k, s] of Object.entries(st.budget)) pushAmount(`budget.${k}`, s);
  for (const [k, s] of Object.entries(st.actual)) pushAmount(`actual.${k}`, s);
  addSheet(wb, 'stated', statedRows);
  addSheet(wb, 'income', st.income.bySource.map((b) => [b.source, yuan(b.amount)]));
  addSheet(wb, 'projects', y.projects.map((p) => [p.code, p.name, p.key === undefined ? null : p.key, v(p.source), v(p.description)]));
  addSheet(wb, 'allocations', y.projects.flatMap((p) => p.allocations.map((a) => [p.code, a.code, a.name, a.budgetYear, v(a.originalBudgetYear), yuan(a.amount), v(a.source)])));
  addSheet(
    wb,
    'contracts',
    y.projects.flatMap((p) =>
      p.contracts.map((c) => [
        p.code, c.code, v(c.name), v(c.vendor), yuan(c.amount), v(c.signedOn), v(c.acceptedOn), v(c.warrantyMonths), percent(c.retentionRate), c.paymentTermDays, c.omCoefficientApplies, v(c.note),
      ]),
    ),
  );
  addSheet(wb, 'payments', y.projects.flatMap((p) => p.payments.map((x) => [p.code, x.code, x.allocation, v(x.contract), yuan(x.amount), v(x.paidOn), v(x.note), v(x.source)])));
  addSheet(
    wb,
    'holdbacks',
    y.projects.flatMap((p) =>
      p.holdbacks.map((h) => [
        p.code, h.code, KIND_LABELS[h.kind] ?? h.kind, h.allocation, v(h.contract), yuan(h.amount), h.condition, v(h.period), v(h.milestone), v(h.dueOn), STATUS_LABELS[h.status] ?? h.status, v(h.source),
      ]),
    ),
  );
  addSheet(
    wb,
    'assessments',
    y.projects.flatMap((p) => p.assessments.map((a) => [p.code, a.holdback, a.period, v(a.assessedOn), v(a.score), a.passed, percent(a.coefficient), v(a.note)])),
  );
  const narrativeRows: Cell[][] = [];
  for (const [part, label] of Object.entries(INCLUDES_PARTS)) {
    for (const item of y.narrative[part as 'personnelIncludes' | 'publicIncludes']) narrativeRows.push([label, '包括', item]);
  }
  for (const [part, label] of Object.entries(NARRATIVE_PARTS)) {
    const block = y.narrative[part as 'economy' | 'efficiency'];
    if (block.lead) narrativeRows.push([label, '导语', block.lead]);
    for (const item of block.items) narrativeRows.push([label, '要点', item]);
  }
  addSheet(wb, 'narrative', narrativeRows);
  const submissionRows: Cell[][] = [];
  for (const s of y.submissions) {
    for (const a of s.achievements) for (const p of a.paragraphs) submissionRows.push([s.section, SUBMISSION_KINDS.achievement, a.title, p, null, null, null, null, null]);
    for (const i of s.outputIndicators) submissionRows.push([s.section, SUBMISSION_KINDS.indicator, i.name, null, i.unit, i.direction, i.target, i.actual, v(i.note)]);
    for (const p of s.problems) submissionRows.push([s.section, SUBMISSION_KINDS.problem, p.title, v(p.detail), null, null, null, null, null]);
    for (const p of s.nextSteps) submissionRows.push([s.section, SUBMISSION_KINDS.nextStep, p.title, v(p.detail), null, null, null, null, null]);
  }
  addSheet(wb, 'submissions', submissionRows);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ── Reading ────────────────────────────────────────────────────────────────────────────────

export type ReadWorkbookResult = { ok: true; document: Record<string, unknown>; locate: (path: string) => string | undefined } | { ok: false; problems: Problem[] };

function cellValue(cell: ExcelJS.CellValue): Cell {
  if (cell === null || cell === undefined) return null;
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'object') {
    if ('result' in cell) return cellValue(cell.result);
    if ('richText' in cell) return cell.richText.map((r) => r.text).join('');
    if ('text' in cell) return String(cell.text);
    return null;
  }
  if (typeof cell === 'string') return cell.trim() === '' ? null : cell.trim();
  return cell;
}

function readSheet(wb: ExcelJS.Workbook, key: keyof typeof SHEETS, problems: Problem[]): Array<{ row: number; values: RowObject }> {
  const ws = wb.getWorksheet(SHEETS[key]);
  if (!ws) return [];
  const header = (ws.getRow(1).values as ExcelJS.CellValue[]).map((c) => (cellValue(c) === null ? '' : String(cellValue(c))));
  const known = new Set(COLUMNS[key].map((c) => c.title));
  for (const title of header) {
    if (title && !known.has(title)) problems.push({ path: `${SHEETS[key]}!1`, code: 'unknown_column', zh: `工作表“${SHEETS[key]}”有无法识别的列：${title}`, en: `sheet ${SHEETS[key]} has an unknown column: ${title}` });
  }
  const rows: Array<{ row: number; values: RowObject }> = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const values: RowObject = {};
    header.forEach((title, i) => {
      if (title) values[title] = cellValue(row.getCell(i).value);
    });
    if (Object.values(values).some((x) => x !== null)) rows.push({ row: n, values });
  });
  return rows;
}

/** Money cell → the document's form: a number of 元 becomes exact 分 (or stays text to be reported). */
function money(c: Cell | undefined): unknown {
  if (c === null || c === undefined) return undefined;
  if (typeof c === 'number') {
    try {
      return yuanNumberToFen(c);
    } catch {
      return `${c}元`;
    }
  }
  return typeof c === 'string' && /^[+-]?[\d,]+(\.\d+)?$/.test(c) ? `${c}元` : c;
}
function percentCell(c: Cell | undefined): unknown {
  if (c === null || c === undefined) return undefined;
  return typeof c === 'number' ? `${Number(c.toFixed(6))}%` : c;
}
function bool(c: Cell | undefined): unknown {
  if (c === null || c === undefined) return undefined;
  if (typeof c === 'boolean') return c;
  if (c === '是' || c === 'TRUE' || c === 'true' || c === 1) return true;
  if (c === '否' || c === 'FALSE' || c === 'false' || c === 0) return false;
  return c;
}
const opt = (c: Cell | undefined): unknown => (c === null ? undefined : c);
const str = (c: Cell | undefined): string | undefined => (c === null || c === undefined ? undefined : String(c));

export async function readWorkbook(bytes: Buffer): Promise<ReadWorkbookResult> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return { ok: false, problems: [{ path: '(file)', code: 'syntax', zh: `无法读取 Excel 文件：${(e as Error).message}`, en: `cannot read the Excel file: ${(e as Error).message}` }] };
  }
  const problems: Problem[] = [];
  const where = new Map<string, string>();
  const at = (key: keyof typeof SHEETS, row: number) => `${SHEETS[key]} 第${row}行`;

  const unitRows = readSheet(wb, 'unit', problems);
  const byLabel = invert(Object.fromEntries(UNIT_FIELDS));
  const u: Record<string, Cell> = {};
  for (const { values } of unitRows) {
    const label = values['字段'];
    if (typeof label === 'string' && byLabel[label]) u[byLabel[label]] = values['值'] ?? null;
  }
  const num = (c: Cell | undefined) => (c === null || c === undefined ? undefined : typeof c === 'number' ? c : Number.isFinite(Number(c)) ? Number(c) : c);

  const projects = new Map<string, Record<string, any>>();
  const projectOrder: string[] = [];
  const project = (code: Cell, row: number, sheet: keyof typeof SHEETS) => {
    const key = String(code ?? '');
    const p = projects.get(key);
    if (!p) {
      problems.push({ path: at(sheet, row), code: 'unknown_project', zh: `未知的项目编码：${key || '（空）'}`, en: `unknown project code: ${key || '(empty)'}` });
      return undefined;
    }
    return p;
  };
  readSheet(wb, 'projects', problems).forEach(({ row, values }, i) => {
    const code = String(values['编码'] ?? '');
    where.set(`projects[${i}]`, at('projects', row));
    projects.set(code, { code: str(values['编码']), name: str(values['名称']), key: bool(values['重点项目']), source: str(values['出处']), description: str(values['说明']), allocations: [], contracts: [], payments: [], holdbacks: [], assessments: [] });
    projectOrder.push(code);
  });
  const pathOf = (code: string, list: string, index: number) => `projects[${projectOrder.indexOf(code)}].${list}[${index}]`;
  const addTo = (list: string, sheet: keyof typeof SHEETS, row: number, code: Cell, item: Record<string, unknown>) => {
    const p = project(code, row, sheet);
    if (!p) return;
    where.set(pathOf(String(code), list, p[list].length), at(sheet, row));
    p[list].push(item);
  };
  for (const { row, values } of readSheet(wb, 'allocations', problems)) {
    addTo('allocations', 'allocations', row, values['项目编码'] ?? null, {
      code: str(values['编码']), name: str(values['名称']), budgetYear: num(values['预算年度']), originalBudgetYear: num(values['原始预算年度']),
      amount: money(values['金额（元）']), source: str(values['出处']),
    });
  }
  for (const { row, values } of readSheet(wb, 'contracts', problems)) {
    addTo('contracts', 'contracts', row, values['项目编码'] ?? null, {
      code: str(values['编码']), name: str(values['名称']), vendor: str(values['供应商']), amount: money(values['金额（元）']),
      signedOn: str(values['签订日期']), acceptedOn: str(values['验收日期']), warrantyMonths: num(values['质保期（月）']),
      retentionRate: percentCell(values['质保金比例（%）']), paymentTermDays: num(values['付款期限（天）']),
      omCoefficientApplies: bool(values['按考核系数付款']), note: str(values['备注']),
    });
  }
  for (const { row, values } of readSheet(wb, 'payments', problems)) {
    addTo('payments', 'payments', row, values['项目编码'] ?? null, {
      code: str(values['编码']), allocation: str(values['资金安排编码']), contract: str(values['合同编码']), amount: money(values['金额（元）']),
      paidOn: str(values['支付日期']), note: str(values['备注']), source: str(values['出处']),
    });
  }
  const kinds = invert(KIND_LABELS);
  const statuses = invert(STATUS_LABELS);
  for (const { row, values } of readSheet(wb, 'holdbacks', problems)) {
    const kind = String(values['类型'] ?? '');
    const status = values['状态'] === null || values['状态'] === undefined ? undefined : String(values['状态']);
    addTo('holdbacks', 'holdbacks', row, values['项目编码'] ?? null, {
      code: str(values['编码']), kind: kinds[kind] ?? kind, allocation: str(values['资金安排编码']), contract: str(values['合同编码']), amount: money(values['金额（元）']),
      condition: str(values['条件']), period: str(values['考核期间']), milestone: str(values['里程碑']), dueOn: str(values['到期日']),
      status: status === undefined ? undefined : (statuses[status] ?? status), source: str(values['出处']),
    });
  }
  for (const { row, values } of readSheet(wb, 'assessments', problems)) {
    addTo('assessments', 'assessments', row, values['项目编码'] ?? null, {
      holdback: str(values['暂缓支付编码']), period: str(values['考核期间']), assessedOn: str(values['考核日期']), score: num(values['得分']),
      passed: bool(values['是否通过']), coefficient: percentCell(values['付款系数（%）']), note: str(values['备注']),
    });
  }

  const stated: Record<string, any> = { income: { bySource: [] }, expenditure: {}, budget: {}, actual: {} };
  for (const { row, values } of readSheet(wb, 'stated', problems)) {
    const key = String(values['键'] ?? '');
    const source = str(values['出处']);
    const isShare = key.endsWith('Share');
    const value = isShare ? percentCell(values['比例（%）']) : money(values['金额（元）']);
    const entry = isShare ? { share: value, source } : { amount: value, source };
    const [head, tail] = key.split('.') as [string, string | undefined];
    if (key === 'income.total') stated['income'].total = entry;
    else if (!tail && (head === 'carryOver' || head === 'closingBalance')) stated[head] = entry;
    else if (tail && (head === 'expenditure' || head === 'budget' || head === 'actual')) stated[head][tail] = entry;
    else problems.push({ path: at('stated', row), code: 'unknown_key', zh: `未知的申报数键：${key}`, en: `unknown stated figure key: ${key}` });
    where.set(`stated.${key}`, at('stated', row));
  }
  readSheet(wb, 'income', problems).forEach(({ row, values }, i) => {
    where.set(`stated.income.bySource[${i}]`, at('income', row));
    stated['income'].bySource.push({ source: str(values['来源']), amount: money(values['金额（元）']) });
  });

  const roles = invert(ROLE_LABELS);
  const people = readSheet(wb, 'people', problems).map(({ row, values }, i) => {
    where.set(`people[${i}]`, at('people', row));
    const list = String(values['角色'] ?? '').split(/[、,，\s]+/).filter(Boolean).map((r) => roles[r] ?? r);
    return { name: str(values['姓名']), email: str(values['邮箱']), roles: list, section: str(values['科室编码']) };
  });
  const sections = readSheet(wb, 'sections', problems).map(({ row, values }, i) => {
    where.set(`unit.sections[${i}]`, at('sections', row));
    return { code: str(values['编码']), name: str(values['名称']), level: str(values['级别']), reportOrder: num(values['报告顺序']) };
  });

  const narrative: Record<string, { lead?: string; items: string[] }> = { economy: { items: [] }, efficiency: { items: [] } };
  const includes: Record<string, string[]> = { personnelIncludes: [], publicIncludes: [] };
  const parts = invert(NARRATIVE_PARTS);
  const includeParts = invert(INCLUDES_PARTS);
  for (const { row, values } of readSheet(wb, 'narrative', problems)) {
    const label = String(values['部分'] ?? '');
    const text = str(values['内容']);
    const includePart = includeParts[label];
    if (includePart && text) {
      includes[includePart]!.push(text);
      continue;
    }
    const part = parts[label];
    if (!part || !text) {
      problems.push({ path: at('narrative', row), code: 'invalid_row', zh: '部分应为“人员经费”“公用经费”“经济性”或“效率性”，且内容不能为空', en: 'part must be 人员经费, 公用经费, 经济性 or 效率性, with content' });
      continue;
    }
    if (values['类别'] === '导语') narrative[part]!.lead = text;
    else narrative[part]!.items.push(text);
  }

  const submissions: Array<Record<string, any>> = [];
  for (const { row, values } of readSheet(wb, 'submissions', problems)) {
    const section = String(values['科室编码'] ?? '');
    let s = submissions.find((x) => x['section'] === section);
    if (!s) {
      s = { section, achievements: [], outputIndicators: [], problems: [], nextSteps: [] };
      submissions.push(s);
    }
    const kind = values['类别'];
    const title = str(values['标题']);
    if (kind === SUBMISSION_KINDS.achievement) {
      const last = s['achievements'].at(-1);
      if (last && last.title === title) last.paragraphs.push(str(values['内容']));
      else s['achievements'].push({ title, paragraphs: [str(values['内容'])] });
    } else if (kind === SUBMISSION_KINDS.indicator) {
      s['outputIndicators'].push({ name: title, unit: str(values['计量单位']) ?? '', direction: str(values['方向']), target: str(values['目标值']), actual: str(values['实际值']), note: str(values['备注']) });
    } else if (kind === SUBMISSION_KINDS.problem) s['problems'].push({ title, detail: str(values['内容']) });
    else if (kind === SUBMISSION_KINDS.nextStep) s['nextSteps'].push({ title, detail: str(values['内容']) });
    else problems.push({ path: at('submissions', row), code: 'invalid_row', zh: `类别应为 ${Object.values(SUBMISSION_KINDS).join('、')}`, en: `kind must be one of ${Object.values(SUBMISSION_KINDS).join(', ')}` });
  }

  if (problems.length) return { ok: false, problems };
  const document: Record<string, unknown> = {
    format: opt(u['format']),
    year: num(u['year']),
    unit: {
      code: str(u['code']), name: str(u['name']), shortName: str(u['shortName']), level: str(u['level']), category: str(u['category']),
      fundingType: str(u['fundingType']), staffQuota: num(u['staffQuota']), sectionLeadershipPosts: num(u['sectionLeadershipPosts']),
      leadershipPosts: readSheet(wb, 'posts', problems).map(({ values }) => ({ title: str(values['职务']), count: num(values['人数']) })),
      functions: readSheet(wb, 'functions', problems).map(({ values }) => str(values['职能'])),
      sections,
    },
    staff: { actual: num(u['staff.actual']), previousYear: num(u['staff.previousYear']), source: str(u['staff.source']) },
    people,
    stated,
    projects: projectOrder.map((c) => projects.get(c)),
    narrative: { ...includes, ...narrative },
    submissions,
    reportDate: str(u['reportDate']),
  };
  return { ok: true, document: JSON.parse(JSON.stringify(document)) as Record<string, unknown>, locate: (p) => locate(where, p) };
}

/** The sheet and row of a document path (the longest known prefix). */
function locate(where: Map<string, string>, path: string): string | undefined {
  let best: string | undefined;
  let bestLength = -1;
  for (const [prefix, place] of where) {
    if ((path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) && prefix.length > bestLength) {
      best = place;
      bestLength = prefix.length;
    }
  }
  return best;
}
