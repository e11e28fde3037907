/**
 * The quantitative indicators of 部门整体支出绩效 (DOMAIN.md §1.2) that the ledger can feed, as
 * pure functions. Every denominator is an explicit, named input; where the sources disagree
 * (预算完成率 53号 vs 湖南; 结转结余率 支出预算数 vs 一般公共预算支出完成数) each form is its own
 * function or an explicit parameter, and the result names its `variant`.
 *
 * Each result carries a stable code, the Chinese name, the exact {@link Rate} (or `null` with a
 * bilingual reason when the denominator is zero), and the formula with the actual numbers
 * substituted, so a report can show its working. Amounts are 分 and shown in 万元 (two decimals).
 *
 * Inputs are trusted (validated at the boundary): amounts are safe integers of 分, counts are
 * non-negative integers. A programming error (a fraction of a 分) throws {@link RateError}.
 */
import { z } from 'zod';
import { type Fen, formatWanYuan } from './money';
import { compareRates, decimalTextSchema, divideRates, formatPercent, parseDecimal, type Rate, RateError, rateOf } from './rate';

export interface Bilingual {
  zh: string;
  en: string;
}

export const indicatorCodes = [
  'staff_control_rate',
  'budget_completion_rate',
  'budget_control_rate',
  'budget_adjustment_rate',
  'carryover_rate',
  'carryover_change_rate',
  'public_funds_control_rate',
  'three_public_change_rate',
  'three_public_control_rate',
  'payment_progress_rate',
  'procurement_execution_rate',
  'key_expenditure_rate',
  'budget_execution_rate',
  'building_area_control_rate',
  'building_investment_control_rate',
  'actual_completion_rate',
  'timely_completion_rate',
  'quality_compliance_rate',
  'key_task_completion_rate',
  'satisfaction_rate',
] as const;
export type IndicatorCode = (typeof indicatorCodes)[number];
export const IndicatorCodeSchema = z.enum(indicatorCodes);

export const indicatorNames: Readonly<Record<IndicatorCode, Bilingual>> = {
  staff_control_rate: { zh: '在职人员控制率', en: 'staff control rate' },
  budget_completion_rate: { zh: '预算完成率', en: 'budget completion rate' },
  budget_control_rate: { zh: '预算控制率', en: 'budget control rate' },
  budget_adjustment_rate: { zh: '预算调整率', en: 'budget adjustment rate' },
  carryover_rate: { zh: '结转结余率', en: 'carry-over and surplus rate' },
  carryover_change_rate: { zh: '结转结余变动率', en: 'carry-over and surplus change rate' },
  public_funds_control_rate: { zh: '公用经费控制率', en: 'public funds control rate' },
  three_public_change_rate: { zh: '“三公经费”变动率', en: '"three public expenses" change rate' },
  three_public_control_rate: { zh: '“三公经费”控制率', en: '"three public expenses" control rate' },
  payment_progress_rate: { zh: '支付进度率', en: 'payment progress rate' },
  procurement_execution_rate: { zh: '政府采购执行率', en: 'government procurement execution rate' },
  key_expenditure_rate: { zh: '重点支出安排率', en: 'key expenditure allocation rate' },
  budget_execution_rate: { zh: '预算执行率', en: 'budget execution rate' },
  building_area_control_rate: { zh: '新建楼堂馆所面积控制率', en: 'new building floor-area control rate' },
  building_investment_control_rate: { zh: '新建楼堂馆所投资概算控制率', en: 'new building investment control rate' },
  actual_completion_rate: { zh: '实际完成率', en: 'actual completion rate' },
  timely_completion_rate: { zh: '完成及时率', en: 'timely completion rate' },
  quality_compliance_rate: { zh: '质量达标率', en: 'quality compliance rate' },
  key_task_completion_rate: { zh: '重点工作办结率', en: 'key task completion rate' },
  satisfaction_rate: { zh: '满意度', en: 'satisfaction rate' },
};

/** Formula variants, where the sources define one indicator in more than one way. */
export const indicatorVariants = {
  budget_completion_rate: ['mof53', 'hunan'],
  /** 53号 and the Hunan tables: 预算数; some variants: 决算数. */
  three_public_change_rate: ['budget', 'final'],
  carryover_rate: ['expenditure_budget', 'general_public_expenditure'],
} as const;
export type IndicatorVariant = (typeof indicatorVariants)[keyof typeof indicatorVariants][number];

interface ResultBase {
  code: IndicatorCode;
  nameZh: string;
  nameEn: string;
  /** Which formula, where the sources have more than one (see {@link indicatorVariants}). */
  variant: IndicatorVariant | null;
  /** The formula in words, e.g. "在职人员数 ÷ 编制数". */
  definitionZh: string;
  /** The formula with the numbers substituted, e.g. "在职人员控制率 = 在职人员数 ÷ 编制数 = 136人 ÷ 143人 = 95.10%". */
  formulaZh: string;
}

export type IndicatorResult = ResultBase & {
  /** Where the figures come from, e.g. "基础数据表（三公经费）" — set by whoever gathers them. */
  sourceZh?: string;
} &
  ({ rate: Rate; notApplicable: null } | { rate: null; notApplicable: Bilingual });

// ── Helpers ────────────────────────────────────────────────────────────────────────────────

const wan = (fen: Fen): string => formatWanYuan(fen);
/** An amount as a term inside a sum: negatives in parentheses. */
const term = (fen: Fen): string => (fen < 0 ? `(${wan(fen)})` : wan(fen));
const MONEY_NOTE = '（金额单位：万元）';

function assertFen(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RateError(`${what}应为整数分：${value}`, `${what} must be a whole number of fen: ${value}`);
}

function assertCount(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RateError(`${what}应为非负整数：${value}`, `${what} must be a non-negative integer: ${value}`);
}

function exactSum(values: readonly number[], what: string): number {
  const total = values.reduce((a, b) => a + BigInt(b), 0n);
  if (total > BigInt(Number.MAX_SAFE_INTEGER) || total < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RateError(`${what}超出可精确表示的范围`, `${what} is too large to represent exactly`);
  }
  return Number(total);
}

interface RatioSpec {
  code: IndicatorCode;
  variant?: IndicatorVariant;
  definitionZh: string;
  /** The definition with numbers substituted, before "= result". */
  substitutedZh: string;
  num: number;
  den: number;
  /** Why the ratio does not apply when the denominator is zero (or negative). */
  zeroDenominator: Bilingual;
  /** Appended to the formula, e.g. the money unit. */
  noteZh?: string;
}

function ratio(spec: RatioSpec): IndicatorResult {
  const names = indicatorNames[spec.code];
  const base = {
    code: spec.code,
    nameZh: names.zh,
    nameEn: names.en,
    variant: spec.variant ?? null,
    definitionZh: spec.definitionZh,
  };
  const head = `${names.zh} = ${spec.definitionZh} = ${spec.substitutedZh}`;
  const note = spec.noteZh ?? '';
  const rate = spec.den > 0 ? rateOf(spec.num, spec.den) : null;
  if (rate === null) {
    const reason = spec.den < 0 ? { zh: '分母为负数，比率不适用', en: 'the denominator is negative: not applicable' } : spec.zeroDenominator;
    return { ...base, rate: null, notApplicable: reason, formulaZh: `${head}：${reason.zh}${note}` };
  }
  return { ...base, rate, notApplicable: null, formulaZh: `${head} = ${formatPercent(rate)}${note}` };
}

function moneyRatio(code: IndicatorCode, numName: string, denName: string, numFen: Fen, denFen: Fen, zeroDenominator: Bilingual, variant?: IndicatorVariant): IndicatorResult {
  assertFen(numFen, numName);
  assertFen(denFen, denName);
  return ratio({
    code,
    ...(variant ? { variant } : {}),
    definitionZh: `${numName} ÷ ${denName}`,
    substitutedZh: `${wan(numFen)} ÷ ${wan(denFen)}`,
    num: numFen,
    den: denFen,
    zeroDenominator,
    noteZh: MONEY_NOTE,
  });
}

// ── 投入 ────────────────────────────────────────────────────────────────────────────────────

/** 在职人员控制率 = 在职人员数 / 编制数 (决算口径的实有在职人数 / 编制部门核定的编制数). */
export function staffControlRate(input: { staffInPost: number; authorisedPosts: number }): IndicatorResult {
  assertCount(input.staffInPost, '在职人员数');
  assertCount(input.authorisedPosts, '编制数');
  return ratio({
    code: 'staff_control_rate',
    definitionZh: '在职人员数 ÷ 编制数',
    substitutedZh: `${input.staffInPost}人 ÷ ${input.authorisedPosts}人`,
    num: input.staffInPost,
    den: input.authorisedPosts,
    zeroDenominator: { zh: '编制数为零，控制率不适用', en: 'no authorised posts: the control rate does not apply' },
  });
}

/** “三公经费”变动率 = (本年度预算数 − 上年度预算数) / 上年度预算数 (53号 and the Hunan tables use 预算数). */
export function threePublicChangeRate(input: { currentBudgetFen: Fen; previousBudgetFen: Fen }): IndicatorResult {
  return threePublicChange('budget', '预算数', input.currentBudgetFen, input.previousBudgetFen);
}

/** “三公经费”变动率 on the 决算 basis (some variants): (本年度决算数 − 上年度决算数) / 上年度决算数. */
export function threePublicChangeRateFinal(input: { currentFinalFen: Fen; previousFinalFen: Fen }): IndicatorResult {
  return threePublicChange('final', '决算数', input.currentFinalFen, input.previousFinalFen);
}

function threePublicChange(variant: 'budget' | 'final', basis: string, current: Fen, previous: Fen): IndicatorResult {
  assertFen(current, `本年度“三公经费”${basis}`);
  assertFen(previous, `上年度“三公经费”${basis}`);
  return ratio({
    code: 'three_public_change_rate',
    variant,
    definitionZh: `（本年度“三公经费”${basis} − 上年度“三公经费”${basis}）÷ 上年度“三公经费”${basis}`,
    substitutedZh: `（${wan(current)} − ${wan(previous)}）÷ ${wan(previous)}`,
    num: exactSum([current, -previous], '变动额'),
    den: previous,
    zeroDenominator: { zh: `上年度“三公经费”${basis}为零，变动率不适用`, en: `no "three public expenses" ${variant} last year: the change rate does not apply` },
    noteZh: MONEY_NOTE,
  });
}

/** 重点支出安排率 = 重点项目支出 / 项目总支出. */
export function keyExpenditureRate(input: { keyProjectFen: Fen; totalProjectFen: Fen }): IndicatorResult {
  return moneyRatio('key_expenditure_rate', '重点项目支出', '项目总支出', input.keyProjectFen, input.totalProjectFen, {
    zh: '项目总支出为零，重点支出安排率不适用',
    en: 'no project expenditure: the key expenditure rate does not apply',
  });
}

// ── 过程 / 预算执行 ──────────────────────────────────────────────────────────────────────────

/** 预算完成率 (财预〔2013〕53号) = 预算完成数 / 预算数. */
export function budgetCompletionRate(input: { completedFen: Fen; budgetFen: Fen }): IndicatorResult {
  return moneyRatio(
    'budget_completion_rate',
    '预算完成数',
    '预算数',
    input.completedFen,
    input.budgetFen,
    { zh: '预算数为零，预算完成率不适用', en: 'no budget: the completion rate does not apply' },
    'mof53',
  );
}

/** The four named amounts of the Hunan 预算完成率. */
export interface HunanBudgetCompletionInput {
  /** 上年结转. */
  carriedForwardFen: Fen;
  /** 年初预算. */
  initialBudgetFen: Fen;
  /** 本年追加预算 (net; negative when the budget was cut). */
  supplementaryFen: Fen;
  /** 年末结余. */
  yearEndBalanceFen: Fen;
}

/**
 * 预算完成率 (湖南, S3/S4) = (上年结转 + 年初预算 + 本年追加 − 年末结余) / (上年结转 + 年初预算 + 本年追加).
 */
export function budgetCompletionRateHunan(input: HunanBudgetCompletionInput): IndicatorResult {
  const { carriedForwardFen: cf, initialBudgetFen: init, supplementaryFen: supp, yearEndBalanceFen: bal } = input;
  assertFen(cf, '上年结转');
  assertFen(init, '年初预算');
  assertFen(supp, '本年追加预算');
  assertFen(bal, '年末结余');
  const available = exactSum([cf, init, supp], '可用预算');
  const spent = exactSum([available, -bal], '预算完成数');
  return ratio({
    code: 'budget_completion_rate',
    variant: 'hunan',
    definitionZh: '（上年结转 + 年初预算 + 本年追加 − 年末结余）÷（上年结转 + 年初预算 + 本年追加）',
    substitutedZh: `（${term(cf)} + ${term(init)} + ${term(supp)} − ${term(bal)}）÷（${term(cf)} + ${term(init)} + ${term(supp)}）= ${wan(spent)} ÷ ${wan(available)}`,
    num: spent,
    den: available,
    zeroDenominator: { zh: '上年结转、年初预算与本年追加合计为零，预算完成率不适用', en: 'no budget available (carry-over + initial + supplementary is zero): not applicable' },
    noteZh: MONEY_NOTE,
  });
}

/** 预算控制率 (湖南, replaces 调整率) = 本年追加预算 / 年初预算. */
export function budgetControlRate(input: { supplementaryFen: Fen; initialBudgetFen: Fen }): IndicatorResult {
  return moneyRatio('budget_control_rate', '本年追加预算', '年初预算', input.supplementaryFen, input.initialBudgetFen, {
    zh: '年初预算为零，预算控制率不适用',
    en: 'no initial budget: the control rate does not apply',
  });
}

/**
 * 预算调整率 = 预算调整数 / 预算数. 预算调整数 excludes changes caused by national policy, force
 * majeure or ad-hoc tasks from higher authorities — the caller supplies it already net of those.
 */
export function budgetAdjustmentRate(input: { adjustmentFen: Fen; budgetFen: Fen }): IndicatorResult {
  return moneyRatio('budget_adjustment_rate', '预算调整数', '预算数', input.adjustmentFen, input.budgetFen, {
    zh: '预算数为零，预算调整率不适用',
    en: 'no budget: the adjustment rate does not apply',
  });
}

export const carryoverBases = {
  /** 53号: 结转结余总额 / 支出预算数. */
  expenditure_budget: '支出预算数',
  /** County variant (S9): 本年结转结余资金总额 / 本年一般公共预算支出完成数. */
  general_public_expenditure: '本年一般公共预算支出完成数',
} as const;
export type CarryoverBasis = keyof typeof carryoverBases;

/** 结转结余率 = 结转结余总额 / denominator; the denominator is a parameter because the sources differ. */
export function carryoverRate(input: { carryoverFen: Fen; denominator: { basis: CarryoverBasis; amountFen: Fen } }): IndicatorResult {
  const denName = carryoverBases[input.denominator.basis];
  return moneyRatio(
    'carryover_rate',
    '结转结余总额',
    denName,
    input.carryoverFen,
    input.denominator.amountFen,
    { zh: `${denName}为零，结转结余率不适用`, en: `the denominator (${input.denominator.basis}) is zero: not applicable` },
    input.denominator.basis,
  );
}

/** 结转结余变动率 = (本年度累计结转结余 − 上年度累计结转结余) / 上年度累计结转结余. */
export function carryoverChangeRate(input: { currentFen: Fen; previousFen: Fen }): IndicatorResult {
  assertFen(input.currentFen, '本年度累计结转结余');
  assertFen(input.previousFen, '上年度累计结转结余');
  return ratio({
    code: 'carryover_change_rate',
    definitionZh: '（本年度累计结转结余 − 上年度累计结转结余）÷ 上年度累计结转结余',
    substitutedZh: `（${wan(input.currentFen)} − ${wan(input.previousFen)}）÷ ${wan(input.previousFen)}`,
    num: exactSum([input.currentFen, -input.previousFen], '变动额'),
    den: input.previousFen,
    zeroDenominator: { zh: '上年度累计结转结余为零，变动率不适用', en: 'no carry-over last year: the change rate does not apply' },
    noteZh: MONEY_NOTE,
  });
}

/** 公用经费控制率 = 实际支出公用经费总额 / 预算安排公用经费总额. */
export function publicFundsControlRate(input: { actualFen: Fen; budgetFen: Fen }): IndicatorResult {
  return moneyRatio('public_funds_control_rate', '实际支出公用经费总额', '预算安排公用经费总额', input.actualFen, input.budgetFen, {
    zh: '预算安排公用经费为零，控制率不适用',
    en: 'no public funds budget: the control rate does not apply',
  });
}

/** “三公经费”控制率 = “三公经费”实际支出数 / “三公经费”预算安排数. */
export function threePublicControlRate(input: { actualFen: Fen; budgetFen: Fen }): IndicatorResult {
  return moneyRatio('three_public_control_rate', '“三公经费”实际支出数', '“三公经费”预算安排数', input.actualFen, input.budgetFen, {
    zh: '“三公经费”预算安排数为零，控制率不适用',
    en: 'no "three public expenses" budget: the control rate does not apply',
  });
}

/**
 * 支付进度率 = 实际支付进度 / 既定支付进度. 实际支付进度 = 时点已执行数 / 全年支出预算, computed
 * here from the ledger; 既定支付进度 is the rate the unit set when submitting its budget.
 */
export function paymentProgressRate(input: { paidFen: Fen; annualBudgetFen: Fen; plannedProgress: Rate; asOf?: string }): IndicatorResult {
  assertFen(input.paidFen, '已执行数');
  assertFen(input.annualBudgetFen, '全年支出预算');
  const names = indicatorNames.payment_progress_rate;
  const at = input.asOf ? `（截至${input.asOf}）` : '';
  const base = { code: 'payment_progress_rate' as const, nameZh: names.zh, nameEn: names.en, variant: null, definitionZh: '实际支付进度 ÷ 既定支付进度' };
  const actual = input.annualBudgetFen > 0 ? rateOf(input.paidFen, input.annualBudgetFen) : null;
  const actualText = `实际支付进度${at} = 已执行数 ÷ 全年支出预算 = ${wan(input.paidFen)} ÷ ${wan(input.annualBudgetFen)}`;
  if (actual === null) {
    const reason = { zh: '全年支出预算为零，支付进度率不适用', en: 'no annual expenditure budget: the payment progress rate does not apply' };
    return { ...base, rate: null, notApplicable: reason, formulaZh: `${actualText}：${reason.zh}${MONEY_NOTE}` };
  }
  const planned = formatPercent(input.plannedProgress);
  const rate = divideRates(actual, input.plannedProgress);
  const head = `${actualText} = ${formatPercent(actual)}${MONEY_NOTE}；${names.zh} = 实际支付进度 ÷ 既定支付进度 = ${formatPercent(actual)} ÷ ${planned}`;
  if (rate === null || input.plannedProgress.num < 0) {
    const reason = { zh: '既定支付进度为零，支付进度率不适用', en: 'planned payment progress is zero: not applicable' };
    return { ...base, rate: null, notApplicable: reason, formulaZh: `${head}：${reason.zh}` };
  }
  return { ...base, rate, notApplicable: null, formulaZh: `${head} = ${formatPercent(rate)}` };
}

/** 政府采购执行率 = 实际政府采购金额 / 政府采购预算数. */
export function procurementExecutionRate(input: { actualFen: Fen; budgetFen: Fen }): IndicatorResult {
  return moneyRatio('procurement_execution_rate', '实际政府采购金额', '政府采购预算数', input.actualFen, input.budgetFen, {
    zh: '政府采购预算数为零，执行率不适用',
    en: 'no procurement budget: the execution rate does not apply',
  });
}

// ── 产出: submitted output indicators ───────────────────────────────────────────────────────

/** `>=` positive (正向), `<=` negative (反向), `=` exact — the same literals as submissions use. */
export const outputDirections = ['>=', '<=', '='] as const;
export type OutputDirection = (typeof outputDirections)[number];

const decimalText = decimalTextSchema();

/** One output indicator as a section submits it. */
export const OutputIndicatorInputSchema = z.object({
  name: z.string().trim().min(1),
  /** 计量单位, e.g. 条, 家, %. */
  unit: z.string().trim().default(''),
  direction: z.enum(outputDirections),
  target: decimalText,
  actual: decimalText,
});
export type OutputIndicatorInput = z.input<typeof OutputIndicatorInputSchema>;

export interface OutputIndicatorResult {
  code: 'output';
  nameZh: string;
  unit: string;
  direction: OutputDirection;
  targetText: string;
  actualText: string;
  /**
   * 完成比例: positive actual/target, negative target/actual, exact smaller/larger (1 when equal).
   * Not capped here (a positive indicator at 120% of target is 120%); scoring caps it.
   */
  completion: Rate | null;
  notApplicable: Bilingual | null;
  /** Whether the target is met (actual ≥, ≤ or = target). */
  met: boolean | null;
  formulaZh: string;
}

const directionZh: Record<OutputDirection, string> = { '>=': '正向指标', '<=': '反向指标', '=': '等值指标' };

/** 完成比例 of a submitted output indicator (财预〔2020〕10号; Jiangxi note S38). */
export function outputIndicator(input: OutputIndicatorInput): OutputIndicatorResult {
  const v = OutputIndicatorInputSchema.parse(input);
  const target = parseDecimal(v.target);
  const actual = parseDecimal(v.actual);
  const u = v.unit;
  const base = { code: 'output' as const, nameZh: v.name, unit: u, direction: v.direction, targetText: v.target, actualText: v.actual };
  const stated = `${directionZh[v.direction]}，目标值 ${v.direction === '=' ? '=' : v.direction === '>=' ? '≥' : '≤'}${v.target}${u}，实际值 ${v.actual}${u}`;
  if (target.num < 0 || actual.num < 0) {
    const reason = { zh: '目标值或实际值为负数，无法按完成比例计算', en: 'negative target or actual: the completion ratio does not apply' };
    return { ...base, completion: null, notApplicable: reason, met: null, formulaZh: `${v.name}：${stated}；${reason.zh}` };
  }
  const cmp = compareRates(actual, target);
  const met = v.direction === '>=' ? cmp >= 0 : v.direction === '<=' ? cmp <= 0 : cmp === 0;
  let completion: Rate | null;
  let working: string;
  if (v.direction === '=' && cmp === 0) {
    completion = { num: 1, den: 1 };
    working = '实际值等于目标值，完成比例 = 100.00%';
  } else if (v.direction === '>=') {
    if (target.num === 0) {
      completion = { num: 1, den: 1 };
      working = '目标值为 0，实际值不低于目标值，完成比例 = 100.00%';
    } else {
      completion = divideRates(actual, target);
      working = `完成比例 = 实际值 ÷ 目标值 = ${v.actual}${u} ÷ ${v.target}${u}`;
    }
  } else if (v.direction === '<=') {
    if (actual.num === 0) {
      completion = { num: 1, den: 1 };
      working = '实际值为 0，不高于目标值，完成比例 = 100.00%';
    } else {
      completion = divideRates(target, actual);
      working = `完成比例 = 目标值 ÷ 实际值 = ${v.target}${u} ÷ ${v.actual}${u}`;
    }
  } else {
    // '=' and not equal: the deviation either way counts — smaller ÷ larger (0 when one is 0).
    const [small, large, smallText, largeText] = cmp < 0 ? [actual, target, v.actual, v.target] : [target, actual, v.target, v.actual];
    completion = divideRates(small, large);
    working = `完成比例 = 较小值 ÷ 较大值 = ${smallText}${u} ÷ ${largeText}${u}`;
  }
  if (completion === null) {
    const reason = { zh: '分母为零，无法按完成比例计算', en: 'zero denominator: the completion ratio does not apply' };
    return { ...base, completion: null, notApplicable: reason, met, formulaZh: `${v.name}：${stated}；${reason.zh}` };
  }
  const shown = working.endsWith('%') ? working : `${working} = ${formatPercent(completion)}`;
  return { ...base, completion, notApplicable: null, met, formulaZh: `${v.name}：${stated}；${shown}` };
}

// ── 预算执行率 (财预〔2020〕10号 自评表) ─────────────────────────────────────────────────────

/** 预算执行率 = 全年执行数 / 全年（调整后）预算数. */
export function budgetExecutionRate(input: { executedFen: Fen; adjustedBudgetFen: Fen }): IndicatorResult {
  return moneyRatio('budget_execution_rate', '全年执行数', '全年预算数', input.executedFen, input.adjustedBudgetFen, {
    zh: '全年预算数为零，预算执行率不适用',
    en: 'no budget for the year: the execution rate does not apply',
  });
}

// ── 楼堂馆所 (S4) ────────────────────────────────────────────────────────────────────────────

export interface BuildingInput {
  name: string;
  /** ㎡ as decimal text. */
  approvedArea: string;
  actualArea: string;
  budgetInvestmentFen: Fen;
  actualInvestmentFen: Fen;
}

const noBuildings = { zh: '本年无竣工的楼堂馆所项目，控制率不适用', en: 'no building completed this year: the control rate does not apply' };

/** 新建楼堂馆所面积控制率 = 实际建设面积 / 批准建设面积 (summed over the year's completed buildings). */
export function buildingAreaControlRate(buildings: readonly BuildingInput[]): IndicatorResult {
  const area = (pick: (b: BuildingInput) => string) => buildings.reduce((sum, b) => sum + BigInt(parseDecimal(pick(b)).num) * (100n / BigInt(parseDecimal(pick(b)).den)), 0n);
  const actual = area((b) => b.actualArea);
  const approved = area((b) => b.approvedArea);
  const text = (cents: bigint) => `${formatScaled(cents)}㎡`;
  return ratio({
    code: 'building_area_control_rate',
    definitionZh: '实际建设面积 ÷ 批准建设面积',
    substitutedZh: `${text(actual)} ÷ ${text(approved)}`,
    num: safe(actual, '实际建设面积'),
    den: safe(approved, '批准建设面积'),
    zeroDenominator: noBuildings,
  });
}

/** 新建楼堂馆所投资概算控制率 = 实际投资 / 批准投资概算. */
export function buildingInvestmentControlRate(buildings: readonly BuildingInput[]): IndicatorResult {
  return moneyRatio(
    'building_investment_control_rate',
    '实际投资',
    '预算投资',
    exactSum(buildings.map((b) => b.actualInvestmentFen), '实际投资'),
    exactSum(buildings.map((b) => b.budgetInvestmentFen), '预算投资'),
    noBuildings,
  );
}

function formatScaled(cents: bigint): string {
  const s = cents.toString().padStart(3, '0');
  const frac = s.slice(-2).replace(/0+$/, '');
  return `${s.slice(0, -2)}${frac ? `.${frac}` : ''}`;
}

function safe(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RateError(`${what}超出可精确表示的范围`, `${what} is too large to represent exactly`);
  return Number(v);
}

// ── 职责履行: rates over the sections' output indicators ─────────────────────────────────────

/** 数量 / 质量 / 时效 / 成本, as sections classify each output indicator. */
export const outputCategories = ['quantity', 'quality', 'timeliness', 'cost'] as const;
export type OutputCategory = (typeof outputCategories)[number];
export const outputCategoryZh: Record<OutputCategory, string> = { quantity: '数量', quality: '质量', timeliness: '时效', cost: '成本' };

/** The four 产出/职责履行 rates and which output indicators feed each. */
export const outputRateCodes = ['actual_completion_rate', 'quality_compliance_rate', 'timely_completion_rate', 'key_task_completion_rate'] as const;
export type OutputRateCode = (typeof outputRateCodes)[number];

const outputRateBasis: Record<OutputRateCode, { pick: (o: ClassifiedOutput) => boolean; itemsZh: string; noneZh: string; noneEn: string }> = {
  actual_completion_rate: { pick: (o) => o.category === 'quantity', itemsZh: '数量指标', noneZh: '各科室未填报数量指标', noneEn: 'no section reported a quantity indicator' },
  quality_compliance_rate: { pick: (o) => o.category === 'quality', itemsZh: '质量指标', noneZh: '各科室未填报质量指标', noneEn: 'no section reported a quality indicator' },
  timely_completion_rate: { pick: (o) => o.category === 'timeliness', itemsZh: '时效指标', noneZh: '各科室未填报时效指标', noneEn: 'no section reported a timeliness indicator' },
  key_task_completion_rate: { pick: (o) => o.key, itemsZh: '重点工作', noneZh: '各科室未标注重点工作', noneEn: 'no section marked a key task' },
};

/** A submitted output indicator with its section, category and key-task mark. */
export interface ClassifiedOutput extends OutputIndicatorInput {
  section: string;
  category: OutputCategory;
  key: boolean;
  /** 偏差原因. */
  note?: string | undefined;
}

export interface OutputRateResult {
  result: IndicatorResult;
  /** The indicators it was computed from, each with its capped completion. */
  items: Array<{ section: string; name: string; completion: Rate | null; met: boolean | null; note?: string | undefined }>;
  /** 偏差原因 of the indicators that missed their target, joined; `undefined` when none was given. */
  explanationZh?: string;
  /** Indicators that missed their target without a 偏差原因. */
  unexplained: string[];
}

/** Σ of rates (each ≤ 1) ÷ n, exact when it fits, else to 10⁻¹² (never shown that precisely). */
function meanOfRates(rates: readonly Rate[]): Rate {
  let num = 0n;
  let den = 1n;
  for (const r of rates) {
    num = num * BigInt(r.den) + BigInt(r.num) * den;
    den *= BigInt(r.den);
    const g = gcdBig(num, den);
    num /= g;
    den /= g;
  }
  den *= BigInt(rates.length);
  const g = gcdBig(num, den);
  num /= g;
  den /= g;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (num <= max && den <= max) return { num: Number(num), den: Number(den) };
  const scale = 10n ** 12n;
  return { num: Number((num * scale * 2n + den) / (den * 2n)), den: Number(scale) };
}

function gcdBig(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x || 1n;
}

const ONE: Rate = { num: 1, den: 1 };

/**
 * 实际完成率, 质量达标率, 完成及时率, 重点工作办结率 from the sections' output indicators: each
 * indicator's completion (actual ÷ target for a positive one, target ÷ actual for a negative one,
 * capped at 100%: 财预〔2020〕10号), averaged over the indicators of the kind — 53号's 实际完成工作数
 * ÷ 计划工作数, with a partly done item counted in part. An indicator whose completion cannot be
 * computed (negative values) is left out and named.
 */
export function outputRate(code: OutputRateCode, outputs: readonly ClassifiedOutput[]): OutputRateResult {
  const basis = outputRateBasis[code];
  const names = indicatorNames[code];
  const picked = outputs.filter(basis.pick);
  const evaluated = picked.map((o) => ({ o, r: outputIndicator(o) }));
  const items = evaluated.map(({ o, r }) => ({ section: o.section, name: o.name, completion: r.completion && compareRates(r.completion, ONE) > 0 ? ONE : r.completion, met: r.met, ...(o.note ? { note: o.note } : {}) }));
  const usable = items.filter((x) => x.completion !== null);
  const definitionZh = `Σ 各${basis.itemsZh}完成比例（以 100% 为限）÷ ${basis.itemsZh}数`;
  const base = { code, nameZh: names.zh, nameEn: names.en, variant: null, definitionZh, sourceZh: '科室产出指标' };
  const missed = evaluated.filter(({ r }) => r.met === false);
  const notes = missed.flatMap(({ o }) => (o.note?.trim() ? [`${o.name}：${o.note.trim()}`] : []));
  const unexplained = missed.filter(({ o }) => !o.note?.trim()).map(({ o }) => o.name);
  const extra = { items, ...(notes.length ? { explanationZh: notes.join('；') } : {}), unexplained };
  if (usable.length === 0) {
    const reason = picked.length === 0 ? { zh: basis.noneZh, en: basis.noneEn } : { zh: `${basis.itemsZh}的完成比例均无法计算`, en: 'no completion ratio could be computed' };
    return { result: { ...base, rate: null, notApplicable: reason, formulaZh: `${names.zh}：${reason.zh}` }, ...extra };
  }
  const rate = meanOfRates(usable.map((x) => x.completion!));
  const left = items.length - usable.length;
  const terms = usable.map((x) => formatPercent(x.completion!)).join(' + ');
  const formulaZh = `${names.zh} = ${definitionZh} = （${terms}）÷ ${usable.length} = ${formatPercent(rate)}${left ? `（另有 ${left} 项无法计算完成比例，未计入）` : ''}`;
  return { result: { ...base, rate, notApplicable: null, formulaZh }, ...extra };
}

// ── 满意度 ──────────────────────────────────────────────────────────────────────────────────

/** 社会公众或服务对象满意度 = 满意人数 / 有效样本数. */
export function satisfactionRate(input: { sample: number; satisfied: number; method?: string | undefined }): IndicatorResult {
  assertCount(input.sample, '样本数');
  assertCount(input.satisfied, '满意人数');
  const how = input.method ? `（${input.method}）` : '';
  return {
    ...ratio({
      code: 'satisfaction_rate',
      definitionZh: '满意人数 ÷ 有效样本数',
      substitutedZh: `${input.satisfied}人 ÷ ${input.sample}人`,
      num: input.satisfied,
      den: input.sample,
      zeroDenominator: { zh: '样本数为零，满意度不适用', en: 'empty sample: not applicable' },
      ...(how ? { noteZh: how } : {}),
    }),
    sourceZh: '满意度调查',
  };
}
