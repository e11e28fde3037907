/**
 * The bureau's overview, its organisation administration and the public pages' data, through the
 * HTTP API on a real Postgres (no workflow runs: the rows an evaluation, a campaign, a review and a
 * publication would leave are written directly):
 *
 *   a bureau (益阳市财政局) with two departments and five units from its unit list; the overview
 *   of 2020 lists every unit with its stage, due date, late marks, score and grade, blocking
 *   findings, review state and the withheld amounts falling due; filters and sorting give exactly
 *   the expected units; the grade distribution counts final grades only; a department officer
 *   sees its own units only (and not the other department's overview); the Excel export has the
 *   filtered rows; the unit list is refused with every bad row and imported once; officers are
 *   granted (with a one-time link) and revoked, audited; the last bureau officer stays; the officers
 *   above a unit read its unit page, status and issued reports, never a draft; the public index and
 *   unit-year (API and pages) list only published, not withdrawn reports, with the self-score and
 *   the reviewed score, and the PDF is the stored one.
 */
import { Client, Connection } from '@temporalio/client';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type UnitListEntry, writeUnitList } from '../../client/bureau/unit-list';
import { buildServer } from '../../client/http/server';
import { ensureOrganisation, grantOrganisationRole, importUnitList } from '../../db/organisations.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { analyseStored } from '../../db/scoring.repository';
import { sha256, storeReport } from '../../db/reports.repository';
import { publishReport } from '../../db/reviews.repository';
import { hashPassword } from '../../client/auth/passwords';
import { seedUnitYear } from '../fixtures/seed';
import { addUser, as, PASSWORD, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const BUREAU = 'yy-finance';
const SEED = 'yiyang-smart-city';
const score = (totalCp: number, grade: [string, string] | null, final = true) => JSON.stringify({ totalCp, final, grade: grade && { code: grade[0], zh: grade[1] } });
const findings = (blocking: number, other = 1) =>
  JSON.stringify({ findings: [...Array.from({ length: blocking }, () => ({ code: 'x', blocking: true })), ...Array.from({ length: other }, () => ({ code: 'y', blocking: false }))], ageing: [] });

describe('the bureau’s overview, organisation administration and published reports', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let bureau: Persona;
  let approval: Persona;
  let health: Persona;
  let unitFinance: Persona;
  const now = Date.now();

  const get = (p: Persona | undefined, url: string) => app.inject({ method: 'GET', url, ...as(p) });
  const overview = async (p: Persona, org: string, query = '') => {
    const r = await get(p, `/api/organisations/${org}/years/2020/overview${query}`);
    expect(r.statusCode, r.body).toBe(200);
    return r.json<{ rows: Array<Record<string, any>>; counts: Record<string, number>; distribution: { grades: Array<{ code: string; count: number }>; ungraded: number }; filtered: { total: number }; departments: Array<{ code: string }>; campaign: unknown }>();
  };
  const codes = (o: { rows: Array<Record<string, any>> }) => o.rows.map((r) => r.unitCode as string);

  beforeAll(async () => {
    database = await createTestDatabase('overview');
    const db = database.db;
    await importUnitYear(db, seedUnitYear(), { actor: 'test' });
    await ensureOrganisation(db, { code: BUREAU, name: '益阳市财政局', kind: 'bureau', actor: 'test' });
    await importUnitList(db, {
      bureauCode: BUREAU, actor: 'test',
      rows: [
        { departmentCode: 'yy-approval', departmentName: '益阳市行政审批服务局', unitCode: SEED, unitName: '益阳市智慧城市和大数据中心' },
        { departmentCode: 'yy-approval', departmentName: '益阳市行政审批服务局', unitCode: 'u-service', unitName: '益阳市政务服务中心' },
        { departmentCode: 'yy-health', departmentName: '益阳市卫生健康委员会', unitCode: 'u-cdc', unitName: '益阳市疾病预防控制中心' },
        { departmentCode: 'yy-health', departmentName: '益阳市卫生健康委员会', unitCode: 'u-blood', unitName: '益阳市中心血站' },
        { unitCode: 'u-info', unitName: '益阳市财政信息中心' },
      ],
    });
    const hash = await hashPassword(PASSWORD);
    await grantOrganisationRole(db, { email: 'officer@bureau.test', name: '财政局', organisationCode: BUREAU, role: 'bureau_officer', passwordHash: hash, actor: 'test' });
    await grantOrganisationRole(db, { email: 'dept@approval.test', name: '审批局', organisationCode: 'yy-approval', role: 'department_officer', passwordHash: hash, actor: 'test' });
    await grantOrganisationRole(db, { email: 'dept@health.test', name: '卫健委', organisationCode: 'yy-health', role: 'department_officer', passwordHash: hash, actor: 'test' });
    await addUser(db, 'finance@unit.test', SEED, 'finance_officer');

    // Unit-years of 2020 for three more units (the seed has its own); u-info has no ledger.
    const unitId = async (code: string) => Number((await db.selectFrom('units').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id);
    const unitYear = async (code: string) =>
      Number((await db.insertInto('unit_years').values({ unit_id: await unitId(code), year: 2020, staff_actual: 10, narrative: '{}' }).returning('id').executeTakeFirstOrThrow()).id);
    const seedUy = Number((await db.selectFrom('unit_years').select('id').where('unit_id', '=', await unitId(SEED)).executeTakeFirstOrThrow()).id);
    const service = await unitYear('u-service');
    const cdc = await unitYear('u-cdc');
    await unitYear('u-blood');
    const day = 24 * 3600 * 1000;
    const evaluation = async (uy: number, code: string, values: Record<string, unknown>) =>
      Number((await db.insertInto('evaluations').values({ unit_year_id: uy, workflow_id: `evaluation/${code}/2020`, started_by: 'test', snapshot_sha256: 'x', stage: 'collecting', due_at: new Date(now + 10 * day), ...values } as never).returning('id').executeTakeFirstOrThrow()).id);
    // The seed unit: issued, 86.00 良, two blocking findings acknowledged, report v2 issued.
    // Its real score sheet (86.00, 良; 预算完成率 0.00 of 5).
    const sheet = (await analyseStored(db, SEED, 2020))!.analysis.score;
    expect([sheet.totalCp, sheet.grade?.zh, sheet.indicators.find((i) => i.id === 'budget_completion_rate')?.pointsCp]).toEqual([8600, '良', 0]);
    await evaluation(seedUy, SEED, { stage: 'issued', due_at: new Date(now - 5 * day), score: JSON.stringify(sheet), findings: findings(2), acknowledged_at: new Date(), report_version: 2, issued_at: new Date() });
    // 政务服务中心: collecting, past due, with a section task overdue and escalated.
    const late = await evaluation(service, 'u-service', { stage: 'collecting', due_at: new Date(now - 2 * day) });
    await db.insertInto('tasks').values({ evaluation_id: late, unit_id: await unitId('u-service'), section_id: null, kind: 'self_assessment', workflow_id: 'evaluation/u-service/2020/self-assessment', run: 1, state: 'overdue', due_at: new Date(now - 2 * day), escalated_at: new Date() }).execute();
    // 疾控中心: approving, 92.50 优, one blocking finding not acknowledged.
    await evaluation(cdc, 'u-cdc', { stage: 'approving', score: score(9250, ['excellent', '优']), findings: findings(1) });
    // 血站: ledger, not started.

    // The bureau's campaign of 2020: due a week ago; the seed unit accepted, 疾控 joined.
    const campaign = await db.insertInto('campaigns').values({ organisation_id: (await db.selectFrom('organisations').select('id').where('code', '=', BUREAU).executeTakeFirstOrThrow()).id, year: 2020, due_date: new Date(now - 7 * day).toISOString().slice(0, 10), rule_set_id: 'hunan-department-2020', notice: '通知', workflow_id: 'campaign/yy-finance/2020', created_by: 'test' }).returning('id').executeTakeFirstOrThrow();
    for (const [code, state] of [[SEED, 'accepted'], ['u-cdc', 'joined'], ['u-blood', 'joined']] as const) {
      await db.insertInto('campaign_units').values({ campaign_id: campaign.id, unit_id: await unitId(code), state, ...(code === SEED ? { report_version: 2 } : {}) }).execute();
    }

    // Withheld amounts of the seed unit come from its ledger (no workflow tracks them here); one tracked for 疾控.
    await db.insertInto('holdback_progress').values({
      workflow_id: 'holdback/u-cdc/2020/h1', unit_code: 'u-cdc', year: 2020, holdback_code: 'h1', kind: 'retention', origin: 'ledger', parent_code: null, project_code: 'p', project_name: '项目', allocation_code: 'a', contract_code: null,
      condition: '质保期满', warranty_start_on: null, warranty_months: null, status: 'waiting', phase: 'warranty', awaiting: 'warranty_end', period: null, milestone: null, amount_fen: 500_000, held_fen: 500_000, payable_fen: 0, released_fen: 0,
      forfeited_fen: 0, transferred_fen: 0, next_due_on: new Date(now + 20 * day).toISOString().slice(0, 10), next_reminder_at: null, version: 1, business_at: new Date(),
    }).execute();

    // The seed unit's issued report v2 is published; an older publication of 疾控 was withdrawn.
    await storeReport(db, { unitYearId: seedUy, kind: 'draft', contentSha256: 'd1', pdf: Buffer.from('%PDF-draft'), docx: Buffer.from('PK'), template: 't', createdBy: 'test' });
    await storeReport(db, { unitYearId: seedUy, kind: 'issued', contentSha256: 'i2', pdf: Buffer.from('%PDF-issued-v2'), docx: Buffer.from('PK'), template: 't', createdBy: 'test' });
    await publishReport(db, { unitYearId: seedUy, unitId: await unitId(SEED), actor: 'officer@bureau.test', subject: `publication/${SEED}/2020` });
    await storeReport(db, { unitYearId: cdc, kind: 'issued', contentSha256: 'c1', pdf: Buffer.from('%PDF-cdc'), docx: Buffer.from('PK'), template: 't', createdBy: 'test' });
    await db.insertInto('publications').values({ unit_year_id: cdc, report_version: 1, published_by: 'officer@bureau.test', withdrawn_at: new Date(), withdrawn_by: 'officer@bureau.test', withdrawn_reason: '数据有误' }).execute();
    await db.insertInto('review_decisions').values({ unit_year_id: seedUy, report_version: 2, level: 'bureau', decision: 'adjust', actor: 'officer@bureau.test', adjustments: JSON.stringify([{ indicator: 'budget_completion_rate', pointsCp: 200, selfCp: 0, reason: '复核：预算调整经批准' }]) }).execute();

    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'overview-test-no-such-namespace' });
    app = await buildServer({ db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    bureau = await signIn(app, 'officer@bureau.test');
    approval = await signIn(app, 'dept@approval.test');
    health = await signIn(app, 'dept@health.test');
    unitFinance = await signIn(app, 'finance@unit.test');
  });
  afterAll(async () => {
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  it('lists every unit of the year under the bureau with its stage, due date, late marks, score, findings, review and withheld amounts', async () => {
    const o = await overview(bureau, BUREAU);
    expect(codes(o)).toEqual(['u-blood', 'u-cdc', 'u-info', 'u-service', SEED]);
    const row = (code: string) => o.rows.find((r) => r.unitCode === code)!;
    expect(row(SEED)).toMatchObject({ stage: 'issued', late: false, totalCp: 8600, final: true, grade: { code: 'good', zh: '良' }, blockingFindings: 2, findingsAcknowledged: true, reportVersion: 2, review: 'accepted', publishedVersion: 2, department: { code: 'yy-approval' } });
    expect(row(SEED).withheld.count).toBeGreaterThan(0);
    expect(row('u-service')).toMatchObject({ stage: 'collecting', late: true, overdueTasks: 1, escalatedTasks: 1, totalCp: null, grade: null, review: null });
    expect(row('u-cdc')).toMatchObject({ stage: 'approving', late: false, totalCp: 9250, grade: { code: 'excellent' }, blockingFindings: 1, findingsAcknowledged: false, review: 'joined', publishedVersion: null });
    expect(row('u-cdc').withheld).toMatchObject({ count: 1, outstandingFen: 500_000, dueByHorizonFen: 500_000 });
    // Not started, past the campaign's due date: late; no ledger at all: not in the campaign, no due date.
    expect(row('u-blood')).toMatchObject({ hasLedger: true, stage: null, late: true, review: 'joined' });
    expect(row('u-info')).toMatchObject({ hasLedger: false, stage: null, dueOn: null, late: false, department: null });
    expect(o.counts).toMatchObject({ units: 5, started: 3, issued: 1, late: 2, withBlocking: 1, accepted: 1, published: 1 });
    expect(o.distribution.grades.map((g) => [g.code, g.count])).toEqual([['excellent', 1], ['good', 1], ['fair', 0], ['poor', 0]]);
    expect(o.distribution.ungraded).toBe(3);
    expect(o.departments.map((d) => d.code)).toEqual(['yy-approval', 'yy-health']);
  });

  it('filters and sorts', async () => {
    expect(codes(await overview(bureau, BUREAU, '?department=yy-health'))).toEqual(['u-blood', 'u-cdc']);
    expect(codes(await overview(bureau, BUREAU, '?department=-'))).toEqual(['u-info']);
    expect(codes(await overview(bureau, BUREAU, '?late=true'))).toEqual(['u-blood', 'u-service']);
    expect(codes(await overview(bureau, BUREAU, '?grade=excellent'))).toEqual(['u-cdc']);
    expect(codes(await overview(bureau, BUREAU, '?grade=none'))).toEqual(['u-blood', 'u-info', 'u-service']);
    expect(codes(await overview(bureau, BUREAU, '?stage=not_started'))).toEqual(['u-blood']);
    expect(codes(await overview(bureau, BUREAU, '?stage=no_ledger'))).toEqual(['u-info']);
    expect(codes(await overview(bureau, BUREAU, '?review=joined'))).toEqual(['u-blood', 'u-cdc']);
    expect(codes(await overview(bureau, BUREAU, '?sort=total&order=desc'))).toEqual(['u-cdc', SEED, 'u-blood', 'u-info', 'u-service']);
    expect(codes(await overview(bureau, BUREAU, '?sort=stage'))).toEqual(['u-info', 'u-blood', 'u-service', 'u-cdc', SEED]);
    const page = await overview(bureau, BUREAU, '?sort=stage&limit=2&offset=1');
    expect(codes(page)).toEqual(['u-blood', 'u-service']);
    expect(page.filtered.total).toBe(5);
    expect((await get(bureau, `/api/organisations/${BUREAU}/years/2020/overview?stage=nonsense`)).statusCode).toBe(400);
  });

  it('shows a department only its own units, and no other department', async () => {
    expect(codes(await overview(approval, 'yy-approval'))).toEqual(['u-service', SEED]);
    expect(codes(await overview(health, 'yy-health'))).toEqual(['u-blood', 'u-cdc']);
    expect((await get(approval, '/api/organisations/yy-health/years/2020/overview')).statusCode).toBe(404);
    expect((await get(approval, `/api/organisations/${BUREAU}/years/2020/overview`)).statusCode).toBe(404);
    expect((await get(unitFinance, `/api/organisations/${BUREAU}/years/2020/overview`)).statusCode).toBe(404);
    expect((await get(undefined, `/api/organisations/${BUREAU}/years/2020/overview`)).statusCode).toBe(401);
    // The bureau reaches a department's overview too.
    expect(codes(await overview(bureau, 'yy-approval'))).toEqual(['u-service', SEED]);
  });

  it('exports the filtered rows to Excel', async () => {
    const r = await get(bureau, `/api/organisations/${BUREAU}/years/2020/overview/export?department=yy-health&sort=total&order=desc`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('评价总览')!;
    expect(ws.getRow(3).getCell(1).value).toBe('单位编码');
    expect([ws.getRow(4).getCell(1).value, ws.getRow(5).getCell(1).value, ws.getRow(6).getCell(1).value]).toEqual(['u-cdc', 'u-blood', null]);
    expect(ws.getRow(4).getCell(8).value).toBe(92.5);
    expect(ws.getRow(4).getCell(9).value).toBe('优');
  });

  it('imports the unit list: refused with every bad row (nothing imported), then once; a department cannot import it', async () => {
    const post = (p: Persona, org: string, rows: UnitListEntry[]) => writeUnitList(rows).then((bytes) => app.inject({ method: 'POST', url: `/api/organisations/${org}/admin/unit-list`, ...as(p), payload: { fileName: 'list.xlsx', contentBase64: bytes.toString('base64') } }));
    const bad = await post(bureau, BUREAU, [{ unitCode: 'new-unit', unitName: '新单位' }, { unitCode: 'bad code', unitName: '编码错误' }, { unitCode: 'x2', unitName: '无邮箱', headName: '张三' }]);
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ details: Array<{ path: string }> }>().details.map((d) => d.path)).toEqual(['单位名单 第3行 unitCode', '单位名单 第4行 headEmail']);
    expect(await database.db.selectFrom('units').select('code').where('code', '=', 'new-unit').executeTakeFirst()).toBeUndefined();
    const rows: UnitListEntry[] = [{ departmentCode: 'yy-edu', departmentName: '益阳市教育局', unitCode: 'u-school', unitName: '益阳市第一中学', financeName: '财务', financeEmail: 'finance@school.test' }];
    const ok = await post(bureau, BUREAU, rows);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'updated', rows: 1, departmentsCreated: 1, unitsCreated: 1, peopleGranted: 1 });
    expect((await post(bureau, BUREAU, rows)).json()).toMatchObject({ status: 'unchanged' });
    expect((await post(approval, 'yy-approval', rows)).statusCode).toBe(403);
    const admin = await get(bureau, `/api/organisations/${BUREAU}/admin`);
    expect(admin.json<{ departments: Array<{ code: string }> }>().departments.map((d) => d.code)).toEqual(['yy-approval', 'yy-edu', 'yy-health']);
    expect(admin.json<{ units: Array<{ code: string; withoutPassword: number }> }>().units.find((u) => u.code === 'u-school')).toMatchObject({ withoutPassword: 1 });
    expect(admin.json<{ audit: Array<{ action: string }> }>().audit.map((a) => a.action)).toContain('organisation.import_units');
    // The list as the bureau downloads it again.
    const list = await get(bureau, `/api/organisations/${BUREAU}/admin/unit-list`);
    expect(list.statusCode).toBe(200);

    // The school's finance officer has no password: the bureau (not the department) makes them a one-time link.
    const waiting = admin.json<{ awaitingPassword: Array<{ userId: number; email: string; unitCode: string; roles: string[] }> }>().awaitingPassword;
    const school = waiting.find((p) => p.email === 'finance@school.test');
    expect(school).toMatchObject({ unitCode: 'u-school', roles: ['finance_officer'] });
    expect(waiting.some((p) => p.email === 'finance@unit.test')).toBe(false); // has a password
    const link = (p: Persona, org: string, user: number) => app.inject({ method: 'POST', url: `/api/organisations/${org}/admin/people/${user}/password-link`, ...as(p), payload: {} });
    expect((await link(approval, 'yy-approval', school!.userId)).statusCode).toBe(403);
    const made = await link(bureau, BUREAU, school!.userId);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json<{ setPassword: { link: string } }>().setPassword.link).toMatch(/\/password-reset\/[A-Za-z0-9_-]{40,}$/);
    expect(await database.db.selectFrom('audit_log').select(['action', 'actor']).where('subject', '=', 'user/finance@school.test').where('action', '=', 'account.reset_link').execute()).toEqual([{ action: 'account.reset_link', actor: 'officer@bureau.test' }]);
    // Someone with a password, or outside the bureau's units (an officer), gets no link from the bureau.
    const withPassword = await database.db.selectFrom('users').select('id').where('email', '=', 'finance@unit.test').executeTakeFirstOrThrow();
    expect((await link(bureau, BUREAU, withPassword.id)).statusCode).toBe(409);
    const officer = await database.db.selectFrom('users').select('id').where('email', '=', 'dept@approval.test').executeTakeFirstOrThrow();
    expect((await link(bureau, BUREAU, officer.id)).statusCode).toBe(404);
  });

  it('grants and revokes officers (audited; a new one gets a one-time link), keeping the bureau’s last officer', async () => {
    const grant = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/admin/officers`, ...as(bureau), payload: { email: 'new@health.test', name: '新同事', organisation: 'yy-health' } });
    expect(grant.statusCode, grant.body).toBe(201);
    const g = grant.json<{ userId: number; role: string; setPassword?: { link: string } }>();
    expect(g.role).toBe('department_officer');
    expect(g.setPassword?.link).toMatch(/\/password-reset\//);
    const unknown = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/admin/officers`, ...as(bureau), payload: { email: 'x@test.test', organisation: 'nowhere' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ details: Array<{ path: string }> }>().details[0]!.path).toBe('body.organisation');
    // A department officer grants nobody.
    expect((await app.inject({ method: 'POST', url: '/api/organisations/yy-approval/admin/officers', ...as(approval), payload: { email: 'y@test.test' } })).statusCode).toBe(403);
    const detail = await get(bureau, `/api/organisations/${BUREAU}/admin`);
    expect(detail.json<{ officers: Array<{ email: string; organisationCode: string; hasPassword: boolean }> }>().officers.find((o) => o.email === 'new@health.test')).toMatchObject({ organisationCode: 'yy-health', hasPassword: false });
    const revoke = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/admin/officers/${g.userId}/revoke`, ...as(bureau), payload: { organisation: 'yy-health' } });
    expect(revoke.statusCode, revoke.body).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/admin/officers/${g.userId}/revoke`, ...as(bureau), payload: { organisation: 'yy-health' } })).statusCode).toBe(404);
    const me = await database.db.selectFrom('users').select('id').where('email', '=', 'officer@bureau.test').executeTakeFirstOrThrow();
    const last = await app.inject({ method: 'POST', url: `/api/organisations/${BUREAU}/admin/officers/${me.id}/revoke`, ...as(bureau), payload: {} });
    expect(last.statusCode).toBe(409);
    const actions = (await database.db.selectFrom('audit_log').select(['action', 'actor']).where('subject', '=', 'user/new@health.test').orderBy('id').execute()).map((a) => `${a.action} by ${a.actor}`);
    expect(actions).toEqual(['organisation_role.grant by officer@bureau.test', 'account.reset_link by officer@bureau.test', 'organisation_role.revoke by officer@bureau.test']);
  });
  it('lets the officers above a unit read its unit page, evaluation status and issued reports — never a draft — and nobody else', async () => {
    const base = `/api/units/${SEED}`;
    for (const p of [approval, bureau]) {
      expect((await get(p, base)).statusCode).toBe(200);
      const status = await get(p, `${base}/years/2020/evaluation`);
      expect(status.statusCode, status.body).toBe(200);
      expect(status.json()).toMatchObject({ stage: 'issued', reportVersion: 2 });
      const reports = await get(p, `${base}/years/2020/reports`);
      expect(reports.json<{ reports: Array<{ version: number; kind: string }> }>().reports.map((r) => [r.version, r.kind])).toEqual([[2, 'issued']]);
      expect((await get(p, `${base}/years/2020/reports/2/pdf`)).rawPayload.toString()).toBe('%PDF-issued-v2');
      expect((await get(p, `${base}/years/2020/reports/1/pdf`)).statusCode).toBe(403);
      // What stays the unit's: its analysis and ledger.
      expect((await get(p, `${base}/years/2020/analysis`)).statusCode).toBe(403);
    }
    // The unit's own people see the draft too.
    expect((await get(unitFinance, `${base}/years/2020/reports`)).json<{ reports: unknown[] }>().reports).toHaveLength(2);
    // Another department's officer: the unit does not exist for them.
    for (const url of [base, `${base}/years/2020/evaluation`, `${base}/years/2020/reports`, `${base}/years/2020/reports/2/pdf`]) expect((await get(health, url)).statusCode, url).toBe(404);
  });

  it('renders the overview and organisation pages (a department officer reads, a bureau officer manages)', async () => {
    const page = async (p: Persona, url: string) => {
      const r = await get(p, url);
      return { status: r.statusCode, body: r.body, location: r.headers.location };
    };
    expect(await page(bureau, '/')).toMatchObject({ status: 302, location: '/orgs' });
    expect(await page(bureau, '/orgs')).toMatchObject({ status: 302, location: `/orgs/${BUREAU}` });
    expect(await page(bureau, `/orgs/${BUREAU}`)).toMatchObject({ status: 302, location: `/orgs/${BUREAU}/years/2020` });
    const o = await page(bureau, `/orgs/${BUREAU}/years/2020?department=yy-health&sort=total&order=desc`);
    expect(o.status, o.body).toBe(200);
    expect([...o.body.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['u-cdc', 'u-blood']);
    expect(o.body).toContain(`/api/organisations/${BUREAU}/years/2020/overview/export?department=yy-health&amp;sort=total&amp;order=desc`);
    expect(o.body).toMatch(/<tr data-grade="excellent">.*?<td class="num" data-count>1<\/td>/s);
    const d = await page(approval, '/orgs/yy-approval/years/2020');
    expect(d.status).toBe(200);
    expect([...d.body.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['u-service', SEED]);
    expect((await page(approval, `/orgs/${BUREAU}/years/2020`)).status).toBe(404);
    // An escalation email to the department's officer that never got through (no unit: it is about several).
    const deptOfficer = await database.db.selectFrom('users').select('id').where('email', '=', 'dept@approval.test').executeTakeFirstOrThrow();
    const failed = await database.db
      .insertInto('notifications')
      .values({ dedupe_key: 'overview-escalation|email|x', unit_id: null, kind: 'campaign_escalated', channel: 'email', recipient_user_id: deptOfficer.id, subject: '2020年度有2个单位逾期', body: 'b', status: 'failed', attempts: 40, error: 'gave up after 40 attempts: connect ECONNREFUSED' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const admin = await page(bureau, `/orgs/${BUREAU}/admin`);
    expect(admin.status).toBe(200);
    expect(admin.body).toContain(`<tr data-notification="${failed.id}" data-status="failed">`);
    expect(admin.body).toContain(`data-api="POST /api/organisations/${BUREAU}/admin/notifications/${failed.id}/resend"`);
    expect(admin.body).toContain('id="grant-officer-form"');
    expect(admin.body).toContain('id="unit-list-form"');
    const readOnly = await page(approval, '/orgs/yy-approval/admin');
    expect(readOnly.status).toBe(200);
    expect(readOnly.body).not.toContain('id="grant-officer-form"');
    expect(readOnly.body).not.toContain('data-api="POST /api/organisations');
    // The department reads its officer's undelivered message; only the bureau sends it again.
    expect(readOnly.body).toContain(`<tr data-notification="${failed.id}" data-status="failed">`);
    const resend = (p: Persona, org: string) => app.inject({ method: 'POST', url: `/api/organisations/${org}/admin/notifications/${failed.id}/resend`, ...as(p), payload: {} });
    expect((await resend(approval, 'yy-approval')).statusCode).toBe(403);
    expect((await resend(health, 'yy-health')).statusCode).toBe(403);
    const sent = await resend(bureau, BUREAU);
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toEqual({ status: 'pending' });
    expect((await resend(bureau, BUREAU)).statusCode).toBe(409);
  });
  it('renders the campaign, reviews, review, dashboard and report pages for the officers above a unit (read only without a running review)', async () => {
    const page = async (p: Persona, url: string) => {
      const r = await get(p, url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 300)}`).toBe(200);
      return r.body;
    };
    const campaign = await page(bureau, `/orgs/${BUREAU}/years/2020/campaign`);
    expect([...campaign.matchAll(/<tr data-unit="([^"]+)" data-state="([^"]+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual(['u-blood:joined', 'u-cdc:joined', `${SEED}:accepted`]);
    expect(campaign).toContain('id="campaign-add-form"');
    // A department sees its own units of the campaign, and adds none.
    const deptCampaign = await page(health, '/orgs/yy-health/years/2020/campaign');
    expect([...deptCampaign.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual(['u-blood', 'u-cdc']);
    expect(deptCampaign).not.toContain('id="campaign-add-form"');
    const reviews = await page(bureau, `/orgs/${BUREAU}/years/2020/reviews`);
    expect(reviews).toContain(`/units/${SEED}/years/2020/review`);
    const review = await page(bureau, `/units/${SEED}/years/2020/review`);
    expect(review).toContain('id="review-score"');
    expect(review).not.toContain('id="accept-form"');
    expect(review).toContain('data-testid="published"');
    const dashboard = await page(approval, `/units/${SEED}/years/2020`);
    expect(dashboard).toContain('id="above"');
    expect(dashboard).not.toContain('id="findings"');
    const report = await page(approval, `/units/${SEED}/years/2020/report`);
    expect(report).toContain('data-testid="download-pdf"');
    expect(report).toContain(`/api/units/${SEED}/years/2020/reports/2/pdf`);
    // The issued version, inline for the review page; a draft is refused.
    expect((await get(approval, `/units/${SEED}/years/2020/review/2/report.pdf`)).rawPayload.toString()).toBe('%PDF-issued-v2');
    expect((await get(approval, `/units/${SEED}/years/2020/review/1/report.pdf`)).statusCode).toBe(403);
    expect((await get(health, `/units/${SEED}/years/2020`)).statusCode).toBe(404);
  });

  it('publishes only published, not withdrawn reports — to anyone — with the self-score and the reviewed score', async () => {
    const index = await get(undefined, `/api/public/organisations/${BUREAU}/years/2020`);
    expect(index.statusCode, index.body).toBe(200);
    const reports = index.json<{ reports: Array<{ unitCode: string; reportVersion: number; score: unknown; reviewedScore: unknown }>; years: number[] }>();
    expect(reports.reports.map((r) => [r.unitCode, r.reportVersion, r.score, r.reviewedScore])).toEqual([[SEED, 2, { totalCp: 8600, grade: '良' }, { totalCp: 8800, grade: '良' }]]);
    expect(reports.years).toEqual([2020]);
    // A department's own index lists its published units only.
    expect((await get(undefined, '/api/public/organisations/yy-approval/years/2020')).json<{ reports: Array<{ unitCode: string }> }>().reports.map((r) => r.unitCode)).toEqual([SEED]);
    expect((await get(undefined, '/api/public/organisations/yy-health/years/2020')).json<{ reports: unknown[] }>().reports).toEqual([]);
    const one = await get(undefined, `/api/public/organisations/${BUREAU}/years/2020/units/${SEED}`);
    expect(one.statusCode, one.body).toBe(200);
    expect(one.json()).toMatchObject({ unitCode: SEED, reportVersion: 2, score: { totalCp: 8600 }, reviewedScore: { totalCp: 8800 }, adjusted: [{ id: 'budget_completion_rate', selfCp: 0, reviewedCp: 200 }] });
    expect(one.json<{ basicData: unknown }>().basicData).toBeTruthy();
    const pdf = await get(undefined, `/api/public/organisations/${BUREAU}/years/2020/units/${SEED}/report.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.toString()).toBe('%PDF-issued-v2');
    expect(pdf.headers['x-content-sha256']).toBe(sha256(Buffer.from('%PDF-issued-v2')));
    // Withdrawn, never published, or asked under another organisation: not there.
    for (const url of [
      `/api/public/organisations/${BUREAU}/years/2020/units/u-cdc`, `/api/public/organisations/${BUREAU}/years/2020/units/u-cdc/report.pdf`, `/api/public/organisations/yy-health/years/2020/units/${SEED}`,
      `/api/public/organisations/${BUREAU}/years/2020/units/u-service`, '/api/public/organisations/nowhere/years/2020',
    ]) {
      expect((await get(undefined, url)).statusCode, url).toBe(404);
    }
    // The pages, signed out.
    const page = await get(undefined, `/public/${BUREAU}/2020`);
    expect(page.statusCode).toBe(200);
    expect([...page.body.matchAll(/<tr data-unit="([^"]+)"/g)].map((m) => m[1])).toEqual([SEED]);
    const unitPage = await get(undefined, `/public/${BUREAU}/2020/${SEED}`);
    expect(unitPage.statusCode).toBe(200);
    expect(unitPage.body).toContain('88.00（良）');
    expect(unitPage.body).toContain('复核：预算调整经批准');
    expect(unitPage.body).toContain('id="basic-data"');
    expect((await get(undefined, `/public/${BUREAU}/2020/u-cdc`)).statusCode).toBe(404);
    // What was published stays as published: a later change to the live 基础数据表 or score (a
    // re-import of the ledger, say) does not reach the public pages.
    const db = database.db;
    const seedUy = (await db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select('unit_years.id').where('units.code', '=', SEED).where('year', '=', 2020).executeTakeFirstOrThrow()).id;
    const live = await db.selectFrom('unit_years').select('basic_data').where('id', '=', seedUy).executeTakeFirstOrThrow();
    const liveScore = await db.selectFrom('evaluations').select('score').where('unit_year_id', '=', seedUy).executeTakeFirstOrThrow();
    await db.updateTable('unit_years').set({ basic_data: JSON.stringify({ ...(live.basic_data as object), note: '公开后改动' }) }).where('id', '=', seedUy).execute();
    await db.updateTable('evaluations').set({ score: JSON.stringify({ ...(liveScore.score as object), totalCp: 1000 }) }).where('unit_year_id', '=', seedUy).execute();
    const after = await get(undefined, `/api/public/organisations/${BUREAU}/years/2020/units/${SEED}`);
    expect(after.json()).toEqual(one.json());
    expect((await get(undefined, `/api/public/organisations/${BUREAU}/years/2020`)).json()).toEqual(index.json());
    await db.updateTable('unit_years').set({ basic_data: JSON.stringify(live.basic_data) }).where('id', '=', seedUy).execute();
    await db.updateTable('evaluations').set({ score: JSON.stringify(liveScore.score) }).where('unit_year_id', '=', seedUy).execute();
    // Withdrawn: gone from the index and its page.
    await database.db.updateTable('publications').set({ withdrawn_at: new Date(), withdrawn_by: 'officer@bureau.test', withdrawn_reason: '测试' }).where('report_version', '=', 2).execute();
    expect((await get(undefined, `/api/public/organisations/${BUREAU}/years/2020`)).json<{ reports: unknown[] }>().reports).toEqual([]);
    expect((await get(undefined, `/public/${BUREAU}/2020/${SEED}`)).statusCode).toBe(404);
    // Published again (the same accepted version): it shows what it showed before, whatever the live rows say now.
    await db.updateTable('unit_years').set({ basic_data: JSON.stringify({ ...(live.basic_data as object), note: '撤回后改动' }) }).where('id', '=', seedUy).execute();
    await db.updateTable('evaluations').set({ score: JSON.stringify({ ...(liveScore.score as object), totalCp: 1000 }) }).where('unit_year_id', '=', seedUy).execute();
    const again = await publishReport(db, { unitYearId: seedUy, unitId: (await db.selectFrom('units').select('id').where('code', '=', SEED).executeTakeFirstOrThrow()).id, actor: 'officer@bureau.test', subject: `publication/${SEED}/2020` });
    expect(again.published).toBe(true);
    const republished = (await get(undefined, `/api/public/organisations/${BUREAU}/years/2020/units/${SEED}`)).json<{ basicData: unknown; score: unknown }>();
    expect(republished.basicData).toEqual(one.json<{ basicData: unknown }>().basicData);
    expect(republished.score).toEqual(one.json<{ score: unknown }>().score);
    await db.updateTable('unit_years').set({ basic_data: JSON.stringify(live.basic_data) }).where('id', '=', seedUy).execute();
    await db.updateTable('evaluations').set({ score: JSON.stringify(liveScore.score) }).where('unit_year_id', '=', seedUy).execute();
  });
});
