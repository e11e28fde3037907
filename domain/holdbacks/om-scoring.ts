/**
 * An O&M contract's assessment table (运维考核评分办法): the pass mark, and the payment coefficient
 * by score band — e.g. ≥ 90 → 100%, ≥ 80 → 95%, ≥ 60 → 80% (兰州新区政务云: planned amount × the
 * coefficient of the year's 服务质量和绩效考评, DOMAIN.md §3.2). Pure. The ledger gives it on the
 * contract (`omScoring`), as a structure or as one line of text (the Excel cell):
 *
 *   合格线 60；90 分及以上 100%；80 分及以上 95%；60 分及以上 80%
 *
 * The web page uses it to propose the coefficient and the result for a typed score; the Update
 * still receives both explicitly.
 */
import { z } from 'zod';
import { bi } from '../validation';
import { percentSchema } from '../ledger/scalars';

export interface OmScoringBand {
  /** The band applies from this score (inclusive). */
  minScore: number;
  /** Payment coefficient, basis points (9500 = 95%). */
  coefficientBp: number;
}

export interface OmScoring {
  /** At or above this score the assessment passes; below it, it fails. Absent: a person decides. */
  passScore?: number;
  /** Highest band first. */
  bands: OmScoringBand[];
}

const score = z.number().min(0, { message: bi('分数应在 0–100 之间', 'a score is between 0 and 100') }).max(100, { message: bi('分数应在 0–100 之间', 'a score is between 0 and 100') });
const coefficientBp = z.number().int().min(0).max(10_000, { message: bi('系数不得超过 100%', 'a coefficient may not exceed 100%') });

/** A band as the ledger writes it (`coefficient: 95%`) or as it is stored (`coefficientBp: 9500`). */
const bandSchema = z
  .object({ minScore: score, coefficient: percentSchema.pipe(coefficientBp).optional(), coefficientBp: coefficientBp.optional() })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.coefficient === undefined) === (b.coefficientBp === undefined)) ctx.addIssue({ code: 'custom', path: ['coefficient'], message: bi('每个分数段应给出一个系数（如 95%）', 'each band needs one coefficient (e.g. 95%)') });
  })
  .transform((b): OmScoringBand => ({ minScore: b.minScore, coefficientBp: b.coefficientBp ?? b.coefficient ?? 0 }));

const structured = z
  .object({ passScore: score.optional(), bands: z.array(bandSchema).max(20).default([]) })
  .strict()
  .superRefine((s, ctx) => {
    if (new Set(s.bands.map((b) => b.minScore)).size !== s.bands.length) ctx.addIssue({ code: 'custom', path: ['bands'], message: bi('考核系数表的分数段重复', 'the coefficient table repeats a score band') });
    if (s.passScore === undefined && s.bands.length === 0) ctx.addIssue({ code: 'custom', message: bi('考核评分办法应有合格线或系数表', 'an assessment table needs a pass mark or coefficient bands') });
  });

const PASS = /^合格(?:线|分数?)?\s*[:：]?\s*(\d{1,3}(?:\.\d{1,2})?)\s*分?(?:及以上)?$/;
const BAND = /^(?:[≥>]=?\s*)?(\d{1,3}(?:\.\d{1,2})?)\s*分?(?:及以上)?\s*[:：→]?\s*(?:按\s*)?(\d{1,3}(?:\.\d{1,2})?)\s*[%％](?:\s*支付)?$/;

/** The one-line text form back to its structure (problems in both languages). */
function parseText(text: string, ctx: z.RefinementCtx): z.input<typeof structured> | typeof z.NEVER {
  const out: { passScore?: number; bands: Array<{ minScore: number; coefficientBp: number }> } = { bands: [] };
  for (const part of text.split(/[；;\n]/).map((p) => p.trim()).filter(Boolean)) {
    const pass = PASS.exec(part);
    const band = BAND.exec(part);
    if (pass) out.passScore = Number(pass[1]);
    else if (band) out.bands.push({ minScore: Number(band[1]), coefficientBp: Math.round(Number(band[2]) * 100) });
    else {
      ctx.addIssue({ code: 'custom', message: bi(`无法识别的考核评分办法：“${part}”（应如“合格线 60；90 分及以上 100%；80 分及以上 95%”）`, `unreadable assessment table part "${part}" (e.g. "合格线 60；90 分及以上 100%；80 分及以上 95%")`) });
      return z.NEVER;
    }
  }
  return out;
}

export const omScoringSchema = z
  .unknown()
  .transform((v, ctx) => (typeof v === 'string' ? parseText(v.trim().slice(0, 500), ctx) : v))
  .pipe(structured)
  .transform((s): OmScoring => ({ ...(s.passScore !== undefined ? { passScore: s.passScore } : {}), bands: [...s.bands].sort((a, b) => b.minScore - a.minScore) }));

/** The one-line text form (the Excel cell, the page's summary). */
export function formatOmScoring(s: OmScoring): string {
  const pct = (bp: number) => `${bp % 100 === 0 ? bp / 100 : (bp / 100).toFixed(2)}%`;
  return [...(s.passScore !== undefined ? [`合格线 ${s.passScore}`] : []), ...s.bands.map((b) => `${b.minScore} 分及以上 ${pct(b.coefficientBp)}`)].join('；');
}

/**
 * What the table says for a score: the coefficient of the highest band the score reaches (none
 * below the lowest band), and whether it passes (when the table has a pass mark).
 */
export function omOutcome(scoring: OmScoring, value: number): { coefficientBp?: number; passed?: boolean } {
  const band = [...scoring.bands].sort((a, b) => b.minScore - a.minScore).find((b) => value >= b.minScore);
  return {
    ...(band ? { coefficientBp: band.coefficientBp } : {}),
    ...(scoring.passScore !== undefined ? { passed: value >= scoring.passScore } : {}),
  };
}
