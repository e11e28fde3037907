/**
 * The 复核结果 document of the seed unit-year (86.00 良, tests/report/seed-score.test.ts): its
 * department returned version 2 once, version 4 was adjusted by both levels and accepted by the
 * bureau. Totals by hand from the seed's sheet.
 */
import { describe, expect, it } from 'vitest';
import { analyseUnitYear } from '../ledger/analysis';
import { seedUnitYear } from '../../tests/fixtures/seed';
import type { Block } from './content';
import { composeReviewResult, type ReviewResultInput } from './review-result';

const sheet = analyseUnitYear(seedUnitYear()).score;

const input = (): ReviewResultInput => ({
  unitCode: 'yiyang-smart-city', unitName: '益阳市智慧城市和大数据中心', year: 2020,
  bureauName: '益阳市财政局', departmentName: '益阳市行政审批服务局',
  reportVersion: 4, reportSha256: 'a'.repeat(64), issuedAt: '2021-06-20T02:00:00.000Z', sheet,
  decisions: [
    { reportVersion: 2, level: 'department', decision: 'return', actor: 'dept@test', at: '2021-06-10T03:00:00.000Z', comments: [{ section: '存在的问题', text: '问题分析过于简略' }, { indicator: 'budget_disclosure', text: '请附决算公开截图' }], adjustments: [] },
    { reportVersion: 4, level: 'department', decision: 'adjust', actor: 'dept@test', at: '2021-06-21T01:00:00.000Z', comments: [], adjustments: [{ indicator: 'budget_disclosure', pointsCp: 150, reason: '部门决算未按期公开' }] },
    { reportVersion: 4, level: 'department', decision: 'accept', actor: 'dept@test', at: '2021-06-21T02:00:00.000Z', comments: [], adjustments: [] },
    // The bureau revises the department's adjustment (the last one counts) and adjusts another.
    { reportVersion: 4, level: 'bureau', decision: 'adjust', actor: 'bureau@test', at: '2021-06-29T17:00:00.000Z', comments: [], adjustments: [{ indicator: 'budget_disclosure', pointsCp: 200, reason: '决算已公开但晚于规定时限' }, { indicator: 'asset_safety', pointsCp: 300, reason: '资产卡片已补登，不扣分' }] },
    { reportVersion: 4, level: 'bureau', decision: 'accept', actor: 'bureau@test', at: '2021-06-29T18:00:00.000Z', comments: [{ text: '同意' }], adjustments: [] },
  ],
});

const tables = (blocks: Block[]) => blocks.filter((b): b is Extract<Block, { kind: 'table' }> => b.kind === 'table');
const text = (c: unknown) => (typeof c === 'string' ? c : (c as { text: string }).text);

describe('the review result (复核结果)', () => {
  it('puts the self-score and the reviewed score side by side, with every adjusted indicator and its reason', () => {
    const doc = composeReviewResult(input());
    // 86.00 − (2.70 − 2.00) + (3.00 − 2.80) = 85.50, still 良. Accepted 2021-06-30 in Shanghai (18:00 UTC on the 29th).
    expect(doc.meta).toMatchObject({ title: '益阳市智慧城市和大数据中心2020年度部门整体支出绩效自评复核结果', author: '益阳市财政局', reportDate: '2021-06-30', draft: false });
    const [verdict, adjusted, steps] = tables(doc.blocks);
    expect(verdict!.rows.map((r) => r.map(text))).toEqual([['自评', '86.00', '良'], ['复核', '85.50', '良']]);
    expect(verdict!.note).toBe('满分 100.00 分。复核调整了 2 项指标，复核得分较自评得分减少 0.50 分。');
    expect(adjusted!.rows.map((r) => r.map(text))).toEqual([
      ['预决算信息公开性', '3.00', '2.70', '2.00', '决算已公开但晚于规定时限', '益阳市财政局'],
      ['资产管理安全性', '3.00', '2.80', '3.00', '资产卡片已补登，不扣分', '益阳市财政局'],
    ]);
    expect(steps!.rows.map((r) => r.map(text))).toEqual([
      ['2021年6月10日', '第2版', '益阳市行政审批服务局', '退回修改', 'dept@test', '【存在的问题】问题分析过于简略；【预决算信息公开性】请附决算公开截图'],
      ['2021年6月21日', '第4版', '益阳市行政审批服务局', '调整得分', 'dept@test', '预决算信息公开性 调整为 1.50 分：部门决算未按期公开'],
      ['2021年6月21日', '第4版', '益阳市行政审批服务局', '复核通过', 'dept@test', '—'],
      ['2021年6月30日', '第4版', '益阳市财政局', '调整得分', 'bureau@test', '预决算信息公开性 调整为 2.00 分：决算已公开但晚于规定时限；资产管理安全性 调整为 3.00 分：资产卡片已补登，不扣分'],
      ['2021年6月30日', '第4版', '益阳市财政局', '复核通过', 'bureau@test', '同意'],
    ]);
    const paragraphs = doc.blocks.filter((b) => b.kind === 'paragraph').map((b) => (b as { text: string }).text);
    expect(paragraphs[0]).toBe('经益阳市行政审批服务局初审，益阳市财政局对益阳市智慧城市和大数据中心（yiyang-smart-city）2020年度部门整体支出绩效自评报告第4版（2021年6月20日签发）进行了复核，于2021年6月30日复核通过。结果如下。');
    expect(paragraphs.at(-1)).toContain(`SHA-256 ${'a'.repeat(64)}`);
  });

  it('says so when nothing was adjusted, and a unit without a department is reviewed by the bureau alone', () => {
    const i = input();
    const doc = composeReviewResult({ ...i, departmentName: null, decisions: i.decisions.filter((d) => d.decision === 'accept' && d.level === 'bureau') });
    const [verdict] = tables(doc.blocks);
    expect(verdict!.rows.map((r) => r.map(text))).toEqual([['自评', '86.00', '良'], ['复核', '86.00', '良']]);
    expect(verdict!.note).toBe('满分 100.00 分。复核未调整任何指标的得分。');
    expect(doc.blocks).toContainEqual({ kind: 'paragraph', text: '复核未调整任何指标的得分，复核得分与自评得分相同。' });
    expect((doc.blocks[1] as { text: string }).text.startsWith('益阳市财政局对')).toBe(true);
  });

  it('has no result before the bureau accepted that version', () => {
    const i = input();
    expect(() => composeReviewResult({ ...i, decisions: i.decisions.filter((d) => !(d.decision === 'accept' && d.level === 'bureau')) })).toThrow('has not accepted version 4');
    expect(() => composeReviewResult({ ...i, reportVersion: 2 })).toThrow('has not accepted version 2');
  });
});
