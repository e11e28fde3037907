import { describe, expect, it } from 'vitest';
import { draftSubmissionSchema, finalSubmissionSchema } from './submission';
import { parse } from './validation';

const halfTyped = {
  section: 'network',
  achievements: [{ title: '', paragraphs: [] }],
  outputIndicators: [{ name: '网络故障处置率', unit: '%', direction: '', target: '9', actual: '' }],
  problems: [{ title: '' }],
};

describe('section submissions', () => {
  it('keeps a half-typed draft that a submission would refuse', () => {
    expect(parse(draftSubmissionSchema, halfTyped)).toEqual({ ok: true, value: halfTyped });
    const final = parse(finalSubmissionSchema, halfTyped);
    expect(final.ok).toBe(false);
    if (final.ok) return;
    expect(final.problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['achievements[0].title', 'achievements[0].paragraphs', 'outputIndicators[0].direction', 'outputIndicators[0].actual', 'problems[0].title']),
    );
  });

  it('refuses a draft of another shape, naming every problem in both languages', () => {
    const r = parse(draftSubmissionSchema, {
      achievements: 'all done',
      outputIndicators: [{ name: 'x', direction: 'sideways', target: { n: 1 }, colour: 'red' }],
      problems: [{ title: 'x'.repeat(201) }],
      notes: 'free text',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.code}@${p.path}`).sort()).toEqual([
      'invalid_type@achievements',
      'invalid_union@outputIndicators[0].direction',
      'invalid_union@outputIndicators[0].target',
      'too_big@problems[0].title',
      'unrecognized_keys@(root)',
      'unrecognized_keys@outputIndicators[0]',
    ]);
    for (const p of r.problems) expect(p.zh && p.en).toBeTruthy();
  });

  it('bounds the size of a draft', () => {
    const r = parse(draftSubmissionSchema, { outputIndicators: Array.from({ length: 501 }, () => ({})) });
    expect(r.ok ? [] : r.problems.map((p) => `${p.code}@${p.path}`)).toEqual(['too_big@outputIndicators']);
  });
});
