/**
 * Every stated total the unit-year holds is compared with its parts: a unit-year in which all of
 * them agree finds nothing, and a gap of 1 分 planted in any one comparison is found, to the 分 —
 * as rounding (information) when the figures were published in 万元 to two decimals (the
 * default), as a gap that must be acknowledged when they are stated to the 分.
 *
 * The balanced unit-year is the seed with its gaps closed (项目支出 = the itemised payments,
 * 支出合计 = 基本 + 项目, 上年结转结余 = the itemised carry-over, the 智慧大脑 allocation = what was
 * paid, 年末结转结余 stated as the itemised project balances and income to match), income split
 * by source, the 本年追加 stated, the shares left out (they are percentages, tested elsewhere) and
 * a 项目支出合计 row in its 基础数据表.
 */
import { describe, expect, it } from 'vitest';
import { seedUnitYear } from '../../tests/fixtures/seed';
import { parseWanYuan as wan } from '../money';
import { basicDataColumns } from './basic-data';
import { reconcile } from './reconcile';
import type { UnitYear } from './unit-year.schema';

function balanced(): UnitYear {
  const y = seedUnitYear();
  const s = y.stated;
  s.expenditure.project.amount = wan('2503.61');
  s.expenditure.total.amount = wan('2689.90');
  s.carryOver.amount = wan('721.06');
  delete s.expenditure.personnelShare;
  delete s.expenditure.publicShare;
  y.projects.find((p) => p.code === 'brain-gov-service')!.allocations[0]!.amount = wan('917.65');
  const b = y.basicData!;
  b.projects.find((r) => r.project === 'brain-gov-service')!.budget = wan('917.65');
  const itemised = reconcile(y).computed.balances.filter((x) => x.balance > 0).reduce((sum, x) => sum + x.balance, 0);
  s.closingBalance = { amount: itemised };
  s.income.total.amount = itemised + s.expenditure.total.amount - s.carryOver.amount;
  s.income.bySource = [
    { source: '财政拨款收入', amount: s.income.total.amount - wan('12.34') },
    { source: '其他收入', amount: wan('12.34') },
  ];
  s.budget.initial = { amount: b.budget.initial! };
  s.budget.adjusted = { amount: b.budget.adjusted! };
  s.budget.supplementary = { amount: b.budget.adjusted! - b.budget.initial! };
  b.projectsTotal = Object.fromEntries(basicDataColumns.map((c) => [c, b.projects.reduce((sum, r) => sum + r[c]!, 0)]));
  return y;
}

/** A change of one figure by 1 分 and what each reading of the figures must find: [code as published in 万元, code stated to the 分, stated − computed]. */
interface Plant {
  name: string;
  plant: (y: UnitYear) => void;
  finds: Array<[string, string, number]>;
}

const source0 = (y: UnitYear) => y.stated.income.bySource[0]!;
const bd = (y: UnitYear) => y.basicData!;

const plants: Plant[] = [
  // ── The ledger's stated totals ─────────────────────────────────────────────────────────────
  { name: '收入合计 against its sources', plant: (y) => (source0(y).amount += 1), finds: [['income_sources_rounding', 'income_sources_gap', -1]] },
  {
    name: '收入 + 上年结转结余 against 支出 + 年末结转结余', plant: (y) => { y.stated.income.total.amount += 1; source0(y).amount += 1; },
    finds: [['funds_balance_rounding', 'funds_balance_gap', 1]],
  },
  { name: '基本支出 against 人员经费 + 公用经费', plant: (y) => (y.stated.expenditure.personnel.amount += 1), finds: [['basic_composition_rounding', 'basic_composition_gap', -1]] },
  {
    name: '支出合计 against 基本支出 + 项目支出', plant: (y) => { y.stated.expenditure.basic.amount += 1; y.stated.expenditure.personnel.amount += 1; },
    finds: [['total_composition_rounding', 'total_composition_gap', -1]],
  },
  {
    name: '项目支出 against the itemised payments',
    plant: (y) => { y.stated.expenditure.project.amount += 1; y.stated.expenditure.basic.amount -= 1; y.stated.expenditure.personnel.amount -= 1; },
    // The 基础数据表's project rows are the itemised projects, so their sum against 项目支出 is this same finding, said once.
    finds: [['project_expenditure_rounding', 'project_expenditure_gap', 1]],
  },
  {
    name: 'an allocation’s balance against what is held back', plant: (y) => (y.projects.find((p) => p.holdbacks.length)!.holdbacks[0]!.amount += 1),
    finds: [['holdback_mismatch', 'holdback_mismatch', 1]],
  },
  {
    name: '上年结转结余 against the itemised carried-over allocations',
    plant: (y) => { y.stated.carryOver.amount += 1; y.stated.income.total.amount -= 1; source0(y).amount -= 1; },
    finds: [['carry_over_not_itemised', 'carry_over_not_itemised', 1]],
  },
  {
    name: '年末结转结余 against the itemised project balances',
    plant: (y) => { y.stated.closingBalance!.amount += 1; y.stated.income.total.amount += 1; source0(y).amount += 1; },
    finds: [['closing_balance_not_itemised', 'closing_balance_not_itemised', 1]],
  },
  {
    name: '年初预算 + 本年追加 against 全年预算', plant: (y) => (y.stated.budget.supplementary!.amount += 1),
    // The 追加 stated is also the figure 全年 − 年初 gives: the same arithmetic, said as the two places disagreeing.
    finds: [['figures_disagree', 'figures_disagree', -1], ['budget_adjustment_rounding', 'budget_adjustment_gap', -1]],
  },
  // ── The 基础数据表's stated totals ─────────────────────────────────────────────────────────
  { name: '部门整体支出预算调整·本年预算数 against 年初预算', plant: (y) => (bd(y).budgetAdjustment!.budget! += 1), finds: [['budget_adjustment_rounding', 'budget_adjustment_gap', 1]] },
  { name: '部门整体支出预算调整·本年决算数 against 全年预算', plant: (y) => (bd(y).budgetAdjustment!.final! += 1), finds: [['budget_adjustment_rounding', 'budget_adjustment_gap', 1]] },
  ...(['initial', 'adjusted', 'executed'] as const).map((field): Plant => ({
    name: `预算执行·${field} against its fund sources`, plant: (y) => (bd(y).budget.bySource[0]![field]! += 1), finds: [['fund_sources_rounding', 'fund_sources_gap', -1]],
  })),
  ...basicDataColumns.flatMap((c): Plant[] => [
    { name: `公务用车（${c}）against 购置 + 运行维护`, plant: (y) => (bd(y).threePublic.vehicleOperation![c]! += 1), finds: [['three_public_composition_rounding', 'three_public_composition_gap', -1]] },
    { name: `三公经费合计（${c}）against 公务用车 + 出国 + 公务接待`, plant: (y) => (bd(y).threePublic.reception![c]! += 1), finds: [['three_public_composition_rounding', 'three_public_composition_gap', -1]] },
    {
      name: `公用经费（${c}）against its 其中 rows`,
      plant: (y) => {
        const pf = bd(y).publicFunds;
        pf.office![c] = pf.total![c]! - pf.utilitiesTravel![c]! - pf.meetingsTraining![c]! + 1;
      },
      finds: [['public_funds_parts_rounding', 'public_funds_parts_exceed', -1]],
    },
    { name: `项目支出合计（${c}）against the project rows`, plant: (y) => (bd(y).projectsTotal![c]! += 1), finds: [['basic_data_projects_total_rounding', 'basic_data_projects_total_gap', 1]] },
  ]),
  { name: '项目支出 row·本年决算数 against the project’s payments', plant: (y) => { bd(y).projects[0]!.final! += 1; bd(y).projectsTotal!.final! += 1; }, finds: [['basic_data_project_rounding', 'basic_data_project_gap', 1]] },
  { name: '项目支出 row·本年预算数 against the project’s allocations', plant: (y) => { bd(y).projects[0]!.budget! += 1; bd(y).projectsTotal!.budget! += 1; }, finds: [['basic_data_project_rounding', 'basic_data_project_gap', 1]] },
  {
    name: '公用经费·本年决算数 given twice (基础数据表 and 申报数)', plant: (y) => { bd(y).publicFunds.total!.final! += 1; },
    finds: [['figures_disagree', 'figures_disagree', 1]],
  },
  {
    name: 'project rows that are not the itemised projects, against 项目支出',
    plant: (y) => {
      for (const r of bd(y).projects) delete r.project;
      bd(y).projects[0]!.final! += 1;
      bd(y).projectsTotal!.final! += 1;
    },
    finds: [['basic_data_projects_total_rounding', 'basic_data_projects_total_gap', -1]],
  },
  {
    name: '项目支出合计·本年决算数 against 项目支出 when a row leaves it blank',
    plant: (y) => {
      delete bd(y).projects[0]!.final;
      bd(y).projectsTotal!.final! += 1;
    },
    finds: [['basic_data_projects_total_rounding', 'basic_data_projects_total_gap', 1]],
  },
];

const found = (y: UnitYear, exact: boolean) =>
  reconcile(y, exact ? { statedRoundingUnitFen: 1 } : {}).findings.map((f) => [f.code, f.difference] as const).sort(([a], [b]) => a.localeCompare(b));

describe('every stated total against its parts, to the 分', () => {
  it('finds nothing where every total agrees with its parts', () => {
    expect(found(balanced(), false)).toEqual([]);
    expect(found(balanced(), true)).toEqual([]);
  });

  it('finds nothing in a balanced table whose rows leave a column blank, or are not the itemised projects', () => {
    const blank = balanced();
    delete bd(blank).projects[0]!.final;
    expect(found(blank, true)).toEqual([]);
    const unlinked = balanced();
    for (const r of bd(unlinked).projects) delete r.project;
    expect(found(unlinked, true)).toEqual([]);
  });

  it.each(plants)('$name: a planted gap of 1 分 is found', ({ plant, finds }) => {
    const y = balanced();
    plant(y);
    // Published in 万元: inside the rounding tolerance, said as rounding (or, where there is none, found as it is).
    expect(found(y, false)).toEqual(finds.map(([code, , diff]) => [code, diff]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    // Stated to the 分: a gap to acknowledge.
    const exact = reconcile(y, { statedRoundingUnitFen: 1 }).findings;
    expect(exact.map((f) => [f.code, f.difference]).sort(([a], [b]) => String(a).localeCompare(String(b)))).toEqual(finds.map(([, code, diff]) => [code, diff]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    expect(exact.every((f) => f.blocking)).toBe(true);
  });

  it('a stated 控制率 off by 0.01% is found (在职 12 ÷ 编制 16 = 75.00%, stated 75.01%)', () => {
    const y = balanced();
    bd(y).staff.controlRate!.final = 7501;
    expect(found(y, false)).toEqual([['staff_rate_gap', 1]]);
  });
});
