import { describe, expect, it } from 'vitest';
import { parseRuleSetFile } from './rule-set-file';
import { BUILT_IN_RULE_SETS, ruleSetById } from './rule-sets';
import { gradeOf, previewScore } from './scoring';

/** A small valid file: 2 + 3 + 5 = 10 points, stated total 10. */
// Loosely typed: the tests break it in ways the input type would not allow.
const file = (): any => ({
  format: 'selfeval.rule-set/v1',
  id: 'test-set',
  name: '测试规则',
  region: '测试',
  fiscalYears: { from: 2024, to: 2026 },
  totalPoints: 10,
  sources: ['测试'],
  indicators: [
    { id: 'staff', level1: '投入', level2: '预算配置', level3: '在职人员控制率', points: 2, rule: { kind: 'cap_deduct', indicator: 'staff_control_rate', cap: '100%', step: '1%', deduct: '0.5', stepping: 'proportional' } },
    { id: 'social', level1: '效果', level2: '履职效益', level3: '社会效益', points: 3, rule: { kind: 'tiers' } },
    {
      id: 'key', level1: '投入', level2: '预算配置', level3: '重点支出安排率', points: '5',
      rule: { kind: 'bands', indicator: 'key_expenditure_rate', bands: [{ below: '60%', points: 0 }, { atLeast: '60%', below: '90%', points: 3 }, { atLeast: '90%', points: 5 }] },
    },
  ],
});
const problems = (input: unknown) => {
  const r = parseRuleSetFile(input);
  return r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`);
};

describe('rule-set files (selfeval.rule-set/v1)', () => {
  it('turns points and percentages into the exact internal rule set', () => {
    const r = parseRuleSetFile(file());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.ruleSet).toMatchObject({ id: 'test-set', version: 1, totalCp: 1000, year: 2024, fiscalYears: { from: 2024, to: 2026 }, notApplicable: 'full_marks' });
    expect(r.ruleSet.indicators[0]!.rule).toEqual({ kind: 'cap_deduct', indicator: 'staff_control_rate', capBp: 10_000, stepBp: 100, perStepCp: 50, stepping: 'proportional' });
    // Default tiers are 财预〔2020〕10号's.
    expect(r.ruleSet.indicators[1]!.rule).toMatchObject({ kind: 'tiers', tiers: [{ key: 'achieved', minBp: 8000, maxBp: 10_000 }, { key: 'partial', minBp: 6000, maxBp: 8000 }, { key: 'not_achieved', minBp: 0, maxBp: 6000 }] });
    expect(r.ruleSet.indicators[2]!.rule).toMatchObject({ bands: [{ min: null, max: { bp: 6000, inclusive: false }, pointsCp: 0 }, { min: { bp: 6000, inclusive: true }, max: { bp: 9000, inclusive: false }, pointsCp: 300 }, { min: { bp: 9000, inclusive: true }, max: null, pointsCp: 500 }] });
  });

  it('refuses an unknown rule kind, weights off the stated total, overlapping tiers and a missing or unknown indicator — every problem at once', () => {
    const f = file();
    f.indicators[0].rule = { kind: 'deduct_everything', indicator: 'staff_control_rate' };
    f.indicators[2].rule.indicator = 'no_such_rate';
    f.tiers = [{ key: 'achieved', label: '达成', from: '70%', to: '100%' }, { key: 'partial', label: '部分达成', from: '50%', to: '80%' }, { key: 'not_achieved', label: '未达成', from: '0%', to: '50%' }];
    f.indicators.push({ id: 'execution', level1: '过程', level2: '预算执行', level3: '预算执行率', points: 1, rule: { kind: 'execution_rate' } });
    expect(problems(f)).toEqual([
      'tiers[0].from:tiers_overlap', // 达成 from 70% while 部分达成 runs to 80%
      'indicators[0].rule.kind:invalid_union',
      'indicators[2].rule.indicator:invalid_value',
      'indicators[3].rule.indicator:required',
    ]);
    // Shape right, arithmetic wrong: the weights add up to 11, the file says 10.
    const g = file();
    g.indicators[1].points = 4;
    const r = parseRuleSetFile(g);
    expect(r.ok ? [] : r.problems).toEqual([
      { path: 'indicators', code: 'weights_not_total', zh: '各指标分值合计 11.00 分，与规定的总分 10.00 分不符', en: 'indicator weights add up to 11.00 points; the stated total is 10.00' },
    ]);
  });

  it('refuses bands that overlap or leave gaps, points above the weight, duplicate ids and bad grades, naming them in the file’s words', () => {
    const f = file();
    f.indicators[2].rule.bands = [{ below: '60%', points: 0 }, { atLeast: '50%', below: '90%', points: 6 }, { atLeast: '90%', points: 5 }];
    f.indicators[1].id = 'staff';
    f.grades = [{ code: 'good', label: '好', from: 6 }, { code: 'good', label: '好', from: 6 }];
    expect(problems(f)).toEqual([
      'indicators[1].id:duplicate_indicator_id',
      'indicators[2].rule.bands[1].points:band_points_exceed_weight',
      'indicators[2].rule.bands[1]:bands_not_contiguous',
      'grades[1].code:duplicate_grade',
      'grades:grades_not_from_zero',
      'grades:grades_overlap',
    ]);
  });

  it('uses a rule set’s own grade bands and total', () => {
    const f = file();
    f.grades = [{ code: 'a', label: '好', from: 8 }, { code: 'b', label: '合格', from: 6 }, { code: 'c', label: '不合格', from: 0 }];
    const r = parseRuleSetFile(f);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const sheet = previewScore(r.ruleSet, { social: { kind: 'tier', tier: 'achieved', pointsCp: 300 }, staff: { kind: 'manual', pointsCp: 200, reasonZh: '满分' }, key: { kind: 'manual', pointsCp: 300, reasonZh: '80%' } });
    // 3 + 2 + 3 = 8 of 10: 好 (its own band from 8), where the default bands would say 差.
    expect(sheet).toMatchObject({ totalCp: 800, maxCp: 1000, final: true, grade: { code: 'a', zh: '好' } });
    expect(gradeOf(800)).toEqual({ code: 'poor', zh: '差' });
  });

  it('ships the built-in rule sets, each adding up to its total, the Hunan set as the default', () => {
    expect(BUILT_IN_RULE_SETS.map((s) => s.id).sort()).toEqual(['chongqing-department-2021', 'hunan-department-2020', 'hunan-s6-2018', 'mof-project-2020', 'yueyang-department-2018']);
    for (const s of BUILT_IN_RULE_SETS) expect(s.indicators.reduce((t, i) => t + i.weightCp, 0), s.id).toBe(s.totalCp);
    // 10号: 产出 50, 效益 30, 满意度 10, 预算执行率 10.
    const mof = ruleSetById('mof-project-2020')!;
    const level1 = (name: string) => mof.indicators.filter((i) => i.level1 === name).reduce((t, i) => t + i.weightCp, 0);
    expect([level1('产出指标'), level1('效益指标'), level1('满意度指标'), level1('预算执行率')]).toEqual([5000, 3000, 1000, 1000]);
    expect(ruleSetById('no-such-set')).toBeUndefined();
  });
});
