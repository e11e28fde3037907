/**
 * The reviewed score beside the self-score: the seed's sheet (86.00, 良, worked out in
 * tests/report/seed-score.test.ts) with indicators adjusted by a reviewer, totals by hand.
 */
import { describe, expect, it } from 'vitest';
import { analyseUnitYear } from './ledger/analysis';
import { adjustmentProblem, reviewedScore } from './review';
import type { ScoreSheet } from './scoring';
import { seedUnitYear } from '../tests/fixtures/seed';

const sheet = analyseUnitYear(seedUnitYear()).score;

describe('the reviewed score', () => {
  it('is the self-score when nothing is adjusted', () => {
    const r = reviewedScore(sheet, []);
    expect(r.self).toEqual({ totalCp: 8600, grade: { code: 'good', zh: '良' } });
    expect(r.reviewed).toEqual(r.self);
    expect(r.adjusted).toEqual([]);
    expect(r.summaryZh).toBe('自评得分 86.00 分（良），复核未调整');
  });

  it('replaces the adjusted points, the last adjustment of an indicator counting', () => {
    // budget_disclosure 2.70 → 1.50 (−1.20), then 2.00 (−0.70); asset_safety 2.80 → 3.00 (+0.20): 86.00 − 0.70 + 0.20 = 85.50.
    const r = reviewedScore(sheet, [
      { indicator: 'budget_disclosure', pointsCp: 150, reason: '部门决算未按期公开' },
      { indicator: 'asset_safety', pointsCp: 300, reason: '资产卡片已补登，不扣分' },
      { indicator: 'budget_disclosure', pointsCp: 200, reason: '决算已公开但晚于规定时限' },
    ]);
    expect(r.reviewed).toEqual({ totalCp: 8550, grade: { code: 'good', zh: '良' } });
    expect(r.adjusted).toEqual([
      expect.objectContaining({ id: 'budget_disclosure', selfCp: 270, reviewedCp: 200, reason: '决算已公开但晚于规定时限' }),
      expect.objectContaining({ id: 'asset_safety', selfCp: 280, reviewedCp: 300 }),
    ]);
    expect(r.summaryZh).toBe('自评得分 86.00 分（良），复核得分 85.50 分（良）');
  });

  it('changes the grade across a band edge', () => {
    // staff_control_rate 5 → 0 and three_public_control_rate 6 → 0: 86.00 − 11.00 = 75.00, 中.
    const r = reviewedScore(sheet, [
      { indicator: 'staff_control_rate', pointsCp: 0, reason: '在职人员超编' },
      { indicator: 'three_public_control_rate', pointsCp: 0, reason: '三公经费数据不实' },
    ]);
    expect(r.reviewed).toEqual({ totalCp: 7500, grade: { code: 'fair', zh: '中' } });
  });

  it('rescales like the sheet when indicators marked 不适用 left the total', () => {
    // A sheet of two indicators, 10 and 10 points; one not applicable; 8 of the applicable 10 → 80.00.
    // The reviewer adjusts 8 → 6: 6 × 20 ÷ 10 = 12.00 of 20 → ×(maxCp 2000)/(applicable 1000).
    const small = {
      ...sheet, maxCp: 2000, totalCp: 1600, final: true, rescaled: { pointsCp: 800, applicableMaxCp: 1000, excludedCount: 1 },
      indicators: [{ ...sheet.indicators.find((i) => i.id === 'staff_control_rate')!, id: 'a', maxCp: 1000, status: 'scored', pointsCp: 800 }],
    } as unknown as ScoreSheet;
    expect(reviewedScore(small, [{ indicator: 'a', pointsCp: 600, reason: 'x' }]).reviewed.totalCp).toBe(1200);
  });

  it('refuses an adjustment above the weight, of an unknown or unscored indicator', () => {
    expect(adjustmentProblem(sheet, { indicator: 'budget_disclosure', pointsCp: 301 })?.en).toBe('3.01 exceeds the weight 3.00 of "预决算信息公开性"');
    expect(adjustmentProblem(sheet, { indicator: 'nope', pointsCp: 0 })?.en).toBe('the score sheet has no indicator "nope"');
    expect(() => reviewedScore(sheet, [{ indicator: 'nope', pointsCp: 0, reason: 'x' }])).toThrow('no indicator');
  });
});
