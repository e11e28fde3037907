/**
 * 暂缓支付台账: every open withheld amount of a unit as an Excel sheet, in the order they fall due
 * (those without a date last) — what the finance officer keeps beside the accounts. Amounts in 元
 * with two decimals (numbers, so the sheet sums them; each written from its exact 分), a total row,
 * and whether selfeval still tracks each one (a stopped tracking sends no reminders).
 */
import ExcelJS from 'exceljs';
import type { OpenHoldback } from '../../db/holdbacks.repository';
import { formatYuan } from '../../domain/money';
// The labels the pages use (the same words on the sheet as on the dashboard).
import { t } from '../web/i18n';


/** 分 → a number of 元 that displays exactly with two decimals. */
const yuan = (fen: number) => Number(formatYuan(fen));

export async function holdbacksWorkbook(input: { unitName: string; unitCode: string; holdbacks: readonly OpenHoldback[]; today: string; generatedAt: string }): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('暂缓支付台账', { views: [{ state: 'frozen', ySplit: 3 }] });
  ws.addRow([`${input.unitName}（${input.unitCode}）暂缓支付台账`]).font = { bold: true, size: 13 };
  ws.addRow([`金额单位：元；按到期日排列；导出时间：${input.generatedAt}`]);
  const header = ['年度', '项目', '合同', '款项编号', '类型', '支付条件', '状态', '暂缓金额', '已支付', '已到期可支付', '尚未支付', '下一到期日', '已逾期', '等待', '跟踪'];
  ws.addRow(header).font = { bold: true };
  const rows = [...input.holdbacks].sort((a, b) => (a.nextDueOn ?? '9999').localeCompare(b.nextDueOn ?? '9999') || a.year - b.year || a.holdbackCode.localeCompare(b.holdbackCode));
  for (const h of rows) {
    ws.addRow([
      h.year, h.projectName, h.contractCode ?? '', h.holdbackCode, t('zh', `kind.${h.kind}`), h.condition, t('zh', `hbStatus.${h.status}`),
      yuan(h.amountFen), yuan(h.releasedFen), yuan(h.payableFen), yuan(h.outstandingFen),
      h.nextDueOn ?? '', h.nextDueOn && h.nextDueOn < input.today ? '是' : '', h.awaitingText.zh,
      h.stopped ? `已停止（${t('zh', `rst.state.${h.stopped}`)}），不再提醒` : h.tracked ? '跟踪中' : '尚未开始跟踪',
    ]);
  }
  const sum = (pick: (h: OpenHoldback) => number) => yuan(rows.reduce((total, h) => total + pick(h), 0));
  const total = ws.addRow(['合计', '', '', '', '', '', '', sum((h) => h.amountFen), sum((h) => h.releasedFen), sum((h) => h.payableFen), sum((h) => h.outstandingFen)]);
  total.font = { bold: true };
  for (const column of [8, 9, 10, 11]) ws.getColumn(column).numFmt = '#,##0.00';
  ws.columns.forEach((c, i) => {
    c.width = [6, 28, 18, 30, 10, 40, 10, 14, 14, 14, 14, 12, 8, 28, 22][i] ?? 12;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
