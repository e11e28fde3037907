/**
 * 复核结果: the document the bureau's acceptance of a unit's issued report leaves — which version
 * was reviewed (with its sha256), the self-score and the reviewed score side by side, every
 * adjusted indicator with its points before and after and the reviewer's reason, and every step of
 * the review (who decided what, when, with their comments). The issued report itself stays frozen
 * with the self-score; this is the document that carries the reviewed one. Pure: the worker
 * renders it with the report's renderers, and stores it once.
 */
import { civilDateOf } from '../calendar/civil-date';
import { formatPoints } from '../rate';
import { reviewedScore, type ScoreAdjustment } from '../review';
import type { Grade, ScoreSheet } from '../scoring';
import type { Block, Cell, ReportDocument } from './content';

export type ReviewResultLevel = 'department' | 'bureau';

export interface ReviewResultInput {
  unitCode: string;
  unitName: string;
  year: number;
  bureauName: string;
  /** The unit's 主管部门, when it has one (its review comes first). */
  departmentName: string | null;
  /** The issued version the bureau accepted, its PDF's sha256 and when it was issued (ISO instant). */
  reportVersion: number;
  reportSha256: string;
  issuedAt: string;
  /** The self-score sheet of that version. */
  sheet: ScoreSheet;
  /** Every decision on the unit-year, oldest first (earlier versions' returns included). */
  decisions: Array<{
    reportVersion: number;
    level: ReviewResultLevel;
    decision: 'accept' | 'return' | 'adjust';
    actor: string;
    /** ISO instant. */
    at: string;
    comments: Array<{ section?: string; indicator?: string; text: string }>;
    adjustments: Array<{ indicator: string; pointsCp: number; reason: string }>;
  }>;
}

const DECISION_ZH = { accept: '复核通过', return: '退回修改', adjust: '调整得分' } as const;

/** The civil date (Asia/Shanghai) of an instant, as 2021年6月30日. */
function dateZh(iso: string): string {
  const [y, m, d] = civilDateOf(Date.parse(iso)).split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

function scoreText(totalCp: number, grade: Grade | null): [string, string] {
  return [formatPoints(totalCp), grade ? grade.zh : '—'];
}

/**
 * The document. Throws when the bureau has not accepted `reportVersion` (there is no result yet),
 * or when an adjustment does not fit the sheet (refused when it was recorded).
 */
export function composeReviewResult(input: ReviewResultInput): ReportDocument {
  const accepted = input.decisions.filter((d) => d.decision === 'accept' && d.level === 'bureau' && d.reportVersion === input.reportVersion).at(-1);
  if (!accepted) throw new Error(`the bureau has not accepted version ${input.reportVersion} of ${input.unitCode} ${input.year}`);
  const levelName = (l: ReviewResultLevel) => (l === 'bureau' ? input.bureauName : (input.departmentName ?? '主管部门'));

  // The adjustments of the accepted version, in order; the last one per indicator counts.
  const recorded = input.decisions.filter((d) => d.decision === 'adjust' && d.reportVersion === input.reportVersion);
  const adjustments: ScoreAdjustment[] = recorded.flatMap((d) => d.adjustments.map((a) => ({ indicator: a.indicator, pointsCp: a.pointsCp, reason: a.reason })));
  const lastBy = new Map<string, ReviewResultLevel>();
  for (const d of recorded) for (const a of d.adjustments) lastBy.set(a.indicator, d.level);
  const score = reviewedScore(input.sheet, adjustments);

  const title = `${input.unitName}${input.year}年度部门整体支出绩效自评复核结果`;
  const [selfPoints, selfGrade] = scoreText(score.self.totalCp, score.self.grade);
  const [reviewedPoints, reviewedGrade] = scoreText(score.reviewed.totalCp, score.reviewed.grade);
  const blocks: Block[] = [
    { kind: 'title', text: title },
    {
      kind: 'paragraph',
      text: `${input.departmentName ? `经${input.departmentName}初审，` : ''}${input.bureauName}对${input.unitName}（${input.unitCode}）${input.year}年度部门整体支出绩效自评报告第${input.reportVersion}版（${dateZh(input.issuedAt)}签发）进行了复核，于${dateZh(accepted.at)}复核通过。结果如下。`,
    },
    { kind: 'heading', level: 1, text: '一、复核结论' },
    {
      kind: 'table',
      columns: [{ header: '' }, { header: '得分', align: 'right' }, { header: '等级', align: 'center' }],
      rows: [
        ['自评', selfPoints, selfGrade],
        [{ text: '复核', bold: true }, { text: reviewedPoints, bold: true }, { text: reviewedGrade, bold: true }],
      ],
      note: `满分 ${formatPoints(input.sheet.maxCp)} 分。${score.adjusted.length ? `复核调整了 ${score.adjusted.length} 项指标，复核得分较自评得分${score.reviewed.totalCp >= score.self.totalCp ? '增加' : '减少'} ${formatPoints(Math.abs(score.reviewed.totalCp - score.self.totalCp))} 分。` : '复核未调整任何指标的得分。'}`,
      keepTogether: true,
    },
    { kind: 'heading', level: 1, text: '二、调整的指标' },
    score.adjusted.length
      ? {
          kind: 'table',
          columns: [{ header: '指标', width: 3 }, { header: '分值', align: 'right', width: 1 }, { header: '自评得分', align: 'right', width: 1.6 }, { header: '复核得分', align: 'right', width: 1.6 }, { header: '调整理由', width: 5 }, { header: '调整单位', width: 2 }],
          rows: score.adjusted.map((a): Cell[] => [a.level3, formatPoints(a.maxCp), formatPoints(a.selfCp), { text: formatPoints(a.reviewedCp), bold: true }, a.reason, levelName(lastBy.get(a.id) ?? 'bureau')]),
        }
      : { kind: 'paragraph', text: '复核未调整任何指标的得分，复核得分与自评得分相同。' },
    { kind: 'heading', level: 1, text: '三、复核过程' },
    {
      kind: 'table',
      columns: [{ header: '日期', width: 2.2 }, { header: '报告版本', align: 'center', width: 1.4 }, { header: '复核单位', width: 2.2 }, { header: '结论', width: 1.3 }, { header: '经办人', width: 2.2 }, { header: '意见', width: 5 }],
      rows: input.decisions.map((d): Cell[] => {
        const comments = d.comments.map((c) => `${c.section ? `【${c.section}】` : c.indicator ? `【${input.sheet.indicators.find((i) => i.id === c.indicator)?.level3 ?? c.indicator}】` : ''}${c.text}`);
        const adjusted = d.adjustments.map((a) => `${input.sheet.indicators.find((i) => i.id === a.indicator)?.level3 ?? a.indicator} 调整为 ${formatPoints(a.pointsCp)} 分：${a.reason}`);
        return [dateZh(d.at), `第${d.reportVersion}版`, levelName(d.level), DECISION_ZH[d.decision], d.actor, [...comments, ...adjusted].join('；') || '—'];
      }),
      dense: true,
    },
    { kind: 'paragraph', text: `复核所依据的报告：第${input.reportVersion}版，PDF 文件 SHA-256 ${input.reportSha256}。自评报告本身保持签发时的内容不变，复核得分以本复核结果为准。`, indent: false },
  ];
  return {
    meta: { title, author: input.bureauName, subject: '部门整体支出绩效自评复核结果', reportDate: civilDateOf(Date.parse(accepted.at)), draft: false, versionLabel: `复核第 ${input.reportVersion} 版报告` },
    blocks,
  };
}
