import { describe, expect, it } from 'vitest';
import { seedViewModel } from '../../tests/fixtures/report';
import { seedUnitYear } from '../../tests/fixtures/seed';
import { parseWanYuan } from '../money';
import { scoreProjectEvaluation } from '../project-evaluation';
import type { Block, Cell } from './content';
import { composeReport } from './compose';
import { analyseUnitYear } from '../ledger/analysis';
import { gatherReport } from './view-model';
import { holdbackReason, holdbackScheduleAnnex, projectEvaluationTable, projectExpenditure } from './sections';
import type { HoldbackView, ProjectEvaluationView } from './view-model';

const text = (blocks: Block[]) =>
  blocks.map((b) => (b.kind === 'paragraph' ? (typeof b.text === 'string' ? b.text : b.text.map((x) => (typeof x === 'string' ? x : x.text)).join('')) : b.kind === 'heading' ? b.text : '')).join('\n');

const retention: HoldbackView = { code: 'r', kind: 'retention', amount: 1, condition: '质保金，根据合同要求，应于质保期届满进行支付', status: 'waiting', dueOn: '2021-08-31' as never, acceptedOn: '2020-08-31', warrantyMonths: 12 };

describe('report sections', () => {
  it('explains each kind of holdback from its state', () => {
    expect(holdbackReason(retention)).toBe('为质保金，根据合同要求，应于质保期届满进行支付；项目于2020年8月完成竣工验收，质保期1年，2021年8月31日到期，尚未届满，该笔质保金暂未支付');
    expect(holdbackReason({ ...retention, status: 'payable' })).toContain('质保期已届满，待支付');
    expect(holdbackReason({ ...retention, status: 'released' })).toBe('已支付');
    const om: HoldbackView = { code: 'o', kind: 'om_assessment', amount: 1, condition: '根据考核结果支付', status: 'waiting', period: '2020' };
    expect(holdbackReason(om)).toBe('根据考核结果支付，2020年度运维考核尚未完成，该笔费用暂未支付');
    expect(holdbackReason({ ...om, assessment: { period: '2020', passed: false } })).toContain('由于2020年度运维考核尚未达到要求');
    expect(holdbackReason({ ...om, status: 'payable' })).toBe('根据考核结果支付，2020年度运维考核已通过，待支付');
    expect(holdbackReason({ code: 'a', kind: 'acceptance', amount: 1, condition: '验收合格后支付剩余款项', status: 'waiting', paymentTermDays: 30 })).toBe('验收合格后支付剩余款项（验收合格后30日内付款）');
    expect(holdbackReason({ code: 'm', kind: 'milestone', amount: 1, condition: '待升级完成后支付', status: 'payable', milestone: '系统升级改造完成' })).toBe('系统升级改造完成，待支付');
    expect(holdbackReason({ code: 'm', kind: 'milestone', amount: 1, condition: '待验收后支付', status: 'payable', milestone: '二期验收' })).toBe('二期验收已完成，待支付');
    expect(holdbackReason({ code: 'm', kind: 'milestone', amount: 1, condition: '待系统升级改造项目完成后进行支付', status: 'waiting', milestone: '系统升级改造项目完成' })).toBe('待系统升级改造项目完成后进行支付');
  });

  it('writes a balance that no holdback explains as unexplained, and a partly explained one with the rest', () => {
    const vm = seedViewModel();
    const brain = vm.projects.find((p) => p.code === 'brain-gov-service')!;
    brain.allocations[0]!.holdbacks = [{ ...retention, amount: 10_000, status: 'waiting' }];
    brain.allocations[0]!.unexplained = 340_000;
    const out = text(projectExpenditure(vm, 2));
    expect(out).toContain('其中0.01万元为质保金');
    expect(out).toContain('另有0.34万元结余原因未说明');
  });

  it('lists what is still owed on each holdback in the withheld-payments schedule', () => {
    const rowsOf = (blocks: Block[]) => {
      const table = blocks.find((b) => b.kind === 'table');
      if (table?.kind !== 'table') throw new Error('no table');
      return table.rows.map((r) => r.map((c) => (c === null ? '' : typeof c === 'string' ? c : c.text)));
    };
    // From the ledger: the seed's five holdbacks in full, the retentions due on working days.
    const fromLedger = rowsOf(holdbackScheduleAnnex(seedViewModel(), 'x'));
    expect(fromLedger.map((r) => [r[1], r[2], r[4]])).toEqual([
      ['运维考核', '83.69', '2020年度考核通过后'],
      ['质保金', '10.92', '2021年8月31日'],
      ['质保金', '7.62', '2021年8月31日'],
      ['里程碑', '98.51', '系统升级改造项目完成后'],
      ['验收后支付', '45.94', '验收合格后30日内'],
    ]);
    // As the workflows keep it: a retention partly released with its due date moved by a defect,
    // the acceptance balance transferred into a retention of its own, released holdbacks gone.
    const vm = seedViewModel();
    vm.holdbackSchedule = [
      { code: 'one-thing-once-retention', projectName: '智慧城市项目', kind: 'retention', condition: '质保期满后支付', status: 'partially_released', outstanding: parseWanYuan('5'), released: parseWanYuan('5.92'), dueOn: '2021-10-08' },
      { code: 'fiscal-platform-acceptance-retention', projectName: '财税平台', kind: 'retention', condition: '质保期满后支付', status: 'waiting', outstanding: parseWanYuan('4.62'), released: 0, dueOn: '2022-03-01' },
    ];
    expect(rowsOf(holdbackScheduleAnnex(vm, 'x'))).toEqual([
      ['智慧城市项目', '质保金', '5.00（已付5.92）', expect.any(String), '2021年10月8日', '部分支付'],
      ['财税平台', '质保金', '4.62', expect.any(String), '2022年3月1日', '等待条件'],
    ]);
    vm.holdbackSchedule = [];
    expect(rowsOf(holdbackScheduleAnnex(vm, 'x'))).toEqual([['无暂缓支付资金。', '', '', '', '', '']]);
  });

  it('numbers headings consistently and names the sections it proceeded without', () => {
    const vm = seedViewModel();
    vm.missingSections = [{ section: '信息安全科', reason: '人员外派' }];
    const doc = composeReport(vm);
    const headings = doc.blocks.filter((b) => b.kind === 'heading' && b.level === 1).map((b) => (b.kind === 'heading' ? b.text : ''));
    expect(headings).toEqual(['一、单位基本情况', '二、一般公共预算支出情况', '三、部门整体支出绩效情况', '四、存在的问题及原因分析', '五、下一步改进措施']);
    expect(text(doc.blocks)).toContain('注：信息安全科未提交自评材料（人员外派），本报告未包含其内容。');
    const annexes = (d: typeof doc) => d.blocks.filter((b) => b.kind === 'annex').map((b) => (b.kind === 'annex' ? b.title : ''));
    expect(annexes(doc)).toEqual([
      '附件1 部门整体支出绩效自评表', '附件2 部门整体支出绩效评价基础数据表', '附件3 项目支出绩效自评表', '附件4 项目支出明细表', '附件5 对账说明', '附件6 暂缓支付资金到期安排表',
    ]);
    // Without a 基础数据表 the annex is left out and the rest keep consecutive numbers.
    const without = composeReport({ ...vm, basicData: undefined });
    expect(annexes(without)).toEqual([
      '附件1 部门整体支出绩效自评表', '附件2 项目支出绩效自评表', '附件3 项目支出明细表', '附件4 对账说明', '附件5 暂缓支付资金到期安排表',
    ]);
    expect(text(without.blocks)).toContain('详见附件4'); // 对账说明, from 二、（二）
    expect(text(without.blocks)).toContain('评价等级为“良”（详见附件2）'); // the project 自评表
    // Without any project 自评表 there is no such annex, and 二、（二） names no project score.
    const none = composeReport({ ...vm, projectEvaluations: [] });
    expect(annexes(none)).toEqual([
      '附件1 部门整体支出绩效自评表', '附件2 部门整体支出绩效评价基础数据表', '附件3 项目支出明细表', '附件4 对账说明', '附件5 暂缓支付资金到期安排表',
    ]);
    expect(text(none.blocks)).not.toContain('项目支出绩效自评得分');
  });

  it('numbers the Hunan outline\'s annexes from its own order, skipping the empty ones, and says what is missing rather than invent it', () => {
    const vm = { ...seedViewModel(), basicData: undefined, projectEvaluations: [], holdbackSchedule: [] };
    const doc = composeReport(vm, 'hunan-department-8');
    const annexes = doc.blocks.filter((b) => b.kind === 'annex').map((b) => (b.kind === 'annex' ? b.title : ''));
    // basicData (first in this outline) and projectEvaluations have nothing to show: no number.
    expect(annexes).toEqual(['附件1 部门整体支出绩效自评表', '附件2 项目支出明细表', '附件3 对账说明', '附件4 暂缓支付资金到期安排表']);
    const all = text(doc.blocks);
    expect(all).toContain('（详见附件1）。其中投入'); // the score, in 四
    expect(all).toContain('本年度无按合同约定暂缓支付的资金。');
    expect(all).toContain('本年度未对单个项目开展项目支出绩效自评。');
    // No 三公经费 anywhere (no 基础数据表, none stated): said so.
    expect(all).toContain('“三公”经费预算和支出未填报。');
  });

  it('refuses an outline it does not know, naming the ones it does', () => {
    expect(() => composeReport(seedViewModel(), 'hunan-2025')).toThrow(/hunan-2025.*yiyang-2020.*hunan-department-8.*nanxian-score-first/s);
  });
});

/** Checks that every row fills the grid exactly: covered cells (`null`) where a span covers them, cells elsewhere. */
function gridProblems(rows: Cell[][], columns: number): string[] {
  const problems: string[] = [];
  const coveredFromAbove = new Map<string, boolean>();
  rows.forEach((row, r) => {
    if (row.length !== columns) problems.push(`row ${r}: ${row.length} cells`);
    const coveredHere = new Set<number>();
    for (let c = 0; c < columns; c++) {
      const cell = row[c];
      const fromAbove = coveredFromAbove.get(`${r}/${c}`) === true;
      if (fromAbove || coveredHere.has(c)) {
        if (cell !== null) problems.push(`row ${r} col ${c}: should be covered`);
        continue;
      }
      if (cell === null || cell === undefined) {
        problems.push(`row ${r} col ${c}: covered by nothing`);
        continue;
      }
      const colSpan = typeof cell === 'object' ? (cell.colSpan ?? 1) : 1;
      const rowSpan = typeof cell === 'object' ? (cell.rowSpan ?? 1) : 1;
      for (let dc = 0; dc < colSpan; dc++) {
        if (dc > 0) coveredHere.add(c + dc);
        for (let dr = 1; dr < rowSpan; dr++) coveredFromAbove.set(`${r + dr}/${c + dc}`, true);
      }
    }
  });
  if ([...coveredFromAbove.keys()].some((k) => Number(k.split('/')[0]) >= rows.length)) problems.push('a row span runs past the last row');
  return problems;
}

describe('项目支出绩效自评表 annex', () => {
  const cellText = (c: Cell) => (c === null ? '' : typeof c === 'string' ? c : typeof c.text === 'string' ? c.text : c.text.map((x) => (typeof x === 'string' ? x : x.text)).join(''));
  const formOf = (blocks: Block[]) => {
    const table = blocks.find((b) => b.kind === 'table');
    if (table?.kind !== 'table') throw new Error('no table');
    return table;
  };

  it('lays the seed project out as a nine-column form whose merged cells fill the grid', () => {
    const vm = seedViewModel();
    const [e] = vm.projectEvaluations;
    if (!e) throw new Error('the seed has an example project 自评表');
    const form = formOf(projectEvaluationTable(vm, e));
    expect(form.headerRow).toBe(false);
    expect(form.keepTogether).toBe(true);
    expect(form.columns.length).toBe(9);
    expect(gridProblems(form.rows, 9)).toEqual([]);
    const rows = form.rows.map((r) => r.map(cellText).filter((x) => x !== ''));
    expect(rows[0]).toEqual(['项目名称', '市本级及四区财税综合信息平台建设经费']);
    // 46.52 ÷ 92.46 = 50.31%, × 10 = 5.03
    expect(rows[3]).toEqual(['年度资金总额', '92.46', '92.46', '46.52', '10', '50.31%', '5.03']);
    expect(rows.at(-4)).toEqual(['总分', '100', '82.36', '评价等级：良']);
    expect(form.note).toBe('注：预算执行率50.31%，低于90%：未执行的45.94万元为验收后支付的款项，根据合同要求，应于验收合格后支付剩余款项（验收合格后30日内付款）。');
  });

  it('merges 一级 and consecutive equal 二级 cells, shows 未说明偏差原因 and 未评分, and explains unspent money from the ledger', () => {
    const vm = seedViewModel();
    const base = vm.projectEvaluations[0]!;
    const extranet = seedUnitYear().projects.find((x) => x.code === 'extranet')!;
    const evaluation = {
      goal: base.evaluation.goal,
      indicators: [
        { level1: 'output' as const, level2: '数量指标', name: '甲', unit: '个', direction: '>=' as const, target: '4', actual: '3', weight: '20' },
        { level1: 'output' as const, level2: '数量指标', name: '乙', unit: '个', direction: '>=' as const, target: '2', actual: '2', weight: '30' },
        { level1: 'benefit' as const, level2: '社会效益指标', name: '丙', unit: '个', direction: '>=' as const, target: '-1', actual: '1', weight: '30' },
        { level1: 'satisfaction' as const, level2: '服务对象满意度指标', name: '丁', unit: '%', direction: '>=' as const, target: '90', actual: '90', weight: '10' },
      ],
    };
    const e: ProjectEvaluationView = { code: 'extranet', name: extranet.name, implementer: '测试单位', evaluation, score: scoreProjectEvaluation({ ...extranet, evaluation }, 2020) };
    const form = formOf(projectEvaluationTable(vm, e));
    expect(gridProblems(form.rows, 9)).toEqual([]);
    expect(form.rows[1]?.map(cellText)).toEqual(['主管部门', '', '—', '', '', '实施单位', '', '测试单位', '']);
    // Funds: 2020 外网运维 180 (81.49 paid), 2019 结余 119.56 carried over (all paid): 201.05 ÷ 299.56 = 67.115…% → 6.71.
    const funds = form.rows.slice(3, 7).map((r) => r.map(cellText).filter((x) => x !== ''));
    expect(funds).toEqual([
      ['年度资金总额', '180.00', '299.56', '201.05', '10', '67.12%', '6.71'],
      ['其中：本年财政拨款', '180.00', '180.00', '81.49', '—', '45.27%', '—'],
      ['上年结转资金', '0.00', '119.56', '119.56', '—', '100.00%', '—'],
      ['其他资金', '0.00', '0.00', '0.00', '—', '—', '—'],
    ]);
    const indicatorRows = form.rows.slice(10, 14);
    expect(indicatorRows[0]?.[1]).toMatchObject({ text: '产出指标', rowSpan: 2 });
    expect(indicatorRows[0]?.[2]).toMatchObject({ text: '数量指标', rowSpan: 2 });
    expect(indicatorRows[1]?.[1]).toBeNull();
    expect(indicatorRows[1]?.[2]).toBeNull();
    // 甲 3 ÷ 4 × 20 = 15.00, 5 lost without a reason; 丙 has a negative target: unscored.
    expect(indicatorRows.map((r) => [cellText(r[3] ?? null), cellText(r[7] ?? null), cellText(r[8] ?? null)])).toEqual([
      ['甲', '15.00', '未说明偏差原因'],
      ['乙', '30.00', ''],
      ['丙', '未评分', '目标值或实际值为负数，无法按完成比例计算，须人工评分'],
      ['丁', '10.00', ''],
    ]);
    // 6.71 + 15 + 30 + 10 = 61.71 so far, no grade; no footer rows without 评价结论 etc.
    expect(form.rows.at(-1)?.map(cellText).filter((x) => x !== '')).toEqual(['总分', '100', '61.71', '尚有指标未评分，暂不评定等级']);
    // The 98.51 unspent is the milestone holdback, in full.
    expect(form.note).toContain('预算执行率67.12%，低于90%：未执行的98.51万元为约定事项完成后支付的款项，待系统升级改造项目完成后进行支付。');
    expect(form.note).toContain('“甲”扣5.00分，未说明偏差原因，须补充。');
    expect(form.note).toContain('“丙”目标值或实际值为负数');
    // Part of it explained, part not: both said.
    const allocation = vm.projects.find((x) => x.code === 'extranet')!.allocations.find((a) => a.code === 'extranet-om-2020')!;
    allocation.holdbacks = allocation.holdbacks.map((hb) => ({ ...hb, amount: parseWanYuan('90') }));
    allocation.unexplained = parseWanYuan('8.51');
    expect(formOf(projectEvaluationTable(vm, e)).note).toContain('未执行的98.51万元中，90.00万元为约定事项完成后支付的款项，待系统升级改造项目完成后进行支付；8.51万元原因未说明。');
  });

  it('lists the evidence files the score cites, with the indicators each supports, as an annex after the 自评表', () => {
    const unitYear = seedUnitYear();
    const entries = unitYear.selfAssessment!.entries.map((e) => ({ ...e, evidence: e.indicator === 'social_benefit' || e.indicator === 'satisfaction' ? [7] : e.indicator === 'budget_rules' ? [8] : [] }));
    const analysis = analyseUnitYear(unitYear, { selfAssessment: entries, evidenceNames: new Map([[7, '满意度调查汇总.pdf'], [8, '内控制度汇编.docx'], [9, '未引用.txt']]) });
    const files = [
      { fileName: '满意度调查汇总.pdf', sha256: 'a'.repeat(64), sizeBytes: 2048, section: null },
      { fileName: '内控制度汇编.docx', sha256: 'b'.repeat(64), sizeBytes: 3 * 1024 * 1024, section: 'general' },
      { fileName: '未引用.txt', sha256: 'c'.repeat(64), sizeBytes: 10, section: null },
    ];
    const doc = composeReport(gatherReport({ unitYear, analysis, reportDate: '2021-04-30' as never, draft: false, version: 1, evidence: files }));
    const annexes = doc.blocks.filter((b) => b.kind === 'annex').map((b) => (b.kind === 'annex' ? b.title : ''));
    expect(annexes.slice(0, 3)).toEqual(['附件1 部门整体支出绩效自评表', '附件2 佐证材料清单', '附件3 部门整体支出绩效评价基础数据表']);
    const table = doc.blocks[doc.blocks.findIndex((b) => b.kind === 'annex' && b.title === '附件2 佐证材料清单') + 1]!;
    expect(table.kind === 'table' ? table.rows : []).toEqual([
      ['1', '满意度调查汇总.pdf', '社会效益、社会公众或服务对象满意度', '财务', '2 KB', 'aaaaaaaaaaaaaaaa'],
      ['2', '内控制度汇编.docx', '管理制度健全性', '综合科', '3.0 MB', 'bbbbbbbbbbbbbbbb'],
    ]);
    // Without evidence there is no such annex, and the numbering is the seed's.
    expect(composeReport(gatherReport({ unitYear, analysis: analyseUnitYear(unitYear), reportDate: '2021-04-30' as never, draft: false, version: 1 })).blocks.some((b) => b.kind === 'annex' && b.title.includes('佐证材料'))).toBe(false);
  });
});
