/**
 * The rule-set file (`selfeval.rule-set/v1`): a scoring rule set as a finance bureau writes it —
 * points as points ("5", "0.5"), rates as percentages ("100%", "1%"), bands as "at least / below"
 * — checked by a zod schema that names every problem with its path, in Chinese and English, and
 * turned into the exact internal {@link ScoringRuleSet} (centipoints, basis points).
 *
 * A file states its total; the indicators' points must add up to it. Its tiers (达成 / 部分达成 /
 * 未达成) and grade bands are its own or the 财预〔2020〕10号 defaults. Checked besides the shape:
 * an unknown rule kind or computed indicator, bands that overlap or leave gaps, tiers that
 * overlap or do not cover 0–100%, grades that overlap, a rule without the indicator it needs.
 *
 * The built-in rule sets are such files in `rule-sets/` of the repository; an administrator adds
 * more (each a new version, never edited in place).
 */
import { z } from 'zod';
import { IndicatorCodeSchema } from './indicators';
import { type Band, DEFAULT_TIERS, grades as defaultGrades, type Rule, ScoringRuleSet, type ScoringRuleSetInput, steppings, type Tier } from './scoring';
import { bi, type Problem, problemsFromZod } from './validation';

export const RULE_SET_FORMAT = 'selfeval.rule-set/v1';

const text = z.string().trim().min(1).max(2_000);
const label = z.string().trim().min(1).max(200);
const slug = z.string().regex(/^[a-z][a-z0-9_]*$/, { message: bi('应为小写字母、数字和下划线组成的标识', 'must be a snake_case id') });

/** Points as written: 5, "0.5", "2.25" → centipoints. */
const points = z.union([z.number(), z.string()]).transform((raw, ctx): number => {
  const s = typeof raw === 'number' ? String(raw) : raw.trim().replace(/分$/, '');
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: bi(`分值应为非负数，最多两位小数：${raw}`, `points must be a non-negative number with at most 2 decimals: ${raw}`), params: { code: 'invalid_points' } });
    return z.NEVER;
  }
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
});

/** A rate as written: "100%", "-100%", "0.5%", 90 (= 90%) → basis points. */
const percent = z.union([z.number(), z.string()]).transform((raw, ctx): number => {
  const s = typeof raw === 'number' ? String(raw) : raw.trim().replace(/[%％]$/, '');
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: bi(`应为百分比（最多两位小数），如 "90%"：${raw}`, `must be a percentage (at most 2 decimals), e.g. "90%": ${raw}`), params: { code: 'invalid_percent' } });
    return z.NEVER;
  }
  const bp = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -bp : bp;
});
const positivePercent = percent.refine((bp) => bp > 0, { message: bi('应大于 0', 'must be above 0') });

const capDeduct = z
  .object({
    kind: z.literal('cap_deduct'),
    /** The computed indicator scored. */
    indicator: IndicatorCodeSchema,
    /** At or below this, full marks. */
    cap: percent,
    /** Each this much above the cap … */
    step: positivePercent,
    /** … deducts this many points. */
    deduct: points,
    /** `whole`: only whole steps count; `proportional`: part steps count in proportion. */
    stepping: z.enum(steppings),
  })
  .strict();
const shortfallDeduct = z
  .object({
    kind: z.literal('shortfall_deduct'),
    indicator: IndicatorCodeSchema,
    /** At or above this, full marks. */
    target: percent,
    /** Each this much below the target … */
    step: positivePercent,
    /** … deducts this many points. */
    deduct: points,
    stepping: z.enum(steppings),
  })
  .strict();
const band = z
  .object({
    /** Lower edge, included … */
    atLeast: percent.optional(),
    /** … or excluded. */
    above: percent.optional(),
    /** Upper edge, excluded … */
    below: percent.optional(),
    /** … or included. */
    atMost: percent.optional(),
    points,
    label: label.optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.atLeast !== undefined && b.above !== undefined) ctx.addIssue({ code: 'custom', path: ['above'], message: bi('atLeast 与 above 只能写一个', 'give atLeast or above, not both'), params: { code: 'two_lower_edges' } });
    if (b.below !== undefined && b.atMost !== undefined) ctx.addIssue({ code: 'custom', path: ['atMost'], message: bi('below 与 atMost 只能写一个', 'give below or atMost, not both'), params: { code: 'two_upper_edges' } });
  });
const bands = z.object({ kind: z.literal('bands'), indicator: IndicatorCodeSchema, bands: z.array(band).min(1) }).strict();
const proportional = z
  .object({
    kind: z.literal('proportional'),
    /** A computed rate; without it, one submitted output indicator (actual ÷ target). */
    indicator: IndicatorCodeSchema.optional(),
    /** Full marks from this rate on (default 100%). */
    target: positivePercent.optional(),
    explainBelow: percent.optional(),
  })
  .strict();
const tierFile = z.object({ key: slug, label, from: percent, to: percent }).strict();

/** Tiers must cover 0–100% of the weight without gaps or overlaps, each with a key of its own. */
function checkTierList(list: ReadonlyArray<z.output<typeof tierFile>>, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const add = (at: PropertyKey[], code: string, zh: string, en: string) => ctx.addIssue({ code: 'custom', path: at, message: bi(zh, en), params: { code } });
  const keys = new Set<string>();
  list.forEach((t, i) => {
    if (keys.has(t.key)) add([...path, i, 'key'], 'duplicate_tier', `档次标识重复：${t.key}`, `duplicate tier key: ${t.key}`);
    keys.add(t.key);
    if (t.from < 0 || t.to > 10_000 || t.from >= t.to) add([...path, i], 'tier_empty', `档次“${t.label}”的区间无效：${t.from / 100}% 至 ${t.to / 100}%`, `tier "${t.key}" has an empty or out-of-range span`);
  });
  const sorted = [...list].map((t, i) => ({ t, i })).sort((a, b) => a.t.from - b.t.from);
  let edge = 0;
  for (const { t, i } of sorted) {
    if (t.from < edge) add([...path, i, 'from'], 'tiers_overlap', `档次“${t.label}”与下一档重叠：从 ${t.from / 100}% 起，而上一档到 ${edge / 100}% 止`, `tier "${t.key}" overlaps the one below it (starts at ${t.from / 100}%, the one below ends at ${edge / 100}%)`);
    else if (t.from > edge) add([...path, i, 'from'], 'tiers_gap', `${edge / 100}% 至 ${t.from / 100}% 没有档次`, `no tier covers ${edge / 100}% to ${t.from / 100}%`);
    edge = Math.max(edge, t.to);
  }
  if (edge !== 10_000) add(path, 'tiers_not_to_100', '各档须覆盖到 100%', 'the tiers must reach 100%');
}
/** A list of tiers, checked as a whole (checked on its own, so its problems come with the file's others). */
const tierList = z
  .array(tierFile)
  .min(1)
  .superRefine((list, ctx) => checkTierList(list, ctx, []));
const tiers = z.object({ kind: z.literal('tiers'), tiers: tierList.optional() }).strict();
const executionRate = z
  .object({
    kind: z.literal('execution_rate'),
    indicator: IndicatorCodeSchema,
    /** Below this the unit must explain (10号: 90%); `null` = never. */
    explainBelow: percent.nullable().default(9000),
  })
  .strict();

const ruleFile = z.discriminatedUnion('kind', [capDeduct, shortfallDeduct, bands, proportional, tiers, executionRate], {
  error: (iss) => (iss.code === 'invalid_union' ? bi('未知的计分方式（kind）：可用 cap_deduct、shortfall_deduct、bands、proportional、tiers、execution_rate', 'unknown rule kind: use cap_deduct, shortfall_deduct, bands, proportional, tiers or execution_rate') : undefined),
});

const indicatorFile = z
  .object({
    id: slug,
    level1: label,
    level2: label,
    level3: label,
    points,
    rule: ruleFile,
    /** For indicators with several formulas: which one (预算完成率 `hunan`, 三公变动率 `budget`). */
    variant: z.string().trim().min(1).max(50).optional(),
    /** When its ratio does not apply (no 楼堂馆所): full marks, or unscored until a person decides. */
    whenNotApplicable: z.enum(['unscored', 'full_marks']).optional(),
    /** A section may assess it (the unit names which in `unit.sections[].assesses`). */
    assessor: z.enum(['finance_officer', 'section']).optional(),
    source: text.optional(),
  })
  .strict();

export const RuleSetFileSchema = z
  .object({
    format: z.literal(RULE_SET_FORMAT, { message: bi(`格式应为 ${RULE_SET_FORMAT}`, `format must be ${RULE_SET_FORMAT}`) }),
    id: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{1,99}$/, { message: bi('标识应为小写字母、数字和连字符', 'id: lower-case letters, digits and hyphens') }),
    /** The file's own version; a stored file gets the next free version of its id. */
    version: z.number().int().positive().optional(),
    name: label,
    region: label,
    scope: z.enum(['department', 'project']).default('department'),
    fiscalYears: z.object({ from: z.number().int().min(2000).max(2100), to: z.number().int().min(2000).max(2100) }).strict(),
    totalPoints: points,
    /** What 不适用 (with a reason) does: full marks, or out of the total with the rest rescaled. */
    notApplicable: z.enum(['full_marks', 'rescale']).default('full_marks'),
    /** Default tiers of `tiers` rules (default: 财预〔2020〕10号 100–80 / 80–60 / 60–0). */
    tiers: tierList.optional(),
    /** Grade bands by their lower edge in points (default 优 90, 良 80, 中 60, 差 0). */
    grades: z.array(z.object({ code: slug, label, from: points }).strict()).min(1).optional(),
    /** Where the weights and rules come from, and what was chosen locally. */
    sources: z.array(text).min(1),
    indicators: z.array(indicatorFile).min(1, { message: bi('至少需要一个指标', 'at least one indicator') }),
  })
  .strict();
export type RuleSetFile = z.output<typeof RuleSetFileSchema>;
export type RuleSetFileInput = z.input<typeof RuleSetFileSchema>;

const toTier = (t: z.output<typeof tierFile>): Tier => ({ key: t.key, labelZh: t.label, minBp: t.from, maxBp: t.to });

function toBand(b: z.output<typeof band>): Band {
  const lower = b.atLeast !== undefined ? { bp: b.atLeast, inclusive: true } : b.above !== undefined ? { bp: b.above, inclusive: false } : null;
  const upper = b.below !== undefined ? { bp: b.below, inclusive: false } : b.atMost !== undefined ? { bp: b.atMost, inclusive: true } : null;
  return { min: lower, max: upper, pointsCp: b.points, ...(b.label ? { labelZh: b.label } : {}) };
}

function toRule(r: z.output<typeof ruleFile>, defaultTiers: readonly Tier[]): Rule {
  switch (r.kind) {
    case 'cap_deduct':
      return { kind: 'cap_deduct', indicator: r.indicator, capBp: r.cap, stepBp: r.step, perStepCp: r.deduct, stepping: r.stepping };
    case 'shortfall_deduct':
      return { kind: 'shortfall_deduct', indicator: r.indicator, targetBp: r.target, stepBp: r.step, perStepCp: r.deduct, stepping: r.stepping };
    case 'bands':
      return { kind: 'bands', indicator: r.indicator, bands: r.bands.map(toBand) };
    case 'proportional':
      return { kind: 'proportional', ...(r.indicator ? { indicator: r.indicator } : {}), ...(r.target !== undefined ? { targetBp: r.target } : {}), ...(r.explainBelow !== undefined ? { explainBelowBp: r.explainBelow } : {}) };
    case 'tiers':
      return { kind: 'tiers', tiers: (r.tiers?.map(toTier) ?? defaultTiers).map((t) => ({ ...t })) };
    case 'execution_rate':
      return { kind: 'execution_rate', indicator: r.indicator, explainBelowBp: r.explainBelow };
  }
}

/** The internal rule set a (schema-valid) file describes, before its cross-checks. */
export function ruleSetInputOf(f: RuleSetFile, version = f.version ?? 1): ScoringRuleSetInput {
  const defaultTiers = f.tiers?.map(toTier) ?? DEFAULT_TIERS;
  return {
    id: f.id,
    version,
    name: f.name,
    scope: f.scope,
    year: f.fiscalYears.from,
    fiscalYears: f.fiscalYears,
    region: f.region,
    sourceNote: f.sources.join('；'),
    notApplicable: f.notApplicable,
    totalCp: f.totalPoints,
    ...(f.grades ? { grades: f.grades.map((g) => ({ code: g.code, zh: g.label, minCp: g.from })) } : {}),
    indicators: f.indicators.map((i) => ({
      id: i.id,
      level1: i.level1,
      level2: i.level2,
      level3: i.level3,
      weightCp: i.points,
      rule: toRule(i.rule, defaultTiers),
      ...(i.variant ? { variant: i.variant } : {}),
      ...(i.whenNotApplicable ? { whenNotApplicable: i.whenNotApplicable } : {}),
      ...(i.assessor ? { assessor: i.assessor } : {}),
      ...(i.source ? { sourceNote: i.source } : {}),
    })),
  };
}

/** Internal paths (`indicators[2].rule.bands[1].pointsCp`, `grades[0].minCp`) → the file's own words. */
function filePath(path: string): string {
  return path
    .replace(/\.weightCp$/, '.points')
    .replace(/^totalCp$/, 'totalPoints')
    .replace(/\.pointsCp$/, '.points')
    .replace(/^(grades\[\d+\])\.minCp$/, '$1.from')
    .replace(/^(grades\[\d+\])\.zh$/, '$1.label')
    .replace(/\.(minBp)$/, '.from')
    .replace(/\.(maxBp)$/, '.to')
    .replace(/\.labelZh$/, '.label')
    .replace(/\.(min|max)$/, '');
}

export type ParsedRuleSet = { ok: true; file: RuleSetFile; ruleSet: ScoringRuleSet } | { ok: false; problems: Problem[] };

/**
 * Checks a rule-set file (already read from YAML or JSON into plain data) and returns the rule set
 * it describes, or every problem: the file's shape first, then — when the shape is right — the
 * rule set's own consistency (weights against the stated total, bands, tiers, grades, variants).
 */
export function parseRuleSetFile(input: unknown, options: { version?: number } = {}): ParsedRuleSet {
  const shape = RuleSetFileSchema.safeParse(input);
  if (!shape.success) return { ok: false, problems: problemsFromZod(shape.error, input) };
  const file = shape.data;
  const internal = ScoringRuleSet.safeParse(ruleSetInputOf(file, options.version));
  if (!internal.success) {
    return { ok: false, problems: problemsFromZod(internal.error).map((p) => ({ ...p, path: filePath(p.path) })) };
  }
  return { ok: true, file, ruleSet: internal.data };
}

/** The grade bands a rule set uses. */
export function gradeBandsOf(ruleSet: ScoringRuleSet) {
  return ruleSet.grades ?? defaultGrades;
}
