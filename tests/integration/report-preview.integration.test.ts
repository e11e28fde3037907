/**
 * Preview before adopting: the seed unit-year's report as a draft PDF under a candidate rule set
 * (an added version) and another outline, rendered by a real worker on the dev server and read back
 * through pdftotext — while no evaluation starts and no report version is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildServer } from '../../client/http/server';
import { readRuleSetText } from '../../client/rule-sets/files';
import { importUnitYear } from '../../db/ledger.repository';
import { addRuleSet } from '../../db/rule-sets.repository';
import { createWorker } from '../../worker/create-worker';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText, requirePoppler } from '../helpers/pdf';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const unit = 'yiyang-smart-city';

describe('report preview under a candidate rule set and outline', () => {
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let finance: Persona;
  let headGeneral: Persona;
  const taskQueue = uniqueTaskQueue('preview');

  beforeAll(async () => {
    await requirePoppler();
    database = await createTestDatabase();
    ({ client, native } = await devServerConnections('preview'));
    worker = await createWorker({ connection: native, namespace: client.options.namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    await addUser(database.db, 'finance@preview.test', unit, 'finance_officer');
    await addUser(database.db, 'general@preview.test', unit, 'section_head', 'general');
    finance = await signIn(app, 'finance@preview.test');
    headGeneral = await signIn(app, 'general@preview.test');
  });
  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('renders the draft under version 2 and the 南县 outline, stores no report, starts nothing', async () => {
    const v2 = fs.readFileSync(path.join(root, 'rule-sets/hunan-department-2020.yaml'), 'utf8').replace('name: 湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）', 'name: 湖南省部门整体支出绩效评价指标（2021 年修订）');
    const read = readRuleSetText(v2);
    if (!read.ok) throw new Error(JSON.stringify(read.problems));
    await addRuleSet(database.db, { ruleSet: read.ruleSet, source: read.text, sha256: read.sha256, actor: 'admin' });

    const asked = await app.inject({ method: 'POST', url: `/api/units/${unit}/years/2020/report-preview`, ...as(finance), payload: { ruleSetId: 'hunan-department-2020', version: 2, outline: 'nanxian-score-first' } });
    expect(asked.statusCode, asked.body).toBe(201);
    const preview = asked.json<{ url: string; ruleSet: { version: number }; outline: string; totalCp: number }>();
    expect(preview).toMatchObject({ ruleSet: { version: 2 }, outline: 'nanxian-score-first', totalCp: 8600 });
    const pdf = await app.inject({ method: 'GET', url: preview.url, ...as(finance) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = (await pdfToText(pdf.rawPayload)).replace(/\s+/g, '');
    // The 南县 outline opens with the score; the candidate version is named; the cover says it is a preview.
    expect(text.indexOf('一、自评得分情况')).toBeGreaterThan(0);
    expect(text.indexOf('一、自评得分情况')).toBeLessThan(text.indexOf('二、单位基本概况'));
    expect(text).toContain('《湖南省部门整体支出绩效评价指标（2021年修订）》（hunan-department-2020第2版，湖南省）');
    expect(text).toContain('预览（未生效，不是报告版本）');

    // Nothing of the unit-year changed: no report version, no evaluation.
    expect(await database.db.selectFrom('reports').select('version').execute()).toEqual([]);
    expect(await database.db.selectFrom('evaluations').select('id').execute()).toEqual([]);
    // A section head may not preview; an unknown outline is refused with the known ones.
    expect((await app.inject({ method: 'POST', url: `/api/units/${unit}/years/2020/report-preview`, ...as(headGeneral), payload: {} })).statusCode).toBe(403);
    const bad = await app.inject({ method: 'POST', url: `/api/units/${unit}/years/2020/report-preview`, ...as(finance), payload: { outline: 'no-such-outline' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ details: Array<{ path: string; zh: string }> }>().details[0]).toMatchObject({ path: 'body.outline' });
    expect(bad.json<{ details: Array<{ zh: string }> }>().details[0]!.zh).toContain('hunan-department-8');
  });
});
