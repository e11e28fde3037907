/**
 * The year's overview of a bureau or department, past the one SQL statement that reads it
 * (db/overview.repository.ts#overview, which filters, sorts, pages and counts): where a row stands
 * in words, and the Excel export.
 */
import ExcelJS from 'exceljs';
import { OVERVIEW_STAGES, type OverviewRow, type OverviewStage, REVIEW_STATES, SORT_KEYS } from '../../db/overview.repository';
import type { CampaignUnitState } from '../../db/schema';
import { formatWanYuan } from '../../domain/money';

export { OVERVIEW_STAGES, REVIEW_STATES, SORT_KEYS };
export type { OverviewStage };
export type { OverviewFilter, ReviewFilter, SortKey } from '../../db/overview.repository';

export function stageOf(r: Pick<OverviewRow, 'hasLedger' | 'stage'>): OverviewStage {
  if (!r.hasLedger) return 'no_ledger';
  return r.stage ?? 'not_started';
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
