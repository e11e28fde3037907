/**
 * The `selfeval` command line as an operator and the three roles use it, against a real HTTP
 * server, worker, dev server and Postgres: users add, login (API token), import, start, tasks,
 * submit (an invalid file first), acknowledge, approve, report download with its sha256 checked.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { parse as parseYaml, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildServer } from '../../client/http/server';
import { createWorker } from '../../worker/create-worker';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedFile, seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');

describe('the selfeval command line', () => {
  let database: TestDatabase;
  let client: Client;
  let namespace: string;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let url: string;
  const taskQueue = uniqueTaskQueue('cli');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-cli-'));

  /** Runs `selfeval` as `who` (each person has their own credentials folder). */
  function cli(who: string, args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(path.join(root, 'bin/selfeval'), args, {
        cwd: home,
        env: { PATH: process.env['PATH'], HOME: home, XDG_CONFIG_HOME: path.join(home, who), DATABASE_URL: database.url, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdin.end(stdin ?? '');
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const ok = async (who: string, args: string[], stdin?: string) => {
    const r = await cli(who, args, stdin);
    expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ namespace, client, native } = await devServerConnections('cli'));
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await client?.workflow.getHandle('evaluation/yiyang-smart-city/2020').terminate().catch(() => undefined);
    worker?.shutdown();
    await running;
    await app?.close();
    await native?.close();
    await client?.connection.close();
    await database?.drop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('runs the seed cycle from the command line', async () => {
    const unit = 'yiyang-smart-city';
    expect(JSON.parse(await ok('operator', ['import', seedFile, '--json'])).status).toBe('created');
    const password = 'cli-password-42';
    for (const [email, role, section] of [
      ['finance@cli.test', 'finance_officer'], ['head@cli.test', 'unit_head'], ...seedUnitYear().unit.sections.map((s) => [`${s.code}@cli.test`, 'section_head', s.code]),
    ] as Array<[string, string, string?]>) {
      await ok('operator', ['users', 'add', '--unit', unit, '--email', email, '--role', role, ...(section ? ['--section', section] : []), '--password-stdin'], `${password}\n`);
    }
    const login = async (who: string, email: string) => ok(who, ['login', '--url', url, '--email', email], `${password}\n`);
    await login('finance', 'finance@cli.test');
    await login('head', 'head@cli.test');
    const started = JSON.parse(await ok('finance', ['start', unit, '2020', '--due', '2030-12-31', '--json'])) as { workflowId: string; alreadyStarted: boolean };
    expect(started).toMatchObject({ workflowId: `evaluation/${unit}/2020`, alreadyStarted: false });
    expect(JSON.parse(await ok('finance', ['start', unit, '2020', '--json'])).alreadyStarted).toBe(true);

    const submissions = seedUnitYear().submissions;
    const files = path.join(home, 'submissions');
    fs.mkdirSync(files);
    for (const section of seedUnitYear().unit.sections) {
      const who = `head-${section.code}`;
      await login(who, `${section.code}@cli.test`);
      let tasks: Array<{ id: number; section: string; state: string }> = [];
      for (let i = 0; i < 100 && tasks.length === 0; i++) {
        tasks = (JSON.parse(await ok(who, ['tasks', '--json'])) as { tasks: typeof tasks }).tasks;
        if (!tasks.length) await new Promise((r) => setTimeout(r, 200));
      }
      expect(tasks.map((t) => t.section)).toEqual([section.code]);
      const file = path.join(files, `${section.code}.yaml`);
      const { section: _s, ...content } = submissions.find((s) => s.section === section.code) ?? {
        section: section.code, achievements: [{ title: '网络与信息安全保障', paragraphs: ['全年未发生重大网络安全事故。'] }], outputIndicators: [], problems: [], nextSteps: [],
      };
      if (section.code === 'infosec') {
        // An invalid file is refused before it is sent, with its problems.
        fs.writeFileSync(file, stringify({ achievements: [], outputIndicators: [{ name: '事故', unit: '起', direction: '<=', target: '', actual: '0' }] }));
        const refused = await cli(who, ['submit', String(tasks[0]!.id), file]);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain('outputIndicators[0].target');
      }
      fs.writeFileSync(file, stringify(content));
      await ok(who, ['submit', String(tasks[0]!.id), file]);
    }

    // The finance officer's part: the 基础数据表, evidence and the self-assessment.
    const seed = seedUnitYear();
    const tableFile = path.join(home, 'basic-data.yaml');
    const table = parseYaml(fs.readFileSync(seedFile, 'utf8')).basicData as { threePublic: { total: Record<string, string> } };
    table.threePublic.total['final'] = '8.6万元'; // its parts add up to 8.5万元
    fs.writeFileSync(tableFile, stringify({ basicData: table }));
    const badTable = await cli('finance', ['basic-data', 'set', unit, '2020', tableFile]);
    expect(badTable.code, badTable.stderr).toBe(2);
    expect(badTable.stderr).toContain('body.threePublic.total.final');
    table.threePublic.total['final'] = '8.5万元';
    fs.writeFileSync(tableFile, stringify({ basicData: table }));
    expect(await ok('finance', ['basic-data', 'set', unit, '2020', tableFile])).toContain('基础数据表已保存');

    const fakePdf = path.join(home, '满意度调查.pdf');
    fs.writeFileSync(fakePdf, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const refusedUpload = await cli('finance', ['evidence', 'upload', unit, '2020', fakePdf]);
    expect(refusedUpload.code).toBe(2);
    expect(refusedUpload.stderr).toContain('实为PNG 图片');
    fs.writeFileSync(fakePdf, '%PDF-1.4\n% 满意度调查问卷汇总\n');
    expect(await ok('finance', ['evidence', 'upload', unit, '2020', fakePdf])).toMatch(/^#\d+ 满意度调查\.pdf/);

    const entries = seed.selfAssessment!.entries.map((e) => (e.indicator === 'satisfaction' ? { ...e, evidence: ['满意度调查.pdf'] } : e));
    const assessmentFile = path.join(home, 'self-assessment.yaml');
    // 7.20 of 8 is 达成 (6.40–8.00); 6.00 is not.
    fs.writeFileSync(assessmentFile, stringify({ entries: entries.map((e) => (e.indicator === 'social_benefit' ? { ...e, points: '6' } : e)) }));
    let submittedAssessment = await cli('finance', ['self-assessment', 'submit', unit, '2020', assessmentFile]);
    for (let i = 0; i < 100 && submittedAssessment.stderr.includes('no self-assessment task'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      submittedAssessment = await cli('finance', ['self-assessment', 'submit', unit, '2020', assessmentFile]);
    }
    expect(submittedAssessment.code, submittedAssessment.stderr).toBe(2);
    expect(submittedAssessment.stderr).toContain('entries[7].points: 6.00 分不在“达成年度指标”档的范围内：6.40 分（含）至 8.00 分（含）');
    fs.writeFileSync(assessmentFile, stringify({ entries }));
    expect(await ok('finance', ['self-assessment', 'submit', unit, '2020', assessmentFile])).toContain('self-assessment submitted');
    const shown = await ok('finance', ['self-assessment', 'show', unit, '2020']);
    expect(shown).toContain('得分 86.00，等级 良');

    const waitStage = async (stage: string) => {
      for (let i = 0; i < 300; i++) {
        const s = JSON.parse(await ok('finance', ['status', unit, '2020', '--json'])) as { stage: string; findings: { sha256: string | null }; reportVersion: number | null };
        if (s.stage === stage && (stage !== 'reviewing' || s.findings.sha256)) return s;
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`never reached ${stage}`);
    };
    await waitStage('reviewing');
    await ok('finance', ['acknowledge', unit, '2020', '--note', '差异已核实']);
    const first = await waitStage('approving');
    // A running evaluation is not restarted: refused with the reason, exit code 1.
    const notRestarted = await cli('finance', ['restart', unit, '2020', '--reason', '试一下']);
    expect(notRestarted.code).toBe(1);
    expect(notRestarted.stderr).toContain('评价仍在进行，无需重新启动');
    // The head sends draft 1 back; the finance officer resubmits; draft 2 comes to the head.
    await ok('head', ['send-back', unit, '2020', '--reason', '请补充佐证说明']);
    await waitStage('returned');
    expect((await cli('finance', ['resubmit', unit, '2020'])).code).not.toBe(0); // --note is required
    await ok('finance', ['resubmit', unit, '2020', '--note', '已补充']);
    const second = await waitStage('approving');
    expect(second.reportVersion).toBe(first.reportVersion! + 1);
    await ok('head', ['approve', unit, '2020']);
    await waitStage('issued');
    const downloaded = await ok('finance', ['report', 'download', unit, '2020', '-o', path.join(home, 'report.pdf')]);
    expect(downloaded).toMatch(/report\.pdf {2}sha256 [0-9a-f]{64}/);
    expect(fs.readFileSync(path.join(home, 'report.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const stored = await database.db.selectFrom('reports').select('pdf_sha256').where('kind', '=', 'issued').executeTakeFirstOrThrow();
    expect(downloaded).toContain(stored.pdf_sha256);
    // About 60 separate `selfeval` processes (each a Node start): half a minute alone, far more on a loaded machine.
  }, 300_000);

  it('creates a bureau, a department and their officers, who then sign in', async () => {
    // Refused with every problem listed, nothing written.
    const bad = await cli('operator', ['org', 'add', '--code', 'x y', '--name', ' ', '--kind', 'department']);
    expect(bad.code).toBe(2);
    for (const p of ['--parent: 主管部门须属于一个财政局', '--code: 编码只能由', '--name: 不能为空']) expect(bad.stderr).toContain(p);
    expect(await database.db.selectFrom('organisations').select('code').execute()).toEqual([]);
    expect(await ok('operator', ['org', 'add', '--code', 'yy-czj', '--name', '益阳市财政局', '--kind', 'bureau'])).toContain('yy-czj (bureau): created');
    expect((await cli('operator', ['org', 'add', '--code', 'yy-dsj', '--name', '益阳市数据局', '--kind', 'department', '--parent', 'nowhere'])).stderr).toContain('no bureau nowhere');
    await ok('operator', ['org', 'add', '--code', 'yy-dsj', '--name', '益阳市数据局', '--kind', 'department', '--parent', 'yy-czj']);
    expect(await ok('operator', ['org', 'add', '--code', 'yy-czj', '--name', '益阳市财政局', '--kind', 'bureau'])).toContain('exists');
    const password = 'cli-password-42';
    // A bureau role in a department, or an organisation role with --unit, is refused.
    expect((await cli('operator', ['users', 'add', '--org', 'yy-dsj', '--email', 'b@cli.test', '--role', 'bureau_officer', '--password-stdin'], `${password}\n`)).stderr).toContain('bureau_officer is held in a bureau; yy-dsj is a department');
    expect((await cli('operator', ['users', 'add', '--unit', 'yiyang-smart-city', '--email', 'b@cli.test', '--role', 'bureau_officer'])).stderr).toContain('use --org');
    expect(await ok('operator', ['users', 'add', '--org', 'yy-czj', '--email', 'b@cli.test', '--role', 'bureau_officer', '--password-stdin'], `${password}\n`)).toContain('bureau_officer in yy-czj granted');
    await ok('operator', ['users', 'add', '--org', 'yy-dsj', '--email', 'd@cli.test', '--role', 'department_officer', '--password-stdin'], `${password}\n`);
    const grants = await database.db.selectFrom('organisation_roles').innerJoin('users', 'users.id', 'organisation_roles.user_id').innerJoin('organisations', 'organisations.id', 'organisation_roles.organisation_id')
      .select(['users.email', 'organisations.code', 'organisation_roles.role']).orderBy('users.email').execute();
    expect(grants).toEqual([{ email: 'b@cli.test', code: 'yy-czj', role: 'bureau_officer' }, { email: 'd@cli.test', code: 'yy-dsj', role: 'department_officer' }]);
    await ok('bureau', ['login', '--url', url, '--email', 'b@cli.test'], `${password}\n`);
    expect(await database.db.selectFrom('audit_log').select('action').where('action', '=', 'organisation_role.grant').execute()).toHaveLength(2);
  });

  it('lists the unit’s messages that did not arrive and sends one again, as its administrator', async () => {
    const password = 'cli-password-42';
    await ok('operator', ['users', 'add', '--unit', 'yiyang-smart-city', '--email', 'admin@cli.test', '--role', 'admin', '--password-stdin'], `${password}\n`);
    await ok('admin', ['login', '--url', url, '--email', 'admin@cli.test'], `${password}\n`);
    const unit = await database.db.selectFrom('units').select('id').where('code', '=', 'yiyang-smart-city').executeTakeFirstOrThrow();
    const admin = await database.db.selectFrom('users').select('id').where('email', '=', 'admin@cli.test').executeTakeFirstOrThrow();
    const row = await database.db
      .insertInto('notifications')
      .values({ dedupe_key: 'cli-undelivered', unit_id: unit.id, kind: 'task_reminder', channel: 'email', recipient_user_id: admin.id, subject: '综合科自评材料将于明天到期', body: 'b', status: 'failed', attempts: 40, error: 'gave up after 40 attempts: connect ECONNREFUSED' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const listed = await ok('admin', ['notifications', 'list', 'yiyang-smart-city']);
    expect(listed).toMatch(new RegExp(`^\\s*${row.id}\\s+failed\\s+40×\\s+email\\s+admin@cli\\.test\\s+综合科自评材料将于明天到期\\s+— gave up after 40 attempts`, 'm'));
    expect(await ok('admin', ['notifications', 'resend', 'yiyang-smart-city', String(row.id)])).toContain(`message ${row.id}: in the outbox again`);
    const again = await cli('admin', ['notifications', 'resend', 'yiyang-smart-city', String(row.id)]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('本单位没有这条可处理的未送达通知');
    expect((await database.db.selectFrom('notifications').select('status').where('id', '=', row.id).executeTakeFirstOrThrow()).status).toBe('pending');
    // A person who does not administer the unit is refused.
    expect((await cli('bureau', ['notifications', 'list', 'yiyang-smart-city'])).code).not.toBe(0);
  });

  it('explains itself: --help on every command', async () => {
    for (const command of [[], ['check'], ['import'], ['start'], ['submit'], ['pay'], ['users', 'add'], ['org', 'add'], ['send-back'], ['resubmit'], ['restart'], ['report', 'download'], ['notifications', 'list'], ['notifications', 'resend']]) {
      const out = await ok('operator', [...command, '--help']);
      expect(out).toMatch(/Usage: selfeval/);
    }
  });
});
