/**
 * Rule-set files as an administrator writes them: problems come back on their YAML lines; the
 * repository's built-in files are valid and the module the domain loads them from is up to date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInModuleSource, readRuleSetDir, readRuleSetText } from '../../client/rule-sets/files';

const root = path.resolve(__dirname, '../..');
const hunan = fs.readFileSync(path.join(root, 'rule-sets/hunan-department-2020.yaml'), 'utf8');
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('rule-set files', () => {
  it('places every problem on its line', () => {
    const broken = hunan
      .replace('rule: { kind: tiers }\n    source: S2\n  - id: indicator_clarity', 'rule: { kind: qualitative }\n    source: S2\n  - id: indicator_clarity')
      .replace('level3: 在职人员控制率\n    points: 5', 'level3: 在职人员控制率\n    points: 6');
    const r = readRuleSetText(broken);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.path, p.code, p.line])).toEqual([['indicators[0].rule.kind', 'invalid_union', lineOf(broken, 'kind: qualitative')]]);
    // Fixed the kind, the points are still off: the total is checked next, on the indicators' line.
    const r2 = readRuleSetText(broken.replace('kind: qualitative', 'kind: tiers'));
    expect(r2.ok ? [] : r2.problems.map((p) => [p.path, p.code, p.line])).toEqual([['indicators', 'weights_not_total', lineOf(broken, 'indicators:')]]);
  });

  it('refuses YAML syntax errors with their line, aliases, and oversized files', () => {
    const r = readRuleSetText('format: selfeval.rule-set/v1\nid: a: b\nname: x\n');
    expect(r.ok ? [] : r.problems.map((p) => [p.code, p.line])).toEqual([['syntax', 2]]);
    const bomb = `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n`;
    expect(readRuleSetText(bomb)).toMatchObject({ ok: false, problems: [{ code: 'aliases' }] });
    expect(readRuleSetText(`# ${'x'.repeat(300 * 1024)}\n`)).toMatchObject({ ok: false, problems: [{ code: 'file_too_large' }] });
  });

  it('ships valid built-in files, and the module the domain loads them from says exactly what they say', () => {
    const { files, problems } = readRuleSetDir(path.join(root, 'rule-sets'));
    expect(problems).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(fs.readFileSync(path.join(root, 'domain/rule-sets/built-in.generated.ts'), 'utf8'), 'run npm run rule-sets:build').toBe(builtInModuleSource(files));
  });
});
