import { describe, expect, it } from 'vitest';
import {
  budgetAdjustmentRate,
  budgetCompletionRate,
  budgetCompletionRateHunan,
  budgetControlRate,
  carryoverChangeRate,
  carryoverRate,
  indicatorCodes,
  indicatorNames,
  keyExpenditureRate,
  outputIndicator,
  paymentProgressRate,
  procurementExecutionRate,
  publicFundsControlRate,
  staffControlRate,
  threePublicChangeRate,
  threePublicControlRate,
} from './indicators';
import { parseWanYuan } from './money';
import { formatPercent, RateError, rateOf } from './rate';

const wan = parseWanYuan;
const pct = (r: { rate: { num: number; den: number } | null }): string | null => (r.rate ? formatPercent(r.rate) : null);

describe('DOMAIN.md §1.3 worked example (S6 figures)', () => {
  it('在职人员控制率 = 136 / 143 = 95.10%', () => {
    const r = staffControlRate({ staffInPost: 136, authorisedPosts: 143 });
    expect(r.code).toBe('staff_control_rate');
    expect(r.nameZh).toBe('在职人员控制率');
    expect(r.rate).toEqual({ num: 136, den: 143 });
    expect(r.formulaZh).toBe('在职人员控制率 = 在职人员数 ÷ 编制数 = 136人 ÷ 143人 = 95.10%');
  });

  it('三公经费变动率 = (63.46 − 32) / 32 = 98.31%', () => {
    const r = threePublicChangeRate({ currentBudgetFen: wan('63.46'), previousBudgetFen: wan('32') });
    expect(pct(r)).toBe('98.31%');
    expect(r.formulaZh).toContain('（63.46 − 32.00）÷ 32.00 = 98.31%');
    expect(r.formulaZh).toContain('万元');
  });

  it('预算完成率 (湖南) = (19.8 + 1922.76 + 767.86 − 19.8) / (19.8 + 1922.76 + 767.86) = 99.27%', () => {
    const r = budgetCompletionRateHunan({
      carriedForwardFen: wan('19.8'),
      initialBudgetFen: wan('1922.76'),
      supplementaryFen: wan('767.86'),
      yearEndBalanceFen: wan('19.8'),
    });
    expect(r.variant).toBe('hunan');
    expect(r.rate).toEqual({ num: wan('2690.62'), den: wan('2710.42') });
    expect(pct(r)).toBe('99.27%');
    expect(r.formulaZh).toContain('（19.80 + 1922.76 + 767.86 − 19.80）÷（19.80 + 1922.76 + 767.86）= 2690.62 ÷ 2710.42 = 99.27%');
  });

  it('预算控制率 = 767.86 / 1922.76 = 39.94%', () => {
    const r = budgetControlRate({ supplementaryFen: wan('767.86'), initialBudgetFen: wan('1922.76') });
    expect(pct(r)).toBe('39.94%');
    expect(r.formulaZh).toBe('预算控制率 = 本年追加预算 ÷ 年初预算 = 767.86 ÷ 1922.76 = 39.94%（金额单位：万元）');
  });
});

describe('not-applicable denominators', () => {
  it('returns no rate and a bilingual reason instead of throwing', () => {
    const cases = [
      staffControlRate({ staffInPost: 3, authorisedPosts: 0 }),
      threePublicChangeRate({ currentBudgetFen: wan('5'), previousBudgetFen: 0 }),
      budgetCompletionRateHunan({ carriedForwardFen: 0, initialBudgetFen: 0, supplementaryFen: 0, yearEndBalanceFen: 0 }),
      budgetCompletionRate({ completedFen: 0, budgetFen: 0 }),
      budgetControlRate({ supplementaryFen: wan('1'), initialBudgetFen: 0 }),
      budgetAdjustmentRate({ adjustmentFen: 0, budgetFen: 0 }),
      carryoverRate({ carryoverFen: 1, denominator: { basis: 'expenditure_budget', amountFen: 0 } }),
      carryoverChangeRate({ currentFen: 1, previousFen: 0 }),
      publicFundsControlRate({ actualFen: 1, budgetFen: 0 }),
      threePublicControlRate({ actualFen: 1, budgetFen: 0 }),
      procurementExecutionRate({ actualFen: 0, budgetFen: 0 }),
      keyExpenditureRate({ keyProjectFen: 0, totalProjectFen: 0 }),
      paymentProgressRate({ paidFen: 1, annualBudgetFen: 0, plannedProgress: { num: 1, den: 2 } }),
      paymentProgressRate({ paidFen: 1, annualBudgetFen: 10, plannedProgress: { num: 0, den: 1 } }),
    ];
    for (const r of cases) {
      expect(r.rate, r.code).toBeNull();
      expect(r.notApplicable?.zh, r.code).toMatch(/为零|不适用/);
      expect(r.notApplicable?.en, r.code).toMatch(/not apply|not applicable/);
      expect(r.formulaZh, r.code).toContain(r.notApplicable?.zh ?? '∅');
    }
  });

  it('names the zero denominator in the reason', () => {
    expect(threePublicChangeRate({ currentBudgetFen: 0, previousBudgetFen: 0 }).notApplicable?.zh).toContain('上年度“三公经费”预算数为零');
    expect(staffControlRate({ staffInPost: 0, authorisedPosts: 0 }).notApplicable?.zh).toContain('编制数为零');
  });

  it('treats a negative denominator as not applicable too', () => {
    const r = carryoverChangeRate({ currentFen: 10, previousFen: -5 });
    expect(r.rate).toBeNull();
    expect(r.notApplicable?.zh).toContain('负数');
  });

  it('refuses inputs that are not whole 分 or whole people', () => {
    expect(() => budgetControlRate({ supplementaryFen: 1.5, initialBudgetFen: 100 })).toThrow(RateError);
    expect(() => staffControlRate({ staffInPost: -1, authorisedPosts: 10 })).toThrow(RateError);
    expect(() => staffControlRate({ staffInPost: 1.5, authorisedPosts: 10 })).toThrow(RateError);
  });
});

describe('each indicator follows its DOMAIN.md §1.2 formula', () => {
  it('预算完成率 (53号) = 预算完成数 / 预算数', () => {
    const r = budgetCompletionRate({ completedFen: wan('90'), budgetFen: wan('120') });
    expect(r.variant).toBe('mof53');
    expect(pct(r)).toBe('75.00%');
    expect(r.formulaZh).toContain('预算完成数 ÷ 预算数 = 90.00 ÷ 120.00 = 75.00%');
  });

  it('Hunan 预算完成率 shows a net cut in the 追加 term in parentheses', () => {
    const r = budgetCompletionRateHunan({ carriedForwardFen: 0, initialBudgetFen: wan('100'), supplementaryFen: -wan('10'), yearEndBalanceFen: wan('9') });
    // (0 + 100 − 10 − 9) / (0 + 100 − 10) = 81/90
    expect(pct(r)).toBe('90.00%');
    expect(r.formulaZh).toContain('(-10.00)');
  });

  it('预算调整率 = 预算调整数 / 预算数', () => {
    expect(pct(budgetAdjustmentRate({ adjustmentFen: wan('15'), budgetFen: wan('200') }))).toBe('7.50%');
  });

  it('结转结余率 takes its denominator as a parameter and says which', () => {
    const a = carryoverRate({ carryoverFen: wan('10'), denominator: { basis: 'expenditure_budget', amountFen: wan('400') } });
    const b = carryoverRate({ carryoverFen: wan('10'), denominator: { basis: 'general_public_expenditure', amountFen: wan('250') } });
    expect(pct(a)).toBe('2.50%');
    expect(pct(b)).toBe('4.00%');
    expect(a.variant).toBe('expenditure_budget');
    expect(b.variant).toBe('general_public_expenditure');
    expect(a.formulaZh).toContain('结转结余总额 ÷ 支出预算数');
    expect(b.formulaZh).toContain('结转结余总额 ÷ 本年一般公共预算支出完成数');
  });

  it('结转结余变动率 = (本年 − 上年) / 上年, negative when it fell', () => {
    expect(pct(carryoverChangeRate({ currentFen: wan('30'), previousFen: wan('40') }))).toBe('-25.00%');
    expect(pct(carryoverChangeRate({ currentFen: 0, previousFen: wan('40') }))).toBe('-100.00%');
  });

  it('control and execution rates are actual / budget', () => {
    expect(pct(publicFundsControlRate({ actualFen: wan('98'), budgetFen: wan('100') }))).toBe('98.00%');
    expect(pct(threePublicControlRate({ actualFen: wan('5.5'), budgetFen: wan('5') }))).toBe('110.00%');
    expect(pct(procurementExecutionRate({ actualFen: wan('1'), budgetFen: wan('3') }))).toBe('33.33%');
    expect(pct(keyExpenditureRate({ keyProjectFen: wan('85'), totalProjectFen: wan('100') }))).toBe('85.00%');
  });

  it('支付进度率 = 实际支付进度 / 既定支付进度, both shown', () => {
    const r = paymentProgressRate({ paidFen: wan('45'), annualBudgetFen: wan('100'), plannedProgress: rateOf(5_000, 10_000)!, asOf: '6月30日' });
    expect(r.rate).toEqual({ num: 9, den: 10 });
    expect(r.formulaZh).toContain('实际支付进度（截至6月30日） = 已执行数 ÷ 全年支出预算 = 45.00 ÷ 100.00 = 45.00%');
    expect(r.formulaZh).toContain('= 45.00% ÷ 50.00% = 90.00%');
  });

  it('every code has a Chinese and an English name', () => {
    for (const code of indicatorCodes) {
      expect(indicatorNames[code].zh).toMatch(code === 'satisfaction_rate' ? /^满意度$/ : /率$/);
      expect(indicatorNames[code].en).toMatch(/rate$/);
    }
  });
});

describe('submitted output indicators', () => {
  it('positive (≥): completion = actual / target', () => {
    const r = outputIndicator({ name: '数据共享接口', unit: '个', direction: '>=', target: '100', actual: '80' });
    expect(r.completion).toEqual({ num: 4, den: 5 });
    expect(r.met).toBe(false);
    expect(r.formulaZh).toContain('完成比例 = 实际值 ÷ 目标值 = 80个 ÷ 100个 = 80.00%');
  });

  it('positive over target is not capped here', () => {
    const r = outputIndicator({ name: 'x', unit: '', direction: '>=', target: '100', actual: '120' });
    expect(r.completion && formatPercent(r.completion)).toBe('120.00%');
    expect(r.met).toBe(true);
  });

  it('negative (≤): completion = target / actual', () => {
    const r = outputIndicator({ name: '办结时限', unit: '个工作日', direction: '<=', target: '3', actual: '4' });
    expect(r.completion).toEqual({ num: 3, den: 4 });
    expect(r.met).toBe(false);
    expect(r.formulaZh).toContain('目标值 ÷ 实际值 = 3个工作日 ÷ 4个工作日 = 75.00%');
    const zero = outputIndicator({ name: '投诉', unit: '起', direction: '<=', target: '5', actual: '0' });
    expect(zero.completion).toEqual({ num: 1, den: 1 });
    expect(zero.met).toBe(true);
  });

  it('exact (=): 100% when equal, otherwise the smaller over the larger', () => {
    expect(outputIndicator({ name: 'x', unit: '次', direction: '=', target: '12', actual: '12' }).completion).toEqual({ num: 1, den: 1 });
    expect(outputIndicator({ name: 'x', unit: '次', direction: '=', target: '12', actual: '10' }).completion).toEqual({ num: 5, den: 6 });
    expect(outputIndicator({ name: 'x', unit: '次', direction: '=', target: '12', actual: '15' }).completion).toEqual({ num: 4, den: 5 });
  });

  it('keeps decimals exact', () => {
    const r = outputIndicator({ name: '满意度', unit: '%', direction: '>=', target: '95', actual: 99.5 });
    expect(r.completion).toEqual({ num: 199, den: 190 });
    expect(r.actualText).toBe('99.5');
  });

  it('a zero target of a positive indicator is met by anything non-negative', () => {
    expect(outputIndicator({ name: 'x', direction: '>=', target: '0', actual: '0' }).completion).toEqual({ num: 1, den: 1 });
  });

  it('negative values are not applicable; malformed numbers are refused', () => {
    const r = outputIndicator({ name: 'x', direction: '>=', target: '10', actual: '-1' });
    expect(r.completion).toBeNull();
    expect(r.notApplicable?.en).toContain('negative');
    expect(() => outputIndicator({ name: 'x', direction: '>=', target: 'abc', actual: '1' })).toThrow();
  });
});
