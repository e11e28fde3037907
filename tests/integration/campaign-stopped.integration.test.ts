/**
 * A bureau's campaign whose workflow stops before every report is accepted, on the real dev server
 * and Postgres with a worker in this process: the stop sweeper records it on the campaign (audited)
 * and tells the bureau's officers; the campaign page says so and offers the restart; the bureau
 * officer restarts it with a reason (audited), and the new run goes on from the database — every
 * unit's evaluation started once (the same starter per unit, no second evaluation run), a unit
 * accepted meanwhile (its review completing although the campaign it tells has stopped) counted as
 * accepted, the notice not sent twice — and units may join again.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { hashPassword } from '../../client/auth/passwords';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { createWorker } from '../../worker/create-worker';
import { sweepStoppedRuns } from '../../worker/stop-sweeper';
import { campaignId, campaignStatusQuery } from '../../workflows/campaign/contract';
import { evaluationId } from '../../workflows/evaluation/contract';
import { acceptReviewUpdate, reviewId, reviewStatusQuery, unitReviewWorkflowType } from '../../workflows/review/contract';
import { variedUnitYear } from '../fixtures/campaign-units';
import { testActivityDeps } from '../helpers/activities';
import { as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { ownNamespace, uniqueTaskQueue } from '../helpers/temporal';
import { until } from '../helpers/until';

const BUREAU = 'stp-finance';
const UNITS = ['stp-a', 'stp-b', 'stp-c'];

describe('a campaign whose workflow stopped', () => {
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let bureau: Persona;
  const taskQueue = uniqueTaskQueue('campaign-stopped');
  const workflowId = campaignId(BUREAU, 2020);

  beforeAll(async () => {
    database = await createTestDatabase();
    const db = database.db;
    await ensureOrganisation(db, { code: BUREAU, name: '停办测试市财政局', kind: 'bureau', actor: 'test' });
    // The first two are in the notice; the third is under the bureau and joins later.
    for (const [i, code] of UNITS.entries()) await importUnitYear(db, variedUnitYear(i, code), { actor: 'test' });
    await importUnitList(db, { bureauCode: BUREAU, actor: 'test', rows: UNITS.map((code) => ({ unitCode: code, unitName: code })) });
    await grantOrganisationRole(db, { email: `bureau@${BUREAU}.test`, name: '财政局绩效科', organisationCode: BUREAU, role: 'bureau_officer', passwordHash: await hashPassword(PASSWORD), actor: 'test' });
    const namespace = await ownNamespace('campaign-stopped');
    client = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace });
    native = await NativeConnection.connect({ address: inject('temporalAddress') });
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(testActivityDeps(db, { temporal: client })) });
    running = worker.run();
    app = await buildServer({ db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    bureau = await signIn(app, `bureau@${BUREAU}.test`);
  });
  afterAll(async () => {
    await client?.workflow.getHandle(workflowId).terminate('test done').catch(() => undefined);
    for (const code of UNITS) await client?.workflow.getHandle(evaluationId(code, 2020)).terminate('test done').catch(() => undefined);
    await client?.workflow.getHandle(reviewId(UNITS[0]!, 2020)).terminate('test done').catch(() => undefined);
    await app?.close();
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('is recorded and told, shown with its restart, and restarted from the database without starting or sending anything twice', { timeout: 300_000 }, async () => {
    const db = database.db;
    const today = civilDateOf(Date.now());
    const issued = await app.inject({
      method: 'POST', url: `/api/organisations/${BUREAU}/campaigns`, ...as(bureau),
      payload: { year: 2020, dueDate: addDays(today, 60), ruleSetId: 'hunan-department-2020', notice: '请各单位完成2020年度部门整体支出绩效自评。', units: UNITS.slice(0, 2) },
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const handle = client.workflow.getHandle(workflowId);
    await until(() => handle.query(campaignStatusQuery), (s) => s.started === 2, 'both units started');
    const starters = async () => (await db.selectFrom('campaign_units').select('starter_workflow_id').orderBy('starter_workflow_id').execute()).map((r) => r.starter_workflow_id);
    const startersBefore = await until(starters, (s) => s.every(Boolean), 'the starters recorded');
    const notices = async () => (await db.selectFrom('notifications').select('dedupe_key').where('kind', '=', 'campaign_notice').execute()).map((r) => r.dedupe_key).sort();
    const noticesBefore = await until(notices, (n) => n.length > 0, 'the notices');

    // An operator terminates it.
    const stoppedRun = (await handle.describe()).runId;
    await handle.terminate('maintenance script hit the wrong workflow');
    // Meanwhile the first unit's issued report is accepted by the bureau: its review (started here
    // on its own, as its evaluation starts it) completes — the campaign it would tell has stopped,
    // which does not fail the review — and writes the acceptance to the campaign's units.
    const review = await client.workflow.start(unitReviewWorkflowType, {
      workflowId: reviewId(UNITS[0]!, 2020), taskQueue, args: [{ unitCode: UNITS[0]!, year: 2020, evaluationWorkflowId: evaluationId(UNITS[0]!, 2020), reportVersion: 1 }],
    });
    await until(() => review.query(reviewStatusQuery), (st) => st.state === 'awaiting' && st.level === 'bureau', 'the review awaiting the bureau');
    expect(await review.executeUpdate(acceptReviewUpdate, { args: [{ actor: `bureau@${BUREAU}.test`, level: 'bureau', reportVersion: 1 }] })).toEqual({ ok: true, state: 'accepted', level: null });
    expect(await review.result()).toMatchObject({ acceptedVersion: 1, acceptedBy: `bureau@${BUREAU}.test` });
    const unitRow = await db.selectFrom('campaign_units').innerJoin('units', 'units.id', 'campaign_units.unit_id').select('campaign_units.state').where('units.code', '=', UNITS[0]!).executeTakeFirstOrThrow();
    expect(unitRow.state).toBe('accepted');

    const recorder = createActivities(testActivityDeps(db, { temporal: client }));
    await until(() => sweepStoppedRuns({ client, db, recorder }), (r) => r.recorded === 1, 'the sweeper recording the stopped campaign');
    expect((await sweepStoppedRuns({ client, db, recorder })).recorded).toBe(0);
    const row = await db.selectFrom('campaigns').select(['stopped_state', 'stopped_run_id', 'stopped_reason']).where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ stopped_state: 'terminated', stopped_run_id: stoppedRun });
    expect(row.stopped_reason).toContain('maintenance script hit the wrong workflow');
    const told = await db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id').select(['users.email', 'notifications.subject', 'notifications.link'])
      .where('notifications.kind', '=', 'campaign_stopped').where('notifications.channel', '=', 'in_app').execute();
    expect(told).toEqual([{ email: `bureau@${BUREAU}.test`, subject: '2020年度绩效自评工作的督办流程已停止', link: `/orgs/${BUREAU}/years/2020/campaign` }]);
    expect(await db.selectFrom('audit_log').select('action').where('subject', '=', workflowId).where('action', '=', 'campaign.stopped').execute()).toHaveLength(1);
    // The message's link opens the campaign page for the bureau's officer.
    let opened = await app.inject({ method: 'GET', url: told[0]!.link!, ...as(bureau) });
    for (let hops = 0; hops < 3 && opened.statusCode >= 300 && opened.statusCode < 400; hops++) opened = await app.inject({ method: 'GET', url: String(opened.headers.location), ...as(bureau) });
    expect(opened.statusCode).toBe(200);
    expect(opened.body).toContain('id="campaign-stopped"');

    // The API and the page say so; the page offers the restart, not the joining of units.
    const answer = (await app.inject({ method: 'GET', url: `/api/organisations/${BUREAU}/campaigns/2020`, ...as(bureau) })).json();
    expect(answer.campaign.stopped).toMatchObject({ state: 'terminated', runId: stoppedRun });
    const page = (await app.inject({ method: 'GET', url: `/orgs/${BUREAU}/years/2020/campaign`, ...as(bureau) })).body;
    expect(page).toContain('id="campaign-stopped" data-stopped-state="terminated"');
    expect(page).toContain('id="campaign-restart-form"');
    expect(page).not.toContain('id="campaign-add-form"');
    const overviewPage = async () => (await app.inject({ method: 'GET', url: `/orgs/${BUREAU}/years/2020`, ...as(bureau) })).body;
    expect(await overviewPage()).toContain('id="campaign-stopped-notice"');

    // Restarted with a reason: the notice as it started, from the database.
    expect((await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/campaigns/2020/restart`, ...as(bureau), payload: { reason: '' } })).statusCode).toBe(400);
    const restarted = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/campaigns/2020/restart`, ...as(bureau), payload: { reason: '误终止，恢复督办' } });
    expect(restarted.statusCode, restarted.body).toBe(201);
    expect(restarted.json()).toMatchObject({ workflowId, previous: { runId: stoppedRun, state: 'terminated' }, notice: 'as_started' });
    const status = await until(() => handle.query(campaignStatusQuery), (s) => s.started === 2, 'the restarted run');
    expect(status).toMatchObject({ units: 2, accepted: 1, closed: false });
    expect((await db.selectFrom('campaigns').select('stopped_state').where('workflow_id', '=', workflowId).executeTakeFirstOrThrow()).stopped_state).toBeNull();
    expect(await overviewPage()).not.toContain('id="campaign-stopped-notice"');
    // Nothing twice: the same starters, one evaluation run per unit, the notices as before; the third unit was not brought in.
    expect(await starters()).toEqual(startersBefore);
    for (const code of UNITS.slice(0, 2)) {
      const runs: string[] = [];
      for await (const w of client.workflow.list({ query: `WorkflowId = '${evaluationId(code, 2020)}'` })) runs.push(w.runId);
      expect(runs, code).toHaveLength(1);
    }
    expect(await notices()).toEqual(noticesBefore);
    const audit = await db.selectFrom('audit_log').select(['actor', 'details']).where('subject', '=', workflowId).where('action', '=', 'campaign.restart').execute();
    expect(audit).toEqual([{ actor: `bureau@${BUREAU}.test`, details: expect.objectContaining({ reason: '误终止，恢复督办', previousRunId: stoppedRun, notice: 'as_started' }) }]);

    // Running again: units may join; a second restart has nothing to restart.
    const joined = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/campaigns/2020/units`, ...as(bureau), payload: { units: [UNITS[2]] } });
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json()).toMatchObject({ ok: true, joined: [UNITS[2]] });
    expect((await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/campaigns/2020/restart`, ...as(bureau), payload: { reason: '再来' } })).statusCode).toBe(409);
  });
});
