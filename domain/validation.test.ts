import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { bi, formatPath, formatProblems, parse } from './validation';

describe('formatPath', () => {
  it('writes array indexes in brackets and keys with dots', () => {
    expect(formatPath([])).toBe('(root)');
    expect(formatPath(['projects', 2, 'payments', 0, 'amountFen'])).toBe('projects[2].payments[0].amountFen');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});

describe('parse', () => {
  const schema = z
    .object({
      name: z.string().min(1),
      amountFen: z.number().int().nonnegative(),
      kind: z.enum(['retention', 'om_assessment']),
      items: z.array(z.object({ id: z.string() })).min(1),
    })
    .strict()
    .superRefine((v, ctx) => {
      if (v.name === 'x') ctx.addIssue({ code: 'custom', path: ['name'], message: bi('名称不能为 x', 'name may not be x'), params: { code: 'reserved_name' } });
    });

  it('returns the value when valid', () => {
    const r = parse(schema, { name: 'a', amountFen: 1, kind: 'retention', items: [{ id: '1' }] });
    expect(r).toEqual({ ok: true, value: { name: 'a', amountFen: 1, kind: 'retention', items: [{ id: '1' }] } });
  });

  it('reports every problem with its path in both languages', () => {
    const r = parse(schema, { amountFen: -1, kind: 'other', items: [{}], extra: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.problems.map((p) => [`${p.path}:${p.code}`, p]));
    expect(Object.keys(byPath).sort()).toEqual(
      ['(root):unrecognized_keys', 'amountFen:too_small', 'items[0].id:required', 'kind:invalid_value', 'name:required'].sort(),
    );
    expect(byPath['name:required']).toMatchObject({ zh: '必填项缺失', en: 'is required' });
    expect(byPath['amountFen:too_small']).toMatchObject({ zh: '不得小于 0', en: 'must be ≥ 0' });
    expect(byPath['kind:invalid_value']?.zh).toContain('"retention"');
    expect(byPath['(root):unrecognized_keys']?.en).toContain('extra');
  });

  it('splits custom bilingual messages and keeps their own code', () => {
    const r = parse(schema, { name: 'x', amountFen: 0, kind: 'retention', items: [{ id: 'a' }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([{ path: 'name', code: 'reserved_name', zh: '名称不能为 x', en: 'name may not be x' }]);
    expect(formatProblems(r.problems)).toBe('  - name: 名称不能为 x / name may not be x');
  });

  it('says "integer" when a whole number was expected', () => {
    const r = parse(z.object({ n: z.number().int() }), { n: 1.5 });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'n', code: 'invalid_type', zh: '应为整数，实际为数字', en: 'expected int, received number' }]);
  });

  it('names the received type', () => {
    const r = parse(z.object({ n: z.number() }), { n: '12' });
    expect(r.ok ? [] : r.problems).toEqual([{ path: 'n', code: 'invalid_type', zh: '应为数字，实际为文本', en: 'expected number, received string' }]);
  });
});
