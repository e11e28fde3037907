/**
 * A failed evaluation is not "already started" forever: on the real dev server and Postgres, the
 * finance officer restarts it through the API (audited, with the reason and the run it replaces).
 *
 * Two failures: an evaluation started — as the yearly starter did before it learnt to wait — for a
 * year whose ledger was not imported yet (it fails at once; starting it again answered "already
 * started"); and a running one that is terminated after its tasks were opened (the restart opens
 * every task as its next run, with a fresh notice). A running or never-started evaluation is not
 * restarted, and nobody but the finance officer may restart one. A run that recorded its stop is
 * still shown (with why) and restarted after Temporal has forgotten it.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { startEvaluation } from '../../client/evaluations';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureEvaluation, recordStopped, stoppedRuns } from '../../db/evaluations.repository';
import { createWorker } from '../../worker/create-worker';
import { sweepStoppedRuns } from '../../worker/stop-sweeper';
import { evaluationId, evaluationStatusQuery, sectionTaskId, yearlyEvaluationStarterWorkflowType, yearlyStarterStatusQuery } from '../../workflows/evaluation/contract';
import { stopKey } from '../../db/stops';
import { addUser, as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { hashPassword } from '../../client/auth/passwords';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { testActivityDeps } from '../helpers/activities';
import { until } from '../helpers/until';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ownNamespace, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

describe('restarting a failed evaluation', () => {
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let finance: Persona;
  let head: Persona;
  let officer: Persona;
  const taskQueue = uniqueTaskQueue('restart');
  const unit = `restart-${Math.random().toString(36).slice(2, 8)}`;
  const bureau = `${unit}-czj`;
  const overviewOf = async (year: number) => (await app.inject({ method: 'GET', url: `/api/organisations/${bureau}/years/${year}/overview`, ...as(officer) })).json<{ stopped: Array<{ unitCode: string; state: string }> | null; rows: Array<{ unitCode: string; runStopped?: string }> }>();
  const url = (year: number, action: string) => `/api/units/${unit}/years/${year}/evaluation${action}`;
  const unitYear = (year: number) => {
    const y = structuredClone(seedUnitYear());
    y.unit.code = unit;
    y.year = year;
    y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${unit}@`) }));
    return y;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, unitYear(2020), { actor: 'test' });
    const namespace = await ownNamespace('restart');
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace });
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    await addUser(database.db, `finance@${unit}.test`, unit, 'finance_officer');
    await addUser(database.db, `head@${unit}.test`, unit, 'unit_head');
    finance = await signIn(app, `finance@${unit}.test`);
    head = await signIn(app, `head@${unit}.test`);
    // The unit is under a bureau, whose officer follows it on the overview.
    await ensureOrganisation(database.db, { code: bureau, name: '测试市财政局', kind: 'bureau', actor: 'test' });
    await importUnitList(database.db, { bureauCode: bureau, rows: [{ unitCode: unit, unitName: '测试单位' }], actor: 'test' });
    await grantOrganisationRole(database.db, { email: `officer@${bureau}.test`, name: '绩效科', organisationCode: bureau, role: 'bureau_officer', passwordHash: await hashPassword(PASSWORD), actor: 'test' });
    officer = await signIn(app, `officer@${bureau}.test`);
  });
  afterAll(async () => {
    for (const year of [2018, 2019, 2020, 2024]) await client?.workflow.getHandle(evaluationId(unit, year)).terminate('test done').catch(() => undefined);
    await app?.close();
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('restarts an evaluation that failed for want of a ledger, once the ledger is there; audited', async () => {
    // What the old yearly starter did: start the year before its ledger exists. The run fails at once.
    await startEvaluation(client, { unitCode: unit, year: 2019, startedBy: 'schedule', taskQueue });
    const failed = client.workflow.getHandle(evaluationId(unit, 2019));
    await until(() => failed.describe(), (d) => d.status.name === 'FAILED', 'the failed run');
    const failedRunId = (await failed.describe()).runId;
    // Before it ended, the run said why (there was no row yet to mark: only the audit and the message).
    const stop = await database.db.selectFrom('audit_log').select(['details']).where('action', '=', 'evaluation.stopped').where('subject', '=', evaluationId(unit, 2019)).executeTakeFirstOrThrow();
    expect(stop.details).toMatchObject({ state: 'failed', runId: failedRunId, reason: `账套中没有 ${unit} 2019 年度，请先导入账套 / no unit-year ${unit} 2019 in the ledger: import it first` });
    const told = await database.db.selectFrom('notifications').select(['subject', 'body']).where('kind', '=', 'evaluation_stopped').where('workflow_id', '=', evaluationId(unit, 2019)).where('channel', '=', 'in_app').execute();
    expect(told.length).toBeGreaterThanOrEqual(2); // the unit's finance officers and unit heads
    expect(told[0]!.body).toContain('请先导入账套');
    // Without the ledger there is nothing to restart with.
    expect((await app.inject({ method: 'POST', url: url(2019, '/restart'), ...as(finance), payload: { reason: '账套已导入' } })).statusCode).toBe(404);

    await importUnitYear(database.db, unitYear(2019), { actor: 'test' });
    expect((await app.inject({ method: 'GET', url: url(2019, ''), ...as(finance) })).json()).toMatchObject({ run: { state: 'failed', restartable: true } });
    // Starting it again is not "started" without more: it says the run failed.
    const start = await app.inject({ method: 'POST', url: url(2019, ''), ...as(finance), payload: {} });
    expect(start.statusCode).toBe(200);
    expect(start.json()).toMatchObject({ alreadyStarted: true, state: 'failed' });
    // The bureau's overview says the unit's evaluation stopped (Temporal knows; the tables do not).
    const listed = async () => {
      for await (const w of client.workflow.list({ query: `WorkflowId = '${evaluationId(unit, 2019)}' AND ExecutionStatus = 'Failed'` })) return w.workflowId;
      return undefined;
    };
    await until(listed, (id) => id === evaluationId(unit, 2019), 'the failed run in visibility');
    const stopped = await overviewOf(2019);
    expect(stopped.stopped).toEqual([expect.objectContaining({ unitCode: unit, state: 'failed' })]);
    expect(stopped.rows.find((r) => r.unitCode === unit)?.runStopped).toBe('failed');
    const page = (await app.inject({ method: 'GET', url: `/orgs/${bureau}/years/2019`, ...as(officer) })).body;
    expect(page).toContain('id="stopped-evaluations"');
    expect(page).toContain(`data-run-stopped="failed"`);
    // Only the finance officer restarts; a reason is required.
    expect((await app.inject({ method: 'POST', url: url(2019, '/restart'), ...as(head), payload: { reason: 'x' } })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: url(2019, '/restart'), ...as(finance), payload: { reason: ' ' } })).statusCode).toBe(400);

    const restarted = await app.inject({ method: 'POST', url: url(2019, '/restart'), ...as(finance), payload: { reason: '计划启动时账套尚未导入，现已导入' } });
    expect(restarted.statusCode).toBe(201);
    const body = restarted.json<{ workflowId: string; runId: string; previous: { runId: string; state: string } }>();
    expect(body).toMatchObject({ workflowId: evaluationId(unit, 2019), previous: { runId: failedRunId, state: 'failed' } });
    expect(body.runId).not.toBe(failedRunId);
    await until(() => failed.query(evaluationStatusQuery), (s) => s.stage === 'collecting', 'the restarted evaluation collecting');
    // Restarted: no longer stopped on the overview.
    const after = await overviewOf(2019);
    expect(after.stopped).toEqual([]);
    expect(after.rows.find((r) => r.unitCode === unit)?.runStopped).toBeUndefined();
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation.restart').where('subject', '=', evaluationId(unit, 2019)).execute();
    expect(audit).toEqual([{ actor: `finance@${unit}.test`, details: expect.objectContaining({ reason: '计划启动时账套尚未导入，现已导入', previousRunId: failedRunId, previousState: 'failed', runId: body.runId }) }]);

    // A running evaluation is not restarted.
    const again = await app.inject({ method: 'POST', url: url(2019, '/restart'), ...as(finance), payload: { reason: '再来一次' } });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', messageZh: '评价仍在进行，无需重新启动' });
  });

  it('reopens every task as its next run when a running evaluation was terminated', async () => {
    expect((await app.inject({ method: 'POST', url: url(2020, '/restart'), ...as(finance), payload: { reason: '没有评价' } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: url(2020, ''), ...as(finance), payload: {} })).statusCode).toBe(201);
    const handle = client.workflow.getHandle(evaluationId(unit, 2020));
    await until(() => handle.query(evaluationStatusQuery), (s) => s.stage === 'collecting' && s.sections.length === 6, 'the tasks');
    const general = sectionTaskId(unit, 2020, 'general');
    await until(() => database.db.selectFrom('tasks').select('run').where('workflow_id', '=', general).executeTakeFirst(), (r) => r?.run === 1, 'the task row');
    const terminatedRun = (await handle.describe()).runId;
    await handle.terminate('an operator stopped it by mistake');
    // The run recorded nothing itself; the worker's sweeper finds it in visibility and records it
    // as a failed run records itself: the row, the audit, and a message to the finance officer and the head.
    const recorder = createActivities(testActivityDeps(database.db, { temporal: client }));
    const sweep = () => sweepStoppedRuns({ client, db: database.db, recorder });
    const swept = await until(sweep, (r) => r.recorded === 1, 'the sweeper recording the terminated run');
    expect(swept.listed).toBeGreaterThanOrEqual(1);
    const [recorded] = await stoppedRuns(database.db, 2020, [unit]).then((m) => [...m.values()]);
    expect(recorded).toMatchObject({ state: 'terminated', runId: terminatedRun });
    expect(recorded!.reason).toMatch(/^由 .+ 终止：an operator stopped it by mistake \/ terminated by .+: an operator stopped it by mistake$/);
    const stopAudit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation.stopped').where('subject', '=', evaluationId(unit, 2020)).execute();
    expect(stopAudit).toEqual([{ actor: 'selfeval', details: expect.objectContaining({ state: 'terminated', runId: terminatedRun }) }]);
    const toldOfStop = await database.db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id').select(['users.email', 'notifications.subject', 'notifications.body'])
      .where('notifications.kind', '=', 'evaluation_stopped').where('notifications.workflow_id', '=', evaluationId(unit, 2020)).where('notifications.channel', '=', 'in_app').orderBy('users.email').execute();
    // The unit's finance officers and unit heads (the test's and the seed's people).
    expect(toldOfStop.map((m) => [m.email.split(/[+@]/)[0], m.subject])).toEqual([...Array(2).fill(['finance', '2020年度绩效自评已被终止，需要重新启动']), ...Array(2).fill(['head', '2020年度绩效自评已被终止，需要重新启动'])]);
    expect(toldOfStop[0]!.body).toContain('an operator stopped it by mistake');
    // Once per run: the next sweep records and sends nothing more.
    expect((await sweep()).recorded).toBe(0);
    // The status says the run stopped, and the dashboard offers the finance officer (only) the restart.
    const stopped = await app.inject({ method: 'GET', url: url(2020, ''), ...as(finance) });
    expect(stopped.json()).toMatchObject({ run: { state: 'terminated', restartable: true } });
    const page = (who: Persona) => app.inject({ method: 'GET', url: `/units/${unit}/years/2020`, ...as(who) }).then((r) => r.body);
    const financePage = await page(finance);
    expect(financePage).toContain('id="restart" data-run-state="terminated"');
    expect(financePage).toContain(`<form data-api="POST /api/units/${unit}/years/2020/evaluation/restart" novalidate id="restart-form">`);
    const headPage = await page(head);
    expect(headPage).toContain('id="restart" data-run-state="terminated"');
    expect(headPage).not.toContain('id="restart-form"');

    const restarted = await app.inject({ method: 'POST', url: url(2020, '/restart'), ...as(finance), payload: { reason: '误操作终止，重新启动' } });
    expect(restarted.statusCode).toBe(201);
    expect(restarted.json().previous.state).toBe('terminated');
    const status = await until(() => handle.query(evaluationStatusQuery), (s) => s.stage === 'collecting' && s.sections.length === 6 && s.sections.every((x) => x.run === 2), 'the tasks as their second run');
    expect(status.selfAssessment?.state).toBe('open');
    expect((await app.inject({ method: 'GET', url: url(2020, ''), ...as(finance) })).json()).toMatchObject({ run: { state: 'running', restartable: false } });
    expect(await page(finance)).not.toContain('id="restart"');
    // The terminated run is history now: a sweep does not record it again, and the row is clear.
    expect((await sweep()).recorded).toBe(0);
    expect(await stoppedRuns(database.db, 2020, [unit])).toEqual(new Map());
    const row = await until(() => database.db.selectFrom('tasks').select(['run', 'state']).where('workflow_id', '=', general).executeTakeFirst(), (r) => r?.run === 2, 'the reopened row');
    expect(row?.state).toBe('open');
    // The section head is told again (a notice of the new run, not swallowed by the first run's).
    const notices = await until(
      () => database.db.selectFrom('notifications').select(['dedupe_key', 'kind', 'body']).where('workflow_id', '=', general).where('channel', '=', 'in_app').orderBy('id').execute(),
      (rows) => rows.length === 2,
      'two notices',
    );
    expect(notices.map((n) => [n.dedupe_key.split('|').slice(0, 2).join('|'), n.kind])).toEqual([[`${general}|run1`, 'task_assigned'], [`${general}|run2`, 'task_assigned']]);
    expect(notices[1]!.body).toMatch(/^本年度绩效自评已重新启动。请于/);
  });

  it('still shows and restarts a run that recorded its stop after Temporal forgot it (its retention)', async () => {
    // A run of 2018 stopped and recorded why (as annualEvaluation does since the stop-record
    // patch); Temporal has since removed the closed run: it knows nothing of the workflow id.
    await importUnitYear(database.db, unitYear(2018), { actor: 'test' });
    const workflowId = evaluationId(unit, 2018);
    const uy = await database.db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['unit_years.id', 'units.id as unitId']).where('units.code', '=', unit).where('unit_years.year', '=', 2018).executeTakeFirstOrThrow();
    await ensureEvaluation(database.db, { unitYearId: uy.id, workflowId, startedBy: 'finance', dueAt: new Date().toISOString(), snapshotSha256: 'x', snapshot: {} });
    const reason = '账套无法读取 / the ledger cannot be read';
    expect(await recordStopped(database.db, { workflowId, unitId: uy.unitId, runId: 'forgotten-run', state: 'failed', reason })).toBe(true);
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toThrow();

    // The dashboard: stopped, why, and the restart for the finance officer.
    expect((await app.inject({ method: 'GET', url: url(2018, ''), ...as(finance) })).json()).toMatchObject({ source: 'database', run: { state: 'failed', restartable: true, reason } });
    const financePage = (await app.inject({ method: 'GET', url: `/units/${unit}/years/2018`, ...as(finance) })).body;
    expect(financePage).toContain('id="restart" data-run-state="failed"');
    expect(financePage).toContain('账套无法读取');
    // The bureau's overview, from the row.
    const stopped = await until(() => overviewOf(2018), (o) => o.stopped !== null, 'the overview’s stopped list');
    expect(stopped.stopped).toEqual([expect.objectContaining({ unitCode: unit, state: 'failed', reason })]);
    expect(stopped.rows.find((r) => r.unitCode === unit)?.runStopped).toBe('failed');
    expect((await app.inject({ method: 'GET', url: `/orgs/${bureau}/years/2018`, ...as(officer) })).body).toContain('<span data-testid="stop-reason">账套无法读取 / the ledger cannot be read</span>');

    const restarted = await app.inject({ method: 'POST', url: url(2018, '/restart'), ...as(finance), payload: { reason: '账套已修复' } });
    expect(restarted.statusCode, restarted.body).toBe(201);
    expect(restarted.json()).toMatchObject({ workflowId, previous: { runId: 'forgotten-run', state: 'failed' } });
    await until(() => client.workflow.getHandle(workflowId).query(evaluationStatusQuery), (st) => st.stage === 'collecting', 'the new run collecting');
    // The new run cleared the record: nothing says stopped any more.
    expect(await database.db.selectFrom('evaluations').select(['stopped_state', 'stopped_reason']).where('workflow_id', '=', workflowId).executeTakeFirstOrThrow()).toEqual({ stopped_state: null, stopped_reason: null });
    expect((await overviewOf(2018)).stopped).toEqual([]);
    expect((await app.inject({ method: 'GET', url: url(2018, ''), ...as(finance) })).json()).toMatchObject({ run: { state: 'running', restartable: false } });
    await client.workflow.getHandle(workflowId).terminate('test done');
  });

  it('tells the finance officer when a yearly start stopped while it waited for the ledger, unless the evaluation was started by hand', async () => {
    const recorder = createActivities(testActivityDeps(database.db, { temporal: client }));
    const handled = new Set<string>();
    const sweep = () => sweepStoppedRuns({ client, db: database.db, recorder }, new Date(), handled);
    // A start for 2023 (as a campaign's names its year) with no 2023 ledger: it asks for the ledger,
    // promising the evaluation will begin by itself after the import, and waits.
    const waitingStarter = async (year: number) => {
      const handle = await client.workflow.start(yearlyEvaluationStarterWorkflowType, { workflowId: `starter-${unit}-${year}`, taskQueue, args: [{ unitCode: unit, year, startedBy: 'schedule' }] });
      await until(() => handle.query(yearlyStarterStatusQuery), (s) => s.waitingForLedger !== null, `the ${year} starter waiting for the ledger`);
      const asked = await until(
        () => database.db.selectFrom('notifications').select('body').where('kind', '=', 'evaluation_ledger_missing').where('channel', '=', 'in_app').where('subject', 'like', `%${year}年度账套%`).execute(),
        (rows) => rows.length > 0,
        `the ${year} ledger asked for`,
      );
      expect(asked[0]!.body).toContain('导入后评价会自动开始');
      const runId = (await handle.describe()).runId;
      await handle.terminate('年度计划调整');
      await until(async () => { for await (const w of client.workflow.list({ query: `WorkflowId = '${handle.workflowId}' AND ExecutionStatus = 'Terminated'` })) return w.runId; return undefined; }, (id) => id === runId, 'the terminated starter in visibility');
      return { workflowId: handle.workflowId, runId };
    };
    const toldOf = (workflowId: string) => database.db.selectFrom('notifications').select(['subject', 'body', 'link']).where('kind', '=', 'evaluation_start_stopped').where('workflow_id', '=', workflowId).where('channel', '=', 'in_app').execute();

    const a = await waitingStarter(2023);
    // (The sweep may record the 2018 evaluation the test before terminated, too.)
    await until(sweep, (r) => r.recorded >= 1, 'the sweeper recording the stopped start');
    const told = await toldOf(a.workflowId);
    expect(told).toHaveLength(2); // the unit's finance officers (the test's and the seed's), not its heads
    expect(told[0]).toMatchObject({ subject: '2023年度绩效自评没有自动开始，请手动启动', link: `/units/${unit}` });
    expect(told[0]!.body).toContain('已被终止：由 ');
    expect(told[0]!.body).toContain('年度计划调整');
    expect(told[0]!.body).toContain('此前“导入账套后评价会自动开始”的通知不再适用');
    const audited = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation_start.stopped').where('subject', '=', a.workflowId).execute();
    expect(audited).toEqual([{ actor: 'selfeval', details: expect.objectContaining({ state: 'terminated', runId: a.runId }) }]);
    expect(handled.has(stopKey(a.workflowId, a.runId))).toBe(true);
    // Once: a sweep with a fresh memory finds the audit entry and sends nothing more.
    expect((await sweepStoppedRuns({ client, db: database.db, recorder })).recorded).toBe(0);
    expect(await toldOf(a.workflowId)).toHaveLength(2);

    // A start for 2024 stopped too, but the finance officer imported the ledger and started the
    // evaluation by hand before the sweep: nothing was missed, nobody is told.
    const b = await waitingStarter(2024);
    await importUnitYear(database.db, unitYear(2024), { actor: 'test' });
    expect((await app.inject({ method: 'POST', url: url(2024, ''), ...as(finance), payload: {} })).statusCode).toBe(201);
    const after = await sweep();
    expect(after.recorded).toBe(0);
    expect(handled.has(stopKey(b.workflowId, b.runId))).toBe(true);
    expect(await toldOf(b.workflowId)).toEqual([]);
    expect(await database.db.selectFrom('audit_log').select('id').where('action', '=', 'evaluation_start.stopped').where('subject', '=', b.workflowId).execute()).toEqual([]);
  });
});
