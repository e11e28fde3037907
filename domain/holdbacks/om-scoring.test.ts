import { describe, expect, it } from 'vitest';
import { formatOmScoring, omOutcome, omScoringSchema } from './om-scoring';

describe('an O&M contract’s assessment table', () => {
  const table = omScoringSchema.parse({ passScore: 60, bands: [{ minScore: 60, coefficient: '80%' }, { minScore: 90, coefficient: '100%' }, { minScore: 80, coefficient: '95%' }] });

  it('reads the structure (bands highest first) and the one-line text, and writes the text back', () => {
    expect(table).toEqual({ passScore: 60, bands: [{ minScore: 90, coefficientBp: 10_000 }, { minScore: 80, coefficientBp: 9_500 }, { minScore: 60, coefficientBp: 8_000 }] });
    const text = formatOmScoring(table);
    expect(text).toBe('合格线 60；90 分及以上 100%；80 分及以上 95%；60 分及以上 80%');
    expect(omScoringSchema.parse(text)).toEqual(table);
    // The stored form (basis points) reads back the same.
    expect(omScoringSchema.parse(JSON.parse(JSON.stringify(table)))).toEqual(table);
    expect(omScoringSchema.parse('≥85：97.5%')).toEqual({ bands: [{ minScore: 85, coefficientBp: 9_750 }] });
  });

  it('gives the coefficient of the highest band reached, and the result from the pass mark', () => {
    expect(omOutcome(table, 95)).toEqual({ coefficientBp: 10_000, passed: true });
    expect(omOutcome(table, 90)).toEqual({ coefficientBp: 10_000, passed: true });
    expect(omOutcome(table, 89.99)).toEqual({ coefficientBp: 9_500, passed: true });
    expect(omOutcome(table, 60)).toEqual({ coefficientBp: 8_000, passed: true });
    expect(omOutcome(table, 59.5)).toEqual({ passed: false });
    expect(omOutcome({ bands: [{ minScore: 80, coefficientBp: 9_000 }] }, 85)).toEqual({ coefficientBp: 9_000 });
  });

  it('refuses an unreadable line, a repeated band, a coefficient above 100% and an empty table, in both languages', () => {
    const problems = (v: unknown) => {
      const r = omScoringSchema.safeParse(v);
      return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    };
    expect(problems('合格线 60；优秀 100%')[0]!.message).toContain('无法识别的考核评分办法：“优秀 100%”');
    expect(problems({ bands: [{ minScore: 80, coefficient: '95%' }, { minScore: 80, coefficient: '90%' }] })).toEqual([{ path: 'bands', message: expect.stringContaining('分数段重复') }]);
    expect(problems({ bands: [{ minScore: 80, coefficient: '120%' }] })).toEqual([{ path: 'bands.0.coefficient', message: expect.stringContaining('系数不得超过 100%') }]);
    expect(problems({ bands: [{ minScore: 80 }] })).toEqual([{ path: 'bands.0.coefficient', message: expect.stringContaining('每个分数段应给出一个系数') }]);
    expect(problems({})[0]!.message).toContain('应有合格线或系数表');
    expect(problems({ passScore: 101 })[0]!.path).toBe('passScore');
  });
});
