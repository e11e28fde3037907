/**
 * Withheld payments through the HTTP API, on the dev server with a real worker: what falls due
 * when; a release recorded, recorded again (a retried request: same answer, nothing changes), and
 * refused when larger than what is held (400 with the problem, nothing changes).
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { createHoldbackActivities } from '../../activities/holdbacks.activities';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { createWorker } from '../../worker/create-worker';
import { holdbackStatusQuery, holdbackWorkflowId } from '../../workflows/holdback/contract';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, type Persona, signIn } from '../helpers/api';
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
});
