/**
 * The self-assessment (自评): the values of the indicators nobody can compute — the tier and
 * points of a qualitative indicator with its reason and evidence (佐证材料), the figures of a
 * satisfaction survey, an explanation the rule asks for, or 不适用 with its reason.
 *
 * Entries are keyed by the rule set's indicator id. Who enters one is the rule set's call
 * (`assessor`): the finance officer, or — where the rule set lets a section assess it and the unit
 * says which section does (`unit.sections[].assesses`) — that section's head, in their task.
 * {@link checkSelfAssessment} checks entries against the rule set and says every problem with
 * its path; {@link assessmentScope} says which indicators a person still has to value.
 */
import { z } from 'zod';
import { CP_PER_POINT, formatPoints } from './rate';
import type { RuleSetIndicator, ScoringRuleSet, Tier } from './scoring';
import { bi, type Problem } from './validation';

const slug = z.string().trim().regex(/^[a-z][a-z0-9_]*$/, { message: bi('应为小写字母、数字和下划线组成的标识', 'must be a snake_case id') });
const reason = z.string().trim().min(1, { message: bi('不能为空', 'may not be empty') }).max(2_000, { message: bi('不能超过 2000 个字符', 'at most 2000 characters') });

/** Points as written ("2.8", 3): at most two decimals, not negative, at most six digits before the point (no weight comes near); kept as text. */
export const pointsTextSchema = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
  .refine((s) => /^\d{1,6}(\.\d{1,2})?$/.test(s), { message: bi('分值应为非负数，最多两位小数', 'points must be a non-negative number with at most 2 decimals') });

/** "2.8" → 280 centipoints (exact: at most two decimals by the schema). */
export function pointsToCp(text: string): number {
  const [int = '0', frac = ''] = text.split('.');
  return Number(int) * CP_PER_POINT + Number(frac.padEnd(2, '0'));
}

export const surveySchema = z
  .object({
    /** 有效样本数. */
    sample: z.number().int().positive({ message: bi('样本数须大于 0', 'the sample must be more than 0') }),
    /** 满意（含比较满意）的人数. */
    satisfied: z.number().int().nonnegative(),
    /** How the survey was done (问卷、电话回访 …). */
    method: z.string().trim().max(500).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.satisfied > s.sample) ctx.addIssue({ code: 'custom', path: ['satisfied'], message: bi(`满意人数 ${s.satisfied} 超过样本数 ${s.sample}`, `satisfied (${s.satisfied}) exceeds the sample (${s.sample})`), params: { code: 'satisfied_exceeds_sample' } });
  });
export type Survey = z.output<typeof surveySchema>;

/** Ids of uploaded evidence files (佐证材料). */
export const evidenceIdsSchema = z.array(z.number().int().positive()).max(20, { message: bi('每项最多 20 个佐证材料', 'at most 20 evidence files per entry') });

const entryShape = {
  indicator: slug,
  /** 达成 / 部分达成 / 未达成: a tier key of the indicator's rule. */
  tier: slug.optional(),
  points: pointsTextSchema.optional(),
  /** Why points were lost, why it does not apply, or the explanation the rule asks for. */
  reason: reason.optional(),
  notApplicable: z.boolean().optional(),
  survey: surveySchema.optional(),
};

/** One entry as a file carries it (no uploads: evidence comes through the web page or the CLI). */
export const selfAssessmentFileEntrySchema = z.object(entryShape).strict();
/** One entry as a task submits it, with its evidence files. */
export const selfAssessmentEntrySchema = z.object({ ...entryShape, evidence: evidenceIdsSchema.default([]) }).strict();
export type SelfAssessmentEntry = z.output<typeof selfAssessmentEntrySchema>;
export type SelfAssessmentEntryInput = z.input<typeof selfAssessmentEntrySchema>;

export const selfAssessmentSchema = z.object({ entries: z.array(selfAssessmentEntrySchema).max(500) }).strict();
export type SelfAssessment = z.output<typeof selfAssessmentSchema>;

/** A draft: the same shape with every field optional and half-typed values allowed. */
export const selfAssessmentDraftSchema = z
  .object({
    entries: z
      .array(
        z
          .object({
            indicator: z.string().max(100),
            tier: z.string().max(100).optional(),
            points: z.union([z.string().max(20), z.number()]).optional(),
            reason: z.string().max(2_000).optional(),
            notApplicable: z.boolean().optional(),
            survey: z.object({ sample: z.union([z.number(), z.string().max(20)]).optional(), satisfied: z.union([z.number(), z.string().max(20)]).optional(), method: z.string().max(500).optional() }).strict().optional(),
            evidence: z.array(z.number().int().positive()).max(20).optional(),
          })
          .strict(),
      )
      .max(500)
      .optional(),
  })
  .strict();
export type SelfAssessmentDraft = z.output<typeof selfAssessmentDraftSchema>;

// ── What kind of value an indicator takes ──────────────────────────────────────────────────

export type ValueKind =
  /** 达成/部分达成/未达成 with points in the tier's range. */
  | 'tiers'
  /** A satisfaction survey (sample, satisfied). */
  | 'survey'
  /** Computed by selfeval (ledger, 基础数据表, the sections' output indicators). */
  | 'computed';

export function valueKindOf(ind: RuleSetIndicator): ValueKind {
  if (ind.rule.kind === 'tiers') return 'tiers';
  if (ind.rule.kind === 'proportional' && ind.rule.indicator === 'satisfaction_rate') return 'survey';
  return 'computed';
}

/** Who values an indicator: the finance officer, or the section the unit names for it. */
export type Assessor = { kind: 'finance_officer' } | { kind: 'section'; section: string };

/**
 * The assessor of each indicator: a section when the rule set lets sections assess it and the
 * unit names one in `sections[].assesses`; otherwise the finance officer.
 */
export function assessorOf(ind: RuleSetIndicator, sections: ReadonlyArray<{ code: string; assesses?: readonly string[] | undefined }>): Assessor {
  if (ind.assessor === 'section') {
    const s = sections.find((x) => x.assesses?.includes(ind.id));
    if (s) return { kind: 'section', section: s.code };
  }
  return { kind: 'finance_officer' };
}

/** The indicators a person must (tiers, survey) or may (explanation, 不适用) value. */
export function assessmentScope(ruleSet: ScoringRuleSet, sections: ReadonlyArray<{ code: string; assesses?: readonly string[] | undefined }>, who: Assessor): RuleSetIndicator[] {
  return ruleSet.indicators.filter((ind) => {
    const a = assessorOf(ind, sections);
    return who.kind === 'finance_officer' ? a.kind === 'finance_officer' : a.kind === 'section' && a.section === who.section;
  });
}

// ── Checking entries against the rule set ──────────────────────────────────────────────────

function tierBounds(tier: Tier, weightCp: number): { lo: number; hi: number; top: boolean } {
  return { lo: Math.ceil((tier.minBp * weightCp) / 10_000), hi: tier.maxBp === 10_000 ? weightCp : Math.ceil((tier.maxBp * weightCp) / 10_000), top: tier.maxBp === 10_000 };
}

/** Whether `cp` lies in the tier (lower edge included, upper excluded except at 100%), exactly. */
export function withinTier(tier: Tier, weightCp: number, cp: number): boolean {
  const p = BigInt(cp) * 10_000n;
  const lo = BigInt(tier.minBp) * BigInt(weightCp);
  const hi = BigInt(tier.maxBp) * BigInt(weightCp);
  return p >= lo && (tier.maxBp === 10_000 ? p <= hi : p < hi);
}

/** "1.60 分（含）至 2.00 分（含）". */
export function tierRangeZh(tier: Tier, weightCp: number): string {
  const b = tierBounds(tier, weightCp);
  return `${formatPoints(b.lo)} 分（含）至 ${formatPoints(b.hi)} 分${b.top ? '（含）' : '（不含）'}`;
}

export interface CheckOptions {
  /** Path prefix of the entries, e.g. `entries` or `selfAssessment.entries`. */
  path: string;
  /**
   * Indicators this person may value (the assessor's scope); an entry for another one is refused.
   * Omitted: any indicator of the rule set.
   */
  scope?: readonly string[];
  /** Also require a value for every tiers/survey indicator of the scope (a final submission). */
  complete?: boolean;
}

/**
 * Every problem of a set of entries against a rule set: an indicator the rule set lacks, a tier it
 * does not have, points outside the tier's range (the range in the message), a lost point without
 * its reason, 不适用 without a reason, a survey for an indicator that is not one, a score for an
 * indicator selfeval computes. With `complete`, also what is still missing.
 */
export function checkSelfAssessment(ruleSet: ScoringRuleSet, entries: ReadonlyArray<z.input<typeof selfAssessmentFileEntrySchema> & { points?: string | number | undefined }>, options: CheckOptions): Problem[] {
  const problems: Problem[] = [];
  const at = (i: number, field?: string) => `${options.path}[${i}]${field ? `.${field}` : ''}`;
  const add = (path: string, code: string, zh: string, en: string) => problems.push({ path, code, zh, en });
  const byId = new Map(ruleSet.indicators.map((i) => [i.id, i]));
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    const ind = byId.get(e.indicator);
    if (!ind) {
      add(at(i, 'indicator'), 'unknown_indicator', `评分规则“${ruleSet.id}”中没有指标“${e.indicator}”`, `the rule set "${ruleSet.id}" has no indicator "${e.indicator}"`);
      return;
    }
    if (options.scope && !options.scope.includes(ind.id)) {
      add(at(i, 'indicator'), 'not_yours', `指标“${ind.level3}”不由你评价`, `you do not assess the indicator "${ind.level3}"`);
      return;
    }
    if (seen.has(ind.id)) add(at(i, 'indicator'), 'duplicate_indicator', `指标“${ind.level3}”重复填写`, `the indicator "${ind.level3}" is given twice`);
    seen.add(ind.id);
    const kind = valueKindOf(ind);
    const w = ind.weightCp;
    if (e.notApplicable) {
      if (!e.reason?.trim()) add(at(i, 'reason'), 'reason_required', `标为不适用须说明原因`, `marking an indicator not applicable needs a reason`);
      for (const f of ['tier', 'points', 'survey'] as const) {
        if (e[f] !== undefined) add(at(i, f), 'not_applicable_with_value', '标为不适用的指标不能同时填写评分', 'an indicator marked not applicable cannot also carry a score');
      }
      return;
    }
    if (kind === 'computed') {
      for (const f of ['tier', 'points', 'survey'] as const) {
        if (e[f] !== undefined) add(at(i, f), 'computed_indicator', `“${ind.level3}”由系统根据账套、基础数据表和产出指标计算，只能说明原因或标为不适用`, `"${ind.level3}" is computed by selfeval; give an explanation or mark it not applicable`);
      }
      return;
    }
    if (kind === 'survey') {
      if (e.tier !== undefined || e.points !== undefined) add(at(i, e.tier !== undefined ? 'tier' : 'points'), 'survey_indicator', `“${ind.level3}”按满意度调查计分，请填写样本数和满意人数`, `"${ind.level3}" is scored from a survey: give the sample and the satisfied count`);
      if (!e.survey) add(at(i, 'survey'), 'survey_required', `请填写“${ind.level3}”的调查样本数和满意人数`, `give the survey figures of "${ind.level3}"`);
      return;
    }
    // tiers
    if (e.survey !== undefined) add(at(i, 'survey'), 'not_a_survey', `“${ind.level3}”不是满意度指标`, `"${ind.level3}" is not a satisfaction indicator`);
    const rule = ind.rule.kind === 'tiers' ? ind.rule : undefined;
    const tier = rule?.tiers.find((t) => t.key === e.tier);
    if (e.tier === undefined) add(at(i, 'tier'), 'tier_required', `请选择“${ind.level3}”的评价档次`, `choose the tier of "${ind.level3}"`);
    else if (!tier) add(at(i, 'tier'), 'unknown_tier', `“${ind.level3}”没有“${e.tier}”这一档`, `"${ind.level3}" has no tier "${e.tier}"`);
    const parsed = e.points === undefined ? undefined : pointsTextSchema.safeParse(e.points);
    if (parsed === undefined) {
      add(at(i, 'points'), 'points_required', `请填写“${ind.level3}”的自评得分`, `give the points of "${ind.level3}"`);
      return;
    }
    if (!parsed.success) {
      add(at(i, 'points'), 'invalid_points', '分值应为非负数，最多两位小数', 'points must be a non-negative number with at most 2 decimals');
      return;
    }
    const cp = pointsToCp(parsed.data);
    if (cp > w) {
      add(at(i, 'points'), 'points_exceed_weight', `${formatPoints(cp)} 分超过该指标分值 ${formatPoints(w)} 分`, `${formatPoints(cp)} exceeds the weight ${formatPoints(w)}`);
      return;
    }
    if (tier && !withinTier(tier, w, cp)) {
      add(at(i, 'points'), 'points_outside_tier', `${formatPoints(cp)} 分不在“${tier.labelZh}”档的范围内：${tierRangeZh(tier, w)}`, `${formatPoints(cp)} is outside the "${tier.key}" tier of "${ind.level3}"`);
    }
    if (cp < w && !e.reason?.trim()) add(at(i, 'reason'), 'reason_required', `扣 ${formatPoints(w - cp)} 分须说明扣分原因`, `losing ${formatPoints(w - cp)} points needs a reason`);
  });
  if (options.complete) {
    const scope = options.scope ? ruleSet.indicators.filter((i) => options.scope!.includes(i.id)) : ruleSet.indicators;
    for (const ind of scope) {
      if (valueKindOf(ind) === 'computed' || seen.has(ind.id)) continue;
      add(options.path, 'assessment_missing', `尚未评价：${ind.level2}·${ind.level3}（${formatPoints(ind.weightCp)} 分）`, `not yet assessed: ${ind.level3} (${formatPoints(ind.weightCp)} points)`);
    }
  }
  return problems;
}
