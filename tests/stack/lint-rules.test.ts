/**
 * The lint rules that keep workflow code deterministic and promises awaited actually fire:
 * each probe is linted as if it lived at the given path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** Type-aware rules need a real file inside the project; the probe is removed afterwards. */
async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const file = path.resolve(filePath.replace(/\.ts$/, `.lint-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}.ts`));
  fs.writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('lint rules', () => {
  it('bans Node builtins, database and PDF libraries, db/ and process.env in workflows/', async () => {
    const ids = await ruleIds(
      [
        "import fs from 'node:fs';",
        "import { Kysely } from 'kysely';",
        "import pdfmake from 'pdfmake';",
        "import { createDb } from '../db/connection';",
        'export const probe = [fs, Kysely, pdfmake, createDb, process.env];',
      ].join('\n'),
      'workflows/probe.workflow.ts',
    );
    expect(ids.filter((id) => id === '@typescript-eslint/no-restricted-imports')).toHaveLength(4);
    expect(ids).toContain('no-restricted-globals');
  });

  it('allows type-only imports of activities in workflows/', async () => {
    const ids = await ruleIds("import type { Activities } from '../activities';\nexport type A = Activities;\n", 'workflows/probe.workflow.ts');
    expect(ids).toEqual([]);
  });

  it('catches floating promises everywhere', async () => {
    const ids = await ruleIds('async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n', 'activities/probe.ts');
    expect(ids).toContain('@typescript-eslint/no-floating-promises');
  });

  it('leaves the same imports alone outside workflows/', async () => {
    const ids = await ruleIds("import fs from 'node:fs';\nexport const probe = [fs, process.env];\n", 'activities/probe.ts');
    expect(ids).toEqual([]);
  });
});
