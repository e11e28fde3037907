/**
 * The seed unit-year's score, pinned by hand arithmetic. The report publishes no score and no
 * 基础数据表, so the fixture carries example values marked 示例数据 (the 基础数据表, the initial
 * budget, 三公, the sections' output indicators and the self-assessment); the ledger figures
 * (income 2217.42, carry-over 993.56, expenditure 2696.91, the itemised payments) are the report's.
 * Every expected value below is worked out from those inputs in the comment beside it, not copied
 * from the output.
 */
import { describe, expect, it } from 'vitest';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { seedUnitYear } from '../fixtures/seed';

const analysis = analyseUnitYear(seedUnitYear());
const sheet = analysis.score;
const byId = (id: string) => {
  const s = sheet.indicators.find((i) => i.id === id);
  if (!s) throw new Error(`no indicator ${id}`);
  return s;
};

/** [id, points in centipoints, the working]. Weights: Hunan department-wide set, 100 in all. */
const EXPECTED: Array<[string, number, string]> = [
  ['target_reasonableness', 180, '自评 达成, 1.80 of 2 (tier 1.60–2.00)'],
  ['indicator_clarity', 210, '自评 部分达成, 2.10 of 3 (tier 1.80–<2.40)'],
  ['staff_control_rate', 500, '12 ÷ 16 = 75% ≤ 100% → 5'],
  ['three_public_change_rate', 500, '(10 − 12) ÷ 12 = −16.67% ≤ 0 → 5'],
  ['key_expenditure_rate', 400, '(1092.89 + 917.65) ÷ 2503.61 = 80.31%, band [80%, 90%) → 4'],
  ['budget_completion_rate', 0, '(993.56 + 1850 + 367.42 − 514.07) ÷ 3210.98 = 83.99%; 16.01 pp short = 3 whole steps × 2 = 6 > 5 → 0'],
  ['budget_control_rate', 300, '367.42 ÷ 1850 = 19.86%, band (10%, 20%] → 3'],
  ['payment_progress_rate', 300, '(2130.55 ÷ 2217.42) ÷ 95% = 101.14%, capped → 3'],
  ['carryover_control', 200, '(514.07 − 993.56) ÷ 993.56 = −48.26%, band (−100%, 0] → 2'],
  ['three_public_control_rate', 600, '8.50 ÷ 10.00 = 85% ≤ 100% → 6'],
  ['budget_rules', 300, '自评 达成, full'],
  ['funds_compliance', 300, '自评 达成, full'],
  ['budget_disclosure', 270, '自评 达成, 2.70 of 3'],
  ['basic_information', 210, '自评 部分达成, 2.10 of 3'],
  ['asset_rules', 300, '综合科 自评 达成, full'],
  ['asset_safety', 280, '综合科 自评 达成, 2.80 of 3'],
  ['actual_completion', 433, '(min(35000/30000, 1) + 100/100 + 3/5) ÷ 3 = 86.67% × 5 = 4.333 → 4.33'],
  ['timely_completion', 497, '(100/100 + 96/98 + 100/100) ÷ 3 = 99.32% × 5 = 4.966 → 4.97'],
  ['quality_compliance', 500, '(100/100 + 100/100) ÷ 2 = 100% → 5'],
  ['key_task_completion', 400, '(100/100 + 3/5) ÷ 2 = 80% × 5 = 4'],
  ['economic_benefit', 400, '不适用 with its reason; the set counts 不适用 as full marks → 4'],
  ['social_benefit', 720, '自评 达成, 7.20 of 8'],
  ['satisfaction', 800, '184 ÷ 200 = 92% ≥ 90% target → 8'],
];

describe('the seed unit-year is scored in full', () => {
  it('values every indicator of the rule set, each from a named source', () => {
    expect(sheet.indicators.map((i) => i.id)).toEqual(EXPECTED.map(([id]) => id));
    expect(sheet.missing).toEqual([]);
    for (const i of sheet.indicators) {
      expect(i.status, i.id).toBe('scored');
      expect(i.sourceZh, i.id).toBeTruthy();
    }
  });

  for (const [id, cp, working] of EXPECTED) {
    it(`${id}: ${working}`, () => {
      expect(byId(id).pointsCp).toBe(cp);
    });
  }

  it('totals 86.00 (the sum of the column above) and grades it 良 (80 ≤ 86 < 90)', () => {
    const sum = EXPECTED.reduce((a, [, cp]) => a + cp, 0);
    expect(sum).toBe(8600);
    expect(sheet).toMatchObject({ final: true, totalCp: sum, grade: { zh: '良' } });
  });

  it('gives every lost point its reason, the deviation reasons included', () => {
    for (const i of sheet.indicators) {
      if ((i.deductionCp ?? 0) > 0) expect(i.deductionReasonZh, i.id).toMatch(/扣 \d+\.\d\d 分/);
    }
    expect(byId('budget_disclosure').deductionReasonZh).toContain('部门决算公开时间晚于规定时限');
    expect(byId('actual_completion').deductionReasonZh).toContain('新建信息化项目开标：两个项目立项审批推迟至次年');
    expect(byId('timely_completion').deductionReasonZh).toContain('核心网故障修复及时率：两次光缆外力中断');
    expect(byId('budget_completion_rate').deductionReasonZh).toContain('扣至 0 分为止');
    expect(sheet.losses.reduce((a, l) => a + l.deductionCp, 0)).toBe(10_000 - 8600);
  });

  it('names who valued each self-assessed indicator, and marks 不适用 with its reason', () => {
    expect(byId('social_benefit').sourceZh).toBe('自评（财务人员）');
    expect(byId('asset_safety').sourceZh).toBe('自评（综合科）');
    expect(byId('satisfaction').sourceZh).toContain('满意度调查');
    expect(byId('economic_benefit').notApplicableZh).toBe('本单位为公益一类事业单位，职能不以经济效益为目标');
    expect(byId('staff_control_rate').sourceZh).toContain('单位基本情况');
  });

  it('reports the 基础数据表 example values without disagreeing with the ledger', () => {
    const codes = analysis.reconciliation.findings.map((f) => f.code);
    expect(codes.filter((c) => c.startsWith('basic_data') || c === 'figures_disagree' || c.startsWith('three_public') || c === 'staff_rate_gap')).toEqual([]);
  });
});
