/**
 * Review above the unit (抽查复核): a department's or the bureau's reviewer may adjust the points of
 * an indicator of an issued report, with a reason. The reviewed score sits beside the unit's own
 * (self) score — the issued report is frozen and keeps the self-score; the reviewed total is the
 * self-score sheet with the adjusted indicators' points replaced, totalled and graded the way the
 * sheet itself was (rescaled to 100 when indicators marked 不适用 left it).
 */
import { divRoundHalfUp } from './money';
import { formatPoints } from './rate';
import { type Grade, gradeOf, type ScoreSheet } from './scoring';

/** One reviewer's adjustment of one indicator. */
export interface ScoreAdjustment {
  indicator: string;
  /** The reviewed points, in centipoints. */
  pointsCp: number;
  reason: string;
}

export interface ReviewedIndicator {
  id: string;
  level3: string;
  maxCp: number;
  selfCp: number;
  reviewedCp: number;
  reason: string;
}

export interface ReviewedScore {
  self: { totalCp: number; grade: Grade | null };
  reviewed: { totalCp: number; grade: Grade | null };
  /** The adjusted indicators (the last adjustment of each), in the rule set's order. */
  adjusted: ReviewedIndicator[];
  /** "自评得分 86.00 分（良），复核得分 84.50 分（良）". */
  summaryZh: string;
}

/** Why an adjustment cannot apply to the sheet (an indicator it lacks, not scored, points above its weight). */
export function adjustmentProblem(sheet: Pick<ScoreSheet, 'indicators'>, a: Pick<ScoreAdjustment, 'indicator' | 'pointsCp'>): { zh: string; en: string } | null {
  const ind = sheet.indicators.find((i) => i.id === a.indicator);
  if (!ind) return { zh: `评分表中没有指标“${a.indicator}”`, en: `the score sheet has no indicator "${a.indicator}"` };
  if (ind.status !== 'scored') return { zh: `指标“${ind.level3}”没有自评得分（${ind.status === 'unscored' ? '未评分' : '不适用'}），不能调整`, en: `the indicator "${ind.level3}" has no self-score to adjust` };
  if (!Number.isSafeInteger(a.pointsCp) || a.pointsCp < 0) return { zh: '分值应为非负数', en: 'points must not be negative' };
  if (a.pointsCp > ind.maxCp) return { zh: `${formatPoints(a.pointsCp)} 分超过指标“${ind.level3}”的分值 ${formatPoints(ind.maxCp)} 分`, en: `${formatPoints(a.pointsCp)} exceeds the weight ${formatPoints(ind.maxCp)} of "${ind.level3}"` };
  return null;
}

/**
 * The reviewed score: the sheet with each adjusted indicator's points replaced by its last
 * adjustment. Adjustments that do not apply (see `adjustmentProblem`) are refused by whoever
 * records them; here they are an error.
 */
export function reviewedScore(sheet: ScoreSheet, adjustments: readonly ScoreAdjustment[]): ReviewedScore {
  const last = new Map<string, ScoreAdjustment>();
  for (const a of adjustments) {
    const problem = adjustmentProblem(sheet, a);
    if (problem) throw new Error(problem.en);
    last.set(a.indicator, a);
  }
  const adjusted: ReviewedIndicator[] = [];
  let delta = 0;
  for (const ind of sheet.indicators) {
    const a = last.get(ind.id);
    if (!a || ind.status !== 'scored') continue;
    delta += a.pointsCp - ind.pointsCp;
    adjusted.push({ id: ind.id, level3: ind.level3, maxCp: ind.maxCp, selfCp: ind.pointsCp, reviewedCp: a.pointsCp, reason: a.reason });
  }
  const self = { totalCp: sheet.totalCp, grade: sheet.grade };
  // The raw sum of points (before any rescaling), changed by the adjustments, then scaled as the sheet was.
  const raw = (sheet.rescaled?.pointsCp ?? sheet.totalCp) + delta;
  const totalCp = sheet.rescaled
    ? sheet.rescaled.applicableMaxCp === 0
      ? 0
      : Number(divRoundHalfUp(BigInt(raw) * BigInt(sheet.maxCp), BigInt(sheet.rescaled.applicableMaxCp)))
    : raw;
  const grade = sheet.final ? gradeOf(totalCp, sheet.gradeBands) : null;
  const text = (cp: number, g: Grade | null) => `${formatPoints(cp)} 分${g ? `（${g.zh}）` : ''}`;
  return {
    self,
    reviewed: { totalCp, grade },
    adjusted,
    summaryZh: adjusted.length ? `自评得分 ${text(self.totalCp, self.grade)}，复核得分 ${text(totalCp, grade)}` : `自评得分 ${text(self.totalCp, self.grade)}，复核未调整`,
  };
}
