/**
 * Scoring rule sets from the command line, through the API: list them, show one, check or add a
 * file (problems printed with their line), and preview a unit-year's score under a candidate.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../domain/errors';
import { formatPoints } from '../../domain/rate';
import { readRuleSetText } from '../rule-sets/files';
import type { CliKit } from './scoring.commands';

interface Summary {
  id: string;
  version: number;
  name: string;
  region: string;
  scope: string;
  totalCp: number;
  indicatorCount: number;
  builtIn: boolean;
}

function fileText(file: string, kit: CliKit): string {
  if (!fs.existsSync(file)) kit.fail(`no such file: ${file}`);
  return fs.readFileSync(file, 'utf8');
}

/** Checks a file here first: a bad one is refused with every problem and its line, before anything is sent. */
function checkedText(file: string, kit: CliKit): string {
  const text = fileText(file, kit);
  const read = readRuleSetText(text);
  if (!read.ok) {
    throw AppError.invalid(
      read.problems.map((p) => ({ ...p, path: `${path.basename(file)}${p.line ? `:${p.line}` : ''} ${p.path}` })),
      `${path.basename(file)} 有 ${read.problems.length} 处问题`,
      `${path.basename(file)} has ${read.problems.length} problem(s)`,
    );
  }
  return text;
}

export function registerRuleSetCommands(program: Command, kit: CliKit): void {
  const json = new Option('--json', 'machine-readable output');
  const rules = program.command('rules').description('scoring rule sets (selfeval.rule-set/v1 files; README has the format)');

  rules
    .command('list')
    .description('every rule set, built-in and added, each version')
    .addOption(json)
    .action(async (opts: { json?: boolean }) => {
      const r = await kit.api().request<{ ruleSets: Summary[] }>('GET', '/api/rule-sets');
      kit.out(opts.json, r, () => {
        for (const s of r.ruleSets) console.log(`${`${s.id}@${s.version}`.padEnd(34)} ${s.builtIn ? 'built-in' : 'added   '} ${s.scope.padEnd(10)} ${formatPoints(s.totalCp).padStart(6)}  ${s.indicatorCount} 项  ${s.name}（${s.region}）`);
      });
    });

  rules
    .command('show')
    .description('one rule set: its indicators, weights and rules')
    .argument('<id>')
    .option('--version <n>', 'version (default: the latest)')
    .addOption(json)
    .action(async (id: string, opts: { version?: string; json?: boolean }) => {
      const client = kit.api();
      const version = opts.version ?? String(Math.max(...(await client.request<{ ruleSets: Summary[] }>('GET', '/api/rule-sets')).ruleSets.filter((s) => s.id === id).map((s) => s.version), 0));
      if (version === '0') kit.fail(`no rule set ${id}`);
      const r = await client.request<{ ruleSet: { name?: string; region: string; indicators: Array<{ id: string; level1: string; level2: string; level3: string; weightCp: number; rule: { kind: string } }> } }>('GET', `/api/rule-sets/${encodeURIComponent(id)}/${version}`);
      kit.out(opts.json, r, () => {
        console.log(`${id}@${version} ${r.ruleSet.name ?? ''}（${r.ruleSet.region}）`);
        for (const i of r.ruleSet.indicators) console.log(`  ${i.id.padEnd(28)} ${`${i.level1}·${i.level2}·${i.level3}`.padEnd(28)} ${formatPoints(i.weightCp).padStart(6)}  ${i.rule.kind}`);
      });
    });

  rules
    .command('check')
    .description('check a rule-set file offline (no server): every problem with its line')
    .argument('<file>')
    .action((file: string) => {
      checkedText(file, kit);
      const read = readRuleSetText(fileText(file, kit));
      if (read.ok) console.log(`${read.ruleSet.id}: ${read.ruleSet.indicators.length} indicators, ${formatPoints(read.ruleSet.totalCp)} points — valid`);
    });

  rules
    .command('add')
    .description('add a rule-set file (an administrator): stored as the next version of its id, never edited in place')
    .argument('<file>')
    .addOption(json)
    .action(async (file: string, opts: { json?: boolean }) => {
      const content = checkedText(file, kit);
      const r = await kit.api().request<{ id: string; version: number; created: boolean; sha256: string }>('POST', '/api/rule-sets', { fileName: path.basename(file), content });
      kit.out(opts.json, r, () => console.log(`${r.created ? 'added' : 'already stored'}: ${r.id}@${r.version} (sha256 ${r.sha256.slice(0, 16)}…)`));
    });

  rules
    .command('preview')
    .description('a unit-year’s score under a rule set — an added one (id[@version]) or a file not yet added — changing nothing')
    .argument('<unit>').argument('<year>').argument('<rule-set>', 'id, id@version, or a .yaml file')
    .addOption(json)
    .action(async (unit: string, year: string, ref: string, opts: { json?: boolean }) => {
      const body = fs.existsSync(ref) && /\.(ya?ml|json)$/.test(ref)
        ? { content: checkedText(ref, kit) }
        : { ruleSetId: ref.split('@')[0]!, ...(ref.includes('@') ? { version: Number(ref.split('@')[1]) } : {}) };
      const r = await kit.api().request<{ ruleSet: { id: string; version: number; name: string }; score: { totalCp: number; final: boolean; grade: { zh: string } | null; missing: Array<{ level3: string }> } }>('POST', `/api/units/${unit}/years/${year}/rule-set-preview`, body);
      kit.out(opts.json, r, () =>
        console.log(`${r.ruleSet.id}@${r.ruleSet.version} ${r.ruleSet.name}: ${formatPoints(r.score.totalCp)} 分${r.score.final ? `，${r.score.grade?.zh ?? ''}` : `（未评分 ${r.score.missing.length} 项：${r.score.missing.map((m) => m.level3).join('、')}）`}`),
      );
    });
}
