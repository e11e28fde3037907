/**
 * 项目支出绩效自评表 (财预〔2020〕10号 layout, DOMAIN.md §2.1 and §4.5): one project's funds and
 * its own indicators scored out of 100 — 预算执行率 10, the indicators 90 (产出 50, 效益 30,
 * 满意度 10 by default).
 *
 * Funds come from the ledger, not from the table the unit fills in:
 * - 全年预算数: the project's allocations available in the year — this year's, and those carried
 *   over from earlier years (a carried-over allocation's amount is what was left to spend);
 * - 全年执行数: its payments;
 * - 年初预算数: this year's allocations. The ledger does not tell an allocation made at the start
 *   of the year from one added during it, so this is the best it knows; carry-over counts as
 *   not part of the initial budget (年初 0 on that row);
 * - rows 本年财政拨款 (this year's allocations), 上年结转资金 (earlier years'), 其他资金 (the ledger
 *   itemises no money besides budget allocations, so 0).
 * 执行率 = 全年执行数 ÷ 全年预算数; points = min(执行率, 100%) × 10, half-up to 0.01; below 90% the
 * rate must be explained (flagged).
 *
 * Indicators (10号; the Jiangxi 自评表 note, S38): 正向 (≥) actual ÷ target, 反向 (≤) target ÷
 * actual, 等值 (=) full when met; the completion times the weight, capped at the weight, half-up to
 * 0.01 point (completion ratios are those of `outputIndicator`, exact):
 * - a '=' target missed counts the deviation either way (smaller ÷ larger): actual ÷ target alone
 *   would give full marks, after the cap, to an actual above an exact target;
 * - a target of 0: '≥ 0' is met by any actual (full); '≤ 0' and '= 0' are met only by 0, and any
 *   other actual scores 0 (target ÷ actual = 0) — a zero-tolerance target missed loses its points;
 *   a '≤' actual of 0 meets any target (full);
 * - a negative target or actual has no completion ratio: the indicator is left unscored (flagged),
 *   and the total has no grade until someone scores it.
 * Every lost point carries a reason: the unit's 偏差原因 (`note`), or "未说明偏差原因", flagged.
 * Total = execution points + indicator points (each already rounded); grade by `gradeOf`.
 */
import { type OutputDirection, outputIndicator } from './indicators';
import type { Project, ProjectIndicator } from './ledger/unit-year.schema';
import { type Fen, formatWanYuan, sumFen } from './money';
import { type Centipoints, compareRates, compareToBp, formatPercentNear, formatPoints, formatPointsShort, type Rate, rateOf, scaleToCentipoints } from './rate';
import { type Grade, gradeOf } from './scoring';
import { pointsToCp } from './self-assessment';

/** 预算执行率's weight: 10 points. */
export const EXECUTION_WEIGHT_CP: Centipoints = 1000;
/** The indicators' weights add up to 90 (with 预算执行率, 100). */
export const INDICATORS_WEIGHT_CP: Centipoints = 9000;
/** Below this, the execution rate must be explained (90%). */
export const EXECUTION_EXPLAIN_BELOW_BP = 9000;

export const projectLevel1s = ['output', 'benefit', 'satisfaction'] as const;
export type ProjectLevel1 = (typeof projectLevel1s)[number];
export const projectLevel1Zh: Record<ProjectLevel1, string> = { output: '产出指标', benefit: '效益指标', satisfaction: '满意度指标' };
/** 10号's default first-level weights (adjustable in special cases). */
export const DEFAULT_LEVEL1_WEIGHT_CP: Record<ProjectLevel1, Centipoints> = { output: 5000, benefit: 3000, satisfaction: 1000 };

export const directionSymbol: Record<OutputDirection, string> = { '>=': '≥', '<=': '≤', '=': '=' };

export interface ProjectFlag {
  code: 'execution_below_90' | 'execution_not_applicable' | 'deviation_unexplained' | 'indicator_not_scorable' | 'weights_not_90' | 'level1_weights_not_default';
  zh: string;
  en: string;
  /** The indicator (index in the unit's list) it is about, when it is about one. */
  indicator?: number;
}

// ── 预算执行率 ──────────────────────────────────────────────────────────────────────────────

export type FundsRowKey = 'total' | 'fiscal' | 'carryOver' | 'other';
export const fundsRowZh: Record<FundsRowKey, string> = { total: '年度资金总额', fiscal: '其中：本年财政拨款', carryOver: '上年结转资金', other: '其他资金' };

export interface FundsRow {
  key: FundsRowKey;
  labelZh: string;
  /** 年初预算数. */
  initial: Fen;
  /** 全年预算数. */
  annual: Fen;
  /** 全年执行数. */
  executed: Fen;
  /** 执行数 ÷ 全年预算数; `null` when the row has no budget. */
  rate: Rate | null;
}

export interface ProjectFunds {
  /** 年度资金总额, 其中：本年财政拨款, 上年结转资金, 其他资金 — in that order. */
  rows: [FundsRow, FundsRow, FundsRow, FundsRow];
  /** The 年度资金总额 row's rate (executed ÷ annual), `null` when the project had no budget. */
  rate: Rate | null;
  /** The rate as shown: two decimals, more next to 90% or 100% ("89.9960%"), "—" without one. */
  rateText: string;
  maxCp: Centipoints;
  /** `null` when the rate does not apply (no budget). */
  pointsCp: Centipoints | null;
  lostCp: Centipoints;
  /** The working, in Chinese. */
  basisZh: string;
  /** Why points were lost (non-null exactly when some were), or why it is unscored. */
  reasonZh: string | null;
  /** Unspent: 全年预算数 − 全年执行数 (negative when overspent). */
  unspent: Fen;
  flags: ProjectFlag[];
}

const wan = (fen: Fen) => `${formatWanYuan(fen)}万元`;

/** The project's funds in the year and the 预算执行率 score (10 points). */
export function projectFunds(project: Pick<Project, 'allocations' | 'payments'>, year: number): ProjectFunds {
  const paidTo = (code: string) => sumFen(project.payments.filter((x) => x.allocation === code).map((x) => x.amount));
  const thisYear = project.allocations.filter((a) => a.budgetYear === year);
  const earlier = project.allocations.filter((a) => a.budgetYear < year);
  const row = (key: FundsRowKey, initial: Fen, annual: Fen, executed: Fen): FundsRow => ({ key, labelZh: fundsRowZh[key], initial, annual, executed, rate: rateOf(executed, annual) });
  const fiscal = row('fiscal', sumFen(thisYear.map((a) => a.amount)), sumFen(thisYear.map((a) => a.amount)), sumFen(thisYear.map((a) => paidTo(a.code))));
  const carryOver = row('carryOver', 0, sumFen(earlier.map((a) => a.amount)), sumFen(earlier.map((a) => paidTo(a.code))));
  const other = row('other', 0, 0, 0);
  const parts = [fiscal, carryOver, other];
  const total = row('total', sumFen(parts.map((r) => r.initial)), sumFen(parts.map((r) => r.annual)), sumFen(parts.map((r) => r.executed)));
  const rows: ProjectFunds['rows'] = [total, fiscal, carryOver, other];
  const unspent = total.annual - total.executed;
  const flags: ProjectFlag[] = [];
  const rate = total.rate;
  if (rate === null) {
    const reason = { zh: '全年预算数为零，预算执行率不适用，未评分', en: 'no budget in the year: the execution rate does not apply and is not scored' };
    flags.push({ code: 'execution_not_applicable', ...reason });
    return { rows, rate, rateText: '—', maxCp: EXECUTION_WEIGHT_CP, pointsCp: null, lostCp: 0, basisZh: reason.zh, reasonZh: reason.zh, unspent, flags };
  }
  const rateText = formatPercentNear(rate, [EXECUTION_EXPLAIN_BELOW_BP, 10_000]);
  const capped = compareToBp(rate, 10_000) > 0;
  const pointsCp = capped ? EXECUTION_WEIGHT_CP : scaleToCentipoints(rate, EXECUTION_WEIGHT_CP);
  const lostCp = EXECUTION_WEIGHT_CP - pointsCp;
  const basisZh =
    `预算执行率 = 全年执行数 ÷ 全年预算数 = ${wan(total.executed)} ÷ ${wan(total.annual)} = ${rateText}；` +
    (capped ? `超过100%，按100%计，得${formatPoints(pointsCp)}分` : `得分 = ${rateText} × ${formatPointsShort(EXECUTION_WEIGHT_CP)} = ${formatPoints(pointsCp)}分`);
  const below = compareToBp(rate, EXECUTION_EXPLAIN_BELOW_BP) < 0;
  if (below) {
    flags.push({
      code: 'execution_below_90',
      zh: `预算执行率${rateText}，低于90%，须说明原因（未执行${wan(unspent)}）`,
      en: `the execution rate ${rateText} is below 90%: it must be explained (${formatWanYuan(unspent)} 万元 unspent)`,
    });
  }
  const reasonZh = lostCp > 0 ? `预算执行率${rateText}，未执行${wan(unspent)}，扣${formatPoints(lostCp)}分` : null;
  return { rows, rate, rateText, maxCp: EXECUTION_WEIGHT_CP, pointsCp, lostCp, basisZh, reasonZh, unspent, flags };
}

// ── The project's own indicators ────────────────────────────────────────────────────────────

export interface ProjectIndicatorScore {
  /** Position in the unit's list. */
  index: number;
  level1: ProjectLevel1;
  level1Zh: string;
  level2: string;
  name: string;
  unit: string;
  direction: OutputDirection;
  /** 年度指标值 as printed: "≥5个". */
  targetText: string;
  /** 实际完成值 as printed: "3个". */
  actualText: string;
  weightCp: Centipoints;
  /** 完成比例 (uncapped); `null` when it cannot be computed. */
  completion: Rate | null;
  met: boolean | null;
  /** `null` when unscored (a negative value). */
  pointsCp: Centipoints | null;
  lostCp: Centipoints;
  /** The working, in Chinese. */
  basisZh: string;
  /** 偏差原因分析及改进措施 as the unit wrote it. */
  noteZh: string | null;
  /** Why points were lost: the unit's note, or "未说明偏差原因"; non-null exactly when points were lost or it is unscored. */
  reasonZh: string | null;
}

export function scoreProjectIndicator(indicator: ProjectIndicator, index = 0): ProjectIndicatorScore {
  const r = outputIndicator({ name: indicator.name, unit: indicator.unit, direction: indicator.direction, target: indicator.target, actual: indicator.actual });
  const weightCp = pointsToCp(indicator.weight);
  const u = indicator.unit;
  const base = {
    index,
    level1: indicator.level1,
    level1Zh: projectLevel1Zh[indicator.level1],
    level2: indicator.level2,
    name: indicator.name,
    unit: u,
    direction: indicator.direction,
    targetText: `${directionSymbol[indicator.direction]}${indicator.target}${u}`,
    actualText: `${indicator.actual}${u}`,
    weightCp,
    completion: r.completion,
    met: r.met,
    noteZh: indicator.note ?? null,
  };
  if (r.completion === null) {
    const why = r.notApplicable?.zh ?? '无法计算完成比例';
    return { ...base, pointsCp: null, lostCp: 0, basisZh: `${r.formulaZh.slice(r.nameZh.length + 1)}，未评分`, reasonZh: `${why}，须人工评分` };
  }
  const capped = compareRates(r.completion, { num: 1, den: 1 }) >= 0;
  const pointsCp = capped ? weightCp : scaleToCentipoints(r.completion, weightCp);
  const lostCp = weightCp - pointsCp;
  const ratio = formatPercentNear(r.completion, [10_000]);
  // The working without the leading name: "正向指标，目标值 ≥5个，实际值 3个；完成比例 = …".
  const working = r.formulaZh.slice(r.nameZh.length + 1);
  const scoring = capped
    ? compareRates(r.completion, { num: 1, den: 1 }) > 0
      ? `超过100%，按分值计${formatPoints(pointsCp)}分`
      : `得满分${formatPoints(pointsCp)}分`
    : `得分 = ${ratio} × ${formatPointsShort(weightCp)} = ${formatPoints(pointsCp)}分`;
  return { ...base, pointsCp, lostCp, basisZh: `${working}；${scoring}`, reasonZh: lostCp > 0 ? (indicator.note ?? UNEXPLAINED) : null };
}

/** What a lost point says when the unit gave no 偏差原因. */
export const UNEXPLAINED = '未说明偏差原因';

// ── The whole table ─────────────────────────────────────────────────────────────────────────

export interface ProjectEvaluationScore {
  funds: ProjectFunds;
  /** In the table's order: 产出, 效益, 满意度 (the unit's order kept within each). */
  indicators: ProjectIndicatorScore[];
  /** Per first-level indicator, in that order, for those present. */
  byLevel1: Array<{ level1: ProjectLevel1; level1Zh: string; maxCp: Centipoints; pointsCp: Centipoints }>;
  /** 100 when the weights are as they must be. */
  maxCp: Centipoints;
  /** Sum of the scored parts' points (each rounded once). */
  totalCp: Centipoints;
  /** Every part scored: the total and the grade are final. */
  final: boolean;
  grade: Grade | null;
  /** Every lost point, with its reason, largest first. */
  losses: Array<{ whatZh: string; lostCp: Centipoints; reasonZh: string }>;
  flags: ProjectFlag[];
}

/** Scores a project's 自评表: its funds from the ledger and the indicators it states. */
export function scoreProjectEvaluation(project: Pick<Project, 'allocations' | 'payments'> & { evaluation: { indicators: ProjectIndicator[] } }, year: number): ProjectEvaluationScore {
  const funds = projectFunds(project, year);
  const scored = project.evaluation.indicators.map((ind, i) => scoreProjectIndicator(ind, i));
  const order = (l: ProjectLevel1) => projectLevel1s.indexOf(l);
  const indicators = [...scored].sort((a, b) => order(a.level1) - order(b.level1) || a.index - b.index);
  const flags: ProjectFlag[] = [...funds.flags];
  for (const s of indicators) {
    if (s.pointsCp === null) {
      flags.push({ code: 'indicator_not_scorable', indicator: s.index, zh: `“${s.name}”${s.reasonZh ?? ''}`, en: `"${s.name}" has no completion ratio (negative target or actual): score it by hand` });
    } else if (s.lostCp > 0 && s.noteZh === null) {
      flags.push({ code: 'deviation_unexplained', indicator: s.index, zh: `“${s.name}”扣${formatPoints(s.lostCp)}分，${UNEXPLAINED}`, en: `"${s.name}" loses ${formatPoints(s.lostCp)} points and no reason is given` });
    }
  }
  const weights = sumOf(indicators.map((s) => s.weightCp));
  if (weights !== INDICATORS_WEIGHT_CP) {
    flags.push({ code: 'weights_not_90', zh: `各指标分值合计${formatPoints(weights)}分，应为90分（预算执行率另占10分）`, en: `the indicators' weights add up to ${formatPoints(weights)}; they must add up to 90` });
  }
  const byLevel1 = projectLevel1s.flatMap((level1) => {
    const of = indicators.filter((s) => s.level1 === level1);
    return of.length ? [{ level1, level1Zh: projectLevel1Zh[level1], maxCp: sumOf(of.map((s) => s.weightCp)), pointsCp: sumOf(of.map((s) => s.pointsCp ?? 0)) }] : [];
  });
  const differs = projectLevel1s.filter((l) => (byLevel1.find((x) => x.level1 === l)?.maxCp ?? 0) !== DEFAULT_LEVEL1_WEIGHT_CP[l]);
  if (weights === INDICATORS_WEIGHT_CP && differs.length) {
    const shown = projectLevel1s.map((l) => `${projectLevel1Zh[l].replace('指标', '')}${formatPointsShort(byLevel1.find((x) => x.level1 === l)?.maxCp ?? 0)}`).join('、');
    flags.push({ code: 'level1_weights_not_default', zh: `一级指标分值为${shown}分，与默认的产出50、效益30、满意度10分不同，须说明调整理由`, en: 'the first-level weights differ from the default 50/30/10: the change must be justified' });
  }
  const final = funds.pointsCp !== null && indicators.every((s) => s.pointsCp !== null);
  const totalCp = (funds.pointsCp ?? 0) + sumOf(indicators.map((s) => s.pointsCp ?? 0));
  const losses = [
    ...(funds.reasonZh !== null && funds.lostCp > 0 ? [{ whatZh: '预算执行率', lostCp: funds.lostCp, reasonZh: funds.reasonZh }] : []),
    ...indicators.filter((s) => s.lostCp > 0).map((s) => ({ whatZh: s.name, lostCp: s.lostCp, reasonZh: s.reasonZh ?? UNEXPLAINED })),
  ].sort((a, b) => b.lostCp - a.lostCp);
  return {
    funds,
    indicators,
    byLevel1,
    maxCp: EXECUTION_WEIGHT_CP + weights,
    totalCp,
    final,
    grade: final ? gradeOf(totalCp) : null,
    losses,
    flags,
  };
}

function sumOf(values: number[]): number {
  return values.reduce((t, x) => t + x, 0);
}
