/**
 * The unit-year's dashboard tells the finance officer which messages of the evaluation, its tasks
 * and the year's withheld payments did not arrive (a section head who never got their task is chased another way), and the
 * administrator where to send them again; delivered messages and other years' are not listed.
 */
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { evaluationId, sectionTaskId } from '../../workflows/evaluation/contract';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { seedUnitYear } from '../fixtures/seed';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections } from '../helpers/temporal';

const UNIT = 'yiyang-smart-city';

describe('messages that did not arrive, on the dashboard', () => {
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection | undefined;
  let app: FastifyInstance;
  let finance: Persona;
  let admin: Persona;

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    await addUser(database.db, 'finance@dash.test', UNIT, 'finance_officer');
    await addUser(database.db, 'admin@dash.test', UNIT, 'admin');
    await addUser(database.db, 'admin@dash.test', UNIT, 'finance_officer');
    ({ client, native } = await devServerConnections('dash-undelivered'));
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    finance = await signIn(app, 'finance@dash.test');
    admin = await signIn(app, 'admin@dash.test');
    const unit = await database.db.selectFrom('units').select('id').where('code', '=', UNIT).executeTakeFirstOrThrow();
    const head = await database.db.selectFrom('users').select('id').where('email', 'like', 'general@%').executeTakeFirstOrThrow();
    const row = (key: string, workflowId: string, status: 'failed' | 'sent' | 'pending', subject: string, attempts: number) => ({
      dedupe_key: key, unit_id: unit.id, kind: 'task_assigned', channel: 'email' as const, recipient_user_id: head.id, subject, body: 'b', workflow_id: workflowId, status, attempts,
      error: status === 'sent' ? null : 'connect ECONNREFUSED 10.0.0.5:25',
    });
    await database.db
      .insertInto('notifications')
      .values([
        row('d1', sectionTaskId(UNIT, 2020, 'general'), 'failed', '请填报综合科2020年度自评材料', 40),
        row('d2', evaluationId(UNIT, 2020), 'pending', '2020年度自评报告待审批', 3),
        row('d3', sectionTaskId(UNIT, 2020, 'network'), 'sent', '请填报网络科2020年度自评材料', 1),
        row('d4', sectionTaskId(UNIT, 2019, 'general'), 'failed', '请填报综合科2019年度自评材料', 40),
        row('d6', holdbackWorkflowId(UNIT, 2020, 'one-thing-once-retention'), 'failed', '质保金将于2021年8月31日到期', 12),
        // Still on its first try: not (yet) a problem.
        row('d5', sectionTaskId(UNIT, 2020, 'infosec'), 'pending', '请填报信息安全科2020年度自评材料', 0),
      ])
      .execute();
  });
  afterAll(async () => {
    await app?.close();
    await client?.connection.close();
    await native?.close();
    await database?.drop();
  });

  const dashboard = async (p: Persona) => {
    const r = await app.inject({ method: 'GET', url: `/units/${UNIT}/years/2020`, ...as(p) });
    expect(r.statusCode, r.body).toBe(200);
    return r.body;
  };

  it('lists what did not arrive for the finance officer, and points the administrator to 系统管理', async () => {
    const page = await dashboard(finance);
    const notice = /<div class="notice notice-warn" id="undelivered-notice">([\s\S]*?)<\/div>\s*<\/div>/.exec(page)?.[1] ?? '';
    expect(notice).toContain('本年度有3条通知未能送达');
    expect(notice).toContain('质保金将于');
    expect(notice).toContain('请填报综合科2020年度自评材料');
    expect(notice).toContain('已停止');
    expect(notice).toContain('2020年度自评报告待审批');
    expect(notice).toContain('重试中');
    expect(notice).toContain('ECONNREFUSED');
    for (const other of ['网络科', '2019年度', '信息安全科']) expect(notice).not.toContain(other);
    expect(notice).not.toContain(`/admin/units/${UNIT}#undelivered`);
    expect(await dashboard(admin)).toContain(`href="/admin/units/${UNIT}#undelivered"`);
  });

  it('shows no notice when everything arrived', async () => {
    await database.db.updateTable('notifications').set({ status: 'sent', error: null }).execute();
    expect(await dashboard(finance)).not.toContain('id="undelivered-notice"');
  });
});
