#!/usr/bin/env node
/**
 * `selfeval` — the command line. Every command has --help; --json prints machine-readable
 * output. Commands that touch the database use DATABASE_URL (or the embedded Postgres of
 * `npm start`); `check` works offline on a file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { createDb, type Db, pingDb } from '../../db/connection';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { migrateToLatest } from '../../db/migrate';
import { type Config, databaseUrlOf, parseConfig, redactUrl } from '../../domain/config';
import { AppError, isAppError } from '../../domain/errors';
import { formatProblems } from '../../domain/validation';
import { analyseUnitYear, type Analysis } from '../../domain/ledger/analysis';
import { formatOf, readLedgerFile, writeLedgerFile } from '../ledger/files';

const tty = process.stdout.isTTY;
const color = (code: string, s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

function config(): Config {
  return parseConfig(process.env, { cwd: process.cwd(), homeDir: os.homedir() });
}

async function withDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const url = databaseUrlOf(config());
  const db = createDb(url, { max: 2, applicationName: 'selfeval-cli' });
  try {
    try {
      await pingDb(db, 5_000);
    } catch (e) {
      throw new CliError(`cannot reach the database at ${redactUrl(url)} (${(e as Error).message}): set DATABASE_URL, or start the stack with \`npm start\``);
    }
    await migrateToLatest(db);
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

async function readFileOrFail(file: string) {
  if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
  const read = await readLedgerFile(file, fs.readFileSync(file));
  if (!read.ok) throw AppError.invalid(read.problems, `文件 ${path.basename(file)} 有 ${read.problems.length} 处问题`, `${path.basename(file)} has ${read.problems.length} problem(s)`);
  return read.value;
}

function printProblems(e: AppError, json: boolean): void {
  if (json) process.stdout.write(`${JSON.stringify(e.toJSON(), null, 2)}\n`);
  else process.stderr.write(`${color('31', '✗')} ${e.zh} / ${e.en}\n${formatProblems(e.details)}\n`);
}

const severityMark: Record<string, string> = { error: color('31', '✗'), warning: color('33', '!'), info: color('36', 'i') };

function printAnalysis(a: Analysis): void {
  const blocking = a.reconciliation.findings.filter((f) => f.blocking).length;
  console.log(`${a.unitName} ${a.year} 年度`);
  console.log(`\n对账发现 findings: ${a.reconciliation.findings.length}（需确认 blocking: ${blocking}）`);
  for (const f of a.reconciliation.findings) console.log(`  ${severityMark[f.severity]} [${f.code}] ${f.zh}`);
  console.log('\n指标 indicators:');
  for (const i of a.indicators) console.log(`  ${i.formulaZh}${i.notApplicable ? `（不适用：${i.notApplicable.zh}）` : ''}`);
  const sheet = a.score;
  console.log(`\n得分预览 score preview (${sheet.ruleSetId}): ${(sheet.totalCp / 100).toFixed(2)} / ${(sheet.scoredMaxCp / 100).toFixed(2)} 已评分`);
  console.log(`  ${sheet.summaryZh}`);
  for (const l of sheet.losses) console.log(`  ${severityMark['warning']} ${l.reasonZh}`);
  if (a.ageing.length) {
    console.log('\n结转资金账龄 carry-over ageing:');
    for (const g of a.ageing) console.log(`  ${g.status === 'recoverable' ? severityMark['error'] : severityMark['warning']} ${g.zh}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('selfeval')
    .description('部门整体支出绩效自评 — budget performance self-evaluation on Temporal and Postgres')
    .showHelpAfterError();
  const json = new Option('--json', 'machine-readable output');

  program
    .command('check')
    .description('validate and reconcile a unit-year file offline (no database): findings, carry-over ageing')
    .argument('<file>', 'unit-year file (.yaml, .json or .xlsx)')
    .addOption(json)
    .action(async (file: string, opts: { json?: boolean }) => {
      const unitYear = await readFileOrFail(file);
      const analysis = analyseUnitYear(unitYear);
      if (opts.json) process.stdout.write(`${JSON.stringify(analysis, null, 2)}\n`);
      else printAnalysis(analysis);
    });

  program
    .command('import')
    .description('import a unit-year file into the ledger; importing the same content again changes nothing')
    .argument('<file>', 'unit-year file (.yaml, .json or .xlsx)')
    .option('--actor <name>', 'who is importing (recorded in the import log)', os.userInfo().username)
    .addOption(json)
    .action(async (file: string, opts: { json?: boolean; actor: string }) => {
      const unitYear = await readFileOrFail(file);
      const result = await withDb((db) => importUnitYear(db, unitYear, { actor: opts.actor, fileName: path.basename(file) }));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      const what = { created: '已新建 created', updated: '已更新 updated', unchanged: '无变化 unchanged' }[result.status];
      console.log(`${result.unitCode} ${result.year}: ${what}`);
      for (const [table, c] of Object.entries(result.changes)) console.log(`  ${table}: +${c.inserted} ~${c.updated} -${c.deleted}`);
    });

  program
    .command('export')
    .description('export a unit-year from the ledger to a file (.xlsx, .yaml or .json, from the extension)')
    .argument('<unit>', 'unit code')
    .argument('<year>', 'fiscal year')
    .requiredOption('-o, --out <file>', 'output file')
    .action(async (unit: string, year: string, opts: { out: string }) => {
      const format = formatOf(opts.out);
      if (!format) throw new CliError(`unsupported output type: ${opts.out} (use .xlsx, .yaml or .json)`);
      const loaded = await withDb((db) => loadUnitYear(db, { unitCode: unit, year: Number(year) }));
      if (!loaded) throw new CliError(`no unit-year ${unit} ${year} in the ledger`);
      fs.writeFileSync(opts.out, await writeLedgerFile(loaded, format));
      console.log(`wrote ${opts.out}`);
    });

  await program.parseAsync(argv);
}

main(process.argv).catch((e: unknown) => {
  const json = process.argv.includes('--json');
  if (isAppError(e)) {
    printProblems(e, json);
    process.exitCode = e.code === 'invalid_input' ? 2 : 1;
  } else if (e instanceof CliError) {
    process.stderr.write(`${color('31', '✗')} ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
});
