/**
 * A bureau's campaign of 50 units on the real dev server and Postgres, with a real worker process
 * (`worker/main.ts`) SIGKILLed during the fan-out, driven through the HTTP API where a bureau or
 * department officer acts and through the workflows' messages where the units' people do (as
 * their pages would):
 *
 *   - 50 unit-years generated from the seed with varied figures (tests/fixtures/campaign-units.ts):
 *     20 under department A, 20 under department B, 10 directly under the bureau;
 *   - the bureau officer issues the campaign — twice (the second answers the running campaign);
 *     the worker is killed while the units are being started, and a new one takes over;
 *   - every unit's evaluation opens once (50 evaluations, 7 tasks each at run 1, one starter and
 *     one evaluation run per unit in Temporal, the notice once per person), under the campaign's
 *     rule set version and outline; a 51st unit is added to the running campaign and starts too;
 *   - every unit completes its cycle; its report goes to its department (A, B) and the bureau,
 *     or to the bureau alone; one unit is returned by its department with a comment on a section
 *     and one on an indicator, fixes exactly those, and is issued again as a new version; the
 *     bureau adjusts one score; every report is accepted and the campaign ends;
 *   - a department officer sees exactly its units (the campaign's progress lists its 20; another
 *     department's unit does not exist for it); the bureau publishes one report and withdraws it.
 *
 * Its runtime is printed (the whole suite must stay under 90 minutes on 2 cores).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashPassword } from '../../client/auth/passwords';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { publishedReportsOf, publishedUnitYear } from '../../db/reviews.repository';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { sectionSubmissionSchema } from '../../domain/submission';
import { campaignId } from '../../workflows/campaign/contract';
import type { campaign } from '../../workflows/campaign/campaign.workflow';
import { acknowledgeFindingsUpdate, approveUpdate, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate } from '../../workflows/evaluation/contract';
import { as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ownNamespace, uniqueTaskQueue } from '../helpers/temporal';
import { variedUnitYear } from '../fixtures/campaign-units';

const root = path.resolve(__dirname, '../..');
const infosec = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.join(root, 'tests/fixtures/demo/infosec-submission.yaml'), 'utf8')));
const N = 50;
/** The notice's 50 units, and one more under the bureau that joins the running campaign later. */
const all = Array.from({ length: N + 1 }, (_, i) => `cu-${String(i).padStart(2, '0')}`);
const codes = all.slice(0, N);
const LATE = all[N]!;
const departmentOf = (i: number) => (i < 20 ? 'cmp-dept-a' : i < 40 ? 'cmp-dept-b' : null);
/** The unit its department returns once (department A). */
const RETURNED = 'cu-05';

describe('a campaign of 50 units to accepted reports', () => {
  let database: TestDatabase;
  let client: Client;
  let app: FastifyInstance;
  let worker: ChildProcess | undefined;
  const taskQueue = uniqueTaskQueue('campaign');
  const people: Record<'bureau' | 'deptA' | 'deptB', Persona> = {} as never;

  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'worker/main.ts')], {
      cwd: root,
      env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATABASE_URL: database.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: client.options.namespace, SELFEVAL_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`worker did not start: ${output}`)), 90_000);
      const onData = (c: Buffer) => {
        output += c.toString();
        if (output.includes('worker running')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${output.slice(-2000)}`)));
    });
    // Keep reading its output, or a full pipe would stall it.
    child.stdout?.resume();
    child.stderr?.resume();
    return child;
  }

  async function kill(child: ChildProcess | undefined): Promise<void> {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Polls with a deadline; never a guessed sleep. */
  async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 300_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: T | undefined;
    for (;;) {
      last = await probe().catch(() => undefined);
      if (last !== undefined && ok(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)?.slice(0, 500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  /** An Update sent before its workflow exists is retried (a person submits from a task that already shows). */
  async function retry<T>(fn: () => Promise<T>, what: string): Promise<T> {
    const deadline = Date.now() + 300_000;
    for (let wait = 100; ; wait = Math.min(wait * 2, 1_000)) {
      try {
        return await fn();
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`${what}: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
  const api = async (who: Persona, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, ...as(who), ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.headers['content-type']?.toString().startsWith('application/json') ? r.json() : r.body };
  };
  const evaluations = async () =>
    database.db.selectFrom('evaluations').innerJoin('unit_years', 'unit_years.id', 'evaluations.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['units.code', 'evaluations.stage', 'evaluations.findings_sha256', 'evaluations.report_version']).execute();
  const campaignUnits = async () =>
    database.db.selectFrom('campaign_units').innerJoin('units', 'units.id', 'campaign_units.unit_id').select(['units.code', 'campaign_units.state', 'campaign_units.review_level', 'campaign_units.report_version', 'campaign_units.starter_workflow_id']).execute();
  const one = async <T extends { code: string }>(rows: () => Promise<T[]>, code: string) => (await rows()).find((r) => r.code === code);

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    await ensureOrganisation(db, { code: 'cmp-finance', name: '示例市财政局', kind: 'bureau', actor: 'test' });
    for (const [i, code] of all.entries()) await importUnitYear(db, variedUnitYear(i, code), { actor: 'test' });
    await importUnitList(db, {
      bureauCode: 'cmp-finance', actor: 'test',
      rows: all.map((code, i) => ({ unitCode: code, unitName: code, ...(departmentOf(i) ? { departmentCode: departmentOf(i)!, departmentName: departmentOf(i) === 'cmp-dept-a' ? '示例市行政审批服务局' : '示例市卫生健康委员会' } : {}) })),
    });
    const passwordHash = await hashPassword(PASSWORD);
    await grantOrganisationRole(db, { email: 'bureau@cmp.test', name: '财政局', organisationCode: 'cmp-finance', role: 'bureau_officer', passwordHash, actor: 'test' });
    await grantOrganisationRole(db, { email: 'dept-a@cmp.test', name: '主管部门甲', organisationCode: 'cmp-dept-a', role: 'department_officer', passwordHash, actor: 'test' });
    await grantOrganisationRole(db, { email: 'dept-b@cmp.test', name: '主管部门乙', organisationCode: 'cmp-dept-b', role: 'department_officer', passwordHash, actor: 'test' });
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: await ownNamespace('campaign') });
    app = await buildServer({ db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    people.bureau = await signIn(app, 'bureau@cmp.test');
    people.deptA = await signIn(app, 'dept-a@cmp.test');
    people.deptB = await signIn(app, 'dept-b@cmp.test');
  });
  afterAll(async () => {
    await kill(worker);
    await app?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('starts every unit once — issued twice, its worker killed during the fan-out — and takes every report through review to acceptance, one returned once and fixed', { timeout: 1_500_000 }, async () => {
    const t0 = Date.now();
    const db = database.db;
    worker = await startWorker();

    // ── Issue, twice; kill the worker while the units are being started ───────────────────────
    const today = civilDateOf(Date.now());
    const notice = {
      year: 2020, dueDate: addDays(today, 60), taskDueDate: addDays(today, 45), ruleSetId: 'hunan-department-2020', ruleSetVersion: 1, outline: 'hunan-department-8',
      notice: '请各单位于截止日期前完成2020年度部门整体支出绩效自评，并报送自评报告。', units: codes, fanOut: { batchSize: 2, pauseMs: 300 },
    };
    const issued = await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns', notice);
    expect(issued.status, JSON.stringify(issued.body)).toBe(201);
    expect(issued.body).toMatchObject({ workflowId: campaignId('cmp-finance', 2020), alreadyIssued: false });
    const again = await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns', notice);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ alreadyIssued: true });
    // A department cannot issue; a refused notice says every problem at once.
    expect((await api(people.deptA, 'POST', '/api/organisations/cmp-dept-a/campaigns', notice)).status).toBe(403);
    const bad = await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns', { ...notice, year: 2021, dueDate: '2021-02-30', ruleSetVersion: 9, units: ['nowhere'] });
    expect(bad.status).toBe(400);
    expect((bad.body as { details: Array<{ path: string }> }).details.map((p) => p.path).sort()).toEqual(['body.dueDate', 'body.ruleSetVersion', 'body.units[0]']);

    const startedAtKill = (await eventually(campaignUnits, (rows) => rows.some((r) => r.starter_workflow_id !== null), 'the fan-out begins', 120_000)).filter((r) => r.starter_workflow_id !== null).length;
    await kill(worker);
    expect(startedAtKill).toBeGreaterThan(0);
    expect(startedAtKill).toBeLessThan(N);
    worker = await startWorker();

    // Every evaluation opens: its 7 tasks exist.
    const taskCounts = async () =>
      db.selectFrom('tasks').innerJoin('units', 'units.id', 'tasks.unit_id').select(['units.code', sql<number>`count(*)::int`.as('n'), sql<number>`max(tasks.run)::int`.as('run')]).groupBy('units.code').execute();
    await eventually(taskCounts, (rows) => rows.length === N && rows.every((r) => r.n === 7), 'every evaluation open');
    expect((await campaignUnits()).map((r) => r.code)).not.toContain(LATE);
    const opened = Date.now();
    expect((await taskCounts()).every((r) => r.run === 1)).toBe(true);
    const pins = await db.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version', 'outline', sql<number>`count(*)::int`.as('n')]).groupBy(['rule_set_id', 'rule_set_version', 'outline']).execute();
    expect(pins).toEqual([{ rule_set_id: 'hunan-department-2020', rule_set_version: 1, outline: 'hunan-department-8', n: N }]);
    // Nothing started twice: one starter and one evaluation run per unit.
    const runs = async (type: string) => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowType = '${type}'` })) ids.push(w.workflowId);
      return ids;
    };
    const starters = await eventually(() => runs('yearlyEvaluationStarter'), (ids) => ids.length >= N, 'the starters listed', 60_000);
    expect(starters.sort()).toEqual(codes.map((c) => `${campaignId('cmp-finance', 2020)}/start/${c}`).sort());
    expect((await runs('annualEvaluation')).sort()).toEqual(codes.map((c) => `evaluation/${c}/2020`).sort());
    expect((await runs('campaign'))).toEqual([campaignId('cmp-finance', 2020)]);
    const noticeCounts = await db.selectFrom('notifications').innerJoin('units', 'units.id', 'notifications.unit_id').select(['units.code', sql<number>`count(*)::int`.as('n')])
      .where('notifications.kind', '=', 'campaign_notice').where('notifications.channel', '=', 'in_app').groupBy('units.code').execute();
    expect(noticeCounts.length).toBe(N);
    expect(noticeCounts.every((r) => r.n === 2)).toBe(true); // the finance officer and the unit head, once each
    expect((await db.selectFrom('audit_log').select(sql<number>`count(*)::int`.as('n')).where('action', '=', 'campaign.issue').executeTakeFirstOrThrow()).n).toBe(1);

    // A department officer sees exactly its units; another department's unit does not exist for it.
    const progressA = await api(people.deptA, 'GET', '/api/organisations/cmp-dept-a/campaigns/2020');
    expect(progressA.status).toBe(200);
    expect((progressA.body as { units: Array<{ unitCode: string }> }).units.map((u) => u.unitCode)).toEqual(codes.slice(0, 20));
    expect((await api(people.deptB, 'GET', `/api/units/${RETURNED}/years/2020/review`)).status).toBe(404);
    expect((await api(people.deptA, 'GET', '/api/organisations/cmp-dept-b/campaigns/2020')).status).toBe(404);
    const progress = await api(people.bureau, 'GET', '/api/organisations/cmp-finance/campaigns/2020');
    expect((progress.body as { units: unknown[]; status: { started: number } }).units.length).toBe(N);
    expect((progress.body as { status: { started: number; units: number } }).status).toMatchObject({ units: N, started: N });

    // A unit added later joins the running campaign and starts (once: adding it again joins nothing).
    expect((await api(people.deptA, 'POST', '/api/organisations/cmp-dept-a/campaigns/2020/units', { units: [LATE] })).status).toBe(403);
    const unknown = await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns/2020/units', { units: ['nowhere'] });
    expect(unknown.status).toBe(400);
    expect(await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns/2020/units', { units: [LATE] })).toEqual({ status: 200, body: { ok: true, joined: [LATE] } });
    expect(await api(people.bureau, 'POST', '/api/organisations/cmp-finance/campaigns/2020/units', { units: [LATE, codes[0]] })).toEqual({ status: 200, body: { ok: true, joined: [] } });
    await eventually(taskCounts, (rows) => rows.length === N + 1 && rows.every((r) => r.n === 7), 'the added unit open');
    expect(await one(campaignUnits, LATE)).toMatchObject({ state: 'started', starter_workflow_id: `${campaignId('cmp-finance', 2020)}/start/${LATE}` });

    // ── Every unit's cycle to its first issue (its people, through the workflows) ─────────────
    const cycle = async (i: number) => {
      const code = all[i]!;
      const y = variedUnitYear(i, code);
      await Promise.all([
        ...[...y.submissions, infosec].map((s) => retry(() => client.workflow.getHandle(sectionTaskId(code, 2020, s.section)).executeUpdate(submitUpdate, { args: [{ actor: `${s.section}@${code}`, submission: s }] }), `${code} ${s.section}`)),
        retry(() => client.workflow.getHandle(selfAssessmentTaskId(code, 2020)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: `finance@${code}`, entries: y.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] })) }] }), `${code} self-assessment`),
      ]);
      const reviewing = (await eventually(() => one(evaluations, code), (e) => e?.stage === 'reviewing' && e.findings_sha256 !== null, `${code} reviewing`))!;
      await retry(() => client.workflow.getHandle(`evaluation/${code}/2020`).executeUpdate(acknowledgeFindingsUpdate, { args: [{ actor: `finance@${code}`, findingsSha256: reviewing.findings_sha256! }] }), `${code} acknowledge`);
      const approving = (await eventually(() => one(evaluations, code), (e) => e?.stage === 'approving' && e.report_version !== null, `${code} approving`))!;
      await retry(() => client.workflow.getHandle(`evaluation/${code}/2020`).executeUpdate(approveUpdate, { args: [{ actor: `head@${code}`, reportVersion: approving.report_version! }] }), `${code} approve`);
    };
    const pool = async (items: number[], limit: number, fn: (i: number) => Promise<void>) => {
      let next = 0;
      await Promise.all(Array.from({ length: limit }, async () => {
        while (next < items.length) await fn(items[next++]!);
      }));
    };
    await pool(all.map((_, i) => i), 10, cycle);
    const cu = await eventually(campaignUnits, (rows) => rows.length === N + 1 && rows.every((r) => r.state === 'issued' && r.report_version === 2), 'every report issued and under review');
    expect(cu.filter((r) => r.review_level === 'department').length).toBe(40);
    expect(cu.filter((r) => r.review_level === 'bureau').length).toBe(11);

    // ── Review: departments first, then the bureau; one unit returned once ────────────────────
    const officerOf = (i: number) => (departmentOf(i) === 'cmp-dept-a' ? people.deptA : people.deptB);
    const decide = async (who: Persona, code: string, what: 'accept' | 'return' | 'adjust', body: object) => {
      const r = await api(who, 'POST', `/api/units/${code}/years/2020/review/${what}`, body);
      expect(r.status, `${code} ${what}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    // A department decides at its own level only: the bureau's level is refused, and the bureau cannot act before the department.
    expect((await api(people.deptA, 'POST', `/api/units/${RETURNED}/years/2020/review/accept`, { level: 'bureau', reportVersion: 2 })).status).toBe(403);
    expect((await api(people.bureau, 'POST', `/api/units/${RETURNED}/years/2020/review/accept`, { reportVersion: 2 })).status).toBe(409);
    await decide(people.deptA, RETURNED, 'return', {
      reportVersion: 2,
      comments: [{ section: 'projects', text: '请补充新建信息化项目未按期开标的原因' }, { indicator: 'budget_disclosure', text: '请提供部门决算公开的网址' }],
    });
    await pool(codes.map((_, i) => i).filter((i) => departmentOf(i) && codes[i] !== RETURNED), 10, async (i) => {
      await decide(officerOf(i), codes[i]!, 'accept', { reportVersion: 2 });
    });
    await pool(all.map((_, i) => i).filter((i) => all[i] !== RETURNED), 10, async (i) => {
      await eventually(() => one(campaignUnits, all[i]!), (r) => r?.review_level === 'bureau', `${all[i]} with the bureau`);
      await decide(people.bureau, all[i]!, 'accept', { reportVersion: 2 });
    });

    // The returned unit fixes exactly what was returned and issues version 4.
    const r = codes.indexOf(RETURNED);
    const y = variedUnitYear(r, RETURNED);
    const projects = y.submissions.find((s) => s.section === 'projects')!;
    await retry(() => client.workflow.getHandle(sectionTaskId(RETURNED, 2020, 'projects')).executeUpdate(submitUpdate, {
      args: [{ actor: `projects@${RETURNED}`, submission: { ...projects, problems: [...projects.problems, { title: '项目开标延期', detail: '两个项目立项审批推迟至次年。' }] } }],
    }), 'the returned section');
    await retry(async () => {
      const st = await client.workflow.getHandle(selfAssessmentTaskId(RETURNED, 2020)).describe();
      if (st.status.name !== 'RUNNING') throw new Error('the self-assessment has not reopened yet');
      return client.workflow.getHandle(selfAssessmentTaskId(RETURNED, 2020)).executeUpdate(submitSelfAssessmentUpdate, {
        args: [{ actor: `finance@${RETURNED}`, entries: [{ indicator: 'budget_disclosure', tier: 'achieved', points: '3', reason: '决算已在门户网站公开', evidence: [] }] }],
      });
    }, 'the returned indicator');
    const reworked = await db.selectFrom('tasks').innerJoin('units', 'units.id', 'tasks.unit_id').select(['tasks.workflow_id', 'tasks.run']).where('units.code', '=', RETURNED).where('tasks.run', '>', 1).orderBy('tasks.workflow_id').execute();
    expect(reworked.map((t) => t.workflow_id.split('/').at(-1))).toEqual(['self-assessment', 'projects']);
    const approving = (await eventually(() => one(evaluations, RETURNED), (e) => e?.stage === 'approving' && e.report_version === 3, 'the revision drafted'))!;
    await client.workflow.getHandle(`evaluation/${RETURNED}/2020`).executeUpdate(approveUpdate, { args: [{ actor: `head@${RETURNED}`, reportVersion: approving.report_version! }] });
    await eventually(() => one(campaignUnits, RETURNED), (row) => row?.state === 'issued' && row.report_version === 4, 'the revision issued');
    await decide(people.deptA, RETURNED, 'accept', { reportVersion: 4 });
    await eventually(() => one(campaignUnits, RETURNED), (row) => row?.review_level === 'bureau', 'the revision with the bureau');
    const adjusted = (await decide(people.bureau, RETURNED, 'adjust', { reportVersion: 4, adjustments: [{ indicator: 'budget_disclosure', points: '2.5', reason: '公开时间晚于规定' }] })) as { score: { self: { totalCp: number }; reviewed: { totalCp: number } } };
    expect(adjusted.score.reviewed.totalCp).toBe(adjusted.score.self.totalCp - 50);
    await decide(people.bureau, RETURNED, 'accept', { reportVersion: 4 });

    // ── Every report accepted; the campaign ends ────────────────────────────────────────────
    const result = await client.workflow.getHandle<typeof campaign>(campaignId('cmp-finance', 2020)).result();
    expect(result).toEqual({ units: N + 1, accepted: N + 1 });
    expect((await campaignUnits()).every((row) => row.state === 'accepted')).toBe(true);
    expect((await db.selectFrom('campaigns').select('closed_at').executeTakeFirstOrThrow()).closed_at).not.toBeNull();
    const reports = await db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['units.code', 'reports.version', 'reports.kind']).where('reports.kind', '=', 'issued').orderBy('units.code').orderBy('reports.version').execute();
    expect(reports.length).toBe(N + 2);
    expect(reports.filter((x) => x.code === RETURNED).map((x) => x.version)).toEqual([2, 4]);
    const review = await api(people.bureau, 'GET', `/api/units/${RETURNED}/years/2020/review`);
    expect((review.body as { decisions: Array<{ decision: string; level: string; reportVersion: number; actor: string }> }).decisions.map((d) => `${d.reportVersion} ${d.level} ${d.decision} ${d.actor}`)).toEqual([
      '2 department return dept-a@cmp.test', '4 department accept dept-a@cmp.test', '4 bureau adjust bureau@cmp.test', '4 bureau accept bureau@cmp.test',
    ]);
    // The scores vary with the figures (every third unit is behind on portal posts).
    const totals = new Set((await db.selectFrom('evaluations').select(sql<number>`(score->>'totalCp')::int`.as('t')).execute()).map((x) => x.t));
    expect(totals.size).toBeGreaterThan(1);

    // ── Publication (the bureau), withdrawn with a reason ────────────────────────────────────
    expect((await api(people.deptA, 'POST', `/api/units/${RETURNED}/years/2020/publication`)).status).toBe(403);
    const published = await api(people.bureau, 'POST', `/api/units/${RETURNED}/years/2020/publication`);
    expect(published.status).toBe(201);
    expect((await publishedReportsOf(db, 'cmp-finance', 2020)).map((p) => [p.unitCode, p.reportVersion, p.department?.code, p.reviewedScore!.totalCp - p.score!.totalCp])).toEqual([[RETURNED, 4, 'cmp-dept-a', -50]]);
    const page = (await publishedUnitYear(db, RETURNED, 2020))!;
    expect(page).toMatchObject({ reportVersion: 4, adjusted: [expect.objectContaining({ id: 'budget_disclosure', selfCp: 300, reviewedCp: 250 })] });
    expect(page.basicData).not.toBeNull();
    expect((await api(people.bureau, 'POST', `/api/units/${RETURNED}/years/2020/publication/withdraw`, { reason: '' })).status).toBe(400);
    expect((await api(people.bureau, 'POST', `/api/units/${RETURNED}/years/2020/publication/withdraw`, { reason: '报告附件有误，更正后重新公开' })).status).toBe(200);
    expect(await publishedUnitYear(db, RETURNED, 2020)).toBeUndefined();
    expect((await db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'publication.%').orderBy('id').execute()).map((a) => `${a.action} ${a.actor}`)).toEqual([
      'publication.publish bureau@cmp.test', 'publication.withdraw bureau@cmp.test',
    ]);

    console.log(`campaign of ${N} units: every evaluation open ${((opened - t0) / 1000).toFixed(0)} s after the first worker started (killed at ${startedAtKill} of ${N} started); all accepted after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  });
});
