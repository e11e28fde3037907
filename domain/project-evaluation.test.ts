import { describe, expect, it } from 'vitest';
import type { Allocation, Payment, ProjectIndicator } from './ledger/unit-year.schema';
import { parseWanYuan } from './money';
import { projectFunds, scoreProjectEvaluation, scoreProjectIndicator, UNEXPLAINED } from './project-evaluation';

const wan = parseWanYuan;

function indicator(over: Partial<ProjectIndicator> & Pick<ProjectIndicator, 'direction' | 'target' | 'actual' | 'weight'>): ProjectIndicator {
  return { level1: 'output', level2: '数量指标', name: '测试指标', unit: '个', ...over };
}

const points = (i: ProjectIndicator) => scoreProjectIndicator(i).pointsCp;

function allocation(code: string, budgetYear: number, amount: string): Allocation {
  return { code, name: code, budgetYear, amount: wan(amount) };
}
function payment(code: string, allocationCode: string, amount: string): Payment {
  return { code, allocation: allocationCode, amount: wan(amount) };
}

describe('project indicators (财预〔2020〕10号; Jiangxi note)', () => {
  it('positive (≥): actual ÷ target × weight, half-up to 0.01', () => {
    // 3 / 5 × 15 = 9.00
    expect(points(indicator({ direction: '>=', target: '5', actual: '3', weight: '15' }))).toBe(900);
    // 4 / 6 × 10 = 6.666… → 6.67
    expect(points(indicator({ direction: '>=', target: '6', actual: '4', weight: '10' }))).toBe(667);
    // 1 / 8 × 5 = 0.625 → 0.63 (half-up, not to even)
    expect(points(indicator({ direction: '>=', target: '8', actual: '1', weight: '5' }))).toBe(63);
    // 0 of a positive target: 0
    expect(points(indicator({ direction: '>=', target: '8', actual: '0', weight: '5' }))).toBe(0);
  });

  it('negative (≤): target ÷ actual × weight; an actual of 0 meets it', () => {
    // 10 / 12 × 10 = 8.333… → 8.33
    const s = scoreProjectIndicator(indicator({ direction: '<=', target: '10', actual: '12', unit: '月', weight: '10', note: '招标推迟两个月' }));
    expect(s.pointsCp).toBe(833);
    expect(s.lostCp).toBe(167);
    expect(s.reasonZh).toBe('招标推迟两个月');
    expect(s.targetText).toBe('≤10月');
    expect(s.actualText).toBe('12月');
    expect(s.basisZh).toContain('完成比例 = 目标值 ÷ 实际值 = 10月 ÷ 12月 = 83.33%');
    expect(s.basisZh).toContain('得分 = 83.33% × 10 = 8.33分');
    // 10 / 8 = 125% → capped at the weight
    expect(points(indicator({ direction: '<=', target: '10', actual: '8', weight: '10' }))).toBe(1000);
    expect(points(indicator({ direction: '<=', target: '3', actual: '0', weight: '10' }))).toBe(1000);
  });

  it('exact (=): full when met; a miss either way counts (smaller ÷ larger)', () => {
    expect(points(indicator({ direction: '=', target: '100', actual: '100', unit: '%', weight: '20' }))).toBe(2000);
    // 95 / 100 × 20 = 19.00
    expect(points(indicator({ direction: '=', target: '100', actual: '95', unit: '%', weight: '20' }))).toBe(1900);
    // above an exact target: 100 / 120 × 20 = 16.666… → 16.67 (actual ÷ target would cap to full marks)
    expect(points(indicator({ direction: '=', target: '100', actual: '120', unit: '%', weight: '20' }))).toBe(1667);
  });

  it('caps an exceeded target at the weight', () => {
    // 92 / 90 × 10 = 10.22 → 10.00
    const s = scoreProjectIndicator(indicator({ level1: 'satisfaction', direction: '>=', target: '90', actual: '92', unit: '%', weight: '10' }));
    expect(s.pointsCp).toBe(1000);
    expect(s.lostCp).toBe(0);
    expect(s.reasonZh).toBeNull();
    expect(s.basisZh).toContain('按分值计10.00分');
  });

  it('a zero target: ≥0 is always met; ≤0 and =0 are met only by 0, anything else scores 0', () => {
    expect(points(indicator({ direction: '>=', target: '0', actual: '0', weight: '10' }))).toBe(1000);
    expect(points(indicator({ direction: '>=', target: '0', actual: '3', weight: '10' }))).toBe(1000);
    expect(points(indicator({ direction: '<=', target: '0', actual: '0', weight: '10' }))).toBe(1000);
    expect(points(indicator({ direction: '<=', target: '0', actual: '1', weight: '10' }))).toBe(0);
    expect(points(indicator({ direction: '=', target: '0', actual: '0', weight: '10' }))).toBe(1000);
    expect(points(indicator({ direction: '=', target: '0', actual: '2', weight: '10' }))).toBe(0);
  });

  it('gives every lost point a reason: the unit’s 偏差原因, or “未说明偏差原因”', () => {
    const given = scoreProjectIndicator(indicator({ direction: '>=', target: '5', actual: '3', weight: '15', note: '两个区推迟接入' }));
    expect(given.reasonZh).toBe('两个区推迟接入');
    const missing = scoreProjectIndicator(indicator({ direction: '>=', target: '5', actual: '3', weight: '15' }));
    expect(missing.reasonZh).toBe(UNEXPLAINED);
    // A note on a met target is kept for the table but is no deduction reason.
    const met = scoreProjectIndicator(indicator({ direction: '>=', target: '5', actual: '5', weight: '15', note: '按期完成' }));
    expect(met.reasonZh).toBeNull();
    expect(met.noteZh).toBe('按期完成');
  });

  it('leaves a negative value unscored instead of guessing', () => {
    const s = scoreProjectIndicator(indicator({ direction: '>=', target: '-5', actual: '3', weight: '15' }));
    expect(s.pointsCp).toBeNull();
    expect(s.reasonZh).toContain('负数');
  });
});

describe('预算执行率 of a project', () => {
  const project = {
    allocations: [allocation('a-2020', 2020, '80'), allocation('b-2020', 2020, '20'), allocation('c-2019', 2019, '50')],
    payments: [payment('p1', 'a-2020', '60'), payment('p2', 'b-2020', '10'), payment('p3', 'c-2019', '50')],
  };

  it('takes 全年预算数 as this year’s allocations plus carry-over, 执行数 as payments, 年初 as this year’s', () => {
    const f = projectFunds(project, 2020);
    const [total, fiscal, carry, other] = f.rows;
    // 本年: 80 + 20 = 100 allocated, 60 + 10 = 70 paid; 上年结转: 50, 50 paid.
    expect(fiscal).toMatchObject({ key: 'fiscal', initial: wan('100'), annual: wan('100'), executed: wan('70') });
    expect(carry).toMatchObject({ key: 'carryOver', initial: 0, annual: wan('50'), executed: wan('50') });
    expect(other).toMatchObject({ key: 'other', initial: 0, annual: 0, executed: 0, rate: null });
    expect(total).toMatchObject({ key: 'total', labelZh: '年度资金总额', initial: wan('100'), annual: wan('150'), executed: wan('120') });
    // 120 / 150 = 80% → 8.00 points, below 90%: flagged
    expect(f.rateText).toBe('80.00%');
    expect(f.pointsCp).toBe(800);
    expect(f.lostCp).toBe(200);
    expect(f.unspent).toBe(wan('30'));
    expect(f.flags.map((x) => x.code)).toEqual(['execution_below_90']);
    expect(f.flags[0]?.zh).toContain('须说明原因');
    expect(f.reasonZh).toBe('预算执行率80.00%，未执行30.00万元，扣2.00分');
  });

  it('needs no explanation at exactly 90%, and does just below (shown with enough decimals)', () => {
    const at = projectFunds({ allocations: [allocation('a', 2020, '100')], payments: [payment('p', 'a', '90')] }, 2020);
    expect(at.pointsCp).toBe(900);
    expect(at.flags).toEqual([]);
    // 89.9999 / 100 = 89.9999%: 9.0 points after rounding (8.99999), but below 90% all the same.
    const below = projectFunds({ allocations: [allocation('a', 2020, '100')], payments: [payment('p', 'a', '89.9999')] }, 2020);
    expect(below.pointsCp).toBe(900);
    expect(below.rateText).toBe('89.9999%');
    expect(below.flags.map((x) => x.code)).toEqual(['execution_below_90']);
  });

  it('caps an overspent project at 10 points, and leaves a project without budget unscored', () => {
    const over = projectFunds({ allocations: [allocation('a', 2020, '100')], payments: [payment('p', 'a', '110')] }, 2020);
    expect(over.pointsCp).toBe(1000);
    expect(over.rateText).toBe('110.00%');
    const none = projectFunds({ allocations: [allocation('a', 2020, '0')], payments: [] }, 2020);
    expect(none.pointsCp).toBeNull();
    expect(none.rateText).toBe('—');
    expect(none.flags.map((x) => x.code)).toEqual(['execution_not_applicable']);
  });
});

describe('the whole 自评表: total and grade', () => {
  /**
   * 产出 50 (one indicator, target 5), 效益 30 and 满意度 10 met; funds 1000万 with `executed` paid.
   * Output points = actual / 5 × 50.
   */
  function evaluate(outputActual: string, executed: string) {
    return scoreProjectEvaluation(
      {
        allocations: [allocation('a', 2020, '1000')],
        payments: [payment('p', 'a', executed)],
        evaluation: {
          indicators: [
            indicator({ level1: 'satisfaction', level2: '服务对象满意度指标', name: '满意度', direction: '>=', target: '90', actual: '95', unit: '%', weight: '10' }),
            indicator({ level1: 'output', name: '产出', direction: '>=', target: '5', actual: outputActual, weight: '50', note: '进度滞后' }),
            indicator({ level1: 'benefit', level2: '社会效益指标', name: '效益', direction: '<=', target: '0', actual: '0', unit: '次', weight: '30' }),
          ],
        },
      },
      2020,
    );
  }

  it('adds execution and indicator points, orders 产出/效益/满意度, and lists the losses', () => {
    // funds 999 / 1000 × 10 = 9.99; 产出 4 / 5 × 50 = 40.00; 效益 30; 满意度 10 → 89.99, 良
    const s = evaluate('4', '999');
    expect(s.indicators.map((i) => i.level1)).toEqual(['output', 'benefit', 'satisfaction']);
    expect(s.byLevel1.map((l) => [l.level1Zh, l.maxCp, l.pointsCp])).toEqual([['产出指标', 5000, 4000], ['效益指标', 3000, 3000], ['满意度指标', 1000, 1000]]);
    expect(s.maxCp).toBe(10000);
    expect(s.totalCp).toBe(8999);
    expect(s.final).toBe(true);
    expect(s.grade?.zh).toBe('良');
    expect(s.losses).toEqual([
      { whatZh: '产出', lostCp: 1000, reasonZh: '进度滞后' },
      { whatZh: '预算执行率', lostCp: 1, reasonZh: '预算执行率99.90%，未执行1.00万元，扣0.01分' },
    ]);
    expect(s.flags).toEqual([]);
  });

  it.each([
    // [产出 actual, executed 万元, total centipoints, grade]: 产出 = actual / 5 × 50; funds = executed / 1000 × 10
    ['4', '1000', 9000, '优'], // 40 + 30 + 10 + 10 = 90.00
    ['4', '999', 8999, '良'], // 40 + 30 + 10 + 9.99 = 89.99
    ['3', '1000', 8000, '良'], // 30 + 30 + 10 + 10 = 80.00
    ['3', '999', 7999, '中'], // 79.99
    ['1', '1000', 6000, '中'], // 10 + 30 + 10 + 10 = 60.00
    ['1', '999', 5999, '差'], // 59.99
  ])('产出 %s of 5, %s万元 paid → %i cp, %s', (actual, executed, total, grade) => {
    const s = evaluate(actual, executed);
    expect(s.totalCp).toBe(total);
    expect(s.grade?.zh).toBe(grade);
  });

  it('flags an unexplained deviation, weights that are not 90 and first-level weights off the default', () => {
    const s = scoreProjectEvaluation(
      {
        allocations: [allocation('a', 2020, '10')],
        payments: [payment('p', 'a', '10')],
        evaluation: {
          indicators: [
            indicator({ name: '开发模块', direction: '>=', target: '6', actual: '4', weight: '60' }),
            indicator({ level1: 'benefit', name: '接入单位', direction: '>=', target: '5', actual: '5', weight: '20' }),
          ],
        },
      },
      2020,
    );
    // 4 / 6 × 60 = 40.00; weights 60 + 20 = 80, not 90
    expect(s.indicators[0]?.pointsCp).toBe(4000);
    expect(s.flags.map((f) => f.code)).toEqual(['deviation_unexplained', 'weights_not_90']);
    expect(s.flags[0]?.zh).toBe('“开发模块”扣20.00分，未说明偏差原因');
    expect(s.maxCp).toBe(9000);

    const moved = scoreProjectEvaluation(
      {
        allocations: [allocation('a', 2020, '10')],
        payments: [payment('p', 'a', '10')],
        evaluation: { indicators: [indicator({ direction: '>=', target: '1', actual: '1', weight: '60' }), indicator({ level1: 'benefit', direction: '>=', target: '1', actual: '1', weight: '30' })] },
      },
      2020,
    );
    expect(moved.flags.map((f) => f.code)).toEqual(['level1_weights_not_default']);
    expect(moved.totalCp).toBe(10000);
  });

  it('has no grade while a part is unscored', () => {
    const s = scoreProjectEvaluation(
      {
        allocations: [allocation('a', 2020, '10')],
        payments: [],
        evaluation: { indicators: [indicator({ direction: '>=', target: '-1', actual: '1', weight: '90' })] },
      },
      2020,
    );
    expect(s.final).toBe(false);
    expect(s.grade).toBeNull();
    // funds 0 / 10 = 0% → 0 points; the indicator unscored (and all 90 points on 产出, off the default)
    expect(s.totalCp).toBe(0);
    expect(s.flags.map((f) => f.code)).toEqual(['execution_below_90', 'indicator_not_scorable', 'level1_weights_not_default']);
  });
});
