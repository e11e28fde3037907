/**
 * The score's inputs through the HTTP API, on a real Postgres: the 基础数据表 the finance officer
 * corrects, the self-assessment with its preview, and evidence files. Bad input is refused with
 * every problem (path, Chinese and English) and writes nothing — checked by the row counts and
 * the stored content, not by the status code alone.
 */
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { MAX_EVIDENCE_BYTES } from '../../domain/evidence';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedFile, seedUnitYear } from '../fixtures/seed';

const unit = 'yiyang-smart-city';
const base = `/api/units/${unit}/years/2020`;
const tables = ['unit_years', 'self_assessments', 'evidence_files', 'audit_log'] as const;

interface Problem {
  path: string;
  code: string;
  zh: string;
  en: string;
}

describe('the score’s inputs through the API', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let finance: Persona;
  let headGeneral: Persona;
  let headProjects: Persona;
  let unitHead: Persona;

  const counts = async () => {
    const out: Record<string, number> = {};
    for (const t of tables) out[t] = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(database.db)).rows[0]!.n;
    return out;
  };
  const storedBasicData = async () => (await database.db.selectFrom('unit_years').select('basic_data').executeTakeFirstOrThrow()).basic_data;
  const call = (p: Persona, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) => app.inject({ method, url, ...as(p), ...(payload === undefined ? {} : { payload: payload as object }) });
  const problemsOf = (r: { json: <T>() => T }) => r.json<{ code: string; details: Problem[] }>().details;
  /** The seed's 基础数据表 in the document form (amounts with their unit), as a person types it. */
  const seedTable = () => structuredClone(parseYaml(fs.readFileSync(seedFile, 'utf8')).basicData) as Record<string, any>;

  beforeAll(async () => {
    database = await createTestDatabase();
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'scoring-api-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await addUser(database.db, 'finance@scoring.test', unit, 'finance_officer');
    await addUser(database.db, 'head@scoring.test', unit, 'unit_head');
    await addUser(database.db, 'general@scoring.test', unit, 'section_head', 'general');
    await addUser(database.db, 'projects@scoring.test', unit, 'section_head', 'projects');
    finance = await signIn(app, 'finance@scoring.test');
    unitHead = await signIn(app, 'head@scoring.test');
    headGeneral = await signIn(app, 'general@scoring.test');
    headProjects = await signIn(app, 'projects@scoring.test');
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  it('refuses a 基础数据表 whose columns disagree, field by field, and writes nothing; saves a corrected one and answers its findings', async () => {
    const before = { rows: await counts(), table: await storedBasicData() };
    const t = seedTable();
    t['threePublic'].total.final = '8.6万元'; // 7.1 + 0 + 1.4 = 8.5
    t['staff'].controlRate.final = '80%'; // 12 ÷ 16 = 75.00%
    t['projects'][0].project = 'no-such-project';
    t['publicFunds'].office.final = '-1元'; // a schema problem comes alone (nothing else is checked)
    const schemaRefusal = await call(finance, 'PUT', `${base}/basic-data`, t);
    expect(schemaRefusal.statusCode).toBe(400);
    expect(problemsOf(schemaRefusal).map((p) => p.path)).toEqual(['body.publicFunds.office.final']);
    t['publicFunds'].office.final = '12.76万元';
    const refused = await call(finance, 'PUT', `${base}/basic-data`, t);
    expect(refused.statusCode).toBe(400);
    const problems = problemsOf(refused);
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ['body.threePublic.total.final', 'columns_do_not_add_up'],
      ['body.staff.controlRate.final', 'rate_does_not_match'],
      ['body.projects[0].project', 'unknown_project'],
    ]);
    for (const p of problems) expect(p.zh.length > 0 && p.en.length > 0).toBe(true);
    expect(problems[1]!.zh).toBe('控制率（本年决算数）填 80.00%，按 12 ÷ 16 应为 75.00%');
    expect({ rows: await counts(), table: await storedBasicData() }).toEqual(before);
    // The unit head reads it but may not change it.
    expect((await call(unitHead, 'PUT', `${base}/basic-data`, seedTable())).statusCode).toBe(403);

    const corrected = seedTable();
    corrected['procurement'] = { previousFinal: '1200万元', budget: '1600万元', final: '1500万元' };
    const saved = await call(finance, 'PUT', `${base}/basic-data`, corrected);
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await storedBasicData() as { procurement: { final: number } }).procurement.final).toBe(1500 * 10_000 * 100);
    const read = await call(unitHead, 'GET', `${base}/basic-data`);
    expect(read.json<{ basicData: { procurement: { final: number } } }>().basicData.procurement.final).toBe(1_500_000_000);
    // Its gaps against the ledger stay findings (the ledger may be the wrong side).
    expect(saved.json<{ findings: Array<{ code: string }> }>().findings.map((f) => f.code)).toContain('closing_balance_not_itemised');
  });

  it('checks evidence files by content and size, keeps each once, and shows a section head only their section’s', async () => {
    const pdf = Buffer.from('%PDF-1.4\n% 运维考核报告\n');
    const before = await counts();
    const upload = (p: Persona, fileName: string, bytes: Buffer, section?: string) =>
      call(p, 'POST', `${base}/evidence`, { fileName, contentBase64: bytes.toString('base64'), ...(section ? { section } : {}) });
    const wrongType = await upload(finance, '合同.pdf', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
    expect(wrongType.statusCode).toBe(400);
    expect(problemsOf(wrongType).map((p) => [p.path, p.code])).toEqual([['body.contentBase64', 'content_type_mismatch']]);
    expect(problemsOf(wrongType)[0]!.zh).toContain('实为JPEG 图片');
    const tooBig = await upload(finance, '扫描件.pdf', Buffer.concat([pdf, Buffer.alloc(MAX_EVIDENCE_BYTES)]));
    expect(tooBig.statusCode).toBe(400);
    expect(problemsOf(tooBig).map((p) => p.code)).toEqual(['file_too_large']);
    const exe = await upload(finance, 'setup.exe', pdf);
    expect(problemsOf(exe).map((p) => [p.path, p.code])).toEqual([['body.fileName', 'file_type_not_allowed']]);
    expect((await upload(headGeneral, '资产.pdf', pdf, 'projects')).statusCode).toBe(400); // not their section
    expect(await counts()).toEqual(before);

    const first = await upload(finance, '运维考核报告.pdf', pdf);
    expect(first.statusCode).toBe(201);
    const again = await upload(finance, '运维考核报告.pdf', pdf);
    expect(again.statusCode).toBe(200);
    expect(again.json<{ evidence: { id: number } }>().evidence.id).toBe(first.json<{ evidence: { id: number } }>().evidence.id);
    const general = await upload(headGeneral, '资产盘点表.txt', Buffer.from('资产盘点：977996.00元\n'));
    expect(general.statusCode).toBe(201);
    expect(general.json<{ evidence: { section: string } }>().evidence.section).toBe('general');

    const names = async (p: Persona) => (await call(p, 'GET', `${base}/evidence`)).json<{ evidence: Array<{ fileName: string }> }>().evidence.map((e) => e.fileName).sort();
    expect(await names(finance)).toEqual(['资产盘点表.txt', '运维考核报告.pdf'].sort());
    expect(await names(headGeneral)).toEqual(['资产盘点表.txt']);
    expect(await names(headProjects)).toEqual([]);
    const id = first.json<{ evidence: { id: number } }>().evidence.id;
    expect((await call(headProjects, 'GET', `${base}/evidence/${id}`)).statusCode).toBe(404);
    const download = await call(unitHead, 'GET', `${base}/evidence/${id}`);
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(pdf)).toBe(true);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect(download.headers['x-content-type-options']).toBe('nosniff');
  });

  it('saves a self-assessment checked against the rule set, refuses a bad one with every problem and writes nothing, and previews half-typed entries', async () => {
    const entries = seedUnitYear().selfAssessment!.entries.map((e) => ({ ...e, evidence: [] as number[] }));
    const evidenceId = (await call(finance, 'GET', `${base}/evidence`)).json<{ evidence: Array<{ id: number; section: string | null }> }>().evidence.find((e) => e.section === null)!.id;
    const before = await counts();
    const bad = [
      { indicator: 'no_such_indicator', tier: 'achieved', points: '1', evidence: [] },
      { ...entries[1]!, points: '2.4' }, // 部分达成 of 3 points: 1.80 (incl.) to 2.40 (excl.)
      { indicator: 'asset_rules', tier: 'achieved', points: '3', evidence: [] }, // the 综合科 assesses it
      { indicator: 'economic_benefit', notApplicable: true, evidence: [] }, // no reason
      { ...entries[0]!, evidence: [999_999] },
    ];
    const refused = await call(finance, 'PUT', `${base}/self-assessment`, { entries: bad });
    expect(refused.statusCode).toBe(400);
    expect(problemsOf(refused).map((p) => [p.path, p.code])).toEqual([
      ['body.entries[0].indicator', 'unknown_indicator'],
      ['body.entries[1].points', 'points_outside_tier'],
      ['body.entries[2].indicator', 'not_yours'],
      ['body.entries[3].reason', 'reason_required'],
      ['body.entries[4].evidence[0]', 'unknown_evidence'],
    ]);
    expect(problemsOf(refused)[1]!.zh).toBe('2.40 分不在“部分达成并具有一定效果”档的范围内：1.80 分（含）至 2.40 分（不含）');
    expect(await counts()).toEqual(before);

    // The preview takes half-typed entries: the good ones count, the others say what is wrong.
    const preview = await call(finance, 'POST', `${base}/self-assessment/preview`, { entries: [{ indicator: 'social_benefit', tier: 'achieved', points: '6.' }, { indicator: 'indicator_clarity', tier: 'partial', points: '1.8', reason: '目标值不够具体' }] });
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json<{ score: { totalCp: number }; problems: Problem[] }>();
    expect(p.problems.map((x) => x.path)).toEqual(['entries[0].points']);
    expect(p.problems[0]!.zh).toBe('分值应为非负数，最多两位小数');
    // The seed scores 86.00; 绩效指标明确性 at 1.80 instead of the file's 2.10 costs 0.30.
    expect(p.score.totalCp).toBe(8600 - 30);

    // A good save: the browser's entry replaces the file's for that indicator.
    const saved = await call(finance, 'PUT', `${base}/self-assessment`, { entries: [{ ...entries[7]!, points: '6.8', reason: '应用推广覆盖面不足', evidence: [evidenceId] }] });
    expect(saved.statusCode, saved.body).toBe(200);
    // 社会效益 at 6.80 instead of 7.20: 86.00 − 0.40.
    expect(saved.json<{ score: { totalCp: number; grade: { zh: string } } }>().score).toMatchObject({ totalCp: 8560, grade: { zh: '良' } });
    const state = (await call(unitHead, 'GET', `${base}/self-assessment`)).json<{ entries: Array<{ indicator: string; points?: string; evidence: number[] }>; score: { indicators: Array<{ id: string; evidence: string[]; sourceZh: string }> } }>();
    expect(state.entries.find((e) => e.indicator === 'social_benefit')).toMatchObject({ points: '6.8', evidence: [evidenceId] });
    expect(state.score.indicators.find((i) => i.id === 'social_benefit')).toMatchObject({ evidence: ['运维考核报告.pdf'], sourceZh: '自评（财务人员）' });
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'action']).where('action', '=', 'self_assessment.save').execute();
    expect(audit).toEqual([{ actor: 'finance@scoring.test', action: 'self_assessment.save' }]);
  });

  it('refuses changes to the score’s inputs once the evaluation is being approved', async () => {
    const uy = await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow();
    await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: `evaluation/${unit}/2020`, stage: 'approving', started_by: 'test', due_at: new Date(), snapshot_sha256: 'x' }).execute();
    const before = { rows: await counts(), table: await storedBasicData() };
    const table = await call(finance, 'PUT', `${base}/basic-data`, seedTable());
    expect(table.statusCode).toBe(409);
    const assessment = await call(finance, 'PUT', `${base}/self-assessment`, { entries: [] });
    expect(assessment.statusCode).toBe(409);
    expect(assessment.json<{ messageZh: string }>().messageZh).toContain('请单位负责人退回报告草稿');
    expect({ rows: await counts(), table: await storedBasicData() }).toEqual(before);
  });
});
