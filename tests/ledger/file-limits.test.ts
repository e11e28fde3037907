/**
 * Ledger files that attack the reader: a YAML alias bomb, a document too large to parse at a
 * person's pace, text a database cannot store — each refused with one problem in both languages,
 * before anything is expanded; a file with a few ordinary aliases still reads.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_DOCUMENT_BYTES, MAX_YAML_ALIASES, readLedgerFile } from '../../client/ledger/files';
import { seedFile } from '../fixtures/seed';

const bomb = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

describe('reading a ledger file that attacks the reader', () => {
  it('refuses a YAML alias bomb (nine levels of nine: 387 million nodes) at once, saying why', async () => {
    const t0 = Date.now();
    const read = await readLedgerFile('unit-year.yaml', Buffer.from(bomb));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(read).toEqual({
      ok: false,
      problems: [{ path: '(file)', code: 'yaml_alias_bomb', zh: expect.stringContaining(`上限 ${MAX_YAML_ALIASES}`), en: expect.stringContaining('"billion laughs"') }],
    });
  });

  it('refuses a YAML or JSON document over 2 MB before parsing it', async () => {
    const big = Buffer.from(`# ${'x'.repeat(MAX_TEXT_DOCUMENT_BYTES)}\nformat: 1\n`);
    for (const name of ['unit-year.yaml', 'unit-year.json']) {
      const read = await readLedgerFile(name, big);
      expect(read.ok).toBe(false);
      expect(!read.ok && read.problems).toEqual([{ path: '(file)', code: 'too_large', zh: expect.stringContaining('最大 2 MB'), en: expect.stringContaining('at most 2 MB') }]);
    }
  });

  it('refuses text with the NUL character, with its path', async () => {
    const seed = fs.readFileSync(seedFile, 'utf8').replace(/^(\s*name:\s*)(.+)$/m, '$1"$2\\0"');
    const read = await readLedgerFile('unit-year.yaml', Buffer.from(seed));
    expect(read.ok).toBe(false);
    expect(!read.ok && read.problems.map((p) => [p.path, p.code])).toEqual([['unit.name', 'nul_character']]);
  });

  it('still reads a file with a few ordinary aliases', async () => {
    const seed = fs.readFileSync(seedFile, 'utf8');
    const withAliases = `${seed}\nx-defaults: &source { source: 预算批复 }\nx-copy: *source\n`;
    const plain = await readLedgerFile('unit-year.yaml', Buffer.from(seed));
    expect(plain.ok).toBe(true);
    const read = await readLedgerFile('unit-year.yaml', Buffer.from(withAliases));
    // The extra keys are the schema's business (refused as unknown or ignored), not the reader's: no alias problem.
    expect(read.ok || read.problems.every((p) => p.code !== 'yaml_alias_bomb' && p.code !== 'syntax')).toBe(true);
  });
});
