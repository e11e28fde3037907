/**
 * Withheld payments through the HTTP API, on the dev server with a real worker: what falls due
 * when; a release recorded, recorded again (a retried request: same answer, nothing changes), and
 * refused when larger than what is held (400 with the problem, nothing changes).
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createHoldbackActivities } from '../../activities/holdbacks.activities';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { createWorker } from '../../worker/create-worker';
import { holdbackStatusQuery, holdbackWorkflowId } from '../../workflows/holdback/contract';
import type { HoldbackStatusView } from '../../domain/holdbacks/model';
import { holdbackStop } from '../../db/holdbacks.repository';
import { sweepStoppedRuns } from '../../worker/stop-sweeper';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { until } from '../helpers/until';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

describe('withheld payments through the API', () => {
  let database: TestDatabase;
  let client: Client;
  let namespace: string;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let finance: Persona;
  const taskQueue = uniqueTaskQueue('holdbacks-api');
  const unit = 'yiyang-smart-city';

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    ({ namespace, client, native } = await devServerConnections('holdbacks-api'));
    const deps = testActivityDeps(database.db, { temporal: client });
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(deps) });
    running = worker.run();
    await createHoldbackActivities(deps).ensureHoldbackWorkflows({ unitCode: unit, year: 2020, taskQueue });
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    await addUser(database.db, 'finance@holdbacks.test', unit, 'finance_officer');
    finance = await signIn(app, 'finance@holdbacks.test');
  });
  afterAll(async () => {
    for (const h of seedUnitYear().projects.flatMap((p) => p.holdbacks)) {
      await client.workflow.getHandle(holdbackWorkflowId(unit, 2020, h.code)).terminate('test done').catch(() => undefined);
    }
    worker?.shutdown();
    await running;
    await app?.close();
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('lists what falls due when', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/units/${unit}/holdbacks`, ...as(finance) });
    expect(response.statusCode).toBe(200);
    const codes = (response.json().holdbacks as Array<{ holdbackCode: string }>).map((h) => h.holdbackCode).sort();
    expect(codes).toEqual(['extranet-upgrade', 'fiscal-platform-acceptance', 'one-city-one-platform-retention', 'one-thing-once-retention', 'xueliang-om-2020']);
  });

  it('records a release once, answers a retried request the same, and refuses one larger than what is held', async () => {
    const code = 'one-thing-once-retention';
    const url = `/api/units/${unit}/years/2020/holdbacks/${code}/release`;
    // The seed's retention (due 2021-08-31) is long payable in real time.
    await expect.poll(async () => (await client.workflow.getHandle(holdbackWorkflowId(unit, 2020, code)).query(holdbackStatusQuery)).status, { timeout: 20_000 }).toBe('payable');

    const release = { requestId: 'pay-1', paidOn: '2026-11-20', amountFen: 5_000_000, note: '支付部分质保金（5万元）' };
    const first = await app.inject({ method: 'POST', url, ...as(finance), payload: release });
    expect(first.statusCode, first.body).toBe(200);
    const again = await app.inject({ method: 'POST', url, ...as(finance), payload: release });
    expect(again.json()).toEqual(first.json());
    const events = await database.db.selectFrom('holdback_events').select(['request_id']).where('workflow_id', '=', holdbackWorkflowId(unit, 2020, code)).execute();
    expect(events.filter((e) => e.request_id === 'pay-1')).toHaveLength(1);

    const tooMuch = await app.inject({ method: 'POST', url, ...as(finance), payload: { requestId: 'pay-2', paidOn: '2026-11-21', amountFen: 999_999_999 } });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.json().details.length).toBeGreaterThan(0);
    const status = await app.inject({ method: 'GET', url: `/api/units/${unit}/years/2020/holdbacks/${code}`, ...as(finance) });
    expect(status.json().status.amounts).toMatchObject({ releasedFen: 5_000_000 });
  });

  it('answers a malformed event with every problem, before it reaches the workflow', async () => {
    const response = await app.inject({ method: 'POST', url: `/api/units/${unit}/years/2020/holdbacks/xueliang-om-2020/assessment`, ...as(finance), payload: { requestId: 'a', period: '', passed: 'yes' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.map((d: { path: string }) => d.path).sort()).toEqual(['body.assessedOn', 'body.passed', 'body.period']);
  });

  it('records a tracking that stopped while money is withheld, tells the finance officer, and restarts it where it stopped', async () => {
    const code = 'one-thing-once-retention';
    const id = holdbackWorkflowId(unit, 2020, code);
    const handle = client.workflow.getHandle(id);
    const url = `/api/units/${unit}/years/2020/holdbacks/${code}`;
    // 50,000.00 of it was paid in the test before; the rest is still withheld.
    const before = (await app.inject({ method: 'GET', url, ...as(finance) })).json<{ status: HoldbackStatusView; stopped: unknown }>();
    expect(before.stopped).toBeNull();
    expect(before.status.amounts.releasedFen).toBe(5_000_000);
    const stoppedRun = (await handle.describe()).runId;
    await handle.terminate('cleaning up test data by mistake');

    // The worker's sweeper finds it, records it on its progress row and tells the finance officers, once.
    const recorder = createActivities(testActivityDeps(database.db, { temporal: client }));
    const sweep = () => sweepStoppedRuns({ client, db: database.db, recorder });
    await until(sweep, (r) => r.recorded === 1, 'the sweeper recording the stopped holdback');
    expect((await sweep()).recorded).toBe(0);
    const stop = await holdbackStop(database.db, id);
    expect(stop).toMatchObject({ state: 'terminated', runId: stoppedRun });
    expect(stop!.reason).toMatch(/^由 .+ 终止：cleaning up test data by mistake \/ terminated by .+: cleaning up test data by mistake$/);
    const told = await database.db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id').select(['users.email', 'notifications.subject', 'notifications.body', 'notifications.link'])
      .where('notifications.kind', '=', 'holdback_stopped').where('notifications.workflow_id', '=', id).where('notifications.channel', '=', 'in_app').execute();
    expect(told.map((m) => m.email)).toContain('finance@holdbacks.test');
    expect(told[0]!.subject).toBe(`暂缓支付提醒已停止：${before.status.projectName}质保金`);
    expect(told[0]!.body).toContain('尚暂缓 ');
    expect(told[0]!.link).toBe(`/holdbacks/${unit}/2020/${code}`);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'details']).where('subject', '=', id).where('action', '=', 'holdback.stopped').execute();
    expect(audit).toEqual([{ action: 'holdback.stopped', details: expect.objectContaining({ state: 'terminated', runId: stoppedRun }) }]);

    // The API, the holdback's page and the dashboard say so; the page offers the finance officer the restart and no event forms.
    expect((await app.inject({ method: 'GET', url, ...as(finance) })).json().stopped).toMatchObject({ state: 'terminated', runId: stoppedRun });
    const page = (await app.inject({ method: 'GET', url: `/units/${unit}/years/2020/holdbacks/${code}`, ...as(finance) })).body;
    expect(page).toContain('id="hb-stopped" data-stopped-state="terminated"');
    expect(page).toContain('id="hb-restart-form"');
    expect(page).not.toContain('data-holdback-form="release"');
    expect((await app.inject({ method: 'GET', url: `/units/${unit}/years/2020`, ...as(finance) })).body).toMatch(new RegExp(`data-holdback="${code}">[\\s\\S]*?data-testid="hb-stopped-chip"`));

    // Restarted with a reason: a new run that carries the stopped run's state — the payment stays,
    // and what is recorded next lands on the progress row as before.
    expect((await app.inject({ method: 'POST', url: `${url}/restart`, ...as(finance), payload: { reason: ' ' } })).statusCode).toBe(400);
    const restarted = await app.inject({ method: 'POST', url: `${url}/restart`, ...as(finance), payload: { reason: '误终止，恢复跟踪' } });
    expect(restarted.statusCode, restarted.body).toBe(201);
    expect(restarted.json()).toMatchObject({ workflowId: id, previous: { runId: stoppedRun, state: 'terminated' }, carried: true });
    expect(restarted.json().runId).not.toBe(stoppedRun);
    const after = await until(() => handle.query(holdbackStatusQuery), (st) => st.status === 'partially_released', 'the restarted run');
    expect(after.amounts.releasedFen).toBe(5_000_000);
    expect(after.events.map((e) => e.requestId)).toContain('pay-1');
    expect(await holdbackStop(database.db, id)).toBeUndefined();
    const pay = await app.inject({ method: 'POST', url: `${url}/release`, ...as(finance), payload: { requestId: 'pay-3', paidOn: '2026-11-25', amountFen: 1_000_000, note: '再付1万元' } });
    expect(pay.statusCode, pay.body).toBe(200);
    const row = await until(() => database.db.selectFrom('holdback_progress').select(['released_fen', 'stopped_state']).where('workflow_id', '=', id).executeTakeFirstOrThrow(), (r) => Number(r.released_fen) === 6_000_000, 'the progress after the restart');
    expect(row.stopped_state).toBeNull();
    const restartAudit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('subject', '=', id).where('action', '=', 'holdback.restart').execute();
    expect(restartAudit).toEqual([{ actor: 'finance@holdbacks.test', details: expect.objectContaining({ reason: '误终止，恢复跟踪', previousRunId: stoppedRun, carried: true }) }]);
    // Running again: nothing to restart; and the sweeper does not record the old run again.
    expect((await app.inject({ method: 'POST', url: `${url}/restart`, ...as(finance), payload: { reason: '再来' } })).statusCode).toBe(409);
    expect((await sweep()).recorded).toBe(0);
  });

  it('exports the register of withheld amounts as an Excel sheet, by due date, with a total', async () => {
    const response = await app.inject({ method: 'GET', url: `/api/units/${unit}/holdbacks/export`, ...as(finance) });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('暂缓支付台账')!;
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1);
    expect(values(3)).toEqual(['年度', '项目', '合同', '款项编号', '类型', '支付条件', '状态', '暂缓金额', '已支付', '已到期可支付', '尚未支付', '下一到期日', '已逾期', '等待', '跟踪']);
    const rows = Array.from({ length: ws.rowCount - 4 }, (_, i) => values(4 + i));
    expect(rows.map((r) => r[3])).toHaveLength(5);
    // By due date: the two retentions of 2021-08-31 first; the ones waiting on an event without a date last.
    const due = rows.map((r) => (typeof r[11] === 'string' ? r[11] : ''));
    expect(due.filter(Boolean)).toEqual([...due.filter(Boolean)].sort());
    expect(due.slice(0, 2)).toEqual(['2021-08-31', '2021-08-31']);
    // The seed's five: 7.62 + 10.92 + 83.69 + 98.51 + 45.94 = 246.68 万元; 50,000 + 10,000 paid of the 一件事一次办 retention.
    expect(seedUnitYear().projects.flatMap((p) => p.holdbacks).reduce((sum, h) => sum + h.amount, 0)).toBe(246_680_000);
    const paid = rows.find((r) => r[3] === 'one-thing-once-retention')!;
    expect(paid.slice(4, 11)).toEqual(['质保金', expect.any(String), '部分支付', 109_200, 60_000, 49_200, 49_200]);
    expect(paid[14]).toBe('跟踪中');
    const total = values(ws.rowCount);
    expect(total[0]).toBe('合计');
    expect([total[7], total[8], total[10]]).toEqual([2_466_800, 60_000, 2_406_800]);
    // A unit that does not exist has no register.
    expect((await app.inject({ method: 'GET', url: '/api/units/no-such-unit/holdbacks/export', ...as(finance) })).statusCode).toBe(404);
  });
});
