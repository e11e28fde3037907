import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ApprovalBasis, approvalBasis, BASIS_REPORT_DATE, type BasisPart, changesSentence, changesSince } from './approval-basis';
import type { Block, ReportDocument } from './content';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

function doc(blocks: Block[], meta: Partial<ReportDocument['meta']> = {}): ReportDocument {
  return { meta: { title: 't', author: 'a', subject: 's', reportDate: BASIS_REPORT_DATE, draft: false, versionLabel: '第1版', ...meta }, blocks };
}

const blocks = (paymentText: string): Block[] => [
  { kind: 'title', text: '2020年度自评报告' },
  { kind: 'heading', level: 1, text: '一、单位基本情况' },
  { kind: 'paragraph', text: '单位概况' },
  { kind: 'heading', level: 1, text: '二、部门整体支出情况' },
  { kind: 'paragraph', text: paymentText },
  { kind: 'annex', title: '附件1 对账说明' },
  { kind: 'paragraph', text: '对账' },
];

const inputs = (over: Partial<Record<BasisPart, unknown>> = {}): Record<BasisPart, unknown> => ({
  ledger: { payments: [1] }, basicData: null, submissions: [], selfAssessment: [], evidence: [], holdbacks: [], proceededWithout: [], score: { totalCp: 8600 }, ...over,
});

const basis = (b: Block[], i = inputs(), score = { totalCp: 8600, grade: '良' }, items = [{ title: '项目“甲”', value: { paid: 1 } }]): ApprovalBasis =>
  approvalBasis(doc(b), i, score, sha, items);

describe('what an approval is an approval of', () => {
  it('leaves the version label out of the fingerprint, and refuses a draft or a dated composition', () => {
    const a = approvalBasis(doc(blocks('支出 10 万元'), { versionLabel: '第1版' }), inputs(), { totalCp: 8600, grade: '良' }, sha);
    const b = approvalBasis(doc(blocks('支出 10 万元'), { versionLabel: '第7版' }), inputs(), { totalCp: 8600, grade: '良' }, sha);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(changesSince(a, b)).toEqual([]);
    expect(() => approvalBasis(doc(blocks('x'), { draft: true }), inputs(), { totalCp: 0, grade: null }, sha)).toThrow();
    expect(() => approvalBasis(doc(blocks('x'), { reportDate: '2026-05-01' }), inputs(), { totalCp: 0, grade: null }, sha)).toThrow();
    expect(a.sections.map((s) => s.title)).toEqual(['封面', '一、单位基本情况', '二、部门整体支出情况', '附件1 对账说明']);
  });

  it('names the inputs, the ledger items and the chapters that changed, and how the score moved', () => {
    const approved = basis(blocks('支出 10 万元'));
    const now = basis(blocks('支出 11 万元'), inputs({ ledger: { payments: [2] }, score: { totalCp: 8550 } }), { totalCp: 8550, grade: '良' }, [{ title: '项目“甲”', value: { paid: 2 } }]);
    const changes = changesSince(approved, now);
    expect(changes.map((c) => c.part)).toEqual(['ledger', 'score', 'section']);
    expect(changesSentence(changes)).toBe('账套数据（收支、项目、合同、支付）有变化：项目“甲”；自评得分由 86.00 分（良） 变为 85.50 分（良）；报告中内容不同的部分：二、部门整体支出情况。');
  });

  it('says so when only the score’s working changed, and when a chapter disappeared', () => {
    const approved = basis(blocks('支出 10 万元'));
    const now = basis(blocks('支出 10 万元').slice(0, 5), inputs({ score: { totalCp: 8600, detail: 'x' } }));
    expect(changesSentence(changesSince(approved, now))).toBe('自评得分的计算明细有变化（总分仍为 86.00 分（良））；报告中内容不同的部分：附件1 对账说明。');
  });
});
