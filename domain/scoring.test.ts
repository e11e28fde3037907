import { describe, expect, it } from 'vitest';
import {
  budgetCompletionRate,
  budgetCompletionRateHunan,
  budgetControlRate,
  carryoverChangeRate,
  type IndicatorResult,
  type OutputRateCode,
  keyExpenditureRate,
  outputIndicator,
  outputRate,
  paymentProgressRate,
  satisfactionRate,
  staffControlRate,
  threePublicChangeRate,
  threePublicControlRate,
} from './indicators';
import { parseWanYuan } from './money';
import { HUNAN_DEPARTMENT_RULE_SET } from './rule-sets';
import {
  gradeOf,
  type IndicatorScore,
  type IndicatorValue,
  JIANGXI_TIERS,
  previewScore,
  type RuleSetIndicator,
  scoreIndicator,
  scoreIndicators,
  ScoringRuleSet,
  type ScoringRuleSetInput,
  type ScoringValues,
  valuesFromResults,
} from './scoring';
import { parse } from './validation';

const wan = parseWanYuan;
const ind = (r: IndicatorResult, explanationZh?: string): IndicatorValue => ({ kind: 'indicator', result: r, ...(explanationZh ? { explanationZh } : {}) });

function builtIn(id: string): RuleSetIndicator {
  const found = HUNAN_DEPARTMENT_RULE_SET.indicators.find((i) => i.id === id);
  if (!found) throw new Error(`no indicator ${id}`);
  return found;
}

function scored(s: IndicatorScore): number {
  if (s.status !== 'scored') throw new Error(`${s.id} unscored: ${s.basisZh}`);
  return s.pointsCp;
}

const points = (id: string, value: IndicatorValue) => scored(scoreIndicator(builtIn(id), value));

describe('DOMAIN.md §1.3 worked example (S6 weights: 8 each)', () => {
  // S6 2018 example: 在职 8, 三公 8, 预算完成率 8, 预算控制率 8 (=0 8, 0–10% 6, 10–20% 4, 20–30% 2, >30% 0).
  const s6: ScoringRuleSetInput = {
    id: 's6-worked-example',
    year: 2018,
    region: '湖南（S6 示例）',
    sourceNote: 'DOMAIN.md §1.3 worked example; the 68 points S6 does not show are one qualitative placeholder',
    indicators: [
      { id: 'staff', level1: '投入', level2: '预算配置', level3: '在职人员控制率', weightCp: 800, rule: { kind: 'cap_deduct', indicator: 'staff_control_rate', capBp: 10000, stepBp: 100, perStepCp: 50, stepping: 'proportional' } },
      { id: 'three_public', level1: '投入', level2: '预算配置', level3: '“三公经费”变动率', weightCp: 800, rule: { kind: 'cap_deduct', indicator: 'three_public_change_rate', capBp: 0, stepBp: 100, perStepCp: 80, stepping: 'proportional' } },
      { id: 'completion', level1: '过程', level2: '预算执行', level3: '预算完成率', weightCp: 800, variant: 'hunan', rule: { kind: 'shortfall_deduct', indicator: 'budget_completion_rate', targetBp: 10000, stepBp: 500, perStepCp: 200, stepping: 'whole' } },
      {
        id: 'control',
        level1: '过程',
        level2: '预算执行',
        level3: '预算控制率',
        weightCp: 800,
        rule: {
          kind: 'bands',
          indicator: 'budget_control_rate',
          bands: [
            { min: { bp: 0, inclusive: true }, max: { bp: 0, inclusive: true }, pointsCp: 800 },
            { min: { bp: 0, inclusive: false }, max: { bp: 1000, inclusive: true }, pointsCp: 600 },
            { min: { bp: 1000, inclusive: false }, max: { bp: 2000, inclusive: true }, pointsCp: 400 },
            { min: { bp: 2000, inclusive: false }, max: { bp: 3000, inclusive: true }, pointsCp: 200 },
            { min: { bp: 3000, inclusive: false }, max: null, pointsCp: 0 },
          ],
        },
      },
      { id: 'rest', level1: '产出', level2: '其他', level3: '其他指标', weightCp: 6800, rule: { kind: 'tiers', tiers: [...JIANGXI_TIERS] } },
    ],
  };
  const set = ScoringRuleSet.parse(s6);
  const results = [
    staffControlRate({ staffInPost: 136, authorisedPosts: 143 }),
    threePublicChangeRate({ currentBudgetFen: wan('63.46'), previousBudgetFen: wan('32') }),
    budgetCompletionRateHunan({ carriedForwardFen: wan('19.8'), initialBudgetFen: wan('1922.76'), supplementaryFen: wan('767.86'), yearEndBalanceFen: wan('19.8') }),
    budgetControlRate({ supplementaryFen: wan('767.86'), initialBudgetFen: wan('1922.76') }),
  ];
  const sheet = previewScore(set, valuesFromResults(set, results));
  const by = (id: string) => sheet.indicators.find((i) => i.id === id)!;

  it('在职人员控制率 95.10% → 8 of 8', () => {
    expect(by('staff')).toMatchObject({ status: 'scored', pointsCp: 800, maxCp: 800, valueText: '95.10%', deductionReasonZh: null });
  });

  it('三公经费变动率 98.31% → 0 of 8 (0.8 per point above 0, down to 0)', () => {
    const s = by('three_public');
    expect(s).toMatchObject({ status: 'scored', pointsCp: 0, deductionCp: 800, valueText: '98.31%' });
    // 98.3125 pp × 0.8 = 78.65 points owed, more than the weight.
    expect(s.deductionReasonZh).toBe('“三公经费”变动率 98.31%，超过 0% 98.31 个百分点，每超 1 个百分点扣 0.8 分，应扣 78.65 分，超过本项分值 8.00 分，扣至 0 分为止，扣 8.00 分');
  });

  it('预算完成率 99.27% → 8 of 8 (0.73% short is less than one 5% step)', () => {
    expect(by('completion')).toMatchObject({ status: 'scored', pointsCp: 800, valueText: '99.27%' });
    expect(by('completion').basisZh).toContain('不足 5 个百分点');
  });

  it('预算控制率 39.94% → the >30% band → 0', () => {
    const s = by('control');
    expect(s).toMatchObject({ status: 'scored', pointsCp: 0, valueText: '39.94%' });
    expect(s.deductionReasonZh).toContain('高于 30%');
  });

  it('the sheet says the placeholder is still unscored and gives no grade yet', () => {
    expect(sheet.final).toBe(false);
    expect(sheet.totalCp).toBe(1600);
    expect(sheet.unscoredCount).toBe(1);
    expect(sheet.unscoredMaxCp).toBe(6800);
    expect(sheet.grade).toBeNull();
    expect(sheet.gradeRange).toEqual({ worst: { code: 'poor', zh: '差' }, best: { code: 'good', zh: '良' } }); // 16 … 84
    expect(sheet.losses.map((l) => [l.id, l.deductionCp])).toEqual([
      ['three_public', 800],
      ['control', 800],
    ]);
  });
});

describe('built-in Hunan rule set', () => {
  it('is valid and its weights add up to exactly 100 points', () => {
    expect(parse(ScoringRuleSet, HUNAN_DEPARTMENT_RULE_SET).ok).toBe(true);
    expect(HUNAN_DEPARTMENT_RULE_SET.indicators.reduce((s, i) => s + i.weightCp, 0)).toBe(10_000);
  });

  it('follows 岳阳 (S7) for 预算配置 and 雨花 (S3) for 完成率/控制率', () => {
    const weights = Object.fromEntries(HUNAN_DEPARTMENT_RULE_SET.indicators.map((i) => [i.id, i.weightCp]));
    expect(weights).toMatchObject({
      staff_control_rate: 500,
      three_public_change_rate: 500,
      key_expenditure_rate: 500,
      budget_completion_rate: 500,
      budget_control_rate: 500,
      payment_progress_rate: 300,
      carryover_control: 300,
      three_public_control_rate: 600,
    });
    const level1 = (l: string) => HUNAN_DEPARTMENT_RULE_SET.indicators.filter((i) => i.level1 === l).reduce((s, i) => s + i.weightCp, 0);
    expect(level1('过程')).toBe(4000); // 岳阳 过程 40
  });

  it('the brief’s deduction sentence, word for word', () => {
    const s = scoreIndicator(builtIn('staff_control_rate'), ind(staffControlRate({ staffInPost: 105, authorisedPosts: 100 })));
    expect(s.deductionReasonZh).toBe('在职人员控制率 105.00%，超过 100% 5.00 个百分点，每超 1 个百分点扣 0.5 分，扣 2.50 分');
    expect(s.pointsCp).toBe(250);
  });
});

describe('every band and cap boundary of the built-in rule set', () => {
  it('在职人员控制率: ≤100% full, −0.5 per point above (S3/S7)', () => {
    const at = (staff: number, posts: number) => points('staff_control_rate', ind(staffControlRate({ staffInPost: staff, authorisedPosts: posts })));
    expect(at(143, 143)).toBe(500);
    expect(at(142, 143)).toBe(500);
    expect(at(144, 143)).toBe(465); // 100/143 pp × 0.5 = 0.3497 → 0.35
    expect(at(10_000, 10_000)).toBe(500);
    expect(at(9_999, 10_000)).toBe(500);
    expect(at(10_001, 10_000)).toBe(499); // 0.01 pp × 0.5 = 0.005 → 0.01 (half-up)
    expect(at(110, 100)).toBe(0); // 10 pp × 0.5 = 5
    expect(at(130, 100)).toBe(0); // 15 owed, floor 0
  });

  it('三公经费变动率: ≤0 full, −0.5 per point above 0 (weight 5 / 10)', () => {
    const at = (cur: number, prev: number) => points('three_public_change_rate', ind(threePublicChangeRate({ currentBudgetFen: cur, previousBudgetFen: prev })));
    expect(at(10_000, 10_000)).toBe(500);
    expect(at(9_999, 10_000)).toBe(500);
    expect(at(10_001, 10_000)).toBe(499); // 0.01 pp
    const prev = wan('32');
    expect(at(prev, prev)).toBe(500);
    expect(at(prev - 1, prev)).toBe(500);
    // One 分 above 32 万元 is 0.000003 pp: owes 0.0000016 point, which rounds to nothing.
    const oneFen = scoreIndicator(builtIn('three_public_change_rate'), ind(threePublicChangeRate({ currentBudgetFen: prev + 1, previousBudgetFen: prev })));
    expect(oneFen.pointsCp).toBe(500);
    expect(oneFen.basisZh).toContain('0.000003%');
    expect(oneFen.basisZh).toContain('不扣分');
    expect(at(wan('33.6'), prev)).toBe(250); // +5% → 2.5 points
  });

  it('重点支出安排率: ≥90% 5, 80–90 4, 70–80 3, 60–70 2, <60 0 (S7), by basis point and by 分', () => {
    // [edge in bp, points just below, points at/above]
    const edges: [number, number, number][] = [
      [9000, 400, 500],
      [8000, 300, 400],
      [7000, 200, 300],
      [6000, 0, 200],
    ];
    for (const [edge, below, atOrAbove] of edges) {
      const bp = (num: number) => points('key_expenditure_rate', ind(keyExpenditureRate({ keyProjectFen: num, totalProjectFen: 10_000 })));
      expect(bp(edge), `${edge}`).toBe(atOrAbove);
      expect(bp(edge - 1), `${edge}-1`).toBe(below);
      expect(bp(edge + 1), `${edge}+1`).toBe(atOrAbove);
      const total = wan('1234.56');
      const exact = (total * edge) / 10_000; // 1234.56 万元 × 90% etc. is a whole 分
      const fen = (num: number) => points('key_expenditure_rate', ind(keyExpenditureRate({ keyProjectFen: num, totalProjectFen: total })));
      expect(fen(exact), `${edge} fen`).toBe(atOrAbove);
      expect(fen(exact - 1), `${edge} fen-1`).toBe(below);
      expect(fen(exact + 1), `${edge} fen+1`).toBe(atOrAbove);
    }
    expect(points('key_expenditure_rate', ind(keyExpenditureRate({ keyProjectFen: 0, totalProjectFen: 100 })))).toBe(0);
  });

  it('预算完成率 (湖南): 100% full, −2 per whole 5% below (S3/S4/S6)', () => {
    const budget = wan('1000');
    const at = (balance: number, available = budget) =>
      points('budget_completion_rate', ind(budgetCompletionRateHunan({ carriedForwardFen: 0, initialBudgetFen: available, supplementaryFen: 0, yearEndBalanceFen: balance })));
    expect(at(0)).toBe(500);
    expect(at(1)).toBe(500); // a 分 short of 100%: less than one step
    expect(at(-1)).toBe(500); // above 100%
    const fivePct = budget / 20;
    expect(at(fivePct)).toBe(300); // exactly 95%: one step
    expect(at(fivePct - 1)).toBe(500);
    expect(at(fivePct + 1)).toBe(300);
    expect(at(2 * fivePct)).toBe(100); // 90%: two steps
    expect(at(2 * fivePct - 1)).toBe(300);
    expect(at(2 * fivePct + 1)).toBe(100);
    expect(at(3 * fivePct)).toBe(0); // 85%: 6 owed, floor 0
    expect(at(3 * fivePct - 1)).toBe(100);
    // by basis point
    expect(at(500, 10_000)).toBe(300);
    expect(at(499, 10_000)).toBe(500);
    expect(at(501, 10_000)).toBe(300);
  });

  it('预算完成率 slot refuses the 53号 formula (wrong variant) instead of scoring it', () => {
    const s = scoreIndicator(builtIn('budget_completion_rate'), ind(budgetCompletionRate({ completedFen: 99, budgetFen: 100 })));
    expect(s.status).toBe('unscored');
    expect(s.basisZh).toContain('hunan');
  });

  it('预算控制率: =0 5, (0,10%] 4, (10,20%] 3, (20,30%] 2, >30% 0 (S3/S4)', () => {
    const initial = wan('1922.76');
    const at = (supp: number, init = initial) => points('budget_control_rate', ind(budgetControlRate({ supplementaryFen: supp, initialBudgetFen: init })));
    expect(at(0)).toBe(500);
    expect(at(1)).toBe(400);
    const edges: [number, number, number][] = [
      [1000, 400, 300],
      [2000, 300, 200],
      [3000, 200, 0],
    ];
    for (const [edge, atOrBelow, above] of edges) {
      const exact = (initial * edge) / 10_000;
      expect(Number.isInteger(exact)).toBe(true);
      expect(at(exact), `${edge}`).toBe(atOrBelow);
      expect(at(exact - 1), `${edge}-1`).toBe(atOrBelow);
      expect(at(exact + 1), `${edge}+1`).toBe(above);
      expect(at(edge, 10_000), `${edge}bp`).toBe(atOrBelow);
      expect(at(edge - 1, 10_000), `${edge}bp-1`).toBe(atOrBelow);
      expect(at(edge + 1, 10_000), `${edge}bp+1`).toBe(above);
    }
  });

  it('an exclusive lower edge excludes the edge itself, even with no band below it', () => {
    const onlyAbove: RuleSetIndicator = {
      ...builtIn('budget_control_rate'),
      rule: { kind: 'bands', indicator: 'budget_control_rate', bands: [{ min: { bp: 0, inclusive: false }, max: null, pointsCp: 500 }] },
    };
    expect(scoreIndicator(onlyAbove, ind(budgetControlRate({ supplementaryFen: 0, initialBudgetFen: 100 }))).status).toBe('unscored');
    expect(scoreIndicator(onlyAbove, ind(budgetControlRate({ supplementaryFen: 1, initialBudgetFen: 100 }))).status).toBe('scored');
  });

  it('预算控制率 below 0 (a net cut) falls in no band and is left unscored, not zeroed', () => {
    const s = scoreIndicator(builtIn('budget_control_rate'), ind(budgetControlRate({ supplementaryFen: -1, initialBudgetFen: 10_000 })));
    expect(s.status).toBe('unscored');
    expect(s.unscoredReason?.zh).toContain('不在任何评分区间');
  });

  it('资金结余 on 结转结余变动率: none 3, ≤ last year 2, above 0 (S7)', () => {
    const prev = wan('19.8');
    const at = (cur: number) => points('carryover_control', ind(carryoverChangeRate({ currentFen: cur, previousFen: prev })));
    expect(at(0)).toBe(300); // −100%
    expect(at(1)).toBe(200);
    expect(at(prev - 1)).toBe(200);
    expect(at(prev)).toBe(200); // 0%
    expect(at(prev + 1)).toBe(0);
    const s = scoreIndicator(builtIn('carryover_control'), ind(carryoverChangeRate({ currentFen: 0, previousFen: 0 })));
    expect(s.status).toBe('unscored'); // no carry-over last year: a reviewer decides
  });

  it('“三公经费”控制率: ≤100% 6, −1 per point over (S7)', () => {
    const at = (actual: number, budget: number) => points('three_public_control_rate', ind(threePublicControlRate({ actualFen: actual, budgetFen: budget })));
    expect(at(10_000, 10_000)).toBe(600);
    expect(at(9_999, 10_000)).toBe(600);
    expect(at(10_001, 10_000)).toBe(599);
    expect(at(wan('5') + 1, wan('5'))).toBe(600); // 0.00002 pp: nothing to round to
    expect(at(wan('5.1'), wan('5'))).toBe(400); // 2 pp
    expect(at(wan('6'), wan('5'))).toBe(0); // 20 owed
  });

  it('支付进度率 (execution_rate): rate × 3, capped; below 90% must be explained', () => {
    const planned = { num: 1, den: 1 };
    const at = (paid: number) => scoreIndicator(builtIn('payment_progress_rate'), ind(paymentProgressRate({ paidFen: paid, annualBudgetFen: 10_000, plannedProgress: planned })));
    expect(at(10_000)).toMatchObject({ pointsCp: 300, flags: [] });
    expect(at(12_000)).toMatchObject({ pointsCp: 300, flags: [] });
    expect(at(9_000)).toMatchObject({ pointsCp: 270, flags: [] });
    expect(at(9_001).flags).toEqual([]);
    const below = at(8_999);
    expect(below.pointsCp).toBe(270); // 2.6997 → 2.70
    expect(below.flags).toHaveLength(1);
    expect(below.flags[0]).toMatchObject({ code: 'explanation_required', explanationZh: null });
    expect(below.deductionReasonZh).toContain('89.99%');
  });
});

describe('execution-rate explanations on the sheet', () => {
  it('lists an owed explanation until one is given', () => {
    const r = paymentProgressRate({ paidFen: 8, annualBudgetFen: 10, plannedProgress: { num: 1, den: 1 } });
    const owed = previewScore(HUNAN_DEPARTMENT_RULE_SET, { payment_progress_rate: ind(r) });
    expect(owed.explanationsOwed.map((e) => e.id)).toEqual(['payment_progress_rate']);
    const given = previewScore(HUNAN_DEPARTMENT_RULE_SET, { payment_progress_rate: ind(r, '项目验收推迟至次年一季度') });
    expect(given.explanationsOwed).toEqual([]);
    const s = given.indicators.find((i) => i.id === 'payment_progress_rate')!;
    expect(s.flags[0]?.explanationZh).toBe('项目验收推迟至次年一季度');
    expect(s.deductionReasonZh).toContain('项目验收推迟至次年一季度');
  });
});

describe('proportional output indicators (财预〔2020〕10号, Jiangxi note)', () => {
  // A rule set may score one output indicator directly (no `indicator` code): actual / target × weight.
  const single: RuleSetIndicator = { ...builtIn('actual_completion'), rule: { kind: 'proportional' } };
  const out = (direction: '>=' | '<=' | '=', target: string, actual: string): IndicatorValue => ({
    kind: 'output',
    result: outputIndicator({ name: '指标', unit: '项', direction, target, actual }),
  });
  const at = (v: IndicatorValue) => scored(scoreIndicator(single, v));

  it('positive: actual / target × weight', () => {
    const s = scoreIndicator(single, out('>=', '100', '80'));
    expect(s.pointsCp).toBe(400);
    expect(s.deductionReasonZh).toContain('80.00% × 5 分 = 4.00 分，扣 1.00 分');
    expect(s.flags[0]?.code).toBe('explanation_required'); // unmet target: explain the deviation
  });

  it('negative: target / actual × weight', () => {
    expect(at(out('<=', '3', '4'))).toBe(375);
    expect(at(out('<=', '3', '2'))).toBe(500);
  });

  it('capped at the weight when the target is exceeded', () => {
    const s = scoreIndicator(single, out('>=', '90', '98'));
    expect(s).toMatchObject({ pointsCp: 500, deductionCp: 0, deductionReasonZh: null, flags: [] });
  });

  it('exact targets lose points either way', () => {
    expect(at(out('=', '10', '8'))).toBe(400);
    expect(at(out('=', '10', '12.5'))).toBe(400);
  });

  it('a rate value given to an output slot is a mismatch, not a score', () => {
    const s = scoreIndicator(single, ind(staffControlRate({ staffInPost: 1, authorisedPosts: 1 })));
    expect(s.status).toBe('unscored');
  });
});

describe('产出 rates from the sections\' output indicators (53号)', () => {
  const o = (name: string, category: 'quantity' | 'quality' | 'timeliness' | 'cost', target: string, actual: string, extra: { key?: boolean; note?: string; direction?: '>=' | '<=' | '=' } = {}) => ({
    section: 's', name, unit: '项', direction: extra.direction ?? ('>=' as const), target, actual, category, key: extra.key ?? false, ...(extra.note ? { note: extra.note } : {}),
  });
  const outputs = [
    o('门户网站发布信息', 'quantity', '30000', '35000'), // 116.67% → capped at 100%
    o('新建项目开标', 'quantity', '5', '3', { key: true, note: '两个项目立项推迟' }), // 60%
    o('核心网故障修复及时率', 'timeliness', '98', '96'), // 96 / 98
  ];

  it('实际完成率 averages each quantity indicator, capped at 100%: (100% + 60%) ÷ 2 = 80% → 4.00 of 5', () => {
    const r = outputRate('actual_completion_rate', outputs);
    expect(r.result.rate).toEqual({ num: 4, den: 5 });
    expect(r.items.map((i) => i.completion)).toEqual([{ num: 1, den: 1 }, { num: 3, den: 5 }]);
    const s = scoreIndicator(builtIn('actual_completion'), { kind: 'indicator', result: r.result, ...(r.explanationZh ? { explanationZh: r.explanationZh } : {}) });
    expect(s.pointsCp).toBe(400);
    expect(s.deductionReasonZh).toContain('扣 1.00 分');
    expect(s.deductionReasonZh).toContain('新建项目开标：两个项目立项推迟');
  });

  it('完成及时率 of one indicator missing its target without a reason: 96/98 × 5 = 4.90, flagged', () => {
    const r = outputRate('timely_completion_rate', outputs);
    expect(r.result.rate).toEqual({ num: 48, den: 49 });
    expect(r.unexplained).toEqual(['核心网故障修复及时率']);
    const s = scoreIndicator(builtIn('timely_completion'), { kind: 'indicator', result: r.result });
    expect(s.pointsCp).toBe(490); // 4.8979… → 4.90
    expect(s.flags[0]?.code).toBe('explanation_required');
  });

  it('no indicator of the kind is 不适用 with the reason, not a silent zero', () => {
    const r = outputRate('quality_compliance_rate', outputs);
    expect(r.result.rate).toBeNull();
    expect(r.result.notApplicable?.zh).toBe('各科室未填报质量指标');
  });

  it('重点工作办结率 takes the key tasks of every category', () => {
    expect(outputRate('key_task_completion_rate', outputs).result.rate).toEqual({ num: 3, den: 5 });
  });

  it('满意度 reaches full marks at the 90% target and scales below it', () => {
    const sat = (satisfied: number) => scoreIndicator(builtIn('satisfaction'), ind(satisfactionRate({ sample: 200, satisfied })));
    expect(sat(180)).toMatchObject({ pointsCp: 800, deductionReasonZh: null });
    expect(sat(184).pointsCp).toBe(800);
    const low = sat(162); // 81% ÷ 90% × 8 = 7.20
    expect(low.pointsCp).toBe(720);
    expect(low.deductionReasonZh).toContain('81.00% ÷ 90% × 8 分 = 7.20 分，扣 0.80 分');
  });
});

describe('qualitative tiers', () => {
  const tier = (t: string, pointsCp: number, reasonZh?: string): IndicatorValue => ({ kind: 'tier', tier: t, pointsCp, ...(reasonZh ? { reasonZh } : {}) });
  const social = builtIn('social_benefit'); // weight 8: 达成 6.40–8.00, 部分 4.80–<6.40, 未达成 0–<4.80

  it('accepts points inside the picked tier, edges as 10号 states them', () => {
    expect(scored(scoreIndicator(social, tier('achieved', 800)))).toBe(800);
    expect(scored(scoreIndicator(social, tier('achieved', 640, '个别目标未量化')))).toBe(640); // 80% belongs to 达成
    expect(scored(scoreIndicator(social, tier('partial', 639, '部分任务延期')))).toBe(639);
    expect(scored(scoreIndicator(social, tier('partial', 480, '部分任务延期')))).toBe(480); // 60% belongs to 部分达成
    expect(scored(scoreIndicator(social, tier('not_achieved', 479, '主要目标未完成')))).toBe(479);
    expect(scored(scoreIndicator(social, tier('not_achieved', 0, '主要目标未完成')))).toBe(0);
  });

  it('refuses points outside the picked tier (unscored, with the range)', () => {
    for (const [t, p] of [['achieved', 639], ['partial', 640], ['partial', 479], ['not_achieved', 480], ['nonsense', 100]] as const) {
      const s = scoreIndicator(social, tier(t, p, 'x'));
      expect(s.status, `${t} ${p}`).toBe('unscored');
    }
    expect(scoreIndicator(social, tier('partial', 640, 'x')).basisZh).toContain('4.80 分（含）至 6.40 分（不含）');
  });

  it('gives every lost point a reason, and flags a deduction the reviewer did not explain', () => {
    const explained = scoreIndicator(social, tier('partial', 500, '宣传覆盖面不足'));
    expect(explained.deductionReasonZh).toContain('部分达成并具有一定效果');
    expect(explained.deductionReasonZh).toContain('扣 3.00 分：宣传覆盖面不足');
    expect(explained.flags).toEqual([]);
    const silent = scoreIndicator(social, tier('partial', 500));
    expect(silent.deductionReasonZh).toContain('尚未说明扣分原因');
    expect(silent.flags[0]?.explanationZh).toBeNull();
  });

  it('tier cut-offs are configuration: Jiangxi 80/50 accepts 50% as 部分达成', () => {
    const jx = { ...social, rule: { kind: 'tiers' as const, tiers: [...JIANGXI_TIERS] } };
    expect(scoreIndicator(jx, tier('partial', 400, 'x')).status).toBe('scored');
    expect(scoreIndicator(social, tier('partial', 400, 'x')).status).toBe('unscored');
  });
});

describe('grades (优 ≥90, 良 80–<90, 中 60–<80, 差 <60)', () => {
  it('is exact at every boundary', () => {
    expect(gradeOf(9000).zh).toBe('优');
    expect(gradeOf(8999).zh).toBe('良');
    expect(gradeOf(8000).zh).toBe('良');
    expect(gradeOf(7999).zh).toBe('中');
    expect(gradeOf(6000).zh).toBe('中');
    expect(gradeOf(5999).zh).toBe('差');
    expect(gradeOf(10_000).code).toBe('excellent');
    expect(gradeOf(0).code).toBe('poor');
  });

  it('a complete sheet totalling 90.00 is 优 and 89.99 is 良', () => {
    const sheetWithLoss = (lostCp: number) => {
      const values: Record<string, IndicatorValue> = {};
      let toLose = lostCp;
      for (const i of HUNAN_DEPARTMENT_RULE_SET.indicators) {
        const lose = Math.min(toLose, i.weightCp);
        toLose -= lose;
        values[i.id] = { kind: 'manual', pointsCp: i.weightCp - lose, reasonZh: lose > 0 ? '测试扣分' : '测试满分' };
      }
      return scoreIndicators(HUNAN_DEPARTMENT_RULE_SET, values);
    };
    expect(sheetWithLoss(1000)).toMatchObject({ final: true, totalCp: 9000, grade: { zh: '优' } });
    expect(sheetWithLoss(1001)).toMatchObject({ totalCp: 8999, grade: { zh: '良' } });
    expect(sheetWithLoss(2000).grade?.zh).toBe('良');
    expect(sheetWithLoss(2001).grade?.zh).toBe('中');
    expect(sheetWithLoss(4000).grade?.zh).toBe('中');
    expect(sheetWithLoss(4001).grade?.zh).toBe('差');
  });
});

describe('unscored indicators', () => {
  it('nothing submitted: every indicator is unscored with a reason, none is full or zero', () => {
    const sheet = previewScore(HUNAN_DEPARTMENT_RULE_SET, {});
    const n = HUNAN_DEPARTMENT_RULE_SET.indicators.length;
    expect(sheet.unscoredCount).toBe(n);
    expect(sheet.indicators.every((i) => i.status === 'unscored' && i.pointsCp === null && i.unscoredReason.en.includes('not scored'))).toBe(true);
    expect(sheet).toMatchObject({ final: false, totalCp: 0, unscoredMaxCp: 10_000, grade: null, gradeRange: { worst: { zh: '差' }, best: { zh: '优' } } });
    expect(sheet.summaryZh).toContain(`未评分 ${n} 项`);
  });

  it('a not-applicable ratio is unscored with its reason (a reviewer may score it by hand)', () => {
    const na = threePublicChangeRate({ currentBudgetFen: 0, previousBudgetFen: 0 });
    const s = scoreIndicator(builtIn('three_public_change_rate'), ind(na));
    expect(s.status).toBe('unscored');
    expect(s.unscoredReason?.zh).toContain('上年度“三公经费”预算数为零');
    const manual = scoreIndicator(builtIn('three_public_change_rate'), { kind: 'manual', pointsCp: 500, reasonZh: '两年均无三公经费预算' });
    expect(manual).toMatchObject({ status: 'scored', pointsCp: 500, manual: true });
    expect(scoreIndicator(builtIn('three_public_change_rate'), { kind: 'manual', pointsCp: 501, reasonZh: 'x' }).status).toBe('unscored');
  });

  it('whenNotApplicable: full_marks gives full marks and says so (S4 楼堂馆所 style)', () => {
    const rule = { ...builtIn('three_public_change_rate'), whenNotApplicable: 'full_marks' as const };
    const s = scoreIndicator(rule, ind(threePublicChangeRate({ currentBudgetFen: 0, previousBudgetFen: 0 })));
    expect(s).toMatchObject({ status: 'scored', pointsCp: 500 });
    expect(s.basisZh).toContain('不适用');
  });

  it('a partial sheet lists losses and what is still missing', () => {
    const values: ScoringValues = {
      staff_control_rate: ind(staffControlRate({ staffInPost: 105, authorisedPosts: 100 })),
      key_expenditure_rate: ind(keyExpenditureRate({ keyProjectFen: 95, totalProjectFen: 100 })),
    };
    const sheet = previewScore(HUNAN_DEPARTMENT_RULE_SET, values);
    expect(sheet.totalCp).toBe(250 + 500);
    expect(sheet.scoredMaxCp).toBe(1000);
    expect(sheet.losses).toEqual([{ id: 'staff_control_rate', level3: '在职人员控制率', deductionCp: 250, reasonZh: expect.stringContaining('扣 2.50 分') }]);
    expect(sheet.missing.map((m) => m.id)).not.toContain('staff_control_rate');
    expect(sheet.unscoredCount).toBe(HUNAN_DEPARTMENT_RULE_SET.indicators.length - 2);
  });

  it('every lost point on a full sheet has a reason, and losses add up to 100 − total', () => {
    const results = [
      staffControlRate({ staffInPost: 150, authorisedPosts: 143 }),
      threePublicChangeRate({ currentBudgetFen: wan('33'), previousBudgetFen: wan('32') }),
      keyExpenditureRate({ keyProjectFen: 85, totalProjectFen: 100 }),
      budgetCompletionRateHunan({ carriedForwardFen: 0, initialBudgetFen: 100, supplementaryFen: 0, yearEndBalanceFen: 7 }),
      budgetControlRate({ supplementaryFen: 15, initialBudgetFen: 100 }),
      paymentProgressRate({ paidFen: 85, annualBudgetFen: 100, plannedProgress: { num: 1, den: 1 } }),
      carryoverChangeRate({ currentFen: 5, previousFen: 10 }),
      threePublicControlRate({ actualFen: 102, budgetFen: 100 }),
    ];
    const values: Record<string, IndicatorValue> = { ...valuesFromResults(HUNAN_DEPARTMENT_RULE_SET, results) };
    for (const i of HUNAN_DEPARTMENT_RULE_SET.indicators) {
      if (values[i.id]) continue;
      values[i.id] =
        i.rule.kind === 'tiers'
          ? { kind: 'tier', tier: 'partial', pointsCp: (i.weightCp * 7) / 10, reasonZh: '部分达成' }
          : i.rule.kind === 'proportional' && i.rule.indicator === 'satisfaction_rate'
            ? ind(satisfactionRate({ sample: 100, satisfied: 81 }))
            : i.rule.kind === 'proportional' && i.rule.indicator !== undefined && i.rule.indicator !== 'satisfaction_rate'
              ? ind(outputRate(i.rule.indicator as OutputRateCode, [{ section: 's', name: i.level3, direction: '>=', target: '10', actual: '9', category: ({ timely_completion_rate: 'timeliness', quality_compliance_rate: 'quality' } as const)[i.rule.indicator as string] ?? 'quantity', key: true }]).result, '延期')
              : { kind: 'manual', pointsCp: i.weightCp - 10, reasonZh: '人工扣 0.10 分' };
    }
    const sheet = scoreIndicators(HUNAN_DEPARTMENT_RULE_SET, values);
    expect(sheet.missing).toEqual([]);
    expect(sheet.final).toBe(true);
    for (const s of sheet.indicators) {
      expect(s.status, s.id).toBe('scored');
      if (s.deductionCp && s.deductionCp > 0) expect(s.deductionReasonZh, s.id).toMatch(/扣 \d+\.\d\d 分/);
      else expect(s.deductionReasonZh, s.id).toBeNull();
    }
    expect(sheet.losses.reduce((a, l) => a + l.deductionCp, 0)).toBe(10_000 - sheet.totalCp);
    expect(sheet.grade).toEqual(gradeOf(sheet.totalCp));
  });
});

describe('rule set schema', () => {
  const base = (): ScoringRuleSetInput => ({
    id: 't',
    year: 2020,
    region: '测试',
    sourceNote: '测试',
    indicators: [
      { id: 'a', level1: '投入', level2: '预算配置', level3: '在职人员控制率', weightCp: 5_000, rule: { kind: 'cap_deduct', indicator: 'staff_control_rate', capBp: 10000, stepBp: 100, perStepCp: 50, stepping: 'proportional' } },
      { id: 'b', level1: '效果', level2: '履职效益', level3: '社会效益', weightCp: 5_000, rule: { kind: 'tiers', tiers: [...JIANGXI_TIERS] } },
    ],
  });

  it('accepts a valid set', () => {
    expect(parse(ScoringRuleSet, base()).ok).toBe(true);
  });

  it('rejects weights that do not add up to the stated total (100 unless it says otherwise), with a bilingual problem', () => {
    const input = base();
    input.indicators[1]!.weightCp = 4_500;
    const r = parse(ScoringRuleSet, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      { path: 'indicators', code: 'weights_not_total', zh: '各指标分值合计 95.00 分，与规定的总分 100.00 分不符', en: 'indicator weights add up to 95.00 points; the stated total is 100.00' },
    ]);
    // A rule set may state another total (a 90-point indicator part of a project 自评表).
    expect(parse(ScoringRuleSet, { ...input, totalCp: 9_500 }).ok).toBe(true);
  });

  it('rejects duplicate ids, overlapping or gapped bands, band points above the weight, broken tiers and unknown variants', () => {
    const input = base();
    input.indicators[0]!.id = 'b';
    input.indicators.push({
      id: 'c',
      level1: '投入',
      level2: '预算配置',
      level3: '重点支出安排率',
      weightCp: 1,
      variant: 'hunan',
      rule: {
        kind: 'bands',
        indicator: 'key_expenditure_rate',
        bands: [
          { min: null, max: { bp: 6000, inclusive: true }, pointsCp: 0 },
          { min: { bp: 6000, inclusive: true }, max: { bp: 9000, inclusive: false }, pointsCp: 1 }, // overlaps at 60%
          { min: { bp: 9100, inclusive: true }, max: null, pointsCp: 500 }, // gap 90–91%, points > weight
        ],
      },
    });
    input.indicators.push({ id: 'd', level1: 'x', level2: 'x', level3: 'x', weightCp: 1, rule: { kind: 'tiers', tiers: [{ key: 'a', labelZh: 'A', minBp: 0, maxBp: 5000 }, { key: 'b', labelZh: 'B', minBp: 6000, maxBp: 10000 }] } });
    const r = parse(ScoringRuleSet, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const codes = r.problems.map((p) => `${p.path}:${p.code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'indicators[1].id:duplicate_indicator_id',
        'indicators[2].rule.bands[1].min:bands_not_contiguous',
        'indicators[2].rule.bands[2].min:bands_not_contiguous',
        'indicators[2].rule.bands[2].pointsCp:band_points_exceed_weight',
        'indicators[2].variant:invalid_variant',
        'indicators[3].rule.tiers:tiers_not_contiguous',
        'indicators:weights_not_total',
      ]),
    );
    for (const p of r.problems) {
      expect(p.zh).not.toBe(p.en);
      expect(p.zh.length).toBeGreaterThan(0);
    }
  });
});
