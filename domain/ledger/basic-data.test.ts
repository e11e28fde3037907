import { describe, expect, it } from 'vitest';
import { basicDataProblems, basicDataSchema, type BasicDataInput } from './basic-data';

/** A small table that adds up (amounts in 万元 as a person types them). */
const table = (): BasicDataInput => ({
  source: '测试',
  staff: { authorisedPosts: { final: 16 }, inPost: { final: 12 }, controlRate: { final: '75%' } },
  threePublic: {
    total: { budget: '10万元', final: '8.5万元' },
    vehicles: { budget: '8万元', final: '7.1万元' },
    vehiclePurchase: { budget: '0万元', final: '0万元' },
    vehicleOperation: { budget: '8万元', final: '7.1万元' },
    abroad: { budget: '0万元', final: '0万元' },
    reception: { budget: '2万元', final: '1.4万元' },
  },
  projects: [
    { name: '甲项目', final: '100万元' },
    { name: '乙项目', final: '50.25万元' },
  ],
  projectsTotal: { final: '150.25万元' },
  publicFunds: { total: { final: '46.88万元' }, office: { final: '12.76万元' }, utilitiesTravel: { final: '9.12万元' }, meetingsTraining: { final: '0.86万元' } },
  budget: { initial: '1850万元', adjusted: '2217.42万元', bySource: [{ source: '一般公共预算', initial: '1800万元', adjusted: '2167.42万元' }, { source: '其他资金', initial: '50万元', adjusted: '50万元' }] },
});
const problemsOf = (input: BasicDataInput) => basicDataProblems(basicDataSchema.parse(input));

describe('the 基础数据表 adds up by itself', () => {
  it('finds nothing in a table whose columns add up', () => {
    expect(problemsOf(table())).toEqual([]);
  });

  it('names every column that does not add up, with both sides to the 分', () => {
    const t = table();
    t.threePublic!.total = { budget: '10万元', final: '8.51万元' }; // parts: 7.1 + 0 + 1.4 = 8.5
    t.projectsTotal = { final: '150.24万元' }; // rows: 100 + 50.25 = 150.25
    t.budget!.adjusted = '2217.43万元'; // sources: 2167.42 + 50 = 2217.42
    const problems = problemsOf(t);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['basicData.threePublic.total.final', 'columns_do_not_add_up'],
      ['basicData.projectsTotal.final', 'columns_do_not_add_up'],
      ['basicData.budget.adjusted', 'columns_do_not_add_up'],
    ]);
    expect(problems[0]!.zh).toBe('“三公”经费合计（本年决算数） 85,100.00 元，但 公务用车购置和维护 71,000.00 元 + 出国经费 0.00 元 + 公务接待 14,000.00 元 = 85,000.00 元，相差 100.00 元');
  });

  it('checks the vehicles row against its two parts, the public funds parts against the total, and the stated control rate', () => {
    const t = table();
    t.threePublic!.vehicleOperation = { budget: '8万元', final: '7万元' }; // 0 + 7 ≠ 7.1
    t.publicFunds!.office = { final: '40万元' }; // 40 + 9.12 + 0.86 = 49.98 > 46.88
    t.staff!.controlRate = { final: '75.01%' }; // 12 ÷ 16 = 75.00%
    expect(problemsOf(t).map((p) => [p.path, p.code])).toEqual([
      ['basicData.threePublic.vehicles.final', 'columns_do_not_add_up'],
      ['basicData.publicFunds.total.final', 'parts_exceed_total'],
      ['basicData.staff.controlRate.final', 'rate_does_not_match'],
    ]);
  });

  it('rounds the control rate half-up to 0.01% (136 ÷ 143 = 95.1048…% is 95.10%) and leaves incomplete rows alone', () => {
    const t = table();
    t.staff = { authorisedPosts: { final: 143 }, inPost: { final: 136 }, controlRate: { final: '95.10%' } };
    t.threePublic!.abroad = {}; // a part left blank: the total is not checked
    t.threePublic!.total = { final: '99万元' };
    expect(problemsOf(t)).toEqual([]);
    t.staff.controlRate = { final: '95.11%' };
    expect(problemsOf(t).map((p) => p.code)).toEqual(['rate_does_not_match']);
  });
});
