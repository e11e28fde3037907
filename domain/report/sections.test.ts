import { describe, expect, it } from 'vitest';
import { seedViewModel } from '../../tests/fixtures/report';
import { parseWanYuan } from '../money';
import type { Block } from './content';
import { composeReport } from './compose';
import { holdbackReason, holdbackScheduleAnnex, projectExpenditure } from './sections';
import type { HoldbackView } from './view-model';

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
    expect(doc.blocks.filter((b) => b.kind === 'annex').map((b) => (b.kind === 'annex' ? b.title : ''))).toEqual([
      '附件1 部门整体支出绩效自评表', '附件2 部门整体支出绩效评价基础数据表', '附件3 项目支出明细表', '附件4 对账说明', '附件5 暂缓支付资金到期安排表',
    ]);
    // Without a 基础数据表 the annex is left out and the rest keep consecutive numbers.
    const without = composeReport({ ...vm, basicData: undefined });
    expect(without.blocks.filter((b) => b.kind === 'annex').map((b) => (b.kind === 'annex' ? b.title : ''))).toEqual([
      '附件1 部门整体支出绩效自评表', '附件2 项目支出明细表', '附件3 对账说明', '附件4 暂缓支付资金到期安排表',
    ]);
    expect(text(without.blocks)).toContain('详见附件3');
  });
});
