/**
 * The second real unit-year: the S6 2018 基础数据表 and 部门整体支出绩效评价指标表 of an unnamed Hunan
 * unit (https://wanglu.net/thread/t4-462766-0.html; tests/fixtures/s6-unnamed-unit-2018.unit-year.yaml),
 * scored under its own rule set (hunan-s6-2018) and rendered.
 *
 * What the published table shows and what it does not: the page's text ends inside the 预算控制率
 * row, so the table's 得分 is known for three indicators (在职人员控制率 8, “三公经费”变动率 0,
 * 预算完成率 8) and its total is not known at all. The test pins those three against the published
 * points, 预算控制率 against the table's own standard by hand, and the 68 points the page does not
 * show as unscored: the sheet is a partial one, never a guessed total.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../activities/report/render-pdf';
import type { CivilDate } from '../../domain/calendar/civil-date';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import { parseWanYuan } from '../../domain/money';
import { composeReport } from '../../domain/report/compose';
import { gatherReport } from '../../domain/report/view-model';
import { s6UnitYear } from '../fixtures/s6-unnamed-unit';
import { pdfToText, requirePoppler } from '../helpers/pdf';

const unitYear = s6UnitYear();
const analysis = analyseUnitYear(unitYear);
const sheet = analysis.score;
const byId = (id: string) => {
  const s = sheet.indicators.find((i) => i.id === id);
  if (!s) throw new Error(`no indicator ${id}`);
  return s;
};

/**
 * [id, the engine's points in centipoints (null: unscored), the table's published 得分 (null: not on
 * the page), the working by hand]. Weights 8 / 8 / 8 / 8 / 42 / 26 (hunan-s6-2018).
 */
const EXPECTED: Array<[string, number | null, number | null, string]> = [
  ['staff_control_rate', 800, 800, '136 ÷ 143 = 95.1049% (table: 95.10%) ≤ 100% → 8; published 8'],
  ['three_public_change_rate', 0, 0, '(63.46 − 32) ÷ 32 = 98.3125% (table: 98.31%); 98.3125 pp × 0.8 = 78.65 > 8 → 0; published 0'],
  ['budget_completion_rate', 800, 800, '(19.8 + 1922.76 + 767.86 − 19.8) ÷ (19.8 + 1922.76 + 767.86) = 2690.62 ÷ 2710.42 = 99.2695% (table: 99.27%); 0.73 pp short is less than one 5% step → 8; published 8'],
  ['budget_control_rate', 0, null, '767.86 ÷ 1922.76 = 39.9353% > 30% → 0 by the table\'s "大于30%不得分"; the page ends before this row\'s 得分'],
  ['process_unread', null, null, 'the other 42 points of 过程: not on the page, unscored'],
  ['output_effect_unread', null, null, 'the 26 points of 产出 and 效果: not on the page, unscored'],
];

describe('the S6 unit-year scored under its own table', () => {
  it('is scored under hunan-s6-2018, the rule set the fixture names', () => {
    expect(unitYear.ruleSet).toBe('hunan-s6-2018');
    expect(sheet.ruleSetId).toBe('hunan-s6-2018');
    expect(sheet.indicators.map((i) => i.id)).toEqual(EXPECTED.map(([id]) => id));
    expect(sheet.indicators.map((i) => i.maxCp)).toEqual([800, 800, 800, 800, 4200, 2600]);
  });

  for (const [id, cp, published, working] of EXPECTED) {
    it(`${id}: ${working}`, () => {
      const s = byId(id);
      if (cp === null) {
        expect(s.status).toBe('unscored');
        return;
      }
      expect(s.status).toBe('scored');
      expect(s.pointsCp).toBe(cp);
      if (published !== null) expect(s.pointsCp, 'the published 得分').toBe(published);
    });
  }

  it('shows the rates as the table states them (95.10%, 98.31%, 99.27%) and 39.94%', () => {
    expect(byId('staff_control_rate').valueText).toBe('95.10%');
    expect(byId('three_public_change_rate').valueText).toBe('98.31%');
    expect(byId('budget_completion_rate').valueText).toBe('99.27%');
    expect(byId('budget_control_rate').valueText).toBe('39.94%');
    expect(byId('budget_completion_rate').formulaZh).toContain('2690.62 ÷ 2710.42 = 99.27%');
  });

  it('gives the published rows their published sum, and no final total or grade while 68 points are unread', () => {
    // Published 得分 of the rows on the page: 8 + 0 + 8 = 16; 预算控制率 adds 0 → 16.00 of 32.
    const published = EXPECTED.flatMap(([, , p]) => (p === null ? [] : [p])).reduce((a, b) => a + b, 0);
    expect(published).toBe(1600);
    expect(sheet).toMatchObject({ final: false, totalCp: 1600, scoredMaxCp: 3200, unscoredCount: 2, unscoredMaxCp: 6800, grade: null });
    // Grade range: 16.00 now (差, < 60); at most 16 + 42 + 26 = 84.00 if every unread point were earned (良, 80 ≤ 84 < 90).
    expect(sheet.gradeRange.worst.zh).toBe('差');
    expect(sheet.gradeRange.best.zh).toBe('良');
    expect(sheet.byLevel1).toEqual([
      { level1: '投入', maxCp: 1600, pointsCp: 800, unscoredCount: 0 },
      { level1: '过程', maxCp: 5800, pointsCp: 800, unscoredCount: 1 },
      { level1: '产出及效果', maxCp: 2600, pointsCp: 0, unscoredCount: 1 },
    ]);
    expect(sheet.missing.map((m) => m.id)).toEqual(['process_unread', 'output_effect_unread']);
  });

  it('says why every point was lost', () => {
    expect(byId('three_public_change_rate').deductionReasonZh).toContain('扣至 0 分为止');
    expect(byId('budget_control_rate').deductionReasonZh).toContain('高于 30%');
    expect(sheet.losses.reduce((a, l) => a + l.deductionCp, 0)).toBe(800 + 800);
  });

  it('finds what the table leaves unitemised, and reads its 预算调整 row as the budget before and after adjustment', () => {
    const findings = analysis.reconciliation.findings.map((f) => [f.code, f.stated, f.computed, f.difference]);
    const wan = (s: string) => parseWanYuan(s);
    expect(findings).toEqual([
      // No project is itemised: 业务工作专项 689.16 is stated, no payment lists it.
      ['project_expenditure_gap', wan('689.16'), 0, wan('689.16')],
      // 上年结转 19.8 is stated, no allocation lists where it went.
      ['carry_over_not_itemised', wan('19.8'), 0, wan('19.8')],
      // The row 部门整体支出预算调整 holds 1922.76 | 2690.62: the budget before adjustment (年初 1922.76,
      // from the 指标表's working) and after it (1922.76 + 767.86 = 2690.62) — both agree, no finding.
    ]);
    // The 三公 rows add up (29.46 + 12 = 41.46, 29.46 + 9.84 = 39.30, 41.46 + 22 = 63.46, 39.30 + 4.99 = 44.29,
    // 11.86 + 17.22 = 29.08) and 136 ÷ 143 is the stated 95.10%: nothing else is reported.
  });
});

/** pdftotext puts page furniture ("— 7 —", "第1版") between a page's lines. */
const withoutFurniture = (text: string) => text.replace(/—\s*\d+\s*—/g, ' ').replace(/第\d+版/g, ' ');
const squeeze = (text: string) => withoutFurniture(text).replace(/\s+/g, '');

/**
 * Every cell of the S6 基础数据表 as the report prints it (万元, two decimals; counts; the rate with
 * two decimals), row by row in the page's order, blanks left out:
 * 编制数 143; 在职 136; 控制率 95.10%; 三公 29.08 63.46 44.29; 公务用车 11.86 41.46 39.30; 公车购置 – 29.46 29.46;
 * 运行维护 11.86 12 9.84; 出国 –; 公务接待 17.22 22 4.99; 业务工作专项 938.8 320 689.16; 运行维护专项 –;
 * 办公经费 14.44 10 0.68; 水电差旅 17.92 7.50 25.36; 会议培训 0 0.8 0; 政府采购 16.14 30.66 30.66; 预算调整 – 1922.76 2690.62.
 */
const BASIC_DATA_CELLS = [
  '143', '136', '95.10%',
  '29.08', '63.46', '44.29',
  '11.86', '41.46', '39.30',
  '29.46', '29.46',
  '11.86', '12.00', '9.84',
  '17.22', '22.00', '4.99',
  '938.80', '320.00', '689.16',
  '14.44', '10.00', '0.68',
  '17.92', '7.50', '25.36',
  '0.00', '0.80', '0.00',
  '16.14', '30.66', '30.66',
  '1922.76', '2690.62',
];

describe('the S6 report rendered', () => {
  let text: string;
  let annex: string;

  beforeAll(async () => {
    await requirePoppler();
    const pdf = await renderPdf(composeReport(gatherReport({ unitYear, analysis, reportDate: '2019-06-28' as CivilDate, draft: false, version: 1 })));
    text = withoutFurniture(await pdfToText(pdf));
    // The 基础数据表 annex: from its title to the 楼堂馆所 table that follows it.
    const from = text.indexOf('部门整体支出绩效评价基础数据表');
    annex = text.slice(from, text.indexOf('楼堂馆所控制情况', from));
  });

  it('prints every figure of the 基础数据表, in the table\'s order and nothing else', () => {
    expect(annex.length).toBeGreaterThan(0);
    const cells = annex.split(/\s+/).filter((t) => /^\d+(\.\d+)?%?$/.test(t));
    expect(cells).toEqual(BASIC_DATA_CELLS);
    const squeezed = squeeze(annex);
    for (const label of ['1.业务工作专项', '2.运行维护专项', '2.出国经费', '部门整体支出预算调整', '2017年决算数', '2018年预算数', '2018年决算数']) {
      expect(squeezed, label).toContain(label);
    }
    expect(squeezed).toContain(squeeze('数据来源：S6 基础数据表（https://wanglu.net/thread/t4-462766-0.html，附件3）'));
  });

  it('states the partial score and where the figures come from', () => {
    const all = squeeze(text);
    expect(all).toContain(squeeze('已评分指标得分16.00分（这些指标满分32.00分），尚有2项指标（合计68.00分）'));
    expect(all).toContain(squeeze('评价等级介于“差”与“良”之间'));
    expect(all).toContain(squeeze('数据说明：据S6页面'));
  });
});
