/**
 * Rule sets as data through the API, on a real Postgres: an administrator adds a file (refused with
 * every problem on its line and nothing stored; then stored as the next version, never edited in
 * place), a unit-year chooses its rule set, a preview scores under a candidate without changing
 * anything, and an evaluation stays with the version it was started under until the finance
 * officer re-scores it (audited, only before approval).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { analyseStored } from '../../db/scoring.repository';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedUnitYear } from '../fixtures/seed';

const root = path.resolve(__dirname, '../..');
const hunan = fs.readFileSync(path.join(root, 'rule-sets/hunan-department-2020.yaml'), 'utf8');
const unit = 'yiyang-smart-city';
const base = `/api/units/${unit}/years/2020`;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** Version 2 of the Hunan set: 社会效益 8 → 6, 满意度 8 → 10 (the seed's 7.20 of 8 would not fit, so the file moves no tier points). */
const v2 = hunan
  .replace("name: 湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）", 'name: 湖南省部门整体支出绩效评价指标（2021 年修订）')
  .replace('level3: 社会公众或服务对象满意度\n    points: 8', 'level3: 社会公众或服务对象满意度\n    points: 10')
  .replace('level3: 经济效益\n    points: 4', 'level3: 经济效益\n    points: 2');

describe('rule sets through the API', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let admin: Persona;
  let finance: Persona;
  let unitHead: Persona;

  const call = (p: Persona, method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => app.inject({ method, url, ...as(p), ...(payload ? { payload } : {}) });
  const storedCount = async () => (await sql<{ n: number }>`select count(*)::int as n from rule_sets`.execute(database.db)).rows[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'rule-sets-api-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await addUser(database.db, 'admin@rules.test', unit, 'admin');
    await addUser(database.db, 'finance@rules.test', unit, 'finance_officer');
    await addUser(database.db, 'head@rules.test', unit, 'unit_head');
    admin = await signIn(app, 'admin@rules.test');
    finance = await signIn(app, 'finance@rules.test');
    unitHead = await signIn(app, 'head@rules.test');
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  it('refuses a file with errors, each on its line, storing nothing; stores a good one as the next version, once', async () => {
    const broken = v2.replace('rule: { kind: tiers }\n    source: S2\n  - id: indicator_clarity', 'rule: { kind: judgement }\n    source: S2\n  - id: indicator_clarity');
    const refused = await call(admin, 'POST', '/api/rule-sets', { fileName: 'hunan-2021.yaml', content: broken });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ details: Array<{ path: string; code: string; line: number }> }>().details).toEqual([
      expect.objectContaining({ path: 'indicators[0].rule.kind', code: 'invalid_union', line: lineOf(broken, 'kind: judgement') }),
    ]);
    // The check route says the same without storing, to anyone signed in.
    const check = await call(finance, 'POST', '/api/rule-sets/check', { content: broken });
    expect(check.json<{ ok: boolean; problems: Array<{ line: number }> }>()).toMatchObject({ ok: false, problems: [{ line: lineOf(broken, 'kind: judgement') }] });
    expect((await call(finance, 'POST', '/api/rule-sets', { content: v2 })).statusCode).toBe(403);
    expect(await storedCount()).toBe(0);

    const added = await call(admin, 'POST', '/api/rule-sets', { fileName: 'hunan-2021.yaml', content: v2 });
    expect(added.statusCode, added.body).toBe(201);
    // The built-in file is version 1 of this id, so the added one is version 2.
    expect(added.json()).toMatchObject({ id: 'hunan-department-2020', version: 2, created: true });
    const again = await call(admin, 'POST', '/api/rule-sets', { content: v2 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ version: 2, created: false });
    expect(await storedCount()).toBe(1);
    const list = (await call(unitHead, 'GET', '/api/rule-sets')).json<{ ruleSets: Array<{ id: string; version: number; builtIn: boolean }> }>().ruleSets;
    expect(list.filter((r) => r.id === 'hunan-department-2020').map((r) => [r.version, r.builtIn])).toEqual([[1, true], [2, false]]);
    const one = (await call(unitHead, 'GET', '/api/rule-sets/hunan-department-2020/2')).json<{ source: string; ruleSet: { name: string } }>();
    expect(one.source).toBe(v2);
    expect(one.ruleSet.name).toBe('湖南省部门整体支出绩效评价指标（2021 年修订）');
    // Never edited in place.
    await expect(sql`update rule_sets set name = 'x'`.execute(database.db)).rejects.toThrow(/cannot be changed/);
    const audit = await database.db.selectFrom('audit_log').select(['action', 'subject']).where('action', '=', 'rule_set.add').execute();
    expect(audit).toEqual([{ action: 'rule_set.add', subject: 'rule-set/hunan-department-2020/2' }]);
  });

  it('previews the score under a candidate — stored or not yet added — and changes nothing', async () => {
    const before = (await analyseStored(database.db, unit, 2020))!.analysis.score;
    // With no evaluation pinning one, the unit-year is scored under the latest version: 2.
    expect(before).toMatchObject({ ruleSetVersion: 2 });
    // v2: 经济效益 (不适用, full marks) 4 → 2 and 满意度 (92% ≥ 90%, full) 8 → 10: the total stays 86.00.
    expect(before.totalCp).toBe(8600);
    const v1 = await call(unitHead, 'POST', `${base}/rule-set-preview`, { ruleSetId: 'hunan-department-2020', version: 1 });
    expect(v1.json<{ ruleSet: { version: number }; score: { totalCp: number } }>()).toMatchObject({ ruleSet: { version: 1 }, score: { totalCp: 8600 } });
    // A candidate not yet added: 实际完成率 10 instead of 5 — refused, its weights add up to 105 …
    const candidate = v2.replace('level3: 实际完成率\n    points: 5', 'level3: 实际完成率\n    points: 10');
    const bad = await call(finance, 'POST', `${base}/rule-set-preview`, { content: candidate });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ details: Array<{ code: string }> }>().details.map((d) => d.code)).toEqual(['weights_not_total']);
    // … and without 重点工作办结率 (5) it adds up to 100 again.
    const good = candidate.replace(/  - id: key_task_completion\n(    .*\n)+?(?=  - id: economic_benefit)/, '');
    expect(good).not.toContain('key_task_completion');
    const preview = await call(finance, 'POST', `${base}/rule-set-preview`, { content: good });
    expect(preview.statusCode, preview.body).toBe(200);
    // 86.00 − 4.33 (实际完成率 at 5) + 8.67 (at 10) − 4.00 (重点工作办结率 gone) = 86.34
    expect(preview.json<{ score: { totalCp: number } }>().score.totalCp).toBe(8634);
    expect(await storedCount()).toBe(1);
  });

  it('lets a unit-year choose its rule set before the evaluation, and keeps a started evaluation on its version until the finance officer re-scores it', async () => {
    const chose = await call(finance, 'PUT', `${base}/rule-set`, { ruleSetId: 'yueyang-department-2018' });
    expect(chose.statusCode, chose.body).toBe(200);
    expect((await analyseStored(database.db, unit, 2020))!.analysis.score.ruleSetId).toBe('yueyang-department-2018');
    expect((await call(finance, 'PUT', `${base}/rule-set`, { ruleSetId: 'no-such-set' })).statusCode).toBe(400);
    expect((await call(finance, 'PUT', `${base}/rule-set`, { ruleSetId: 'hunan-department-2020' })).statusCode).toBe(200);

    // An evaluation that recorded version 1 at its start is scored under version 1, though 2 exists.
    const uy = await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow();
    const workflowId = `evaluation/${unit}/2020`;
    await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: workflowId, stage: 'collecting', started_by: 'test', due_at: new Date(), snapshot_sha256: 'x', rule_set_id: 'hunan-department-2020', rule_set_version: 1 }).execute();
    expect((await analyseStored(database.db, unit, 2020))!.analysis.score).toMatchObject({ ruleSetVersion: 1 });
    expect((await call(finance, 'PUT', `${base}/rule-set`, { ruleSetId: 'yueyang-department-2018' })).statusCode).toBe(409);

    // Re-scoring: only while reviewing (or after a send-back), with a reason, audited.
    const early = await call(finance, 'POST', `${base}/evaluation/rule-set`, { ruleSetId: 'hunan-department-2020', version: 2, reason: '财政局通知采用2021年修订版' });
    expect(early.statusCode).toBe(409);
    await database.db.updateTable('evaluations').set({ stage: 'reviewing' }).where('workflow_id', '=', workflowId).execute();
    expect((await call(unitHead, 'POST', `${base}/evaluation/rule-set`, { ruleSetId: 'hunan-department-2020', version: 2, reason: 'x' })).statusCode).toBe(403);
    const rescored = await call(finance, 'POST', `${base}/evaluation/rule-set`, { ruleSetId: 'hunan-department-2020', version: 2, reason: '财政局通知采用2021年修订版' });
    expect(rescored.statusCode, rescored.body).toBe(200);
    expect(rescored.json<{ score: { ruleSetVersion: number } }>().score.ruleSetVersion).toBe(2);
    const row = await database.db.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version']).where('workflow_id', '=', workflowId).executeTakeFirstOrThrow();
    expect(row).toEqual({ rule_set_id: 'hunan-department-2020', rule_set_version: 2 });
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation.rule_set').execute();
    expect(audit).toEqual([{ actor: 'finance@rules.test', details: { from: 'hunan-department-2020@1', to: 'hunan-department-2020@2', reason: '财政局通知采用2021年修订版' } }]);
  });
});
