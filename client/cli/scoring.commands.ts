/**
 * The score's inputs from the command line, through the API: evidence files (佐证材料), the
 * finance officer's self-assessment (自评) and the 基础数据表. Files are checked here first, so a
 * bad one is refused before anything is sent, with every problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../../domain/errors';
import { checkEvidenceFile } from '../../domain/evidence';
import { basicDataSchema } from '../../domain/ledger/basic-data';
import { formatPoints } from '../../domain/rate';
import { selfAssessmentEntrySchema } from '../../domain/self-assessment';
import { parse as parseWith, type Problem } from '../../domain/validation';
import type { ApiClient } from './api-client';

export interface CliKit {
  api(): ApiClient;
  out(json: boolean | undefined, value: unknown, human: () => void): void;
  fail(message: string): never;
}

interface EvidenceItem {
  id: number;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  section: string | null;
}

interface ScoreSummary {
  totalCp: number;
  final: boolean;
  grade: { zh: string } | null;
  gradeRange: { worst: { zh: string }; best: { zh: string } };
  missing: Array<{ level3: string }>;
  losses: Array<{ level3: string; deductionCp: number; reasonZh: string }>;
}

function readStructured(file: string, kit: CliKit): unknown {
  if (!fs.existsSync(file)) kit.fail(`no such file: ${file}`);
  try {
    return parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw AppError.invalid([{ path: '(file)', code: 'syntax', zh: `无法解析 ${path.basename(file)}：${(e as Error).message}`, en: `cannot parse ${path.basename(file)}: ${(e as Error).message}` }]);
  }
}

function printScore(score: ScoreSummary): void {
  console.log(
    score.final
      ? `得分 ${formatPoints(score.totalCp)}，等级 ${score.grade?.zh ?? '—'}`
      : `已得 ${formatPoints(score.totalCp)} 分，未评分 ${score.missing.length} 项（${score.missing.map((m) => m.level3).join('、')}），等级介于 ${score.gradeRange.worst.zh} 与 ${score.gradeRange.best.zh} 之间`,
  );
  for (const l of score.losses) console.log(`  −${formatPoints(l.deductionCp)}  ${l.level3}：${l.reasonZh}`);
}

/**
 * Entries from a file — `entries: [...]` or a plain list — checked against the entry schema. An
 * entry's `evidence` may name uploaded files by id or by file name.
 */
async function entriesFrom(file: string, unit: string, year: string, kit: CliKit): Promise<Array<Record<string, unknown>>> {
  const content = readStructured(file, kit);
  const list = Array.isArray(content) ? content : (content as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(list)) throw AppError.invalid([{ path: 'entries', code: 'entries_required', zh: '文件应为自评条目列表，或含 entries 列表', en: 'the file must be a list of entries, or have an `entries` list' }]);
  const needsNames = list.some((e) => Array.isArray((e as { evidence?: unknown })?.evidence) && (e as { evidence: unknown[] }).evidence.some((x) => typeof x === 'string'));
  const evidence = needsNames ? (await kit.api().request<{ evidence: EvidenceItem[] }>('GET', `/api/units/${unit}/years/${year}/evidence`)).evidence : [];
  const problems: Problem[] = [];
  const entries = list.map((raw, i) => {
    const e = { ...(raw as Record<string, unknown>) };
    if (Array.isArray(e['evidence'])) {
      e['evidence'] = (e['evidence'] as unknown[]).map((x, k) => {
        if (typeof x !== 'string') return x;
        const found = evidence.filter((f) => f.fileName === x);
        if (found.length !== 1) {
          problems.push({ path: `entries[${i}].evidence[${k}]`, code: 'unknown_evidence', zh: found.length ? `有多个名为“${x}”的佐证材料，请用编号` : `没有名为“${x}”的佐证材料（先用 selfeval evidence upload 上传）`, en: found.length ? `several evidence files are named "${x}"; use the id` : `no evidence file named "${x}" (upload it with selfeval evidence upload)` });
          return 0;
        }
        return found[0]!.id;
      });
    }
    const checked = parseWith(selfAssessmentEntrySchema, e);
    if (!checked.ok) problems.push(...checked.problems.map((p) => ({ ...p, path: p.path === '(root)' ? `entries[${i}]` : `entries[${i}].${p.path}` })));
    return e;
  });
  if (problems.length) throw AppError.invalid(problems, `${path.basename(file)} 有问题`, `${path.basename(file)} has problems`);
  return entries;
}

export function registerScoringCommands(program: Command, kit: CliKit): void {
  const json = new Option('--json', 'machine-readable output');

  const evidence = program.command('evidence').description('evidence files (佐证材料) of a unit-year');
  evidence
    .command('upload')
    .description('upload an evidence file (≤ 10 MB; PDF, images, Word/Excel, OFD or text — its type is checked by its content)')
    .argument('<unit>').argument('<year>').argument('<file>')
    .option('--section <code>', 'the section it belongs to (a section head heading several sections)')
    .addOption(json)
    .action(async (unit: string, year: string, file: string, opts: { section?: string; json?: boolean }) => {
      if (!fs.existsSync(file)) kit.fail(`no such file: ${file}`);
      const bytes = fs.readFileSync(file);
      const checked = checkEvidenceFile(path.basename(file), bytes);
      if (!checked.ok) throw AppError.invalid(checked.problems, `${path.basename(file)} 不能作为佐证材料`, `${path.basename(file)} cannot be used as evidence`);
      const r = await kit.api().request<{ evidence: EvidenceItem; created: boolean }>('POST', `/api/units/${unit}/years/${year}/evidence`, {
        fileName: checked.fileName, contentBase64: bytes.toString('base64'), ...(opts.section ? { section: opts.section } : {}),
      });
      kit.out(opts.json, r, () => console.log(`#${r.evidence.id} ${r.evidence.fileName} (${r.evidence.sizeBytes} bytes, sha256 ${r.evidence.sha256.slice(0, 16)}…)${r.created ? '' : ' — already uploaded'}`));
    });
  evidence
    .command('list')
    .description('evidence files you may see')
    .argument('<unit>').argument('<year>')
    .addOption(json)
    .action(async (unit: string, year: string, opts: { json?: boolean }) => {
      const r = await kit.api().request<{ evidence: EvidenceItem[] }>('GET', `/api/units/${unit}/years/${year}/evidence`);
      kit.out(opts.json, r, () => {
        for (const e of r.evidence) console.log(`#${String(e.id).padEnd(5)} ${e.fileName}  ${e.sizeBytes} bytes  ${e.section ?? '财务'}  ${e.sha256.slice(0, 16)}…`);
        if (!r.evidence.length) console.log('no evidence files');
      });
    });

  const assessment = program.command('self-assessment').description('the finance officer’s self-assessment (自评) of a unit-year');
  assessment
    .command('show')
    .description('the indicators to value, the values so far and the score they give')
    .argument('<unit>').argument('<year>')
    .addOption(json)
    .action(async (unit: string, year: string, opts: { json?: boolean }) => {
      const r = await kit.api().request<{
        indicators: Array<{ id: string; level2: string; level3: string; weightCp: number; kind: string }>;
        entries: Array<{ indicator: string; tier?: string; points?: string; notApplicable?: boolean; survey?: { sample: number; satisfied: number } }>;
        task: { id: number; state: string; dueAt: string } | null;
        score: ScoreSummary;
      }>('GET', `/api/units/${unit}/years/${year}/self-assessment`);
      kit.out(opts.json, r, () => {
        if (r.task) console.log(`task #${r.task.id}: ${r.task.state}, due ${new Date(r.task.dueAt).toISOString()}`);
        for (const ind of r.indicators) {
          const e = r.entries.find((x) => x.indicator === ind.id);
          const value = !e ? '—' : e.notApplicable ? '不适用' : e.survey ? `${e.survey.satisfied}/${e.survey.sample}` : e.points !== undefined ? `${e.points} 分（${e.tier ?? ''}）` : '说明';
          if (ind.kind !== 'computed' || e) console.log(`  ${ind.id.padEnd(24)} ${`${ind.level2}·${ind.level3}`.padEnd(20)} ${formatPoints(ind.weightCp).padStart(6)}  ${value}`);
        }
        printScore(r.score);
      });
    });
  for (const [name, description] of [
    ['save', 'save entries from a YAML/JSON file (checked against the rule set; before the evaluation, or to correct a submitted one before scoring)'],
    ['submit', 'submit the self-assessment task from a YAML/JSON file (every indicator valued)'],
  ] as const) {
    assessment
      .command(name)
      .description(description)
      .argument('<unit>').argument('<year>').argument('<file>', 'entries (.yaml or .json): `entries: [{ indicator, tier, points, reason, evidence: [id or file name] }]`')
      .addOption(json)
      .action(async (unit: string, year: string, file: string, opts: { json?: boolean }) => {
        const entries = await entriesFrom(file, unit, year, kit);
        const client = kit.api();
        if (name === 'save') {
          const r = await client.request<{ score: ScoreSummary }>('PUT', `/api/units/${unit}/years/${year}/self-assessment`, { entries });
          kit.out(opts.json, r, () => printScore(r.score));
          return;
        }
        const state = await client.request<{ task: { id: number; state: string } | null }>('GET', `/api/units/${unit}/years/${year}/self-assessment`);
        if (!state.task) kit.fail('no self-assessment task: start the evaluation first (or use `self-assessment save`)');
        const r = await client.request<unknown>('POST', `/api/tasks/${state.task.id}/submit`, { entries });
        kit.out(opts.json, r, () => console.log('self-assessment submitted'));
      });
  }

  const basic = program.command('basic-data').description('the 基础数据表 of a unit-year');
  basic
    .command('set')
    .description('replace the 基础数据表 from a YAML/JSON file (the `basicData` block of a unit-year file; refused when its columns do not add up)')
    .argument('<unit>').argument('<year>').argument('<file>')
    .addOption(json)
    .action(async (unit: string, year: string, file: string, opts: { json?: boolean }) => {
      const content = readStructured(file, kit) as Record<string, unknown> | null;
      const table = content && typeof content === 'object' && 'basicData' in content ? content['basicData'] : content;
      const checked = parseWith(basicDataSchema, table);
      if (!checked.ok) throw AppError.invalid(checked.problems, `${path.basename(file)} 有问题`, `${path.basename(file)} has problems`);
      const r = await kit.api().request<{ findings: Array<{ severity: string; zh: string }>; score: ScoreSummary }>('PUT', `/api/units/${unit}/years/${year}/basic-data`, table);
      kit.out(opts.json, r, () => {
        console.log(`基础数据表已保存；对账发现 ${r.findings.length} 项`);
        for (const f of r.findings.filter((x) => x.severity !== 'info')) console.log(`  ! ${f.zh}`);
        printScore(r.score);
      });
    });
}
