import { describe, expect, it } from 'vitest';
import { seedUnitYear } from '../../tests/fixtures/seed';
import { parseWanYuan } from '../money';
import { carryOverAgeing } from './carry-over';
import { reconcile } from './reconcile';
import type { UnitYear } from './unit-year.schema';

const wan = parseWanYuan;

describe('reconciling the seed report', () => {
  const seed = seedUnitYear();
  const result = reconcile(seed);
  const byCode = (code: string) => result.findings.filter((f) => f.code === code);

  it('accounts for every difference between the stated totals and the items, with its amount', () => {
    // Differences worked out by hand from the seed's own figures (万元):
    expect(byCode('project_expenditure_gap')).toEqual([
      expect.objectContaining({ stated: wan('2510.63'), computed: wan('2503.61'), difference: wan('7.02'), blocking: true }),
    ]);
    expect(byCode('balance_without_holdback')).toEqual([
      expect.objectContaining({ project: 'brain-gov-service', difference: wan('918') - wan('917.65') }),
    ]);
    expect(byCode('carry_over_not_itemised')).toEqual([
      expect.objectContaining({ stated: wan('993.56'), computed: wan('491') + wan('119.56') + wan('110.5'), difference: wan('272.50') }),
    ]);
    expect(byCode('closing_balance_not_stated')).toEqual([
      expect.objectContaining({ computed: wan('2217.42') + wan('993.56') - wan('2696.91') }),
    ]);
    expect(byCode('total_composition_rounding')).toEqual([
      expect.objectContaining({ stated: wan('2696.91'), computed: wan('186.29') + wan('2510.63'), difference: -wan('0.01'), severity: 'info', blocking: false }),
    ]);
  });

  it('reports the seed\'s rounding of the personnel and public shares as rounding', () => {
    const shares = byCode('share_rounding');
    expect(shares.map((f) => [f.stated, f.severity, f.blocking])).toEqual([
      [7500, 'info', false],
      [2500, 'info', false],
    ]);
    // 139.41 / 186.29 = 74.835…% and 46.88 / 186.29 = 25.165…%
    expect(shares[0]?.computed).toBe(7483);
    expect(shares[1]?.computed).toBe(2517);
    expect(shares[0]?.zh).toBe('人员经费占基本支出比例申报 75%，按 139.41 ÷ 186.29 计算为 74.83%，系四舍五入所致。');
    expect(byCode('share_gap')).toEqual([]);
  });

  it('finds nothing where the seed is consistent', () => {
    expect(byCode('basic_composition_gap')).toEqual([]);
    expect(byCode('basic_composition_rounding')).toEqual([]);
    expect(byCode('holdback_mismatch')).toEqual([]);
    expect(byCode('allocation_overspent')).toEqual([]);
    expect(byCode('staff_over_quota')).toEqual([]);
    expect(result.findings).toHaveLength(8);
  });

  it('shows the closing balance the project balances do not account for: 514.07 − 247.03 = 267.04 万元', () => {
    const gap = byCode('closing_balance_not_itemised')[0]!;
    expect([gap.stated, gap.computed, gap.difference]).toEqual([wan('514.07'), wan('247.03'), wan('267.04')]);
    expect(gap.items.filter((i) => i.side === 'computed').reduce((a, i) => a + (i.amount ?? 0), 0)).toBe(wan('247.03'));
    expect(gap.zh).toContain('另有 267.04 万元 未逐项列明');
  });

  it('explains each finding in one Chinese sentence with amounts in 万元 to two decimals', () => {
    for (const f of result.findings) {
      expect(f.zh).toMatch(/。$/);
      expect(f.zh.split('。').filter(Boolean)).toHaveLength(1);
      for (const amount of f.zh.match(/\d+(\.\d+)? 万元/g) ?? []) expect(amount).toMatch(/^\d+\.\d{2} 万元$/);
    }
    expect(byCode('project_expenditure_gap')[0]?.zh).toBe('项目支出申报 2510.63 万元，逐项列明的支付合计 2503.61 万元，有 7.02 万元 未逐项列明。');
  });

  it('names the items on each side', () => {
    const gap = byCode('project_expenditure_gap')[0]!;
    expect(gap.items.filter((i) => i.side === 'stated').map((i) => i.label)).toEqual(['项目支出']);
    expect(gap.items.filter((i) => i.kind === 'payment')).toHaveLength(10);
    const brain = byCode('balance_without_holdback')[0]!;
    expect(brain.items.map((i) => [i.side, i.kind, i.amount])).toEqual([
      ['stated', 'allocation', wan('918')],
      ['computed', 'payment', wan('917.65')],
    ]);
  });

  it('computes each allocation\'s balance against its holdbacks', () => {
    const b = (code: string) => result.computed.balances.find((x) => x.allocation === code);
    expect(b('xueliang-police')).toMatchObject({ balance: wan('83.69'), heldBack: wan('83.69') });
    expect(b('one-thing-once')).toMatchObject({ balance: wan('10.92'), heldBack: wan('10.92') });
    expect(b('extranet-om-2020')).toMatchObject({ balance: wan('98.51'), heldBack: wan('98.51') });
    expect(b('fiscal-platform-2020')).toMatchObject({ balance: wan('45.94'), heldBack: wan('45.94') });
    expect(b('power-2019')).toMatchObject({ balance: 0, heldBack: 0 });
  });
});

describe('reconciliation rules on made-up cases', () => {
  function variant(edit: (y: UnitYear) => void): UnitYear {
    const y = structuredClone(seedUnitYear());
    edit(y);
    return y;
  }

  it('treats a difference beyond the rounding tolerance as a gap', () => {
    const y = variant((d) => (d.stated.expenditure.total.amount = wan('2696.89')));
    const f = reconcile(y).findings.find((x) => x.code.startsWith('total_composition'));
    expect(f).toMatchObject({ code: 'total_composition_gap', severity: 'error', blocking: true, difference: -wan('0.03') });
  });

  it('uses the tolerance it is given', () => {
    const y = variant((d) => (d.stated.expenditure.total.amount = wan('2696.89')));
    const f = reconcile(y, { statedRoundingUnitFen: wan('0.1') }).findings.find((x) => x.code.startsWith('total_composition'));
    expect(f?.code).toBe('total_composition_rounding');
  });

  it('flags a wrong share that rounding cannot explain', () => {
    const y = variant((d) => (d.stated.expenditure.personnelShare = { shareBp: 7600 }));
    expect(reconcile(y).findings.find((f) => f.code === 'share_gap')).toMatchObject({ stated: 7600, computed: 7483, blocking: true });
  });

  it('compares a stated closing balance', () => {
    const y = variant((d) => (d.stated.closingBalance = { amount: wan('514.07') }));
    const codes = reconcile(y).findings.map((f) => f.code);
    expect(codes).not.toContain('closing_balance_not_stated');
    expect(codes).not.toContain('funds_balance_gap');
    const off = variant((d) => (d.stated.closingBalance = { amount: wan('500') }));
    expect(reconcile(off).findings.find((f) => f.code === 'funds_balance_gap')).toMatchObject({ difference: wan('14.07') });
  });

  it('finds overspent allocations, mismatched holdbacks and staff over quota', () => {
    const y = variant((d) => {
      d.projects[3]!.payments[1]!.amount = wan('136'); // power 2020: 135 allocated
      d.projects[0]!.holdbacks[1]!.amount = wan('10'); // one-thing-once balance is 10.92
      d.staff.actual = 17;
    });
    const byCode = Object.fromEntries(reconcile(y).findings.map((f) => [f.code, f]));
    expect(byCode['allocation_overspent']).toMatchObject({ allocation: 'power-2020', difference: -wan('1') });
    expect(byCode['holdback_mismatch']).toMatchObject({ allocation: 'one-thing-once', difference: -wan('0.92') });
    expect(byCode['staff_over_quota']).toMatchObject({ stated: 16, computed: 17, difference: -1 });
  });
});

describe('carry-over ageing', () => {
  it('flags balances of this year for recovery next year, and older ones as recoverable now', () => {
    const seed = seedUnitYear();
    const flags = carryOverAgeing(seed, reconcile(seed).computed.balances);
    // The seed's 2019 carry-overs were all spent; its 2020 balances age one year.
    expect(flags.every((f) => f.status === 'recoverable_next_year' && f.originalYear === 2020)).toBe(true);
    expect(flags.map((f) => f.allocation).sort()).toEqual(
      ['brain-gov-service-2020', 'extranet-om-2020', 'fiscal-platform-2020', 'one-city-one-platform', 'one-thing-once', 'xueliang-police'].sort(),
    );
    expect(flags.find((f) => f.allocation === 'extranet-om-2020')?.holdbacks).toEqual(['extranet-upgrade']);
  });

  it('keeps the original year of re-purposed money', () => {
    const y = structuredClone(seedUnitYear());
    const a = y.projects[2]!.allocations[0]!; // extranet 2019 carry-over, fully paid
    a.originalBudgetYear = 2018;
    y.projects[2]!.payments[0]!.amount = wan('100'); // leave 19.56 unspent
    const flags = carryOverAgeing(y, reconcile(y).computed.balances);
    const flag = flags.find((f) => f.allocation === 'extranet-2019');
    expect(flag).toMatchObject({ status: 'recoverable', originalYear: 2018, yearsUnspent: 3, unspent: wan('19.56') });
    expect(flag?.zh).toContain('原 2018 年预算资金');
  });
});
