/**
 * Scoring a 部门整体支出绩效自评 against a rule set that is configuration, not constants
 * (DOMAIN.md §1.3: the published variants weight and score the same indicators differently).
 *
 * - Points are centipoints (integer hundredths of a point, see ./rate): a weight of 100 points
 *   is 10 000 cp. Each indicator's score is rounded half-up to the centipoint once; the total is
 *   the exact sum of those, so the grade boundaries (90.00 优, 89.99 良) are exact.
 * - Rates are compared with thresholds exactly (basis points, cross-multiplied), never as floats.
 * - Every lost point has a Chinese reason. An indicator without data, or whose data do not fit
 *   its rule, is "未评分" with a reason — never silently full marks, never silently zero.
 *
 * Rule kinds: `cap_deduct`, `shortfall_deduct`, `bands`, `proportional`, `tiers`, `execution_rate`
 * (see {@link Rule}). The rule sets themselves are data: `rule-sets/*.yaml` (see ./rule-set-file).
 */
import { z } from 'zod';
import {
  type Bilingual,
  IndicatorCodeSchema,
  indicatorNames,
  type IndicatorResult,
  indicatorVariants,
  type OutputIndicatorResult,
} from './indicators';
import {
  type Bp,
  BP_PER_WHOLE,
  bpAbove,
  type Centipoints,
  compareToBp,
  divideRates,
  formatBp,
  formatBpAsPoints,
  formatBpFractionAsPoints,
  formatPercent,
  formatPercentNear,
  formatPoints,
  formatPointsShort,
  proportionalSteps,
  type Rate,
  scaleToCentipoints,
  wholeSteps,
} from './rate';
import { divRoundHalfUp } from './money';
import { bi } from './validation';

// ── Rule set schema ────────────────────────────────────────────────────────────────────────

const label = z.string().trim().min(1).max(200);
const centipoints = z.number().int().nonnegative();
const bp = z.number().int();
const slug = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: bi('应为小写字母、数字和下划线组成的标识', 'must be a snake_case id') });

/**
 * Whole steps or proportional. "每低 5% 扣 2 分" is read as whole steps (a 0.73% shortfall is less
 * than one step and costs nothing — the S6 worked example gives 99.27% full marks); "每超 1 个百分点
 * 扣 0.5 分" is read proportionally (5.5 points over costs 2.75). Each rule states which.
 */
export const steppings = ['whole', 'proportional'] as const;
export type Stepping = (typeof steppings)[number];

const capDeductRule = z
  .object({
    kind: z.literal('cap_deduct'),
    indicator: IndicatorCodeSchema,
    /** At or below this, full marks. */
    capBp: bp,
    /** Size of one step above the cap, e.g. 100 bp = 1 percentage point. */
    stepBp: z.number().int().positive(),
    /** Deduction per step, e.g. 50 cp = 0.5 point. */
    perStepCp: z.number().int().positive(),
    stepping: z.enum(steppings),
  })
  .strict();

const shortfallDeductRule = z
  .object({
    kind: z.literal('shortfall_deduct'),
    indicator: IndicatorCodeSchema,
    /** At or above this, full marks. */
    targetBp: bp,
    stepBp: z.number().int().positive(),
    perStepCp: z.number().int().positive(),
    stepping: z.enum(steppings),
  })
  .strict();

const boundSchema = z.object({ bp, inclusive: z.boolean() }).strict();
export type BandBound = z.output<typeof boundSchema>;

const bandSchema = z
  .object({
    /** Lower edge; `null` = unbounded below. */
    min: boundSchema.nullable(),
    /** Upper edge; `null` = unbounded above. */
    max: boundSchema.nullable(),
    pointsCp: centipoints,
    /** The source's own wording, e.g. "0–10%". */
    labelZh: z.string().trim().optional(),
  })
  .strict();
export type Band = z.output<typeof bandSchema>;

const bandsRule = z
  .object({
    kind: z.literal('bands'),
    indicator: IndicatorCodeSchema,
    /** Ascending, contiguous, non-overlapping (checked). */
    bands: z.array(bandSchema).min(1),
  })
  .strict();

/**
 * Points in proportion to completion. Without `indicator`: one submitted output indicator
 * (actual ÷ target for a positive one, target ÷ actual for a negative one; 财预〔2020〕10号).
 * With `indicator`: a computed rate (实际完成率, 满意度 …) against `targetBp` (default 100%):
 * points = min(rate ÷ target, 1) × weight.
 */
const proportionalRule = z
  .object({
    kind: z.literal('proportional'),
    indicator: IndicatorCodeSchema.optional(),
    targetBp: z.number().int().positive().optional(),
    /** A rate below this must carry an explanation (偏差原因); unset = only when the target is missed. */
    explainBelowBp: bp.optional(),
  })
  .strict();

const tierSchema = z
  .object({
    key: slug,
    labelZh: label,
    /** Share of the weight, lower edge inclusive. */
    minBp: z.number().int().min(0).max(BP_PER_WHOLE),
    /** Share of the weight, upper edge exclusive — except 100%, which is inclusive. */
    maxBp: z.number().int().min(0).max(BP_PER_WHOLE),
  })
  .strict();
export type Tier = z.output<typeof tierSchema>;

const tiersRule = z.object({ kind: z.literal('tiers'), tiers: z.array(tierSchema).min(1) }).strict();

const executionRateRule = z
  .object({
    kind: z.literal('execution_rate'),
    indicator: IndicatorCodeSchema,
    /** A rate below this must carry an explanation (财预〔2020〕10号 自评表: 90%); `null` = never. */
    explainBelowBp: bp.nullable(),
  })
  .strict();

export const Rule = z.discriminatedUnion('kind', [capDeductRule, shortfallDeductRule, bandsRule, proportionalRule, tiersRule, executionRateRule]);
export type Rule = z.output<typeof Rule>;

const indicatorSchema = z
  .object({
    id: slug,
    level1: label,
    level2: label,
    level3: label,
    /** Weight in centipoints (5 points = 500). */
    weightCp: z.number().int().positive(),
    rule: Rule,
    /** For indicators with several formulas: the one this rule expects (e.g. 预算完成率 `hunan`). */
    variant: z.string().optional(),
    /**
     * When the ratio does not apply by itself (zero denominator: no 楼堂馆所 built): full marks
     * (S4), or unscored until a person marks it 不适用 with a reason (or scores it).
     */
    whenNotApplicable: z.enum(['unscored', 'full_marks']).default('unscored'),
    /**
     * Who values a qualitative indicator: the finance officer, or a section where the unit names
     * one for it (`unit.sections[].assesses`; see domain/self-assessment.ts).
     */
    assessor: z.enum(['finance_officer', 'section']).default('finance_officer'),
    sourceNote: z.string().optional(),
  })
  .strict();
export type RuleSetIndicator = z.output<typeof indicatorSchema>;

/** 10 000 cp = 100 points: the usual total of a rule set. */
export const TOTAL_WEIGHT_CP = 100 * 100;

const gradeBandSchema = z.object({ code: slug, zh: label, minCp: centipoints }).strict();
export type GradeBand = z.output<typeof gradeBandSchema>;

function issue(ctx: z.RefinementCtx, path: PropertyKey[], code: string, zh: string, en: string): void {
  ctx.addIssue({ code: 'custom', path, message: bi(zh, en), params: { code } });
}

function checkBands(bands: readonly Band[], weightCp: number, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  bands.forEach((band, i) => {
    const at = [...path, i];
    if (band.pointsCp > weightCp) {
      issue(ctx, [...at, 'pointsCp'], 'band_points_exceed_weight', `该档分值 ${formatPoints(band.pointsCp)} 超过指标权重 ${formatPoints(weightCp)}`, `band points ${formatPoints(band.pointsCp)} exceed the weight ${formatPoints(weightCp)}`);
    }
    if (band.min && band.max) {
      const empty = band.min.bp > band.max.bp || (band.min.bp === band.max.bp && !(band.min.inclusive && band.max.inclusive));
      if (empty) issue(ctx, at, 'band_empty', '该档区间为空（下限高于上限）', 'the band is empty (lower edge above upper edge)');
    }
    if (band.min === null && i > 0) issue(ctx, [...at, 'min'], 'band_unbounded_inside', '只有第一档可以没有下限', 'only the first band may be unbounded below');
    if (band.max === null && i < bands.length - 1) issue(ctx, [...at, 'max'], 'band_unbounded_inside', '只有最后一档可以没有上限', 'only the last band may be unbounded above');
    const prev = i > 0 ? bands[i - 1] : undefined;
    if (prev?.max && band.min) {
      const contiguous = prev.max.bp === band.min.bp && prev.max.inclusive !== band.min.inclusive;
      if (!contiguous) {
        issue(
          ctx,
          [...at, 'min'],
          'bands_not_contiguous',
          `各档须按升序首尾相接、不重叠：上一档上限 ${formatBp(prev.max.bp)}${prev.max.inclusive ? '（含）' : '（不含）'}，本档下限 ${formatBp(band.min.bp)}${band.min.inclusive ? '（含）' : '（不含）'}`,
          `bands must be ascending, touching and not overlapping: previous upper edge ${formatBp(prev.max.bp)} (${prev.max.inclusive ? 'incl.' : 'excl.'}), this lower edge ${formatBp(band.min.bp)} (${band.min.inclusive ? 'incl.' : 'excl.'})`,
        );
      }
    }
  });
}

function checkTiers(tiers: readonly Tier[], ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const keys = new Set<string>();
  tiers.forEach((t, i) => {
    if (keys.has(t.key)) issue(ctx, [...path, i, 'key'], 'duplicate_tier', `档次标识重复：${t.key}`, `duplicate tier key: ${t.key}`);
    keys.add(t.key);
    if (t.minBp >= t.maxBp) issue(ctx, [...path, i], 'tier_empty', '档次下限须低于上限', 'a tier lower edge must be below its upper edge');
  });
  const sorted = [...tiers].sort((a, b) => a.minBp - b.minBp);
  let edge = 0;
  for (const t of sorted) {
    if (t.minBp !== edge) {
      issue(ctx, path, 'tiers_not_contiguous', `各档须首尾相接覆盖 0–100%：在 ${formatBp(edge)} 处断开或重叠`, `tiers must cover 0–100% without gaps or overlaps: broken at ${formatBp(edge)}`);
      return;
    }
    edge = t.maxBp;
  }
  if (edge !== BP_PER_WHOLE) issue(ctx, path, 'tiers_not_contiguous', '各档须覆盖到 100%', 'tiers must reach 100%');
}

/** A scoring rule set: which indicators, their weights (summing to exactly 100) and rules. */
export const ScoringRuleSet = z
  .object({
    id: z.string().trim().min(1).max(100),
    /** Each added file of the same id is a new version; a stored version never changes. */
    version: z.number().int().positive().default(1),
    /** A readable name, e.g. 湖南省部门整体支出绩效评价指标（岳阳口径）. */
    name: label.optional(),
    /** What it scores: a department's whole expenditure (部门整体) or one project (项目支出). */
    scope: z.enum(['department', 'project']).default('department'),
    year: z.number().int().min(2000).max(2100),
    /** The fiscal years it is meant for (inclusive); unset = any. */
    fiscalYears: z.object({ from: z.number().int().min(2000).max(2100), to: z.number().int().min(2000).max(2100) }).strict().optional(),
    /** The stated total the weights must add up to (10 000 cp = 100 points). */
    totalCp: z.number().int().positive().default(TOTAL_WEIGHT_CP),
    /** Grade bands (default 优 ≥90, 良 ≥80, 中 ≥60, 差). */
    grades: z.array(gradeBandSchema).min(1).optional(),
    /** Province / region the rules come from, e.g. "湖南（岳阳、长沙雨花区口径）". */
    region: label,
    /** Where the weights and rules come from, and what was chosen locally. */
    sourceNote: z.string().trim().min(1),
    /**
     * What an indicator marked 不适用 (with its reason) does to the total: it counts as full
     * marks, or it leaves the total and the rest is rescaled to 100 (得分 ÷ 适用指标分值 × 100).
     */
    notApplicable: z.enum(['full_marks', 'rescale']).default('full_marks'),
    indicators: z.array(indicatorSchema).min(1),
  })
  .strict()
  .superRefine((set, ctx) => {
    const ids = new Set<string>();
    set.indicators.forEach((ind, i) => {
      if (ids.has(ind.id)) issue(ctx, ['indicators', i, 'id'], 'duplicate_indicator_id', `指标标识重复：${ind.id}`, `duplicate indicator id: ${ind.id}`);
      ids.add(ind.id);
      const rule = ind.rule;
      if (rule.kind === 'bands') checkBands(rule.bands, ind.weightCp, ctx, ['indicators', i, 'rule', 'bands']);
      if (rule.kind === 'tiers') checkTiers(rule.tiers, ctx, ['indicators', i, 'rule', 'tiers']);
      if (ind.variant !== undefined) {
        const code = 'indicator' in rule ? rule.indicator : undefined;
        const allowed: readonly string[] = code && code in indicatorVariants ? indicatorVariants[code as keyof typeof indicatorVariants] : [];
        if (!allowed.includes(ind.variant)) {
          issue(ctx, ['indicators', i, 'variant'], 'invalid_variant', `该指标没有“${ind.variant}”口径`, `the indicator has no "${ind.variant}" variant`);
        }
      }
    });
    const total = set.indicators.reduce((sum, ind) => sum + ind.weightCp, 0);
    if (total !== set.totalCp) {
      issue(ctx, ['indicators'], 'weights_not_total', `各指标分值合计 ${formatPoints(total)} 分，与规定的总分 ${formatPoints(set.totalCp)} 分不符`, `indicator weights add up to ${formatPoints(total)} points; the stated total is ${formatPoints(set.totalCp)}`);
    }
    if (set.fiscalYears && set.fiscalYears.from > set.fiscalYears.to) {
      issue(ctx, ['fiscalYears'], 'years_reversed', `适用年度起始 ${set.fiscalYears.from} 晚于截止 ${set.fiscalYears.to}`, `fiscal years start (${set.fiscalYears.from}) after they end (${set.fiscalYears.to})`);
    }
    if (set.grades) {
      const seen = new Set<string>();
      set.grades.forEach((g, i) => {
        if (seen.has(g.code)) issue(ctx, ['grades', i, 'code'], 'duplicate_grade', `等级标识重复：${g.code}`, `duplicate grade code: ${g.code}`);
        seen.add(g.code);
        if (g.minCp > set.totalCp) issue(ctx, ['grades', i, 'minCp'], 'grade_above_total', `等级“${g.zh}”的下限 ${formatPoints(g.minCp)} 分高于总分`, `grade "${g.code}" starts above the total`);
      });
      if (!set.grades.some((g) => g.minCp === 0)) issue(ctx, ['grades'], 'grades_not_from_zero', '最低一个等级须从 0 分起', 'the lowest grade must start at 0 points');
      const edges = set.grades.map((g) => g.minCp);
      if (new Set(edges).size !== edges.length) issue(ctx, ['grades'], 'grades_overlap', '两个等级的下限相同', 'two grades start at the same points');
    }
  });
export type ScoringRuleSet = z.output<typeof ScoringRuleSet>;
export type ScoringRuleSetInput = z.input<typeof ScoringRuleSet>;

// ── Values ─────────────────────────────────────────────────────────────────────────────────

/** A reviewer's pick for a qualitative (`tiers`) indicator. */
export const TierPick = z
  .object({
    kind: z.literal('tier'),
    tier: slug,
    pointsCp: centipoints,
    /** Why points were lost; required in spirit whenever points < weight (flagged if absent). */
    reasonZh: z.string().trim().min(1).optional(),
  })
  .strict();
export type TierPick = z.output<typeof TierPick>;

/** A reviewer's score for any indicator (e.g. when a ratio does not apply). Always carries a reason. */
export const ManualScore = z
  .object({
    kind: z.literal('manual'),
    pointsCp: centipoints,
    reasonZh: z.string().trim().min(1),
  })
  .strict();
export type ManualScore = z.output<typeof ManualScore>;

/** Marked 不适用 by a person, with the reason; the rule set's `notApplicable` decides the effect. */
export interface NotApplicableMark {
  kind: 'not_applicable';
  reasonZh: string;
}

/** Where a value comes from, as the 自评表 names it (账套, 基础数据表, 科室产出指标, 自评 …). */
export interface ValueSource {
  zh: string;
  /** Evidence files (佐证材料) offered with it, by name. */
  evidence?: string[];
}

export type IndicatorValue = (
  | { kind: 'indicator'; result: IndicatorResult; explanationZh?: string }
  | { kind: 'output'; result: OutputIndicatorResult; explanationZh?: string }
  | TierPick
  | ManualScore
  | NotApplicableMark
) & { source?: ValueSource };

/** Values keyed by rule-set indicator id. A missing key means "no data yet". */
export type ScoringValues = Readonly<Partial<Record<string, IndicatorValue>>>;

/** Routes computed indicator results to the rule-set indicators that consume them (by code and variant). */
export function valuesFromResults(ruleSet: ScoringRuleSet, results: readonly IndicatorResult[]): Record<string, IndicatorValue> {
  const out: Record<string, IndicatorValue> = {};
  for (const ind of ruleSet.indicators) {
    if (!('indicator' in ind.rule)) continue;
    const code = ind.rule.indicator;
    if (code === undefined) continue;
    const match = results.find((r) => r.code === code && (ind.variant === undefined || r.variant === ind.variant));
    if (match) out[ind.id] = { kind: 'indicator', result: match, ...(match.sourceZh ? { source: { zh: match.sourceZh } } : {}) };
  }
  return out;
}

// ── Results ────────────────────────────────────────────────────────────────────────────────

export interface Flag {
  code: 'explanation_required';
  zh: string;
  en: string;
  /** The explanation given, or `null` while it is still owed. */
  explanationZh: string | null;
}

interface IndicatorScoreBase {
  id: string;
  level1: string;
  level2: string;
  level3: string;
  maxCp: Centipoints;
  /** 评分标准 in words, generated from the rule. */
  criteriaZh: string;
  /** The value as shown (e.g. "95.10%"), when there is one. */
  valueText: string | null;
  /** The working, from the indicator result, when there is one. */
  formulaZh: string | null;
  flags: Flag[];
  /** Where the value comes from (账套, 基础数据表, 科室产出指标, 自评, 满意度调查 …); `null` without one. */
  sourceZh: string | null;
  evidence: string[];
  /** Marked 不适用, with the reason. */
  notApplicableZh: string | null;
}

export type IndicatorScore = IndicatorScoreBase &
  (
    | {
        status: 'scored';
        pointsCp: Centipoints;
        deductionCp: Centipoints;
        /** Non-null exactly when points were lost. */
        deductionReasonZh: string | null;
        /** How the score was reached (also when full). */
        basisZh: string;
        /** Scored by a reviewer (`manual` value) rather than by the rule. */
        manual: boolean;
        unscoredReason: null;
      }
    | {
        status: 'unscored';
        pointsCp: null;
        deductionCp: null;
        deductionReasonZh: null;
        basisZh: string;
        manual: false;
        unscoredReason: Bilingual;
      }
    | {
        /** Marked 不适用 under a rule set that rescales: out of the total, the rest scaled to 100. */
        status: 'excluded';
        pointsCp: null;
        deductionCp: null;
        deductionReasonZh: null;
        basisZh: string;
        manual: false;
        unscoredReason: null;
      }
  );

/** 优 ≥90, 良 80 to <90, 中 60 to <80, 差 <60 (财预〔2020〕10号): the bands a rule set uses unless it says otherwise. */
export const grades: readonly GradeBand[] = [
  { code: 'excellent', zh: '优', minCp: 9000 },
  { code: 'good', zh: '良', minCp: 8000 },
  { code: 'fair', zh: '中', minCp: 6000 },
  { code: 'poor', zh: '差', minCp: 0 },
];
/** excellent, good, fair, poor — or a rule set's own band codes. */
export type GradeCode = string;
export interface Grade {
  code: GradeCode;
  zh: string;
}

/** The band a total falls in (bands by descending lower edge, on exact centipoints). */
export function gradeOf(totalCp: Centipoints, bands: readonly GradeBand[] = grades): Grade {
  const sorted = [...bands].sort((a, b) => b.minCp - a.minCp);
  const g = sorted.find((x) => totalCp >= x.minCp) ?? sorted[sorted.length - 1]!;
  return { code: g.code, zh: g.zh };
}

export interface ScoreSheet {
  ruleSetId: string;
  /** The version of the rule set that scored it, and its name (printed in the report). */
  ruleSetVersion: number;
  ruleSetName: string;
  /** Its grade bands, highest first. */
  gradeBands: readonly GradeBand[];
  year: number;
  region: string;
  /** True when every indicator is scored (the total and grade are final). */
  final: boolean;
  indicators: IndicatorScore[];
  /**
   * The total: the sum of the scored indicators' points, or — when indicators marked 不适用 leave
   * it under a rescaling rule set — that sum × 100 ÷ the applicable weight, half-up to 0.01.
   */
  totalCp: Centipoints;
  /** Set when indicators marked 不适用 were taken out and the rest rescaled. */
  rescaled: { pointsCp: Centipoints; applicableMaxCp: Centipoints; excludedCount: number } | null;
  /** Points per level-1 indicator (投入, 过程 …), in rule-set order (before any rescaling). */
  byLevel1: Array<{ level1: string; maxCp: Centipoints; pointsCp: Centipoints; unscoredCount: number }>;
  /** What marking 不适用 does under this rule set. */
  notApplicablePolicy: 'full_marks' | 'rescale';
  maxCp: Centipoints;
  scoredMaxCp: Centipoints;
  unscoredCount: number;
  unscoredMaxCp: Centipoints;
  /** The grade, once every indicator is scored; `null` before. */
  grade: Grade | null;
  /** The grade if every unscored indicator scores 0 (worst) or full marks (best). */
  gradeRange: { worst: Grade; best: Grade };
  /** Indicators that lose points, with the reason. */
  losses: { id: string; level3: string; deductionCp: Centipoints; reasonZh: string }[];
  /** Indicators not yet scored, with the reason. */
  missing: { id: string; level3: string; maxCp: Centipoints; reason: Bilingual }[];
  /** Explanations still owed (execution rate below 90%, unmet targets, unexplained deductions). */
  explanationsOwed: { id: string; level3: string; zh: string; en: string }[];
  summaryZh: string;
}

// ── Scoring ────────────────────────────────────────────────────────────────────────────────

type Outcome =
  | { status: 'scored'; pointsCp: Centipoints; basisZh: string; deductionReasonZh: string | null; manual?: boolean }
  | { status: 'unscored'; reason: Bilingual }
  | { status: 'excluded'; basisZh: string };

interface Context {
  ind: RuleSetIndicator;
  flags: Flag[];
  valueText: string | null;
  formulaZh: string | null;
}

const pts = formatPoints;
const ptsShort = formatPointsShort;

function full(ind: RuleSetIndicator, basisZh: string): Outcome {
  return { status: 'scored', pointsCp: ind.weightCp, basisZh: `${basisZh}，得满分 ${pts(ind.weightCp)} 分`, deductionReasonZh: null };
}

/** Deduct `rawCp` (floored at 0 points) and say why. */
function deduct(ind: RuleSetIndicator, rawCp: Centipoints, lead: string): Outcome {
  const deductionCp = Math.min(rawCp, ind.weightCp);
  const amount = rawCp > ind.weightCp ? `应扣 ${pts(rawCp)} 分，超过本项分值 ${pts(ind.weightCp)} 分，扣至 0 分为止，扣 ${pts(deductionCp)} 分` : `扣 ${pts(deductionCp)} 分`;
  const text = `${lead}，${amount}`;
  return { status: 'scored', pointsCp: ind.weightCp - deductionCp, basisZh: `${text}，得 ${pts(ind.weightCp - deductionCp)} 分`, deductionReasonZh: text };
}

function unscored(zh: string, en: string): Outcome {
  return { status: 'unscored', reason: { zh, en } };
}

function missingValue(ind: RuleSetIndicator): Outcome {
  return unscored(`${ind.level3}：尚无数据，未评分`, `${ind.level3}: no data yet, not scored`);
}

function mismatch(ind: RuleSetIndicator, got: string): Outcome {
  return unscored(`${ind.level3}：所给数据（${got}）与评分规则不符，未评分`, `${ind.level3}: the value given (${got}) does not fit the rule, not scored`);
}

function explanationFlag(ctx: Context, zh: string, en: string, explanationZh: string | undefined): void {
  ctx.flags.push({ code: 'explanation_required', zh, en, explanationZh: explanationZh?.trim() ? explanationZh.trim() : null });
}

/** The rate a rate-based rule needs, or why there is none. */
function rateFor(ctx: Context, code: IndicatorResult['code'], value: IndicatorValue | undefined): { rate: Rate; name: string; explanationZh?: string } | Outcome {
  const { ind } = ctx;
  if (value === undefined) return missingValue(ind);
  if (value.kind !== 'indicator') return mismatch(ind, value.kind);
  const r = value.result;
  if (r.code !== code) return mismatch(ind, r.code);
  if (ind.variant !== undefined && r.variant !== ind.variant) {
    return unscored(`${ind.level3}：计算口径为“${r.variant ?? '未注明'}”，评分规则要求“${ind.variant}”口径，未评分`, `${ind.level3}: computed as "${r.variant ?? 'unspecified'}", the rule needs "${ind.variant}", not scored`);
  }
  ctx.formulaZh = r.formulaZh;
  if (r.rate === null) {
    if (ind.whenNotApplicable === 'full_marks') return full(ind, `${ind.level3}不适用（${r.notApplicable.zh}），按评分规则视同达标`);
    return unscored(`${ind.level3}：${r.notApplicable.zh}；请评审人工评定`, `${ind.level3} does not apply: ${r.notApplicable.en}; a reviewer must score it`);
  }
  return { rate: r.rate, name: indicatorNames[code].zh, ...(value.explanationZh !== undefined ? { explanationZh: value.explanationZh } : {}) };
}

function stepWords(stepBp: Bp): string {
  return `${formatBpAsPoints(stepBp)} 个百分点`;
}

function scoreCapDeduct(ctx: Context, rule: z.output<typeof capDeductRule>, value: IndicatorValue | undefined): Outcome {
  const got = rateFor(ctx, rule.indicator, value);
  if ('status' in got) return got;
  const shown = formatPercentNear(got.rate, [rule.capBp]);
  ctx.valueText = shown;
  const over = bpAbove(got.rate, rule.capBp);
  const head = `${got.name} ${shown}`;
  if (over.n <= 0n) return full(ctx.ind, `${head}，未超过 ${formatBp(rule.capBp)}`);
  const overText = `超过 ${formatBp(rule.capBp)} ${formatBpFractionAsPoints(over)} 个百分点`;
  const per = `每超 ${stepWords(rule.stepBp)}扣 ${ptsShort(rule.perStepCp)} 分`;
  if (rule.stepping === 'whole') {
    const steps = wholeSteps(over, rule.stepBp);
    if (steps === 0) return full(ctx.ind, `${head}，${overText}，不足 ${stepWords(rule.stepBp)}，${per}，不扣分`);
    return deduct(ctx.ind, steps * rule.perStepCp, `${head}，${overText}，${per}（不足 ${stepWords(rule.stepBp)}的部分不计），计 ${steps} 档`);
  }
  const raw = proportionalSteps(over, rule.stepBp, rule.perStepCp);
  if (raw === 0) return full(ctx.ind, `${head}，${overText}，${per}，应扣不足 0.005 分，不扣分`);
  return deduct(ctx.ind, raw, `${head}，${overText}，${per}`);
}

function scoreShortfallDeduct(ctx: Context, rule: z.output<typeof shortfallDeductRule>, value: IndicatorValue | undefined): Outcome {
  const got = rateFor(ctx, rule.indicator, value);
  if ('status' in got) return got;
  const shown = formatPercentNear(got.rate, [rule.targetBp]);
  ctx.valueText = shown;
  const above = bpAbove(got.rate, rule.targetBp);
  const under = { n: -above.n, d: above.d };
  const head = `${got.name} ${shown}`;
  if (under.n <= 0n) return full(ctx.ind, `${head}，达到 ${formatBp(rule.targetBp)}`);
  const underText = `低于 ${formatBp(rule.targetBp)} ${formatBpFractionAsPoints(under)} 个百分点`;
  const per = `每低 ${stepWords(rule.stepBp)}扣 ${ptsShort(rule.perStepCp)} 分`;
  if (rule.stepping === 'whole') {
    const steps = wholeSteps(under, rule.stepBp);
    if (steps === 0) return full(ctx.ind, `${head}，${underText}，不足 ${stepWords(rule.stepBp)}，${per}，不扣分`);
    return deduct(ctx.ind, steps * rule.perStepCp, `${head}，${underText}，${per}（不足 ${stepWords(rule.stepBp)}的部分不计），计 ${steps} 档`);
  }
  const raw = proportionalSteps(under, rule.stepBp, rule.perStepCp);
  if (raw === 0) return full(ctx.ind, `${head}，${underText}，${per}，应扣不足 0.005 分，不扣分`);
  return deduct(ctx.ind, raw, `${head}，${underText}，${per}`);
}

function inBand(rate: Rate, band: Band): boolean {
  if (band.min) {
    const c = compareToBp(rate, band.min.bp);
    if (c < 0 || (c === 0 && !band.min.inclusive)) return false;
  }
  if (band.max) {
    const c = compareToBp(rate, band.max.bp);
    if (c > 0 || (c === 0 && !band.max.inclusive)) return false;
  }
  return true;
}

/** A band in words: "高于 0% 且不高于 10%", "不低于 90%", "等于 0%". */
export function describeBand(band: Band): string {
  const { min, max } = band;
  if (min && max && min.bp === max.bp) return `等于 ${formatBp(min.bp)}`;
  const lower = min ? `${min.inclusive ? '不低于' : '高于'} ${formatBp(min.bp)}` : '';
  const upper = max ? `${max.inclusive ? '不高于' : '低于'} ${formatBp(max.bp)}` : '';
  if (lower && upper) return `${lower} 且${upper}`;
  return lower || upper || '任意值';
}

function scoreBands(ctx: Context, rule: z.output<typeof bandsRule>, value: IndicatorValue | undefined): Outcome {
  const got = rateFor(ctx, rule.indicator, value);
  if ('status' in got) return got;
  const edges = rule.bands.flatMap((b) => [b.min?.bp, b.max?.bp]).filter((x): x is number => x !== undefined);
  const shown = formatPercentNear(got.rate, edges);
  ctx.valueText = shown;
  const band = rule.bands.find((b) => inBand(got.rate, b));
  if (!band) return unscored(`${got.name} ${shown} 不在任何评分区间内，未评分`, `${got.name} ${shown} is outside every scoring band, not scored`);
  const where = `${got.name} ${shown}，${describeBand(band)}${band.labelZh ? `（${band.labelZh}）` : ''}`;
  if (band.pointsCp >= ctx.ind.weightCp) return full(ctx.ind, where);
  const lost = ctx.ind.weightCp - band.pointsCp;
  const text = `${where}，该档得 ${ptsShort(band.pointsCp)} 分，扣 ${pts(lost)} 分`;
  return { status: 'scored', pointsCp: band.pointsCp, basisZh: text, deductionReasonZh: text };
}

/** A computed rate against the rule's target: min(rate ÷ target, 1) × weight. */
function scoreProportionalRate(ctx: Context, rule: z.output<typeof proportionalRule> & { indicator: IndicatorResult['code'] }, value: IndicatorValue | undefined): Outcome {
  const got = rateFor(ctx, rule.indicator, value);
  if ('status' in got) return got;
  const { ind } = ctx;
  const target = rule.targetBp ?? BP_PER_WHOLE;
  const edges = [target, ...(rule.explainBelowBp !== undefined ? [rule.explainBelowBp] : [])];
  const shown = formatPercentNear(got.rate, edges);
  ctx.valueText = shown;
  const below = compareToBp(got.rate, rule.explainBelowBp ?? target) < 0;
  if (below) {
    explanationFlag(ctx, `${got.name} ${shown}，未达到 ${formatBp(rule.explainBelowBp ?? target)}，须分析偏差原因`, `${got.name} ${shown} is below ${formatBp(rule.explainBelowBp ?? target)}: explain the deviation`, got.explanationZh);
  }
  if (compareToBp(got.rate, target) >= 0) return full(ind, `${got.name} ${shown}，达到 ${formatBp(target)}`);
  const share = divideRates(got.rate, { num: target, den: BP_PER_WHOLE })!;
  const points = Math.max(0, scaleToCentipoints(share, ind.weightCp));
  const lost = ind.weightCp - points;
  const working = target === BP_PER_WHOLE ? `${shown} × ${ptsShort(ind.weightCp)} 分` : `${shown} ÷ ${formatBp(target)} × ${ptsShort(ind.weightCp)} 分`;
  const why = got.explanationZh?.trim() ? `；偏差原因：${got.explanationZh.trim()}` : '';
  const text = `${got.name} ${shown}，得分 = ${working} = ${pts(points)} 分，扣 ${pts(lost)} 分${why}`;
  return { status: 'scored', pointsCp: points, basisZh: text, deductionReasonZh: text };
}

function scoreProportional(ctx: Context, rule: z.output<typeof proportionalRule>, value: IndicatorValue | undefined): Outcome {
  const { ind } = ctx;
  if (rule.indicator !== undefined) return scoreProportionalRate(ctx, { ...rule, indicator: rule.indicator }, value);
  if (value === undefined) return missingValue(ind);
  if (value.kind !== 'output') return mismatch(ind, value.kind);
  const r = value.result;
  ctx.formulaZh = r.formulaZh;
  if (r.met === false) {
    explanationFlag(ctx, `${r.nameZh}未达到目标值，须分析偏差原因`, `${r.nameZh} missed its target: explain the deviation`, value.explanationZh);
  }
  if (r.completion === null) {
    if (ind.whenNotApplicable === 'full_marks') return full(ind, `${r.nameZh}不适用（${r.notApplicable?.zh ?? ''}），按评分规则视同达标`);
    return unscored(`${r.nameZh}：${r.notApplicable?.zh ?? '无法计算完成比例'}；请评审人工评定`, `${r.nameZh}: ${r.notApplicable?.en ?? 'no completion ratio'}; a reviewer must score it`);
  }
  const shown = formatPercent(r.completion);
  ctx.valueText = shown;
  const raw = scaleToCentipoints(r.completion, ind.weightCp);
  const head = `${r.nameZh}完成比例 ${shown}`;
  if (raw >= ind.weightCp) return full(ind, `${head}，按完成比例计分不超过分值`);
  const points = Math.max(0, raw);
  const lost = ind.weightCp - points;
  const why = value.explanationZh?.trim() ? `；偏差原因：${value.explanationZh.trim()}` : '';
  const text = `${head}，按完成比例计分 ${shown} × ${ptsShort(ind.weightCp)} 分 = ${pts(points)} 分，扣 ${pts(lost)} 分${why}`;
  return { status: 'scored', pointsCp: points, basisZh: text, deductionReasonZh: text };
}

function tierRange(tier: Tier, weightCp: Centipoints): string {
  // Shown to the centipoint; the check itself is exact (cross-multiplied).
  const lo = Math.ceil((tier.minBp * weightCp) / BP_PER_WHOLE);
  const top = tier.maxBp === BP_PER_WHOLE;
  const hi = top ? Math.floor((tier.maxBp * weightCp) / BP_PER_WHOLE) : Math.ceil((tier.maxBp * weightCp) / BP_PER_WHOLE);
  const mark = top ? '（含）' : '（不含）';
  return `${pts(lo)} 分（含）至 ${pts(hi)} 分${mark}`;
}

/** A tier in a table cell: "1.60–2.00 分" (lower edge included, upper excluded except at full marks). */
function tierRangeShort(tier: Tier, weightCp: Centipoints): string {
  const lo = Math.ceil((tier.minBp * weightCp) / BP_PER_WHOLE);
  const hi = tier.maxBp === BP_PER_WHOLE ? Math.floor((tier.maxBp * weightCp) / BP_PER_WHOLE) : Math.ceil((tier.maxBp * weightCp) / BP_PER_WHOLE);
  return `${pts(lo)}–${pts(hi)} 分`;
}

function scoreTiers(ctx: Context, rule: z.output<typeof tiersRule>, value: IndicatorValue | undefined): Outcome {
  const { ind } = ctx;
  if (value === undefined) return missingValue(ind);
  if (value.kind !== 'tier') return mismatch(ind, value.kind);
  const tier = rule.tiers.find((t) => t.key === value.tier);
  if (!tier) return unscored(`${ind.level3}：没有“${value.tier}”这一档，未评分`, `${ind.level3}: no tier "${value.tier}", not scored`);
  const p = BigInt(value.pointsCp) * BigInt(BP_PER_WHOLE);
  const lo = BigInt(tier.minBp) * BigInt(ind.weightCp);
  const hi = BigInt(tier.maxBp) * BigInt(ind.weightCp);
  const within = p >= lo && (tier.maxBp === BP_PER_WHOLE ? p <= hi : p < hi);
  ctx.valueText = tier.labelZh;
  if (!within) {
    return unscored(
      `${ind.level3}：所给 ${pts(value.pointsCp)} 分不在“${tier.labelZh}”档范围内（${tierRange(tier, ind.weightCp)}），未评分`,
      `${ind.level3}: ${pts(value.pointsCp)} points is outside the "${tier.key}" tier, not scored`,
    );
  }
  const head = `自评为“${tier.labelZh}”（${tierRange(tier, ind.weightCp)}）`;
  if (value.pointsCp === ind.weightCp) return full(ind, head);
  const lost = ind.weightCp - value.pointsCp;
  if (!value.reasonZh) {
    explanationFlag(ctx, `${ind.level3}扣 ${pts(lost)} 分，须说明扣分原因`, `${ind.level3} loses ${pts(lost)} points: the reason must be given`, undefined);
  }
  const text = `${head}，得 ${pts(value.pointsCp)} 分，扣 ${pts(lost)} 分：${value.reasonZh ?? '（尚未说明扣分原因）'}`;
  return { status: 'scored', pointsCp: value.pointsCp, basisZh: text, deductionReasonZh: text };
}

function scoreExecutionRate(ctx: Context, rule: z.output<typeof executionRateRule>, value: IndicatorValue | undefined): Outcome {
  const got = rateFor(ctx, rule.indicator, value);
  if ('status' in got) return got;
  const { ind } = ctx;
  const edges = rule.explainBelowBp === null ? [BP_PER_WHOLE] : [BP_PER_WHOLE, rule.explainBelowBp];
  const shown = formatPercentNear(got.rate, edges);
  ctx.valueText = shown;
  if (rule.explainBelowBp !== null && compareToBp(got.rate, rule.explainBelowBp) < 0) {
    explanationFlag(ctx, `${got.name} ${shown}，低于 ${formatBp(rule.explainBelowBp)}，须说明原因`, `${got.name} ${shown} is below ${formatBp(rule.explainBelowBp)}: an explanation is required`, got.explanationZh);
  }
  const raw = Math.max(0, scaleToCentipoints(got.rate, ind.weightCp));
  if (raw >= ind.weightCp) return full(ind, `${got.name} ${shown}，得分 = ${got.name} × 分值，以分值为限`);
  const lost = ind.weightCp - raw;
  const why = got.explanationZh?.trim() ? `；原因：${got.explanationZh.trim()}` : '';
  const text = `${got.name} ${shown}，得分 = ${shown} × ${ptsShort(ind.weightCp)} 分 = ${pts(raw)} 分，扣 ${pts(lost)} 分${why}`;
  return { status: 'scored', pointsCp: raw, basisZh: text, deductionReasonZh: text };
}

function scoreManual(ind: RuleSetIndicator, value: ManualScore): Outcome {
  if (value.pointsCp > ind.weightCp) {
    return unscored(`${ind.level3}：人工评分 ${pts(value.pointsCp)} 分超过分值 ${pts(ind.weightCp)} 分，未评分`, `${ind.level3}: manual score ${pts(value.pointsCp)} exceeds the weight ${pts(ind.weightCp)}, not scored`);
  }
  const lost = ind.weightCp - value.pointsCp;
  const text = `评审人工评定 ${pts(value.pointsCp)} 分${lost > 0 ? `，扣 ${pts(lost)} 分` : ''}：${value.reasonZh}`;
  return { status: 'scored', pointsCp: value.pointsCp, basisZh: text, deductionReasonZh: lost > 0 ? text : null, manual: true };
}

/** 评分标准 in words, for the indicator table. */
export function describeRuleZh(ind: RuleSetIndicator): string {
  const rule = ind.rule;
  const w = ptsShort(ind.weightCp);
  switch (rule.kind) {
    case 'cap_deduct':
      return `不高于 ${formatBp(rule.capBp)} 得满分 ${w} 分；每超 ${stepWords(rule.stepBp)}扣 ${ptsShort(rule.perStepCp)} 分${rule.stepping === 'whole' ? `（不足 ${stepWords(rule.stepBp)}的部分不计）` : ''}，扣完为止`;
    case 'shortfall_deduct':
      return `达到 ${formatBp(rule.targetBp)} 得满分 ${w} 分；每低 ${stepWords(rule.stepBp)}扣 ${ptsShort(rule.perStepCp)} 分${rule.stepping === 'whole' ? `（不足 ${stepWords(rule.stepBp)}的部分不计）` : ''}，扣完为止`;
    case 'bands':
      return rule.bands.map((b) => `${describeBand(b)}${b.labelZh ? `（${b.labelZh}）` : ''} 得 ${ptsShort(b.pointsCp)} 分`).join('；');
    case 'proportional': {
      if (rule.indicator === undefined) return `正向指标得分 = 实际值 ÷ 目标值 × ${w} 分，反向指标得分 = 目标值 ÷ 实际值 × ${w} 分，最高 ${w} 分；未达目标须说明原因`;
      const name = indicatorNames[rule.indicator].zh;
      const target = rule.targetBp ?? BP_PER_WHOLE;
      return target === BP_PER_WHOLE
        ? `得分 = ${name} × ${w} 分，最高 ${w} 分；未达 100% 须分析偏差原因`
        : `${name}达到 ${formatBp(target)} 得满分 ${w} 分；未达到的，得分 = ${name} ÷ ${formatBp(target)} × ${w} 分，并分析偏差原因`;
    }
    case 'tiers':
      return `${[...rule.tiers].sort((a, b) => b.minBp - a.minBp).map((t) => `${t.labelZh} ${tierRangeShort(t, ind.weightCp)}`).join('；')}（含下限，不含上限）`;
    case 'execution_rate':
      return `得分 = ${indicatorNames[rule.indicator].zh} × ${w} 分，最高 ${w} 分${rule.explainBelowBp === null ? '' : `；低于 ${formatBp(rule.explainBelowBp)} 须说明原因`}`;
  }
}

function scoreOne(ind: RuleSetIndicator, value: IndicatorValue | undefined, policy: ScoringRuleSet['notApplicable']): IndicatorScore {
  const ctx: Context = { ind, flags: [], valueText: null, formulaZh: null };
  let outcome: Outcome;
  if (value?.kind === 'not_applicable') {
    ctx.valueText = '不适用';
    outcome =
      policy === 'rescale'
        ? { status: 'excluded', basisZh: `不适用：${value.reasonZh}；按评分规则不计入总分，其余指标得分折算为百分制` }
        : full(ind, `不适用：${value.reasonZh}；按评分规则视同达标`);
  } else if (value?.kind === 'manual') {
    outcome = scoreManual(ind, value);
    if (value.pointsCp <= ind.weightCp) ctx.valueText = `${pts(value.pointsCp)} 分`;
  } else {
    const rule = ind.rule;
    switch (rule.kind) {
      case 'cap_deduct':
        outcome = scoreCapDeduct(ctx, rule, value);
        break;
      case 'shortfall_deduct':
        outcome = scoreShortfallDeduct(ctx, rule, value);
        break;
      case 'bands':
        outcome = scoreBands(ctx, rule, value);
        break;
      case 'proportional':
        outcome = scoreProportional(ctx, rule, value);
        break;
      case 'tiers':
        outcome = scoreTiers(ctx, rule, value);
        break;
      case 'execution_rate':
        outcome = scoreExecutionRate(ctx, rule, value);
        break;
    }
  }
  const base: IndicatorScoreBase = {
    id: ind.id,
    level1: ind.level1,
    level2: ind.level2,
    level3: ind.level3,
    maxCp: ind.weightCp,
    criteriaZh: describeRuleZh(ind),
    valueText: ctx.valueText,
    formulaZh: ctx.formulaZh,
    flags: ctx.flags,
    sourceZh: value?.source?.zh ?? null,
    evidence: value?.source?.evidence ?? [],
    notApplicableZh: value?.kind === 'not_applicable' ? value.reasonZh : null,
  };
  if (outcome.status === 'excluded') {
    return { ...base, status: 'excluded', pointsCp: null, deductionCp: null, deductionReasonZh: null, basisZh: outcome.basisZh, manual: false, unscoredReason: null };
  }
  if (outcome.status === 'unscored') {
    return { ...base, status: 'unscored', pointsCp: null, deductionCp: null, deductionReasonZh: null, basisZh: outcome.reason.zh, manual: false, unscoredReason: outcome.reason };
  }
  return {
    ...base,
    status: 'scored',
    pointsCp: outcome.pointsCp,
    deductionCp: ind.weightCp - outcome.pointsCp,
    deductionReasonZh: outcome.deductionReasonZh,
    basisZh: outcome.basisZh,
    manual: outcome.manual ?? false,
    unscoredReason: null,
  };
}

/** Scores one indicator of a rule set. */
export function scoreIndicator(ind: RuleSetIndicator, value: IndicatorValue | undefined, notApplicable: ScoringRuleSet['notApplicable'] = 'full_marks'): IndicatorScore {
  return scoreOne(ind, value, notApplicable);
}

/** Scores every indicator of the rule set; indicators without usable values are reported unscored. */
export function scoreIndicators(ruleSet: ScoringRuleSet, values: ScoringValues): ScoreSheet {
  const indicators = ruleSet.indicators.map((ind) => scoreOne(ind, values[ind.id], ruleSet.notApplicable));
  let totalCp = 0;
  let scoredMaxCp = 0;
  let unscoredMaxCp = 0;
  let excludedMaxCp = 0;
  let excludedCount = 0;
  const losses: ScoreSheet['losses'] = [];
  const missing: ScoreSheet['missing'] = [];
  const explanationsOwed: ScoreSheet['explanationsOwed'] = [];
  for (const s of indicators) {
    if (s.status === 'scored') {
      totalCp += s.pointsCp;
      scoredMaxCp += s.maxCp;
      if (s.deductionCp > 0 && s.deductionReasonZh !== null) losses.push({ id: s.id, level3: s.level3, deductionCp: s.deductionCp, reasonZh: s.deductionReasonZh });
    } else if (s.status === 'excluded') {
      excludedMaxCp += s.maxCp;
      excludedCount += 1;
    } else {
      unscoredMaxCp += s.maxCp;
      missing.push({ id: s.id, level3: s.level3, maxCp: s.maxCp, reason: s.unscoredReason });
    }
    for (const f of s.flags) if (f.explanationZh === null) explanationsOwed.push({ id: s.id, level3: s.level3, zh: f.zh, en: f.en });
  }
  // Two indicators may share a 三级 name (管理制度健全性 under 预算管理 and 资产管理): add the 二级 name.
  const label3 = (level3: string, id: string): string => {
    const same = ruleSet.indicators.filter((i) => i.level3 === level3);
    return same.length > 1 ? `${level3}（${same.find((i) => i.id === id)?.level2 ?? ''}）` : level3;
  };
  const maxCp = ruleSet.indicators.reduce((sum, i) => sum + i.weightCp, 0);
  const applicableMaxCp = maxCp - excludedMaxCp;
  // Under a rescaling rule set, indicators marked 不适用 leave the total and the rest count for 100.
  const scale = (cp: Centipoints): Centipoints => (excludedMaxCp === 0 ? cp : applicableMaxCp === 0 ? 0 : Number(divRoundHalfUp(BigInt(cp) * BigInt(maxCp), BigInt(applicableMaxCp))));
  const rawCp = totalCp;
  totalCp = scale(rawCp);
  const final = missing.length === 0 && applicableMaxCp > 0;
  const bands = ruleSet.grades ?? grades;
  const grade = final ? gradeOf(totalCp, bands) : null;
  const gradeRange = { worst: gradeOf(totalCp, bands), best: gradeOf(scale(rawCp + unscoredMaxCp), bands) };
  const rescaled = excludedMaxCp === 0 ? null : { pointsCp: rawCp, applicableMaxCp, excludedCount };
  const rescaleZh = rescaled ? `（${excludedCount} 项指标不适用，按适用指标满分 ${pts(applicableMaxCp)} 分得 ${pts(rawCp)} 分，折算为百分制）` : '';
  const byLevel1: ScoreSheet['byLevel1'] = [];
  for (const s of indicators) {
    let row = byLevel1.find((x) => x.level1 === s.level1);
    if (!row) byLevel1.push((row = { level1: s.level1, maxCp: 0, pointsCp: 0, unscoredCount: 0 }));
    row.maxCp += s.maxCp;
    if (s.status === 'scored') row.pointsCp += s.pointsCp;
    if (s.status === 'unscored') row.unscoredCount += 1;
  }
  const summaryZh = final
    ? `总分 ${pts(totalCp)} 分（满分 ${pts(maxCp)} 分）${rescaleZh}，等级“${gradeRange.worst.zh}”；失分指标 ${losses.length} 项`
    : `已评分 ${indicators.length - missing.length - excludedCount} 项，得 ${pts(rawCp)} 分（这些指标满分 ${pts(scoredMaxCp)} 分）；未评分 ${missing.length} 项（合计 ${pts(unscoredMaxCp)} 分）：${missing.map((m) => label3(m.level3, m.id)).join('、')}；等级介于“${gradeRange.worst.zh}”与“${gradeRange.best.zh}”之间`;
  return {
    ruleSetId: ruleSet.id,
    ruleSetVersion: ruleSet.version,
    ruleSetName: ruleSet.name ?? ruleSet.id,
    gradeBands: [...bands].sort((a, b) => b.minCp - a.minCp),
    year: ruleSet.year,
    region: ruleSet.region,
    final,
    indicators,
    totalCp,
    rescaled,
    byLevel1,
    notApplicablePolicy: ruleSet.notApplicable,
    maxCp,
    scoredMaxCp,
    unscoredCount: missing.length,
    unscoredMaxCp,
    grade,
    gradeRange,
    losses,
    missing,
    explanationsOwed,
    summaryZh,
  };
}

/**
 * The same sheet, before every section has submitted: which indicators lose points and why
 * (`losses`), which are still missing (`missing`), and the range of grades still possible.
 */
export function previewScore(ruleSet: ScoringRuleSet, partialValues: ScoringValues): ScoreSheet {
  return scoreIndicators(ruleSet, partialValues);
}

// ── Tiers ──────────────────────────────────────────────────────────────────────────────────

/** 财预〔2020〕10号 qualitative tiers: 100–80% (incl. 80), 80–60% (incl. 60), 60–0%. */
export const DEFAULT_TIERS: readonly Tier[] = [
  { key: 'achieved', labelZh: '达成年度指标', minBp: 8000, maxBp: 10000 },
  { key: 'partial', labelZh: '部分达成并具有一定效果', minBp: 6000, maxBp: 8000 },
  { key: 'not_achieved', labelZh: '未达成且效果较差', minBp: 0, maxBp: 6000 },
];

/** Jiangxi 自评表 note (S38): 100–80 / 80–50 / 50–0. */
export const JIANGXI_TIERS: readonly Tier[] = [
  { key: 'achieved', labelZh: '达成年度指标', minBp: 8000, maxBp: 10000 },
  { key: 'partial', labelZh: '部分达成并具有一定效果', minBp: 5000, maxBp: 8000 },
  { key: 'not_achieved', labelZh: '未达成且效果较差', minBp: 0, maxBp: 5000 },
];
