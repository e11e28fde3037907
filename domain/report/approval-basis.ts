/**
 * What an approved draft was made of, and what changed since: the unit head approves a draft, the
 * issued report must be that draft's content without the watermark, so the approval records the
 * report *as it would be issued* — composed as not a draft, without its version label and with the
 * date left out — as one fingerprint, plus a short hash of every input it reads and of every
 * chapter and annex, so that a difference can be named ("账套数据、自评得分 86.00 → 85.50；报告中
 * 二、部门整体支出情况 和 附件5 项目支出明细表").
 *
 * Not content, on purpose: the 草稿 watermark and the cover's 版本 line (drafts only), the version
 * label in the footer (each stored render is its own version), and the date — the issued report is
 * dated the day the unit head approved it (签发日期; GB/T 9704-2012 7.3.5.3: 成文日期署发文机关负责人签发的日期),
 * the draft the day it was drafted. The date only ever prints on the cover and in the file's
 * metadata (see ./sections `cover`), so leaving it out hides nothing else.
 *
 * Pure: the hash function is a parameter (activities pass sha256).
 */
import { canonicalJson } from '../canonical-json';
import { formatPoints } from '../rate';
import type { Block, ReportDocument } from './content';

/** The date every basis is composed at, so the date never enters a fingerprint. */
export const BASIS_REPORT_DATE = '2000-01-01';

export const basisParts = ['ledger', 'basicData', 'submissions', 'selfAssessment', 'evidence', 'holdbacks', 'proceededWithout', 'score'] as const;
export type BasisPart = (typeof basisParts)[number];

export const basisPartLabel: Record<BasisPart, { zh: string; en: string }> = {
  ledger: { zh: '账套数据（收支、项目、合同、支付）', en: 'the ledger (income, expenditure, projects, contracts, payments)' },
  basicData: { zh: '基础数据表', en: 'the basic data table' },
  submissions: { zh: '科室材料', en: 'the sections’ material' },
  selfAssessment: { zh: '单位自评打分', en: 'the self-assessment' },
  evidence: { zh: '佐证材料', en: 'the evidence files' },
  holdbacks: { zh: '暂缓支付资金的状态（已付、到期日）', en: 'the withheld payments (released amounts, due dates)' },
  proceededWithout: { zh: '未待材料继续评价的科室', en: 'the sections the evaluation proceeded without' },
  score: { zh: '自评得分', en: 'the score' },
};

export interface ApprovalBasis {
  /** Hash of the report as it would be issued (not a draft, no version label, date left out). */
  fingerprint: string;
  /** Short hash of each input the report reads. */
  parts: Record<BasisPart, string>;
  /** Each chapter (一、…) and annex of the report in order, with a short hash of its blocks; the cover first. */
  sections: Array<{ title: string; sha: string }>;
  /** The ledger item by item (the unit, the stated figures, each project), to say which changed. */
  ledgerItems?: Array<{ title: string; sha: string }>;
  score: { totalCp: number; grade: string | null };
}

export interface ContentChange {
  /** An input, or `section` for a part of the report that reads differently. */
  part: BasisPart | 'section';
  zh: string;
  en: string;
}

type Hash = (text: string) => string;

const short = (hash: Hash, value: unknown) => hash(canonicalJson(value)).slice(0, 16);

/** The cover, each level-1 chapter and each annex, with its blocks. */
function chapters(blocks: readonly Block[]): Array<{ title: string; blocks: Block[] }> {
  const out: Array<{ title: string; blocks: Block[] }> = [{ title: '封面', blocks: [] }];
  for (const b of blocks) {
    if (b.kind === 'heading' && b.level === 1) out.push({ title: b.text, blocks: [] });
    else if (b.kind === 'annex') out.push({ title: b.title, blocks: [] });
    out[out.length - 1]!.blocks.push(b);
  }
  return out;
}

/**
 * The basis of an approval. `issuable` must be composed as the issued report would be — `draft:
 * false` — at `BASIS_REPORT_DATE`; its version label is left out here.
 */
export function approvalBasis(
  issuable: ReportDocument,
  inputs: Record<BasisPart, unknown>,
  score: { totalCp: number; grade: string | null },
  hash: Hash,
  ledgerItems: ReadonlyArray<{ title: string; value: unknown }> = [],
): ApprovalBasis {
  if (issuable.meta.draft || issuable.meta.reportDate !== BASIS_REPORT_DATE) throw new Error('an approval basis is taken from the issued form at BASIS_REPORT_DATE');
  const { versionLabel: _label, ...meta } = issuable.meta;
  return {
    fingerprint: hash(canonicalJson({ meta, blocks: issuable.blocks })),
    parts: Object.fromEntries(basisParts.map((p) => [p, short(hash, inputs[p] ?? null)])) as Record<BasisPart, string>,
    sections: chapters(issuable.blocks).map((c) => ({ title: c.title, sha: short(hash, c.blocks) })),
    ledgerItems: ledgerItems.map((i) => ({ title: i.title, sha: short(hash, i.value ?? null) })),
    score,
  };
}

/** Titles whose hash differs between two lists (or that are in only one of them). */
function differing(before: ReadonlyArray<{ title: string; sha: string }>, after: ReadonlyArray<{ title: string; sha: string }>): string[] {
  const was = new Map(before.map((s) => [s.title, s.sha]));
  const is = new Map(after.map((s) => [s.title, s.sha]));
  return [...after.filter((s) => was.get(s.title) !== s.sha).map((s) => s.title), ...before.filter((s) => !is.has(s.title)).map((s) => s.title)];
}

/** What differs between the approved basis and the current one; empty when the fingerprints agree. */
export function changesSince(approved: ApprovalBasis, current: ApprovalBasis): ContentChange[] {
  if (approved.fingerprint === current.fingerprint) return [];
  const changes: ContentChange[] = [];
  for (const part of basisParts) {
    if (approved.parts[part] === current.parts[part]) continue;
    const label = basisPartLabel[part];
    const text = (s: ApprovalBasis['score']) => `${formatPoints(s.totalCp)} 分${s.grade ? `（${s.grade}）` : ''}`;
    if (part === 'score' && (approved.score.totalCp !== current.score.totalCp || approved.score.grade !== current.score.grade)) {
      changes.push({ part, zh: `${label.zh}由 ${text(approved.score)} 变为 ${text(current.score)}`, en: `${label.en} moved from ${formatPoints(approved.score.totalCp)} to ${formatPoints(current.score.totalCp)}` });
    } else if (part === 'score') {
      changes.push({ part, zh: `${label.zh}的计算明细有变化（总分仍为 ${text(current.score)}）`, en: `the score's working changed (the total is still ${formatPoints(current.score.totalCp)})` });
    } else if (part === 'ledger' && approved.ledgerItems?.length && current.ledgerItems?.length) {
      const items = differing(approved.ledgerItems, current.ledgerItems);
      changes.push({ part, zh: `${label.zh}有变化${items.length ? `：${items.join('、')}` : ''}`, en: `${label.en} changed${items.length ? `: ${items.join(', ')}` : ''}` });
    } else {
      changes.push({ part, zh: `${label.zh}有变化`, en: `${label.en} changed` });
    }
  }
  const sections = differing(approved.sections, current.sections);
  if (sections.length) {
    changes.push({ part: 'section', zh: `报告中内容不同的部分：${sections.join('；')}`, en: `parts of the report that read differently: ${sections.join('; ')}` });
  }
  if (!changes.length) changes.push({ part: 'section', zh: '报告内容有变化', en: 'the report reads differently' });
  return changes;
}

/** The changes as one Chinese sentence (for a notification or a status line). */
export function changesSentence(changes: readonly ContentChange[]): string {
  return `${changes.map((c) => c.zh).join('；')}。`;
}
