/**
 * Rule-set files as an administrator writes them: problems come back on their YAML lines; the
 * repository's built-in files are valid and the module the domain loads them from is up to date.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInModuleSource, readRuleSetDir, readRuleSetText } from '../../client/rule-sets/files';
import { indicatorCodes } from '../../domain/indicators';

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

  it('checks a file offline from the command line: every problem with its file and line, exit code 2', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-set-cli-'));
    const file = path.join(dir, 'hunan-2021.yaml');
    fs.writeFileSync(file, hunan.replace('level3: 在职人员控制率\n    points: 5', 'level3: 在职人员控制率\n    points: 6'));
    const run = () => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'client/cli/main.ts'), 'rules', 'check', file], { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: dir, NO_COLOR: '1' } });
    const bad = run();
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`hunan-2021.yaml:${lineOf(hunan, 'indicators:')} indicators: 各指标分值合计 101.00 分，与规定的总分 100.00 分不符`);
    fs.writeFileSync(file, hunan);
    const good = run();
    expect(good.status, good.stderr).toBe(0);
    expect(good.stdout).toContain('hunan-department-2020: 23 indicators, 100.00 points — valid');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the complete example in the README, and names every computed indicator the README lists', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Scoring rule sets'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const read = readRuleSetText(example);
    expect(read.ok ? [] : read.problems).toEqual([]);
    const listed = [...section.slice(0, section.indexOf('## ', 5)).matchAll(/`([a-z_]+_rate)`/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...indicatorCodes].sort());
  });
});
