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
import { createHash } from 'node:crypto';
import readline from 'node:readline';
import { parse as parseYaml } from 'yaml';
import { ensureUserWithRole } from '../../db/accounts.repository';
import { ensureOrganisation, grantOrganisationRole, organisationByCode } from '../../db/organisations.repository';
import type { OrganisationKind, OrganisationRole } from '../../db/schema';
import { roles as roleNames, type Role } from '../../domain/ledger/unit-year.schema';
import { codeSchema } from '../../domain/ledger/scalars';
import { ORG_OFFICERS } from '../http/access';

const orgRoleNames = ORG_OFFICERS;
import { formatWanYuan, parseMoney } from '../../domain/money';
import { draftSubmissionSchema, sectionSubmissionSchema } from '../../domain/submission';
import { parse as parseWith } from '../../domain/validation';
import { hashPassword, passwordProblems, randomToken } from '../auth/passwords';
import { formatOf, readLedgerFile, writeLedgerFile } from '../ledger/files';
import { ApiClient, ApiError, loadCredentials, saveCredentials } from './api-client';
import { registerRuleSetCommands } from './rule-sets.commands';
import { registerScoringCommands } from './scoring.commands';

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

function api(): ApiClient {
  const c = loadCredentials();
  if (!c) throw new CliError('not signed in: run `selfeval login --url http://host:3000 --email you@unit` (or set SELFEVAL_URL and SELFEVAL_TOKEN)');
  return new ApiClient(c.url, { token: c.token });
}

/** A password from stdin (piped) or typed at the terminal without echo. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    let data = '';
    for await (const chunk of process.stdin) data += String(chunk);
    return data.split('\n')[0]!.trim();
  }
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(prompt);
  muted._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stderr.write('\n');
  return answer;
}

function moneyOut(fen: number): string {
  return `${formatWanYuan(fen)}万元`;
}

function out(json: boolean | undefined, value: unknown, human: () => void): void {
  if (json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else human();
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

  const org = program.command('org').description('organisations above units: a 财政局 (bureau) and its 主管部门 (departments) (operator, directly on the database)');
  org
    .command('add')
    .description('create an organisation, or rename it (idempotent by code); a department belongs to a bureau')
    .requiredOption('--code <code>', 'organisation code')
    .requiredOption('--name <name>', 'its name, e.g. 益阳市财政局')
    .requiredOption('--kind <kind>', 'bureau or department')
    .option('--parent <code>', 'the bureau a department belongs to')
    .addOption(json)
    .action(async (opts: { code: string; name: string; kind: string; parent?: string; json?: boolean }) => {
      const problems: string[] = [];
      if (opts.kind !== 'bureau' && opts.kind !== 'department') problems.push(`--kind: 应为 bureau 或 department / must be bureau or department (got ${opts.kind})`);
      if (opts.kind === 'department' && !opts.parent) problems.push('--parent: 主管部门须属于一个财政局 / a department names its bureau');
      if (opts.kind === 'bureau' && opts.parent) problems.push('--parent: 财政局没有上级机构 / a bureau has no parent');
      // The same rule as every code (units, departments in the unit list).
      if (!codeSchema.safeParse(opts.code).success) problems.push('--code: 编码只能由字母、数字、-、_、. 组成 / letters, digits, -, _ and . only');
      if (!opts.name.trim()) problems.push('--name: 不能为空 / must not be empty');
      if (problems.length) throw new CliError(problems.join('\n'), 2);
      const r = await withDb(async (db) => {
        if (opts.parent && (await organisationByCode(db, opts.parent))?.kind !== 'bureau') throw new CliError(`--parent: 没有编码为 ${opts.parent} 的财政局 / no bureau ${opts.parent}`);
        const existing = await organisationByCode(db, opts.code);
        if (existing && existing.kind !== opts.kind) throw new CliError(`--kind: ${opts.code} 已是${existing.kind === 'bureau' ? '财政局' : '主管部门'} / ${opts.code} exists as a ${existing.kind}`);
        return ensureOrganisation(db, { code: opts.code, name: opts.name.trim(), kind: opts.kind as OrganisationKind, ...(opts.parent ? { parentCode: opts.parent } : {}), actor: `cli:${os.userInfo().username}` });
      });
      out(opts.json, r, () => console.log(`${opts.code} (${opts.kind}): ${r.created ? 'created' : 'exists, name set'}`));
    });

  const users = program.command('users').description('accounts (operator, directly on the database)');
  users
    .command('add')
    .description('create a user (or find them) and grant a role in a unit (--unit) or in a bureau or department (--org); prints a generated password unless --password-stdin')
    .option('--unit <code>', 'unit code')
    .option('--org <code>', 'organisation code (roles bureau_officer, department_officer)')
    .requiredOption('--email <email>', 'email address (sign-in name)')
    .requiredOption('--role <role>', `one of ${[...roleNames, ...orgRoleNames].join(', ')}`)
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--section <code>', 'section code (for section_head)')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(json)
    .action(async (opts: { unit?: string; org?: string; email: string; role: string; name?: string; section?: string; passwordStdin?: boolean; json?: boolean }) => {
      const orgRole = (orgRoleNames as readonly string[]).includes(opts.role);
      if (!orgRole && !(roleNames as readonly string[]).includes(opts.role)) throw new CliError(`unknown role ${opts.role}: use one of ${[...roleNames, ...orgRoleNames].join(', ')}`);
      if (!!opts.unit === !!opts.org) throw new CliError('give exactly one of --unit (a unit role) or --org (bureau_officer, department_officer)');
      if (orgRole !== !!opts.org) throw new CliError(orgRole ? `${opts.role} is held in a bureau or department: use --org` : `${opts.role} is held in a unit: use --unit`);
      const password = opts.passwordStdin ? await readPassword('password: ') : randomToken().slice(0, 16);
      const weak = passwordProblems(password);
      if (weak.length) throw new CliError(weak.map((w) => `${w.zh} / ${w.en}`).join('; '));
      const name = opts.name ?? opts.email.split('@')[0]!;
      const where = opts.org ?? opts.unit!;
      const result = await withDb(async (db) => {
        if (!opts.org) return ensureUserWithRole(db, { email: opts.email, name, unitCode: opts.unit!, role: opts.role as Role, ...(opts.section ? { section: opts.section } : {}), passwordHash: await hashPassword(password) });
        const target = await organisationByCode(db, opts.org);
        if (!target) throw new CliError(`no organisation ${opts.org}: create it with \`selfeval org add\``);
        const needs = opts.role === 'bureau_officer' ? 'bureau' : 'department';
        if (target.kind !== needs) throw new CliError(`${opts.role} is held in a ${needs}; ${opts.org} is a ${target.kind}`);
        return grantOrganisationRole(db, { email: opts.email, name, organisationCode: opts.org, role: opts.role as OrganisationRole, passwordHash: await hashPassword(password), actor: `cli:${os.userInfo().username}` });
      });
      out(opts.json, { ...result, ...(opts.passwordStdin ? {} : { password }) }, () => {
        console.log(`${opts.email}: ${result.created ? 'created' : 'exists'}; ${opts.role}${opts.section ? ` of ${opts.section}` : ''} in ${where} ${result.granted ? 'granted' : 'already held'}`);
        if (!opts.passwordStdin) console.log(`password (shown once): ${password}`);
      });
    });

  program
    .command('login')
    .description('sign in to a selfeval server and keep an API token for the other commands')
    .requiredOption('--email <email>', 'your email')
    .option('--url <url>', 'server URL', process.env['SELFEVAL_URL'] ?? 'http://127.0.0.1:3000')
    .action(async (opts: { email: string; url: string }) => {
      const password = await readPassword(`password for ${opts.email}: `);
      const { token } = await ApiClient.login(opts.url, opts.email, password, `cli@${os.hostname()}`);
      console.log(`signed in; token saved to ${saveCredentials({ url: opts.url, token, email: opts.email })}`);
    });

  program
    .command('start')
    .description('start the annual evaluation of a unit-year (shows the existing one if started already)')
    .argument('<unit>').argument('<year>')
    .option('--due <date>', 'due date of the section tasks (YYYY-MM-DD)')
    .addOption(json)
    .action(async (unit: string, year: string, opts: { due?: string; json?: boolean }) => {
      const r = await api().request<{ workflowId: string; alreadyStarted: boolean; temporalUi: string }>('POST', `/api/units/${unit}/years/${year}/evaluation`, opts.due ? { dueDate: opts.due } : {});
      out(opts.json, r, () => console.log(`${r.alreadyStarted ? 'already started' : 'started'}: ${r.workflowId}\n${r.temporalUi}`));
    });

  program
    .command('schedule')
    .description('start each year’s evaluation of a unit automatically on a date (Asia/Shanghai)')
    .argument('<unit>')
    .requiredOption('--month <m>', 'month (1–12)')
    .requiredOption('--day <d>', 'day of the month')
    .option('--hour <h>', 'hour of the day', '9')
    .addOption(json)
    .action(async (unit: string, opts: { month: string; day: string; hour: string; json?: boolean }) => {
      const r = await api().request<{ scheduleId: string; created: boolean }>('PUT', `/api/units/${unit}/schedule`, { month: Number(opts.month), dayOfMonth: Number(opts.day), hour: Number(opts.hour) });
      out(opts.json, r, () => console.log(`${r.created ? 'created' : 'updated'} ${r.scheduleId}: every year on ${opts.month}-${opts.day} ${opts.hour}:00, the year just closed is evaluated`));
    });

  program
    .command('status')
    .description('stage, tasks, findings and report of a unit-year’s evaluation')
    .argument('<unit>').argument('<year>')
    .addOption(json)
    .action(async (unit: string, year: string, opts: { json?: boolean }) => {
      const s = await api().request<{ stage: string; sections: Array<{ name: string; state: string; dueAt: string }>; findings: { total?: number; blocking?: number }; reportVersion: number | null; temporalUi: string }>('GET', `/api/units/${unit}/years/${year}/evaluation`);
      out(opts.json, s, () => {
        console.log(`stage: ${s.stage}   report: ${s.reportVersion ?? '—'}   findings: ${s.findings.total ?? '—'} (${s.findings.blocking ?? '—'} blocking)`);
        for (const x of s.sections) console.log(`  ${x.name.padEnd(12)} ${x.state.padEnd(10)} due ${x.dueAt}`);
        console.log(s.temporalUi);
      });
    });

  program
    .command('tasks')
    .description('my tasks (section heads: their section; finance: all of the unit)')
    .option('--unit <code>').option('--year <year>').option('--open', 'only tasks still waiting for their section')
    .addOption(json)
    .action(async (opts: { unit?: string; year?: string; open?: boolean; json?: boolean }) => {
      const q = new URLSearchParams({ ...(opts.unit ? { unit: opts.unit } : {}), ...(opts.year ? { year: opts.year } : {}), ...(opts.open ? { open: 'true' } : {}) });
      const r = await api().request<{ tasks: Array<{ id: number; unitCode: string; year: number; sectionName: string; state: string; dueAt: string; overdue: boolean }> }>('GET', `/api/tasks?${q.toString()}`);
      out(opts.json, r, () => {
        for (const t of r.tasks) console.log(`#${String(t.id).padEnd(5)} ${t.unitCode} ${t.year} ${t.sectionName.padEnd(12)} ${t.state.padEnd(10)} due ${t.dueAt}${t.overdue ? color('31', '  overdue') : ''}`);
        if (!r.tasks.length) console.log('no tasks');
      });
    });

  for (const [name, verb, description] of [
    ['submit', 'POST', 'submit a section’s material from a YAML or JSON file (checked here first)'],
    ['draft', 'PUT', 'save a draft of a section’s material from a file, without submitting'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<task>', 'task number (see `selfeval tasks`)')
      .argument('<file>', 'submission file (.yaml or .json)')
      .addOption(json)
      .action(async (task: string, file: string, opts: { json?: boolean }) => {
        if (!fs.existsSync(file)) throw new CliError(`no such file: ${file}`);
        const content = parseYaml(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
        const checked = name === 'submit' ? parseWith(sectionSubmissionSchema, { section: 'x', ...content }) : parseWith(draftSubmissionSchema, content);
        if (!checked.ok) throw AppError.invalid(checked.problems, `${path.basename(file)} 有问题`, `${path.basename(file)} has problems`);
        const { section: _section, ...submission } = content;
        const r = await api().request<unknown>(verb, `/api/tasks/${task}/${name === 'submit' ? 'submit' : 'draft'}`, submission);
        out(opts.json, r, () => console.log(name === 'submit' ? 'submitted' : 'draft saved'));
      });
  }

  program
    .command('acknowledge')
    .description('acknowledge the reconciliation findings (finance officer)')
    .argument('<unit>').argument('<year>')
    .option('--note <text>')
    .action(async (unit: string, year: string, opts: { note?: string }) => {
      const client = api();
      const s = await client.request<{ findings: { sha256: string | null } }>('GET', `/api/units/${unit}/years/${year}/evaluation`);
      if (!s.findings.sha256) throw new CliError('no findings to acknowledge yet');
      await client.request('POST', `/api/units/${unit}/years/${year}/evaluation/acknowledge`, { findingsSha256: s.findings.sha256, ...(opts.note ? { note: opts.note } : {}) });
      console.log('findings acknowledged');
    });

  program
    .command('approve')
    .description('approve the draft report for issue (unit head)')
    .argument('<unit>').argument('<year>')
    .action(async (unit: string, year: string) => {
      const client = api();
      const s = await client.request<{ reportVersion: number | null; stage: string }>('GET', `/api/units/${unit}/years/${year}/evaluation`);
      if (s.stage !== 'approving' || s.reportVersion === null) throw new CliError(`nothing to approve (stage: ${s.stage})`);
      await client.request('POST', `/api/units/${unit}/years/${year}/evaluation/approve`, { reportVersion: s.reportVersion });
      console.log(`approved version ${s.reportVersion}`);
    });

  for (const [name, option, field, description, done] of [
    ['send-back', '--reason <text>', 'reason', 'send the draft report back to the finance officer with what is to be corrected (unit head)', 'sent back to the finance officer'],
    ['resubmit', '--note <text>', 'note', 'the correction of a returned evaluation is done: reconcile, score and draft a new version for the unit head (finance officer)', 'resubmitted; a new draft is being prepared'],
  ] as const) {
    program
      .command(name)
      .description(description)
      .argument('<unit>').argument('<year>')
      .requiredOption(option)
      .action(async (unit: string, year: string, opts: Record<typeof field, string>) => {
        await api().request('POST', `/api/units/${unit}/years/${year}/evaluation/${name}`, { [field]: opts[field] });
        console.log(done);
      });
  }

  program
    .command('restart')
    .description('restart an evaluation whose last run failed or was terminated: its tasks open again as their next run (finance officer; audited)')
    .argument('<unit>').argument('<year>')
    .requiredOption('--reason <text>', 'why it is restarted')
    .option('--due <date>', 'due date of the section tasks (YYYY-MM-DD)')
    .addOption(json)
    .action(async (unit: string, year: string, opts: { reason: string; due?: string; json?: boolean }) => {
      const r = await api().request<{ workflowId: string; runId: string; previous: { state: string } }>('POST', `/api/units/${unit}/years/${year}/evaluation/restart`, { reason: opts.reason, ...(opts.due ? { dueDate: opts.due } : {}) });
      out(opts.json, r, () => console.log(`restarted ${r.workflowId} (the previous run had ${r.previous.state === 'failed' ? 'failed' : `ended: ${r.previous.state}`})`));
    });

  program
    .command('holdbacks')
    .description('every open withheld amount of a unit and when it falls due')
    .argument('<unit>')
    .addOption(json)
    .action(async (unit: string, opts: { json?: boolean }) => {
      const r = await api().request<{ holdbacks: Array<{ year: number; holdbackCode: string; projectName: string; kind: string; outstandingFen: number; nextDueOn?: string; awaitingText: { zh: string }; status: string; stopped?: string }> }>('GET', `/api/units/${unit}/holdbacks`);
      out(opts.json, r, () => {
        for (const h of r.holdbacks) {
          console.log(`${h.year} ${h.holdbackCode.padEnd(32)} ${h.kind.padEnd(14)} ${moneyOut(h.outstandingFen).padStart(12)}  ${(h.nextDueOn ?? '—').padEnd(10)} ${h.status.padEnd(10)} ${h.awaitingText.zh}${h.stopped ? `  [跟踪已停止 / tracking stopped: ${h.stopped} — selfeval restart-holdback]` : ''}`);
        }
        if (!r.holdbacks.length) console.log('no open withheld amounts');
      });
    });

  const event = (name: string, description: string) =>
    program
      .command(name)
      .description(description)
      .argument('<unit>').argument('<year>').argument('<holdback>', 'holdback code (see `selfeval holdbacks`)')
      .option('--request-id <id>', 'repeat a request safely: the same id gives the same answer (default: new)')
      .addOption(json);
  const send = async (unit: string, year: string, holdback: string, kind: string, payload: Record<string, unknown>, opts: { requestId?: string; json?: boolean }) => {
    const r = await api().request<unknown>('POST', `/api/units/${unit}/years/${year}/holdbacks/${holdback}/${kind}`, { requestId: opts.requestId ?? `cli-${randomToken().slice(0, 12)}`, ...payload });
    out(opts.json, r, () => console.log(`${kind} recorded for ${holdback}`));
  };
  event('assess', 'record an O&M assessment result')
    .requiredOption('--period <period>', 'assessment period, e.g. 2021')
    .requiredOption('--on <date>', 'assessed on (YYYY-MM-DD)')
    .option('--passed', 'the assessment was passed')
    .option('--failed', 'the assessment was failed')
    .option('--score <n>', 'score (0–100)')
    .option('--coefficient <percent>', 'payment coefficient, e.g. 95%')
    .action(async (unit: string, year: string, holdback: string, opts: { period: string; on: string; passed?: boolean; failed?: boolean; score?: string; coefficient?: string; requestId?: string; json?: boolean }) => {
      if (Boolean(opts.passed) === Boolean(opts.failed)) throw new CliError('give exactly one of --passed or --failed');
      const coefficientBp = opts.coefficient === undefined ? undefined : Math.round(Number(opts.coefficient.replace('%', '')) * 100);
      await send(unit, year, holdback, 'assessment', { period: opts.period, assessedOn: opts.on, passed: Boolean(opts.passed), ...(opts.score ? { score: Number(opts.score) } : {}), ...(coefficientBp !== undefined ? { coefficientBp } : {}) }, opts);
    });
  event('accept', 'record the acceptance (验收) a final payment waits for')
    .requiredOption('--on <date>', 'accepted on (YYYY-MM-DD)')
    .option('--warranty-months <n>', 'warranty of the retention it opens, when the contract does not say')
    .action(async (unit: string, year: string, holdback: string, opts: { on: string; warrantyMonths?: string; requestId?: string; json?: boolean }) => {
      await send(unit, year, holdback, 'acceptance', { acceptedOn: opts.on, ...(opts.warrantyMonths ? { warrantyMonths: Number(opts.warrantyMonths) } : {}) }, opts);
    });
  event('pay', 'record a (partial) payment of a withheld amount')
    .requiredOption('--amount <amount>', 'amount with its unit, e.g. 5万元 or 50000.00元')
    .requiredOption('--on <date>', 'paid on (YYYY-MM-DD)')
    .option('--note <text>')
    .action(async (unit: string, year: string, holdback: string, opts: { amount: string; on: string; note?: string; requestId?: string; json?: boolean }) => {
      const amountFen = /万元?$/.test(opts.amount.trim()) ? parseMoney(opts.amount, 'wan') : parseMoney(opts.amount.replace(/元$/, ''), 'yuan');
      await send(unit, year, holdback, 'release', { amountFen, paidOn: opts.on, ...(opts.note ? { note: opts.note } : {}) }, opts);
    });
  event('defect', 'report a defect: the warranty is extended and the due date moves')
    .requiredOption('--on <date>', 'reported on (YYYY-MM-DD)')
    .requiredOption('--months <n>', 'extend the warranty by this many months')
    .requiredOption('--description <text>')
    .action(async (unit: string, year: string, holdback: string, opts: { on: string; months: string; description: string; requestId?: string; json?: boolean }) => {
      await send(unit, year, holdback, 'defect', { reportedOn: opts.on, extendMonths: Number(opts.months), description: opts.description }, opts);
    });
  event('milestone', 'record the milestone a withheld amount waits for')
    .requiredOption('--name <milestone>', 'the milestone as the ledger names it')
    .requiredOption('--on <date>', 'reached on (YYYY-MM-DD)')
    .action(async (unit: string, year: string, holdback: string, opts: { name: string; on: string; requestId?: string; json?: boolean }) => {
      await send(unit, year, holdback, 'milestone', { milestone: opts.name, reachedOn: opts.on }, opts);
    });

  program
    .command('restart-holdback')
    .description('restart the tracking of a withheld amount whose workflow stopped while money is still withheld: it goes on from where it stopped (finance officer; audited)')
    .argument('<unit>').argument('<year>').argument('<holdback>', 'holdback code (see `selfeval holdbacks`)')
    .requiredOption('--reason <text>', 'why it is restarted')
    .addOption(json)
    .action(async (unit: string, year: string, holdback: string, opts: { reason: string; json?: boolean }) => {
      const r = await api().request<{ workflowId: string; previous: { state: string }; carried: boolean }>('POST', `/api/units/${unit}/years/${year}/holdbacks/${holdback}/restart`, { reason: opts.reason });
      out(opts.json, r, () => console.log(`restarted ${r.workflowId} (the previous run had ended: ${r.previous.state}; ${r.carried ? 'going on from its state' : 'starting again from the ledger'})`));
    });

  const notifications = program.command('notifications').description('messages of a unit that did not reach their recipient: list, send again, stop trying (the unit’s administrator; audited)');
  notifications
    .command('list')
    .description('messages still retrying after a failed try, that may have been sent, or that were given up — newest first, with why')
    .argument('<unit>')
    .addOption(json)
    .action(async (unit: string, opts: { json?: boolean }) => {
      const r = await api().request<{ undelivered: Array<{ id: number; status: string; channel: string; to: string; subject: string; attempts: number; error: string | null; createdAt: string }> }>('GET', `/api/admin/units/${unit}`);
      out(opts.json, { undelivered: r.undelivered }, () => {
        for (const n of r.undelivered) console.log(`${String(n.id).padStart(6)}  ${n.status.padEnd(9)} ${String(n.attempts).padStart(3)}×  ${n.channel.padEnd(8)} ${n.to}  ${n.subject}${n.error ? `  — ${n.error}` : ''}`);
        if (!r.undelivered.length) console.log('every message arrived');
      });
    });
  for (const [name, description] of [
    ['resend', 'send an uncertain or given-up message again (an uncertain one may arrive twice)'],
    ['abandon', 'stop trying a message that is still retrying or uncertain'],
  ] as const) {
    notifications
      .command(name)
      .description(description)
      .argument('<unit>').argument('<id>')
      .addOption(json)
      .action(async (unit: string, id: string, opts: { json?: boolean }) => {
        const r = await api().request<{ status: string }>('POST', `/api/admin/units/${unit}/notifications/${id}/${name}`, {});
        out(opts.json, r, () => console.log(`message ${id}: ${r.status === 'pending' ? 'in the outbox again' : 'no longer tried'}`));
      });
  }

  const report = program.command('report').description('reports');
  report
    .command('download')
    .description('download a report version (default: the issued one), checking its sha256')
    .argument('<unit>').argument('<year>')
    .option('--version <n>', 'version number')
    .option('--format <format>', 'pdf or docx', 'pdf')
    .option('-o, --out <file>', 'output file')
    .action(async (unit: string, year: string, opts: { version?: string; format: string; out?: string }) => {
      const client = api();
      let version = opts.version ? Number(opts.version) : undefined;
      if (version === undefined) {
        const list = await client.request<{ reports: Array<{ version: number; kind: string }> }>('GET', `/api/units/${unit}/years/${year}/reports`);
        version = list.reports.find((r) => r.kind === 'issued')?.version;
        if (version === undefined) throw new CliError('no issued report yet: give --version for a draft');
      }
      const response = await client.raw('GET', `/api/units/${unit}/years/${year}/reports/${version}/${opts.format}`);
      if (!response.ok) throw new ApiError(response.status, (await response.json()) as ApiError['body']);
      const bytes = Buffer.from(await response.arrayBuffer());
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== response.headers.get('x-content-sha256')) throw new CliError(`downloaded bytes do not match the stored sha256 (${sha})`);
      const file = opts.out ?? `${unit}-${year}-v${version}.${opts.format}`;
      fs.writeFileSync(file, bytes);
      console.log(`${file}  sha256 ${sha}`);
    });

  const kit = {
    api,
    out,
    fail: (message: string): never => {
      throw new CliError(message);
    },
  };
  registerScoringCommands(program, kit);
  registerRuleSetCommands(program, kit);

  await program.parseAsync(argv);
}

// `selfeval check file | head`: a reader that stops early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv).catch((e: unknown) => {
  const json = process.argv.includes('--json');
  if (isAppError(e)) {
    printProblems(e, json);
    process.exitCode = e.code === 'invalid_input' ? 2 : 1;
  } else if (e instanceof ApiError) {
    if (json) process.stdout.write(`${JSON.stringify(e.body, null, 2)}\n`);
    else process.stderr.write(`${color('31', '✗')} ${e.body.messageZh ?? ''} / ${e.body.message ?? e.message}\n${(e.body.details ?? []).map((d) => `  - ${d.path}: ${d.zh} / ${d.en}`).join('\n')}\n`);
    process.exitCode = e.status === 400 ? 2 : 1;
  } else if (e instanceof CliError) {
    process.stderr.write(`${color('31', '✗')} ${e.message}\n`);
    process.exitCode = e.exitCode;
  } else {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  }
});
