/**
 * The year's overview of a bureau or department, past the one SQL statement that reads it
 * (db/overview.repository.ts#overviewRows): filters (department, stage, review, grade, late),
 * sorting, the distribution of grades and the counts a page heads with, and the Excel export.
 * Pure over the rows, apart from the workbook.
 */
import ExcelJS from 'exceljs';
import type { OverviewRow } from '../../db/overview.repository';
import type { CampaignUnitState } from '../../db/schema';
import { formatWanYuan } from '../../domain/money';

/** Where a unit-year stands, in process order: no ledger, not started, the evaluation's stages. */
export const OVERVIEW_STAGES = ['no_ledger', 'not_started', 'opening', 'collecting', 'reviewing', 'returned', 'scoring', 'drafting', 'approving', 'issuing', 'issued'] as const;
export type OverviewStage = (typeof OVERVIEW_STAGES)[number];
export const REVIEW_STATES = ['none', 'joined', 'waiting_ledger', 'started', 'issued', 'in_review', 'returned', 'accepted'] as const satisfies ReadonlyArray<CampaignUnitState | 'none'>;
export type ReviewFilter = (typeof REVIEW_STATES)[number];
export const SORT_KEYS = ['unit', 'department', 'stage', 'due', 'total', 'blocking', 'withheld', 'review', 'late'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
/** The four standard grades, best first (a rule set's own codes follow, by name). */
const GRADE_ORDER = ['excellent', 'good', 'fair', 'poor'];

export function stageOf(r: OverviewRow): OverviewStage {
  if (!r.hasLedger) return 'no_ledger';
  return r.stage ?? 'not_started';
}

export interface OverviewFilter {
  /** A department's code, or `-` for the units that report to the bureau directly. */
  department?: string;
  stage?: OverviewStage;
  review?: ReviewFilter;
  /** A grade code, or `none` for units without a final grade. */
  grade?: string;
  late?: boolean;
}

export function matches(r: OverviewRow, f: OverviewFilter): boolean {
  if (f.department !== undefined && (f.department === '-' ? r.department !== null : r.department?.code !== f.department)) return false;
  if (f.stage !== undefined && stageOf(r) !== f.stage) return false;
  if (f.review !== undefined && (r.review ?? 'none') !== f.review) return false;
  if (f.grade !== undefined && (f.grade === 'none' ? r.grade !== null : r.grade?.code !== f.grade)) return false;
  if (f.late !== undefined && (r.late || r.overdueTasks > 0) !== f.late) return false;
  return true;
}

const REVIEW_ORDER: ReadonlyArray<CampaignUnitState> = ['joined', 'waiting_ledger', 'started', 'issued', 'in_review', 'returned', 'accepted'];

/** Compares two rows by a key; rows without a value sort last whichever the order; ties by unit code. */
export function sortRows(rows: readonly OverviewRow[], key: SortKey, order: 'asc' | 'desc'): OverviewRow[] {
  const value = (r: OverviewRow): string | number | null => {
    switch (key) {
      case 'unit':
        return r.unitCode;
      case 'department':
        return r.department?.code ?? null;
      case 'stage':
        return OVERVIEW_STAGES.indexOf(stageOf(r));
      case 'due':
        return r.dueOn;
      case 'total':
        return r.totalCp;
      case 'blocking':
        return r.findingsAcknowledged ? 0 : r.blockingFindings;
      case 'withheld':
        return r.withheld.dueByHorizonFen;
      case 'review':
        return r.review === null ? null : REVIEW_ORDER.indexOf(r.review);
      case 'late':
        return (r.late ? 1000 : 0) + r.overdueTasks;
    }
  };
  const sign = order === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      return (x < y ? -1 : 1) * sign;
    }
    return a.unitCode < b.unitCode ? -1 : a.unitCode > b.unitCode ? 1 : 0;
  });
}

export interface GradeCount {
  code: string;
  zh: string;
  count: number;
}

/** Units by final grade, best first; `ungraded` counts units without a final grade yet. */
export function gradeDistribution(rows: readonly OverviewRow[]): { grades: GradeCount[]; ungraded: number } {
  const by = new Map<string, GradeCount>();
  let ungraded = 0;
  for (const r of rows) {
    if (!r.grade || !r.final) {
      ungraded++;
      continue;
    }
    const g = by.get(r.grade.code) ?? { code: r.grade.code, zh: r.grade.zh, count: 0 };
    g.count++;
    by.set(r.grade.code, g);
  }
  for (const code of GRADE_ORDER) if (!by.has(code)) by.set(code, { code, zh: { excellent: '优', good: '良', fair: '中', poor: '差' }[code]!, count: 0 });
  const rank = (c: string) => (GRADE_ORDER.includes(c) ? GRADE_ORDER.indexOf(c) : GRADE_ORDER.length);
  return { grades: [...by.values()].sort((a, b) => rank(a.code) - rank(b.code) || a.zh.localeCompare(b.zh)), ungraded };
}

export interface OverviewCounts {
  units: number;
  started: number;
  issued: number;
  late: number;
  withBlocking: number;
  accepted: number;
  published: number;
}

export function overviewCounts(rows: readonly OverviewRow[]): OverviewCounts {
  return {
    units: rows.length,
    started: rows.filter((r) => r.stage !== null).length,
    issued: rows.filter((r) => r.stage === 'issued').length,
    late: rows.filter((r) => r.late || r.overdueTasks > 0).length,
    withBlocking: rows.filter((r) => r.blockingFindings > 0 && !r.findingsAcknowledged).length,
    accepted: rows.filter((r) => r.review === 'accepted').length,
    published: rows.filter((r) => r.publishedVersion !== null).length,
  };
}

const STAGE_ZH: Record<OverviewStage, string> = {
  no_ledger: '未导入账套', not_started: '未开始', opening: '正在启动', collecting: '收集科室材料', reviewing: '对账复核', returned: '退回财务人员修改',
  scoring: '评分', drafting: '生成报告草稿', approving: '待单位负责人审批', issuing: '正在签发', issued: '已签发',
};
export const REVIEW_ZH: Record<CampaignUnitState, string> = {
  joined: '已纳入', waiting_ledger: '等待账套', started: '评价中', issued: '已签发待复核', in_review: '复核中', returned: '退回修改', accepted: '已通过',
};

/** The overview as a workbook: one row per unit, amounts in 万元, the filters applied named above the table. */
export async function overviewWorkbook(input: { organisationName: string; year: number; rows: readonly OverviewRow[]; filterText: string; horizon: string; generatedAt: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('评价总览', { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.addRow([`${input.organisationName} ${input.year}年度部门整体支出绩效自评总览`]).font = { bold: true, size: 13 };
  ws.addRow([`筛选：${input.filterText || '全部单位'}；导出时间：${input.generatedAt}；暂缓支付“到期”指 ${input.horizon} 前（含已到期）`]);
  const header = ['单位编码', '单位名称', '主管部门', '评价阶段', '截止日期', '逾期', '逾期任务数', '总分', '等级', '阻断性对账问题', '报告版本', '复核状态', '已公开版本', '暂缓支付笔数', '暂缓支付未付（万元）', '到期应付（万元）', '最近到期日'];
  ws.addRow(header).font = { bold: true };
  for (const r of input.rows) {
    ws.addRow([
      r.unitCode, r.unitName, r.department?.name ?? '（直属财政局）', STAGE_ZH[stageOf(r)], r.dueOn ?? '', r.late ? '是' : '', r.overdueTasks || '',
      r.totalCp === null ? '' : Number((r.totalCp / 100).toFixed(2)), r.final && r.grade ? r.grade.zh : '', r.blockingFindings ? `${r.blockingFindings}${r.findingsAcknowledged ? '（已确认）' : ''}` : '',
      r.reportVersion ?? '', r.review ? REVIEW_ZH[r.review] : '', r.publishedVersion ?? '', r.withheld.count || '',
      r.withheld.count ? formatWanYuan(r.withheld.outstandingFen) : '', r.withheld.dueByHorizonFen ? formatWanYuan(r.withheld.dueByHorizonFen) : '', r.withheld.nextDueOn ?? '',
    ]);
  }
  ws.columns.forEach((c, i) => {
    c.width = [22, 30, 24, 16, 12, 6, 10, 8, 6, 14, 8, 12, 10, 12, 18, 16, 12][i] ?? 12;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
