/**
 * The same unit-year (the 2020 seed) scored under three other rule sets, each total and grade
 * worked out by hand from the seed's computed rates (`selfeval check` prints them):
 *
 *   重点支出安排率 80.31%, 预算调整率 367.42 ÷ 1850 = 19.86%, 支付进度率 101.14%,
 *   结转结余变动率 −48.26%, 三公控制率 85%, 公用经费控制率 97.67%, 政府采购执行率
 *   1523.40 ÷ 1600 = 95.2125%, 预算执行率 2130.55 ÷ 2217.42 = 96.0823%, 实际完成率
 *   (60% + 100% + 100%) ÷ 3 = 86.667%, 质量达标率 100%, 完成及时率 (100% + 96/98 + 100%) ÷ 3
 *   = 99.3197%, 重点工作办结率 80%, 满意度 184 ÷ 200 = 92% (target 90%), 在职 75%, 三公变动 −16.67%.
 *
 * Each rule set's qualitative indicators get the finance officer's and 综合科's entries for that
 * rule set (their points scale with its weights), as they would fill them under it.
 */
import { describe, expect, it } from 'vitest';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { ruleSetById } from '../../domain/rule-sets';
import type { SelfAssessmentEntry } from '../../domain/self-assessment';
import { seedUnitYear } from '../fixtures/seed';

const e = (indicator: string, tier: string, points: string, reason?: string): SelfAssessmentEntry => ({ indicator, tier, points, ...(reason ? { reason } : {}), evidence: [] });
const notApplicable: SelfAssessmentEntry = { indicator: 'economic_benefit', notApplicable: true, reason: '公益一类事业单位，职能不以经济效益为目标', evidence: [] };
const survey: SelfAssessmentEntry = { indicator: 'satisfaction', survey: { sample: 200, satisfied: 184 }, evidence: [] };

function scoreUnder(ruleSetId: string, finance: SelfAssessmentEntry[], general: SelfAssessmentEntry[] = []) {
  const unitYear = structuredClone(seedUnitYear());
  unitYear.ruleSet = ruleSetId;
  unitYear.submissions.find((s) => s.section === 'general')!.selfAssessments = general;
  const ruleSet = ruleSetById(ruleSetId)!;
  const sheet = analyseUnitYear(unitYear, { ruleSet, selfAssessment: finance }).score;
  const points = Object.fromEntries(sheet.indicators.map((i) => [i.id, i.status === 'scored' ? i.pointsCp : i.status]));
  return { sheet, points };
}

describe('the seed unit-year under three more rule sets', () => {
  it('岳阳 (S7): 90.80, 优', () => {
    const { sheet, points } = scoreUnder(
      'yueyang-department-2018',
      [e('budget_rules', 'achieved', '3'), e('funds_compliance', 'achieved', '3'), e('budget_disclosure', 'achieved', '2.7', '决算公开晚于时限'), e('basic_information', 'partial', '2.1', '项目台账不完整'), e('social_benefit', 'achieved', '9', '推广覆盖面仍需扩大'), survey],
      [e('asset_rules', 'achieved', '5'), e('asset_safety', 'achieved', '4.5', '部分资产卡片未及时更新')],
    );
    expect(points).toEqual({
      staff_control_rate: 500, three_public_change_rate: 500,
      key_expenditure_rate: 400, // 80.31%: [80%, 90%) → 4
      budget_adjustment_rate: 100, // 19.86%: (10%, 20%] → 1
      payment_progress_rate: 300, // 101.14% ≥ 100% → full
      carryover_control: 200, // −48.26%: (−100%, 0] → 2
      three_public_control_rate: 600,
      budget_rules: 300, funds_compliance: 300, budget_disclosure: 270, basic_information: 210,
      procurement_execution_rate: 286, // 95.2125% × 3 = 2.856 → 2.86
      asset_rules: 500, asset_safety: 450,
      actual_completion: 867, // 86.667% × 10 = 8.667 → 8.67
      timely_completion: 497, // 99.3197% × 5 = 4.966 → 4.97
      quality_compliance: 500,
      key_task_completion: 400, // 80% × 5
      social_benefit: 900, satisfaction: 1000,
    });
    // 14 + 12 + 13.66 + 9.50 + 22.64 + 19 = 90.80
    expect(sheet).toMatchObject({ final: true, totalCp: 9080, grade: { zh: '优' }, ruleSetId: 'yueyang-department-2018' });
  });

  it('重庆式 (S8, 不适用 rescaled): 88.47 of 95 applicable → 93.13, 优', () => {
    const { sheet, points } = scoreUnder(
      'chongqing-department-2021',
      [e('social_benefit', 'achieved', '8.5', '推广覆盖面仍需扩大'), notApplicable, survey, e('budget_disclosure', 'achieved', '4.5', '决算公开晚于时限')],
      [e('asset_safety', 'achieved', '4.5', '部分资产卡片未及时更新')],
    );
    expect(points).toEqual({
      budget_execution: 961, // 96.0823% × 10 = 9.608 → 9.61
      actual_completion: 867, quality_compliance: 1000,
      timely_completion: 993, // 99.3197% × 10 = 9.932 → 9.93
      key_task_completion: 800,
      social_benefit: 850, economic_benefit: 'excluded', satisfaction: 1000,
      three_public_control_rate: 500, public_funds_control_rate: 500,
      procurement_execution_rate: 476, // 95.2125% × 5 = 4.761 → 4.76
      budget_disclosure: 450, asset_safety: 450,
    });
    // 9.61 + 8.67 + 10 + 9.93 + 8 + 8.5 + 10 + 5 + 5 + 4.76 + 4.5 + 4.5 = 88.47 of 95; × 100 ÷ 95 = 93.126 → 93.13
    expect(sheet).toMatchObject({ final: true, totalCp: 9313, rescaled: { pointsCp: 8847, applicableMaxCp: 9500, excludedCount: 1 }, grade: { zh: '优' } });
  });

  it('财预〔2020〕10号 (产出 50 / 效益 30 / 满意度 10 / 预算执行率 10): 81.84 of 90 → 90.93, 优', () => {
    const { sheet, points } = scoreUnder('mof-project-2020', [e('social_benefit', 'achieved', '8', '推广覆盖面仍需扩大'), e('sustainable_impact', 'partial', '7', '运维考核机制尚未健全'), notApplicable, survey]);
    expect(points).toEqual({
      budget_execution: 961,
      actual_completion: 1733, // 86.667% × 20 = 17.333 → 17.33
      quality_compliance: 1500,
      timely_completion: 1490, // 99.3197% × 15 = 14.898 → 14.90
      economic_benefit: 'excluded', social_benefit: 800, sustainable_impact: 700, satisfaction: 1000,
    });
    // 9.61 + 17.33 + 15 + 14.90 + 8 + 7 + 10 = 81.84 of 90; × 100 ÷ 90 = 90.933 → 90.93
    expect(sheet).toMatchObject({ final: true, totalCp: 9093, grade: { zh: '优' } });
  });

  it('leaves an indicator unscored when the entry was written for another rule set’s weights', () => {
    // 社会效益 7.2 of 8 under the Hunan set is 达成; under 岳阳 it weighs 10, where 达成 starts at 8.
    const { sheet } = scoreUnder('yueyang-department-2018', [e('social_benefit', 'achieved', '7.2', '推广覆盖面仍需扩大')]);
    const social = sheet.indicators.find((i) => i.id === 'social_benefit')!;
    expect(social.status).toBe('unscored');
    expect(sheet.final).toBe(false);
  });
});
