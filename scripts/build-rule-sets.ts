/**
 * Turns the built-in rule-set files (`rule-sets/*.yaml`, the source of truth) into the module
 * `domain/rule-sets/built-in.generated.ts`, so the pure domain has them without reading files.
 * Every file is checked first; a bad one stops the build with every problem.
 *   npm run rule-sets:build            writes the module
 *   npm run rule-sets:build -- --check  fails when the module is not what the files make
 */
import fs from 'node:fs';
import path from 'node:path';
import { builtInModuleSource, readRuleSetDir } from '../client/rule-sets/files';

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'domain/rule-sets/built-in.generated.ts');
fs.mkdirSync(path.dirname(out), { recursive: true });

const { files, problems } = readRuleSetDir(path.join(root, 'rule-sets'));
if (problems.length) {
  for (const p of problems) console.error(`${p.file}:${p.line ?? '?'} ${p.path}: ${p.zh} / ${p.en}`);
  process.exit(1);
}
const source = builtInModuleSource(files);
if (process.argv.includes('--check')) {
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (current !== source) {
    console.error(`${path.relative(root, out)} is out of date: run npm run rule-sets:build`);
    process.exit(1);
  }
  console.log(`${files.length} built-in rule sets, module up to date`);
} else {
  fs.writeFileSync(out, source);
  console.log(`wrote ${path.relative(root, out)} (${files.length} rule sets)`);
}
