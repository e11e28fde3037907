/**
 * The unit-year as an Excel workbook laid out like a finance office's own 台账: one sheet per
 * table, a header row of Chinese column titles, amounts in 元 with two decimals. Reading maps
 * the sheets onto the unit-year document (then validated like any file); problems are reported
 * with their sheet and row. Writing produces the same layout, so export → import is lossless.
 *
 * The 基础数据表 sheet follows the official Hunan table (DOMAIN.md §4.3): a title, 金额单位：元
 * (or 万元, when the title says so), then rows named by their official labels under the headings
 * 一、 to 八、; 楼堂馆所 and 预算执行情况 have their own sheets. It is always written — blank, as a
 * form to fill, when the unit-year has no 基础数据表 — and a blank form reads back as none.
 *
 * Sheets and columns added over time are optional when reading: a workbook written before they
 * existed still imports. A sheet may have title rows above its header row.
 */
import ExcelJS from 'exceljs';
import { formatYuan, wanYuanNumberToFen, yuanNumberToFen, type Fen } from '../../domain/money';
import { basicDataColumns, basicDataColumnZh, type BasicData, type BasicDataColumn } from '../../domain/ledger/basic-data';
import { formatOmScoring } from '../../domain/holdbacks/om-scoring';
import { parseUnitYear, UNIT_YEAR_FORMAT, type UnitYear } from '../../domain/ledger/unit-year.schema';
import { DEFAULT_RULE_SET_ID, ruleSetById } from '../../domain/rule-sets';
import type { RuleSetIndicator, ScoringRuleSet } from '../../domain/scoring';
import type { Problem } from '../../domain/validation';

type Cell = string | number | boolean | null;
type RowObject = Record<string, Cell>;

interface Column {
  title: string;
  width?: number;
  kind?: 'money' | 'percent' | 'date' | 'int' | 'bool' | 'text';
  /** Written for the reader's eyes and ignored when read (an indicator's name beside its id). */
  info?: boolean;
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
  evaluations: '项目绩效目标',
  evaluationIndicators: '项目绩效指标',
  narrative: '评价说明',
  submissions: '科室提交',
  selfAssessment: '自评',
  basicData: '基础数据表',
  budget: '预算执行情况',
  buildings: '楼堂馆所',
} as const;
type SheetKey = keyof typeof SHEETS;

const BD = basicDataColumnZh;

const COLUMNS: Record<SheetKey, Column[]> = {
  unit: [{ title: '字段', width: 16 }, { title: '值', width: 60 }],
  posts: [{ title: '职务', width: 16 }, { title: '人数', kind: 'int' }],
  functions: [{ title: '序号', kind: 'int', width: 6 }, { title: '职能', width: 100 }],
  sections: [{ title: '编码', width: 16 }, { title: '名称', width: 16 }, { title: '级别' }, { title: '报告顺序', kind: 'int' }, { title: '自评指标', width: 30 }],
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
    { title: '付款期限（天）', kind: 'int' }, { title: '按考核系数付款', kind: 'bool' }, { title: '考核评分办法', width: 40 }, { title: '备注', width: 40 },
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
  evaluations: [
    { title: '项目编码', width: 20 }, { title: '主管部门', width: 24 }, { title: '实施单位', width: 24 }, { title: '预期目标', width: 50 }, { title: '实际完成情况', width: 50 },
    { title: '评价结论', width: 40 }, { title: '存在问题', width: 40 }, { title: '改进措施', width: 40 },
  ],
  evaluationIndicators: [
    { title: '项目编码', width: 20 }, { title: '一级指标' }, { title: '二级指标', width: 16 }, { title: '三级指标', width: 30 }, { title: '计量单位' }, { title: '指标方向' },
    { title: '年度指标值' }, { title: '实际完成值' }, { title: '分值' }, { title: '偏差原因分析及改进措施', width: 40 },
  ],
  narrative: [{ title: '部分', width: 10 }, { title: '类别', width: 8 }, { title: '内容', width: 100 }],
  submissions: [
    { title: '科室编码', width: 14 }, { title: '类别', width: 10 }, { title: '标题', width: 30 }, { title: '内容', width: 80 }, { title: '计量单位' },
    { title: '方向' }, { title: '目标值' }, { title: '实际值' }, { title: '指标类别' }, { title: '重点工作', kind: 'bool' }, { title: '备注', width: 30 },
  ],
  selfAssessment: [
    { title: '评价人', width: 14 }, { title: '指标', width: 26 }, { title: '指标名称', width: 24, info: true }, { title: '档次', width: 22 }, { title: '自评得分' },
    { title: '扣分原因或说明', width: 40 }, { title: '不适用', kind: 'bool' }, { title: '调查样本数', kind: 'int' }, { title: '满意人数', kind: 'int' }, { title: '调查方式', width: 20 },
  ],
  basicData: [
    { title: '项目', width: 36 }, { title: BD.previousFinal, kind: 'money', width: 18 }, { title: BD.budget, kind: 'money', width: 18 }, { title: BD.final, kind: 'money', width: 18 },
    { title: '关联项目编码', width: 20 },
  ],
  budget: [{ title: '资金来源', width: 30 }, { title: '年初预算数（元）', kind: 'money', width: 18 }, { title: '全年预算数（元）', kind: 'money', width: 18 }, { title: '全年执行数（元）', kind: 'money', width: 18 }],
  buildings: [
    { title: '名称', width: 30 }, { title: '批复规模（㎡）', width: 14 }, { title: '实际规模（㎡）', width: 14 }, { title: '预算投资（元）', kind: 'money', width: 18 },
    { title: '实际投资（元）', kind: 'money', width: 18 },
  ],
};

const UNIT_FIELDS: Array<[string, string]> = [
  ['format', '格式'], ['code', '编码'], ['name', '名称'], ['shortName', '简称'], ['level', '级别'], ['category', '类别'], ['fundingType', '经费形式'],
  ['staffQuota', '核定编制数'], ['sectionLeadershipPosts', '内设机构领导职数'], ['year', '年度'], ['staff.actual', '年末实有人数'],
  ['staff.previousYear', '上年实有人数'], ['staff.source', '人数出处'], ['reportDate', '报告日期'], ['ruleSet', '评分规则'], ['dataNote', '数据说明'],
  // Added after the others, so a workbook from before it keeps its rows.
  ['outline', '报告提纲'],
];

/** 单位 fields that live under `unit` in the document (the others are top-level or `staff.*`). */
const UNIT_LEVEL = new Set(['code', 'name', 'shortName', 'level', 'category', 'fundingType', 'staffQuota', 'sectionLeadershipPosts']);

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
/** Text the unit writes for the report's 七、八 (Hunan outline): one row, 类别 正文, the whole text (lines are paragraphs). */
const TEXT_PARTS: Record<string, string> = { resultApplication: '结果应用和公开', otherNotes: '其他说明' };
/** `marker`: a submission with nothing on this sheet (only self-assessments, or empty) keeps its place. */
const SUBMISSION_KINDS = { achievement: '工作成效', indicator: '产出指标', problem: '存在问题', nextStep: '改进措施', marker: '提交' } as const;
const CATEGORY_LABELS: Record<string, string> = { quantity: '数量', quality: '质量', timeliness: '时效', cost: '成本' };
const LEVEL1_LABELS: Record<string, string> = { output: '产出指标', benefit: '效益指标', satisfaction: '满意度指标' };
/** 评价人 of the finance officer's self-assessment rows (a section's rows name its code). */
const FINANCE_OFFICER = '财务人员';
/** 自评指标 of a section that assesses nothing, said explicitly. */
const NONE = '（无）';

const invert = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));

// ── The 基础数据表's rows ────────────────────────────────────────────────────────────────────

type BasicSection = 'staff' | 'threePublic' | 'projects' | 'publicFunds' | 'procurement' | 'budgetAdjustment' | 'buildings' | 'savingMeasures' | 'source';
interface BasicRow {
  /** The official label, as written. */
  label: string;
  /** The part of the table it belongs to (合计 means the total of the part it is under). */
  section: BasicSection;
  /** heading: no values; count/percent/money: three columns; text: one text spanning them. */
  kind: 'heading' | 'count' | 'percent' | 'money' | 'text';
  /** Where its values go in `basicData`. */
  path?: readonly string[];
  indent?: number;
  aliases?: readonly string[];
}

/** The rows in the official order; the project rows go between 三、项目支出 and its 合计. */
const BASIC_ROWS: readonly BasicRow[] = [
  { label: '一、财政供养人员情况', section: 'staff', kind: 'heading' },
  { label: '编制数', section: 'staff', kind: 'count', path: ['staff', 'authorisedPosts'], indent: 1 },
  { label: '实际在职人数', section: 'staff', kind: 'count', path: ['staff', 'inPost'], indent: 1 },
  { label: '控制率（%）', section: 'staff', kind: 'percent', path: ['staff', 'controlRate'], indent: 1 },
  { label: '二、“三公”经费', section: 'threePublic', kind: 'heading' },
  { label: '合计', section: 'threePublic', kind: 'money', path: ['threePublic', 'total'], indent: 1 },
  { label: '1.公务用车购置和维护经费', section: 'threePublic', kind: 'money', path: ['threePublic', 'vehicles'], indent: 1 },
  { label: '其中：公车购置', section: 'threePublic', kind: 'money', path: ['threePublic', 'vehiclePurchase'], indent: 2 },
  { label: '其中：公车运行维护', section: 'threePublic', kind: 'money', path: ['threePublic', 'vehicleOperation'], indent: 2 },
  { label: '2.出国经费', section: 'threePublic', kind: 'money', path: ['threePublic', 'abroad'], indent: 1 },
  { label: '3.公务接待', section: 'threePublic', kind: 'money', path: ['threePublic', 'reception'], indent: 1 },
  { label: '三、项目支出', section: 'projects', kind: 'heading' },
  { label: '合计', section: 'projects', kind: 'money', path: ['projectsTotal'], indent: 1 },
  { label: '四、公用经费', section: 'publicFunds', kind: 'heading' },
  { label: '合计', section: 'publicFunds', kind: 'money', path: ['publicFunds', 'total'], indent: 1 },
  { label: '其中：办公经费', section: 'publicFunds', kind: 'money', path: ['publicFunds', 'office'], indent: 2 },
  { label: '水费、电费、差旅费', section: 'publicFunds', kind: 'money', path: ['publicFunds', 'utilitiesTravel'], indent: 2 },
  { label: '会议费、培训费', section: 'publicFunds', kind: 'money', path: ['publicFunds', 'meetingsTraining'], indent: 2 },
  { label: '五、政府采购金额', section: 'procurement', kind: 'money', path: ['procurement'] },
  { label: '六、部门整体支出预算调整', section: 'budgetAdjustment', kind: 'money', path: ['budgetAdjustment'] },
  { label: '七、楼堂馆所控制情况', section: 'buildings', kind: 'heading' },
  { label: '八、厉行节约保障措施', section: 'savingMeasures', kind: 'text', path: ['savingMeasures'] },
  { label: '表来源', section: 'source', kind: 'text', path: ['source'], aliases: ['数据来源'] },
];
const BASIC_TITLE = '部门整体支出绩效（自评）基础数据表';
const PLANNED_PROGRESS = '既定支付进度（%）';
const TOTAL = '合计';

/**
 * A label as a key: without spaces, quotes and list punctuation, leading numbering (一、 1. （一）),
 * 其中： and a trailing unit — so "2．出国经费", "其中:公车购置" and "控制率(%)" are recognised.
 */
function norm(label: string): string {
  return label
    .replace(/[\s\u3000]/g, '')
    .replace(/^([一二三四五六七八九十]+[、.．]|\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）])/, '')
    .replace(/^其中[:：]/, '')
    .replace(/[（(](%|％|人|元|万元)[)）]$/, '')
    .replace(/[“”"'‘’、,，]/g, '');
}

const basicRowsByKey = new Map<string, BasicRow[]>();
for (const r of BASIC_ROWS) {
  for (const l of [r.label, ...(r.aliases ?? [])]) basicRowsByKey.set(norm(l), [...(basicRowsByKey.get(norm(l)) ?? []), r]);
}

function getPath(o: unknown, path: readonly string[]): unknown {
  let x = o;
  for (const k of path) x = x !== null && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
  return x;
}
function setPath(o: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let x = o;
  for (const k of path.slice(0, -1)) x = (x[k] ??= {}) as Record<string, unknown>;
  x[path.at(-1)!] = value;
}

// ── Rule-set labels (self-assessment) ──────────────────────────────────────────────────────

function indicatorOf(ruleSet: ScoringRuleSet | undefined, id: string): RuleSetIndicator | undefined {
  return ruleSet?.indicators.find((i) => i.id === id);
}
function tiersOf(ind: RuleSetIndicator | undefined) {
  return ind?.rule.kind === 'tiers' ? ind.rule.tiers : undefined;
}

// ── Writing ────────────────────────────────────────────────────────────────────────────────

function yuan(fen: Fen | undefined): number | null {
  return fen === undefined ? null : Number(formatYuan(fen));
}
function percent(bp: number | undefined): number | null {
  return bp === undefined ? null : bp / 100;
}
const v = <T>(x: T | undefined): T | null => (x === undefined ? null : x);
const NUM_FMT = { money: '#,##0.00', percent: '0.00', count: '0', text: '@' } as const;

/** A sheet: optional title rows, the header row, the rows; returns the sheet and its first data row. */
function addSheet(wb: ExcelJS.Workbook, key: SheetKey, rows: Cell[][], titles: string[] = []): { ws: ExcelJS.Worksheet; first: number } {
  const ws = wb.addWorksheet(SHEETS[key], { views: [{ state: 'frozen', ySplit: titles.length + 1 }] });
  const columns = COLUMNS[key];
  ws.columns = columns.map((c) => ({ width: c.width ?? 12 }));
  for (const t of titles) ws.addRow([t]).font = { bold: true };
  ws.addRow(columns.map((c) => c.title)).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  columns.forEach((c, i) => {
    const col = ws.getColumn(i + 1);
    if (c.kind === 'money') col.numFmt = NUM_FMT.money;
    if (c.kind === 'percent') col.numFmt = NUM_FMT.percent;
    if (c.kind === 'text' || c.kind === 'date' || c.kind === undefined) col.numFmt = NUM_FMT.text;
  });
  return { ws, first: titles.length + 2 };
}

/** A value spanning the three value columns (厉行节约保障措施, 表来源, 既定支付进度). */
function span(ws: ExcelJS.Worksheet, row: number, numFmt: string): void {
  ws.mergeCells(row, 2, row, 4);
  const cell = ws.getCell(row, 2);
  cell.numFmt = numFmt;
  cell.alignment = { wrapText: true, vertical: 'top', horizontal: numFmt === NUM_FMT.text ? 'left' : 'right' };
}

type Columns3 = Partial<Record<BasicDataColumn, number | string | undefined>>;

/** 基础数据表, 预算执行情况 and 楼堂馆所; with no 基础数据表, a blank form (project rows from the ledger). */
function addBasicData(wb: ExcelJS.Workbook, y: UnitYear): void {
  const b: BasicData | undefined = y.basicData;
  const rows: Cell[][] = [];
  const layout: Array<{ kind: BasicRow['kind'] | 'project'; indent?: number | undefined }> = [];
  const three = (kind: BasicRow['kind'], c: Columns3 | undefined): Cell[] =>
    basicDataColumns.map((k) => {
      const x = c?.[k];
      if (x === undefined) return null;
      if (kind === 'percent') return percent(x as number);
      return kind === 'money' ? yuan(x as Fen) : (x as number);
    });
  for (const r of BASIC_ROWS) {
    const value = b && r.path ? getPath(b, r.path) : undefined;
    if (r.kind === 'heading') rows.push([r.label, null, null, null, null]);
    else if (r.kind === 'text') rows.push([r.label, (value as string | undefined) ?? null, null, null, null]);
    else rows.push([r.label, ...three(r.kind, value as Columns3 | undefined), null]);
    layout.push({ kind: r.kind, indent: r.indent });
    if (r.label === '三、项目支出') {
      const projects = b ? b.projects : y.projects.map((p) => ({ name: p.name, project: p.code }));
      for (const p of projects) {
        rows.push([p.name, ...three('money', p as Columns3), v(p.project)]);
        layout.push({ kind: 'project', indent: 1 });
      }
    }
  }
  const { ws, first } = addSheet(wb, 'basicData', rows, [BASIC_TITLE, `填报单位：${y.unit.name}　　年度：${y.year}　　金额单位：元（编制数、人数单位：人）`]);
  layout.forEach((l, i) => {
    const n = first + i;
    const label = ws.getCell(n, 1);
    if (l.kind === 'heading') label.font = { bold: true };
    if (l.indent) label.alignment = { indent: l.indent };
    if (l.kind === 'text') span(ws, n, NUM_FMT.text);
    if (l.kind === 'count' || l.kind === 'percent') for (let c = 2; c <= 4; c++) ws.getCell(n, c).numFmt = l.kind === 'count' ? NUM_FMT.count : NUM_FMT.percent;
  });

  const bud = b?.budget;
  const budgetRows: Cell[][] = [
    ...(bud?.bySource ?? []).map((x) => [x.source, yuan(x.initial), yuan(x.adjusted), yuan(x.executed)]),
    [TOTAL, yuan(bud?.initial), yuan(bud?.adjusted), yuan(bud?.executed)],
    [PLANNED_PROGRESS, percent(bud?.plannedPaymentProgress), null, null],
  ];
  const budget = addSheet(wb, 'budget', budgetRows);
  budget.ws.getRow(budget.first + budgetRows.length - 2).font = { bold: true };
  span(budget.ws, budget.first + budgetRows.length - 1, NUM_FMT.percent);

  addSheet(wb, 'buildings', (b?.buildings ?? []).map((x) => [x.name, x.approvedArea, x.actualArea, yuan(x.budgetInvestment), yuan(x.actualInvestment)]));
}

export async function writeWorkbook(y: UnitYear): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'selfeval';
  const unitValues: Record<string, Cell> = {
    format: UNIT_YEAR_FORMAT, code: y.unit.code, name: y.unit.name, shortName: v(y.unit.shortName), level: v(y.unit.level), category: v(y.unit.category),
    fundingType: v(y.unit.fundingType), staffQuota: y.unit.staffQuota, sectionLeadershipPosts: v(y.unit.sectionLeadershipPosts), year: y.year,
    'staff.actual': y.staff.actual, 'staff.previousYear': v(y.staff.previousYear), 'staff.source': v(y.staff.source), reportDate: v(y.reportDate),
    ruleSet: v(y.ruleSet), outline: v(y.outline), dataNote: v(y.dataNote),
  };
  addSheet(wb, 'unit', UNIT_FIELDS.map(([k, label]) => [label, unitValues[k] ?? null]));
  addSheet(wb, 'posts', y.unit.leadershipPosts.map((p) => [p.title, p.count]));
  addSheet(wb, 'functions', y.unit.functions.map((f, i) => [i + 1, f]));
  const assesses = (a: string[] | undefined) => (a === undefined ? null : a.length ? a.join('、') : NONE);
  addSheet(wb, 'sections', y.unit.sections.map((s) => [s.code, s.name, v(s.level), v(s.reportOrder), assesses(s.assesses)]));
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
        p.code, c.code, v(c.name), v(c.vendor), yuan(c.amount), v(c.signedOn), v(c.acceptedOn), v(c.warrantyMonths), percent(c.retentionRate), c.paymentTermDays, c.omCoefficientApplies, c.omScoring ? formatOmScoring(c.omScoring) : null, v(c.note),
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
  addSheet(
    wb,
    'evaluations',
    y.projects.flatMap((p) => {
      const e = p.evaluation;
      return e ? [[p.code, v(e.department), v(e.implementer), e.goal.expected, e.goal.actual, v(e.conclusion), v(e.problems), v(e.measures)]] : [];
    }),
  );
  addSheet(
    wb,
    'evaluationIndicators',
    y.projects.flatMap((p) =>
      (p.evaluation?.indicators ?? []).map((i) => [p.code, LEVEL1_LABELS[i.level1] ?? i.level1, i.level2, i.name, i.unit, i.direction, i.target, i.actual, i.weight, v(i.note)]),
    ),
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
  for (const [part, label] of Object.entries(TEXT_PARTS)) {
    const text = y.narrative[part as 'resultApplication' | 'otherNotes'];
    if (text !== undefined) narrativeRows.push([label, '正文', text]);
  }
  addSheet(wb, 'narrative', narrativeRows);
  const submissionRows: Cell[][] = [];
  for (const s of y.submissions) {
    const before = submissionRows.length;
    const row = (kind: string, title: string | null, content: string | null): Cell[] => [s.section, kind, title, content, null, null, null, null, null, null, null];
    for (const a of s.achievements) for (const p of a.paragraphs) submissionRows.push(row(SUBMISSION_KINDS.achievement, a.title, p));
    for (const i of s.outputIndicators) {
      submissionRows.push([s.section, SUBMISSION_KINDS.indicator, i.name, null, i.unit, i.direction, i.target, i.actual, CATEGORY_LABELS[i.category] ?? i.category, i.key, v(i.note)]);
    }
    for (const p of s.problems) submissionRows.push(row(SUBMISSION_KINDS.problem, p.title, v(p.detail)));
    for (const p of s.nextSteps) submissionRows.push(row(SUBMISSION_KINDS.nextStep, p.title, v(p.detail)));
    if (submissionRows.length === before) submissionRows.push(row(SUBMISSION_KINDS.marker, null, s.selfAssessments.length ? '（自评见“自评”表）' : '（空）'));
  }
  addSheet(wb, 'submissions', submissionRows);

  const ruleSet = ruleSetById(y.ruleSet ?? DEFAULT_RULE_SET_ID);
  type FileEntry = NonNullable<UnitYear['selfAssessment']>['entries'][number];
  const entryRow = (who: string, e: FileEntry): Cell[] => {
    const ind = indicatorOf(ruleSet, e.indicator);
    const tier = e.tier === undefined ? null : (tiersOf(ind)?.find((t) => t.key === e.tier)?.labelZh ?? e.tier);
    return [who, e.indicator, ind?.level3 ?? null, tier, v(e.points), v(e.reason), v(e.notApplicable), v(e.survey?.sample), v(e.survey?.satisfied), v(e.survey?.method)];
  };
  const assessmentRows: Cell[][] = [];
  if (y.selfAssessment) {
    for (const e of y.selfAssessment.entries) assessmentRows.push(entryRow(FINANCE_OFFICER, e));
    // A self-assessment with no entries yet: the assessor alone says it exists.
    if (!y.selfAssessment.entries.length) assessmentRows.push([FINANCE_OFFICER, null, null, null, null, null, null, null, null, null]);
  }
  for (const s of y.submissions) for (const e of s.selfAssessments) assessmentRows.push(entryRow(s.section, e));
  addSheet(wb, 'selfAssessment', assessmentRows);

  addBasicData(wb, y);
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

interface Table {
  rows: Array<{ row: number; values: RowObject }>;
  /** Text of the rows above the header row (a title, 金额单位：…). */
  titles: string[];
}

/**
 * A sheet's rows keyed by column title. The header row is the first of the top ten rows that has
 * the sheet's first column title (rows above it are titles); unknown columns are problems; blank
 * rows are skipped. A number formatted as a percentage in Excel (0.75 shown as 75%) reads as "75%".
 */
function readTable(wb: ExcelJS.Workbook, key: SheetKey, problems: Problem[]): Table {
  const ws = wb.getWorksheet(SHEETS[key]);
  if (!ws) return { rows: [], titles: [] };
  const texts = (n: number) => ((ws.getRow(n).values as ExcelJS.CellValue[]) ?? []).map((c) => (cellValue(c) === null ? '' : String(cellValue(c))));
  let headerRow = 1;
  for (let n = 1; n <= Math.min(ws.rowCount, 10); n++) {
    if (texts(n).includes(COLUMNS[key][0]!.title)) {
      headerRow = n;
      break;
    }
  }
  const titles: string[] = [];
  for (let n = 1; n < headerRow; n++) titles.push(texts(n).filter(Boolean).join(' '));
  const header = texts(headerRow);
  const known = new Set(COLUMNS[key].map((c) => c.title));
  for (const title of header) {
    if (title && !known.has(title)) {
      problems.push({ path: `${SHEETS[key]}!${headerRow}`, code: 'unknown_column', zh: `工作表“${SHEETS[key]}”有无法识别的列：${title}`, en: `sheet ${SHEETS[key]} has an unknown column: ${title}` });
    }
  }
  const rows: Table['rows'] = [];
  ws.eachRow((row, n) => {
    if (n <= headerRow) return;
    const values: RowObject = {};
    header.forEach((title, i) => {
      if (!title) return;
      const cell = row.getCell(i);
      const x = cellValue(cell.value);
      values[title] = typeof x === 'number' && typeof cell.numFmt === 'string' && cell.numFmt.includes('%') ? `${Number((x * 100).toFixed(6))}%` : x;
    });
    if (Object.values(values).some((x) => x !== null)) rows.push({ row: n, values });
  });
  return { rows, titles };
}

function readSheet(wb: ExcelJS.Workbook, key: SheetKey, problems: Problem[]): Table['rows'] {
  return readTable(wb, key, problems).rows;
}

/** Money cell → the document's form: a number of 元 (or 万元) becomes exact 分 (or stays text to be reported). */
function money(c: Cell | undefined, unit: '元' | '万元' = '元'): unknown {
  if (c === null || c === undefined) return undefined;
  if (typeof c === 'number') {
    try {
      return unit === '元' ? yuanNumberToFen(c) : wanYuanNumberToFen(c);
    } catch {
      return `${c}${unit}`;
    }
  }
  return typeof c === 'string' && /^[+-]?[\d,]+(\.\d+)?$/.test(c) ? `${c}${unit}` : c;
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
const num = (c: Cell | undefined): unknown => (c === null || c === undefined ? undefined : typeof c === 'number' ? c : Number.isFinite(Number(c)) ? Number(c) : c);
/** A labelled cell → its key: the label (with or without a trailing 指标) or the key itself; anything else as written, for the schema to report. */
function fromLabel(labels: Record<string, string>, c: Cell | undefined): unknown {
  if (c === null || c === undefined) return undefined;
  const s = String(c);
  const bare = (x: string) => x.replace(/指标$/, '');
  for (const [k, label] of Object.entries(labels)) if (s === k || bare(s) === bare(label)) return k;
  return s;
}

export async function readWorkbook(bytes: Buffer): Promise<ReadWorkbookResult> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    return { ok: false, problems: [{ path: '(file)', code: 'syntax', zh: `无法读取 Excel 文件：${(e as Error).message}`, en: `cannot read the Excel file: ${(e as Error).message}` }] };
  }
  const problems: Problem[] = [];
  const where = new Map<string, string>();
  const at = (key: SheetKey, row: number) => `${SHEETS[key]} 第${row}行`;
  const problemAt = (key: SheetKey, row: number, code: string, zh: string, en: string) => problems.push({ path: at(key, row), code, zh, en });

  const byLabel = invert(Object.fromEntries(UNIT_FIELDS));
  const u: Record<string, Cell> = {};
  for (const { row, values } of readSheet(wb, 'unit', problems)) {
    const label = str(values['字段']) ?? '';
    const field = byLabel[label];
    if (field) {
      u[field] = values['值'] ?? null;
      where.set(UNIT_LEVEL.has(field) ? `unit.${field}` : field, at('unit', row));
    } else {
      problemAt('unit', row, 'unknown_field', `无法识别的字段：${label || '（空）'}（应为 ${UNIT_FIELDS.map(([, l]) => l).join('、')} 之一）`, `unknown field: ${label || '(empty)'}`);
    }
  }
  const ruleSet = ruleSetById(str(u['ruleSet']) ?? DEFAULT_RULE_SET_ID);

  const projects = new Map<string, Record<string, any>>();
  const projectOrder: string[] = [];
  const project = (code: Cell, row: number, sheet: SheetKey) => {
    const key = String(code ?? '');
    const p = projects.get(key);
    if (!p) {
      problemAt(sheet, row, 'unknown_project', `未知的项目编码：${key || '（空）'}`, `unknown project code: ${key || '(empty)'}`);
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
  const addTo = (list: string, sheet: SheetKey, row: number, code: Cell, item: Record<string, unknown>) => {
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
      omCoefficientApplies: bool(values['按考核系数付款']), omScoring: str(values['考核评分办法']), note: str(values['备注']),
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
  // 项目支出绩效自评表: one row of targets per project, then its indicators.
  const evaluationRows = new Map<string, number>();
  for (const { row, values } of readSheet(wb, 'evaluations', problems)) {
    const p = project(values['项目编码'] ?? null, row, 'evaluations');
    if (!p) continue;
    const code = String(p['code']);
    if (evaluationRows.has(code)) {
      problemAt('evaluations', row, 'duplicate_row', `项目 ${code} 的绩效目标已在第${evaluationRows.get(code)}行填写`, `project ${code} already has its targets on row ${evaluationRows.get(code)}`);
      continue;
    }
    evaluationRows.set(code, row);
    where.set(`projects[${projectOrder.indexOf(code)}].evaluation`, at('evaluations', row));
    p['evaluation'] = {
      department: str(values['主管部门']), implementer: str(values['实施单位']), goal: { expected: str(values['预期目标']), actual: str(values['实际完成情况']) },
      indicators: p['evaluation']?.indicators ?? [], conclusion: str(values['评价结论']), problems: str(values['存在问题']), measures: str(values['改进措施']),
    };
  }
  for (const { row, values } of readSheet(wb, 'evaluationIndicators', problems)) {
    const p = project(values['项目编码'] ?? null, row, 'evaluationIndicators');
    if (!p) continue;
    p['evaluation'] ??= { indicators: [] };
    const list = p['evaluation'].indicators as unknown[];
    where.set(`projects[${projectOrder.indexOf(String(p['code']))}].evaluation.indicators[${list.length}]`, at('evaluationIndicators', row));
    list.push({
      level1: fromLabel(LEVEL1_LABELS, values['一级指标']), level2: str(values['二级指标']), name: str(values['三级指标']), unit: str(values['计量单位']),
      direction: str(values['指标方向']), target: str(values['年度指标值']), actual: str(values['实际完成值']), weight: str(values['分值']), note: str(values['偏差原因分析及改进措施']),
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
    else problemAt('stated', row, 'unknown_key', `未知的申报数键：${key}`, `unknown stated figure key: ${key}`);
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
    const assessed = str(values['自评指标']);
    const assesses = assessed === undefined ? undefined : assessed === NONE || assessed === '无' ? [] : assessed.split(/[、,，\s]+/).filter(Boolean);
    return { code: str(values['编码']), name: str(values['名称']), level: str(values['级别']), reportOrder: num(values['报告顺序']), assesses };
  });
  const leadershipPosts = readSheet(wb, 'posts', problems).map(({ row, values }, i) => {
    where.set(`unit.leadershipPosts[${i}]`, at('posts', row));
    return { title: str(values['职务']), count: num(values['人数']) };
  });
  const functions = readSheet(wb, 'functions', problems).map(({ row, values }, i) => {
    where.set(`unit.functions[${i}]`, at('functions', row));
    return str(values['职能']);
  });

  const narrative: Record<string, { lead?: string; items: string[] }> = { economy: { items: [] }, efficiency: { items: [] } };
  const includes: Record<string, string[]> = { personnelIncludes: [], publicIncludes: [] };
  const parts = invert(NARRATIVE_PARTS);
  const includeParts = invert(INCLUDES_PARTS);
  const textParts = invert(TEXT_PARTS);
  const texts: Record<string, string> = {};
  for (const { row, values } of readSheet(wb, 'narrative', problems)) {
    const label = String(values['部分'] ?? '');
    const text = str(values['内容']);
    const includePart = includeParts[label];
    if (includePart && text) {
      includes[includePart]!.push(text);
      continue;
    }
    const textPart = textParts[label];
    if (textPart && text) {
      // A second row of the same part continues the text on a new line (paragraph).
      texts[textPart] = texts[textPart] === undefined ? text : `${texts[textPart]}\n${text}`;
      continue;
    }
    const part = parts[label];
    if (!part || !text) {
      problemAt('narrative', row, 'invalid_row', '部分应为“人员经费”“公用经费”“经济性”“效率性”“结果应用和公开”或“其他说明”，且内容不能为空', 'part must be 人员经费, 公用经费, 经济性, 效率性, 结果应用和公开 or 其他说明, with content');
      continue;
    }
    if (values['类别'] === '导语') narrative[part]!.lead = text;
    else narrative[part]!.items.push(text);
  }

  const submissions: Array<Record<string, any>> = [];
  const submissionOf = (section: string, place: string) => {
    let s = submissions.find((x) => x['section'] === section);
    if (!s) {
      s = { section, achievements: [], outputIndicators: [], problems: [], nextSteps: [], selfAssessments: [] };
      where.set(`submissions[${submissions.length}]`, place);
      submissions.push(s);
    }
    return s;
  };
  const indexOf = (s: Record<string, any>) => submissions.indexOf(s);
  for (const { row, values } of readSheet(wb, 'submissions', problems)) {
    const s = submissionOf(String(values['科室编码'] ?? ''), at('submissions', row));
    const kind = values['类别'];
    const title = str(values['标题']);
    const put = (list: string, item: unknown) => {
      where.set(`submissions[${indexOf(s)}].${list}[${s[list].length}]`, at('submissions', row));
      s[list].push(item);
    };
    if (kind === SUBMISSION_KINDS.achievement) {
      const last = s['achievements'].at(-1);
      if (last && last.title === title) last.paragraphs.push(str(values['内容']));
      else put('achievements', { title, paragraphs: [str(values['内容'])] });
    } else if (kind === SUBMISSION_KINDS.indicator) {
      put('outputIndicators', {
        name: title, unit: str(values['计量单位']) ?? '', direction: str(values['方向']), target: str(values['目标值']), actual: str(values['实际值']),
        category: fromLabel(CATEGORY_LABELS, values['指标类别']), key: bool(values['重点工作']), note: str(values['备注']),
      });
    } else if (kind === SUBMISSION_KINDS.problem) put('problems', { title, detail: str(values['内容']) });
    else if (kind === SUBMISSION_KINDS.nextStep) put('nextSteps', { title, detail: str(values['内容']) });
    else if (kind !== SUBMISSION_KINDS.marker) {
      const kindsText = Object.values(SUBMISSION_KINDS);
      problemAt('submissions', row, 'invalid_row', `类别应为 ${kindsText.join('、')}`, `kind must be one of ${kindsText.join(', ')}`);
    }
  }

  // 自评: the finance officer's entries (评价人 财务人员) and each section's (评价人 = its code).
  let financeEntries: Array<Record<string, unknown>> | undefined;
  for (const { row, values } of readSheet(wb, 'selfAssessment', problems)) {
    const who = str(values['评价人']);
    if (who === undefined) {
      problemAt('selfAssessment', row, 'required', `请填写评价人（“${FINANCE_OFFICER}”或科室编码）`, `give the assessor (${FINANCE_OFFICER} or a section code)`);
      continue;
    }
    const list = who === FINANCE_OFFICER ? (financeEntries ??= []) : (submissionOf(who, at('selfAssessment', row))['selfAssessments'] as Array<Record<string, unknown>>);
    const given = ['指标', '档次', '自评得分', '扣分原因或说明', '不适用', '调查样本数', '满意人数', '调查方式'].some((t) => values[t] !== null && values[t] !== undefined);
    if (!given) continue; // the assessor alone: their self-assessment exists, with no entries yet
    let indicator = str(values['指标']);
    // The indicator by its id, or by its name (三级指标) when that names one indicator of the rule set.
    if (indicator !== undefined && ruleSet && !indicatorOf(ruleSet, indicator)) {
      const named = ruleSet.indicators.filter((i) => i.level3 === indicator);
      if (named.length === 1) indicator = named[0]!.id;
    }
    const tiers = indicator === undefined ? undefined : tiersOf(indicatorOf(ruleSet, indicator));
    let tier = str(values['档次']);
    if (tier !== undefined && tiers) {
      const found = tiers.find((t) => t.key === tier || t.labelZh === tier);
      if (found) tier = found.key;
      else {
        problemAt('selfAssessment', row, 'unknown_tier', `档次“${tier}”不存在，应为 ${tiers.map((t) => t.labelZh).join('、')} 之一`, `no tier "${tier}"; use one of ${tiers.map((t) => t.key).join(', ')}`);
        continue;
      }
    }
    const survey = [values['调查样本数'], values['满意人数'], values['调查方式']].some((x) => x !== null && x !== undefined)
      ? { sample: num(values['调查样本数']), satisfied: num(values['满意人数']), method: str(values['调查方式']) }
      : undefined;
    const path = who === FINANCE_OFFICER ? `selfAssessment.entries[${list.length}]` : `submissions[${submissions.findIndex((s) => s['section'] === who)}].selfAssessments[${list.length}]`;
    where.set(path, at('selfAssessment', row));
    list.push({ indicator, tier, points: str(values['自评得分']), reason: str(values['扣分原因或说明']), notApplicable: bool(values['不适用']), survey });
  }

  const basicData = readBasicData(wb, problems, where);

  const document: Record<string, unknown> = {
    format: opt(u['format']),
    year: num(u['year']),
    unit: {
      code: str(u['code']), name: str(u['name']), shortName: str(u['shortName']), level: str(u['level']), category: str(u['category']),
      fundingType: str(u['fundingType']), staffQuota: num(u['staffQuota']), sectionLeadershipPosts: num(u['sectionLeadershipPosts']),
      leadershipPosts, functions, sections,
    },
    staff: { actual: num(u['staff.actual']), previousYear: num(u['staff.previousYear']), source: str(u['staff.source']) },
    people,
    stated,
    projects: projectOrder.map((c) => projects.get(c)),
    narrative: { ...includes, ...narrative, ...texts },
    submissions,
    reportDate: str(u['reportDate']),
    ruleSet: str(u['ruleSet']),
    outline: str(u['outline']),
    dataNote: str(u['dataNote']),
    selfAssessment: financeEntries === undefined ? undefined : { entries: financeEntries },
    basicData,
  };
  const clean = JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
  const locateIn = (p: string) => locate(where, p);
  if (problems.length) {
    // Say everything at once: what the sheets got wrong, and what the document made of the rest gets wrong.
    const parsed = parseUnitYear(clean);
    const more = parsed.ok ? [] : parsed.problems.map((p) => ({ ...p, path: locateIn(p.path) ? `${locateIn(p.path)} (${p.path})` : p.path }));
    return { ok: false, problems: [...problems, ...more] };
  }
  return { ok: true, document: clean, locate: locateIn };
}

/**
 * 基础数据表 (+ 预算执行情况, 楼堂馆所) → `basicData`, or undefined when no cell of them holds a
 * value (a blank form). Rows are found by label, in the part of the table they are under; the
 * amounts are in the unit the title rows state (元 unless 金额单位：万元).
 */
function readBasicData(wb: ExcelJS.Workbook, problems: Problem[], where: Map<string, string>): Record<string, unknown> | undefined {
  const table = readTable(wb, 'basicData', problems);
  const unit = table.titles.some((t) => /金额单位[:：]\s*万元/.test(t)) ? '万元' : '元';
  const at = (row: number) => `${SHEETS.basicData} 第${row}行`;
  const problemAt = (row: number, code: string, zh: string, en: string) => problems.push({ path: at(row), code, zh, en });
  const b: Record<string, unknown> = { staff: {}, threePublic: {}, projects: [], publicFunds: {}, buildings: [], budget: { bySource: [] } };
  let filled = false;
  let section: BasicSection | undefined;
  const seen = new Map<string, number>();
  const columns = (values: RowObject, convert: (c: Cell | undefined) => unknown, path: string, place: string) => {
    const out: Record<string, unknown> = {};
    for (const c of basicDataColumns) {
      const x = convert(values[basicDataColumnZh[c]]);
      if (x === undefined) continue;
      out[c] = x;
      where.set(`${path}.${c}`, `${place} ${basicDataColumnZh[c]}`);
    }
    return out;
  };
  for (const { row, values } of table.rows) {
    const label = str(values['项目']);
    const code = str(values['关联项目编码']);
    const hasValue = basicDataColumns.some((c) => values[basicDataColumnZh[c]] !== null);
    if (label === undefined) {
      problemAt(row, 'required', '“项目”列不能为空', 'the 项目 column may not be empty');
      continue;
    }
    const candidates = basicRowsByKey.get(norm(label)) ?? [];
    const spec = candidates.length > 1 ? candidates.find((c) => c.section === section) : candidates[0];
    if (!spec) {
      if (candidates.length > 1) {
        problemAt(row, 'misplaced_row', `“${label}”须写在它所属的部分（二、“三公”经费，三、项目支出或四、公用经费）之下`, `"${label}" must be under the part it totals (三公 funds, projects or public funds)`);
      } else if (section === 'projects') {
        // A project row: its name as written, the itemised project it is, its three amounts.
        const list = b['projects'] as unknown[];
        const path = `basicData.projects[${list.length}]`;
        where.set(path, at(row));
        list.push({ name: label, project: code, ...columns(values, (c) => money(c, unit), path, at(row)) });
        filled ||= hasValue;
      } else {
        problemAt(row, 'unknown_row', `无法识别的行：“${label}”（行名应为基础数据表的正式项目名称）`, `unknown row: "${label}" (rows are named by the official labels of the table)`);
      }
      continue;
    }
    section = spec.section;
    if (code !== undefined) problemAt(row, 'unexpected_project_code', '只有项目支出下的项目行可填“关联项目编码”', 'only a project row (under 三、项目支出) takes a project code');
    if (spec.kind === 'heading') {
      if (hasValue) {
        problemAt(row, 'unexpected_value', `“${label}”是标题行，不填数值${spec.section === 'buildings' ? '（楼堂馆所填在“楼堂馆所”表）' : '（合计填在其下的“合计”行）'}`, `"${label}" is a heading and takes no values`);
      }
      continue;
    }
    const key = spec.path!.join('.');
    if (seen.has(key)) {
      problemAt(row, 'duplicate_row', `“${label}”已在第${seen.get(key)}行填写`, `"${label}" is already on row ${seen.get(key)}`);
      continue;
    }
    seen.set(key, row);
    const path = `basicData.${key}`;
    where.set(path, at(row));
    if (spec.kind === 'text') {
      const text = str(values[basicDataColumnZh.previousFinal]);
      if (text !== undefined) {
        setPath(b, spec.path!, text);
        filled = true;
      }
      continue;
    }
    const convert = spec.kind === 'count' ? num : spec.kind === 'percent' ? percentCell : (c: Cell | undefined) => money(c, unit);
    const out = columns(values, convert, path, at(row));
    if (Object.keys(out).length) {
      setPath(b, spec.path!, out);
      filled = true;
    }
  }

  const budget = b['budget'] as Record<string, unknown> & { bySource: unknown[] };
  const budgetAt = (row: number) => `${SHEETS.budget} 第${row}行`;
  const [initial, adjusted, executed] = COLUMNS.budget.slice(1).map((c) => c.title) as [string, string, string];
  const budgetSeen = new Map<string, number>();
  for (const { row, values } of readSheet(wb, 'budget', problems)) {
    const label = str(values['资金来源']);
    const k = label === undefined ? undefined : norm(label);
    const once = (what: string) => {
      if (budgetSeen.has(what)) {
        problems.push({ path: budgetAt(row), code: 'duplicate_row', zh: `“${label}”已在第${budgetSeen.get(what)}行填写`, en: `"${label}" is already on row ${budgetSeen.get(what)}` });
        return false;
      }
      budgetSeen.set(what, row);
      return true;
    };
    if (k === TOTAL) {
      if (!once(k)) continue;
      for (const [field, title] of [['initial', initial], ['adjusted', adjusted], ['executed', executed]] as const) {
        const x = money(values[title]);
        if (x === undefined) continue;
        budget[field] = x;
        filled = true;
        where.set(`basicData.budget.${field}`, `${budgetAt(row)} ${title}`);
      }
    } else if (k === norm(PLANNED_PROGRESS)) {
      if (!once(k)) continue;
      const x = percentCell(values[initial]);
      if (x === undefined) continue;
      budget['plannedPaymentProgress'] = x;
      filled = true;
      where.set('basicData.budget.plannedPaymentProgress', budgetAt(row));
    } else {
      where.set(`basicData.budget.bySource[${budget.bySource.length}]`, budgetAt(row));
      budget.bySource.push({ source: label, initial: money(values[initial]), adjusted: money(values[adjusted]), executed: money(values[executed]) });
      filled = true;
    }
  }

  readSheet(wb, 'buildings', problems).forEach(({ row, values }, i) => {
    where.set(`basicData.buildings[${i}]`, `${SHEETS.buildings} 第${row}行`);
    (b['buildings'] as unknown[]).push({
      name: str(values['名称']), approvedArea: opt(values['批复规模（㎡）']), actualArea: opt(values['实际规模（㎡）']),
      budgetInvestment: money(values['预算投资（元）']), actualInvestment: money(values['实际投资（元）']),
    });
    filled = true;
  });
  return filled ? b : undefined;
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
