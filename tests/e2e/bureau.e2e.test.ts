/**
 * The finance bureau's side in a real browser, on the real stack: Postgres, the shared Temporal dev
 * server (a namespace of this file's own), a worker in this process and the HTTP server on a random
 * port. A small campaign: the seed unit (益阳市智慧城市和大数据中心, under 益阳市行政审批服务局) and a
 * copy of it directly under the bureau (政务数据中心, which never gets further than its sections).
 *
 *   the bureau officer imports the 单位名单 (a row with a bad unit code is refused by its row and
 *   nothing is imported; the corrected list is), grants a department officer, whose one-time link
 *   sets their password; issues the 2020 notice (refused without its text, next to the field) for
 *   both units, which starts both evaluations;
 *   the seed unit's sections, self-assessment and unit head take it to its first issue (version 2)
 *   through the API — that cycle has its own browser test;
 *   the department officer sees only the seed unit, opens its review, is refused a return without a
 *   comment (next to the list), then returns it with a comment on 预决算信息公开性;
 *   the unit's finance officer sees the comment on the dashboard and the self-assessment page, values
 *   the indicator again (2.70 → 3.00) and submits; the unit head approves the revision in the report
 *   page, issued as version 4 (version 2 stays);
 *   the department accepts version 4; the bureau is refused an adjustment above the indicator's
 *   weight (next to the row), adjusts 预决算信息公开性 to 2.00 with a reason (self-score and reviewed
 *   score side by side), accepts and publishes;
 *   signed out, the public index lists the seed unit (and not the other) with both scores, and its
 *   page shows the report (the stored PDF, its sha256) and the 基础数据表; the bureau's overview counts
 *   it accepted and published, and its Excel export lists both units.
 *
 * Screenshots go to tests/artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { hashPassword } from '../../client/auth/passwords';
import { type UnitListEntry, writeUnitList } from '../../client/bureau/unit-list';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation, grantOrganisationRole } from '../../db/organisations.repository';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { reconcile } from '../../domain/ledger/reconcile';
import type { UnitYear } from '../../domain/ledger/unit-year.schema';
import { parseWanYuan as wan } from '../../domain/money';
import { sectionSubmissionSchema, type SectionSubmission } from '../../domain/submission';
import { createWorker } from '../../worker/create-worker';
import { seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, PASSWORD, type Persona, signIn as apiSignIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { pdfToText } from '../helpers/pdf';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { type Browser, fillAssessment, launchBrowser, reloadUntil, screenshot, signIn, signOut, until } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const BUREAU = 'e2e-finance';
const DEPT = 'e2e-approval';
const UNIT = 'yiyang-smart-city';
const OTHER = 'e2e-data-centre';
const BUREAU_OFFICER = 'officer@e2e-finance.test';
const DEPT_OFFICER = 'reviewer@e2e-approval.test';
const OTHER_HEAD = 'head@e2e-data-centre.test';
const DEPT_PASSWORD = 'shenpi-2026-fuhe';
const COMMENT = '预决算信息公开性：部门决算已公开，请按公开情况重新评分并附网址截图';
const ADJUST_REASON = '决算公开晚于规定时限（2021年7月公开）';

/** The seed with its blocking gaps closed (as in the send-back test), so the cycle needs no acknowledgement. */
function withoutBlockingFindings(y: UnitYear): UnitYear {
  y.stated.expenditure.project.amount = wan('2503.61');
  y.stated.expenditure.total.amount = wan('2689.90');
  y.stated.carryOver.amount = wan('721.06');
  y.projects.find((p) => p.code === 'brain-gov-service')!.allocations[0]!.amount = wan('917.65');
  y.basicData!.projects.find((r) => r.project === 'brain-gov-service')!.budget = wan('917.65');
  const itemised = reconcile(y).computed.balances.filter((b) => b.balance > 0).reduce((sum, b) => sum + b.balance, 0);
  y.stated.income.total.amount = itemised + y.stated.expenditure.total.amount - y.stated.carryOver.amount;
  return y;
}

const seed = withoutBlockingFindings(structuredClone(seedUnitYear()));
const emailOf = (pred: (p: (typeof seed.people)[number]) => boolean) => seed.people.find(pred)!.email;
const FINANCE = emailOf((p) => p.roles.includes('finance_officer'));
const HEAD = emailOf((p) => p.roles.includes('unit_head'));
const infosecSubmission: SectionSubmission = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/demo/infosec-submission.yaml'), 'utf8')));

describe('the bureau’s side in the browser (bureau officer, department officer, the unit’s finance officer and head, anyone)', () => {
  const taskQueue = uniqueTaskQueue('bureau-e2e');
  const t0 = Date.now();
  let database: TestDatabase;
  let client: Client;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let deptLink: string;
  const api = (p: Persona, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => app.inject({ method, url, ...as(p), ...(payload === undefined ? {} : { payload: payload as object }) });
  const status = async (p: Persona) => (await api(p, 'GET', `/api/units/${UNIT}/years/2020/evaluation`)).json<{ stage: string; reportVersion: number | null; issued: { version: number } | null; score: { totalCp: number } | null; review?: { state: string } | null }>();
  const reviewOf = async (p: Persona) => (await api(p, 'GET', `/api/units/${UNIT}/years/2020/review`)).json<{ status: { state: string; level: string | null; reportVersion: number } | null; score: { self: { totalCp: number }; reviewed: { totalCp: number } } | null }>();

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    database = await createTestDatabase('e2e_bureau');
    let namespace: string;
    ({ namespace, client, native: nativeConnection } = await devServerConnections('browser-bureau'));
    worker = await createWorker({ connection: nativeConnection, namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    workerRun = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test', taskQueue });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // Both units' ledgers are imported; the bureau and its officer exist (the unit list comes through the page).
    const other = structuredClone(seed);
    other.unit.code = OTHER;
    other.unit.name = '益阳市政务数据中心';
    other.people = other.people.map((p) => ({ ...p, email: p.email.replace('@', `+${OTHER}@`) }));
    await importUnitYear(database.db, seed, { actor: 'test' });
    await importUnitYear(database.db, other, { actor: 'test' });
    for (const p of seed.people) for (const role of p.roles) await addUser(database.db, p.email, UNIT, role, p.section);
    await ensureOrganisation(database.db, { code: BUREAU, name: '益阳市财政局', kind: 'bureau', actor: 'test' });
    await grantOrganisationRole(database.db, { email: BUREAU_OFFICER, name: '绩效科', organisationCode: BUREAU, role: 'bureau_officer', passwordHash: await hashPassword(PASSWORD), actor: 'test' });
    browser = await launchBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    worker?.shutdown();
    await workerRun?.catch(() => undefined);
    await nativeConnection?.close();
    await client?.connection.close();
    await database?.drop();
    console.log(`[e2e] bureau: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('the bureau officer imports the unit list (a bad row refused by its row) and grants a department officer, who sets a password through the one-time link', async () => {
    await signIn(page, base, BUREAU_OFFICER);
    expect(new URL(page.url()).pathname).toMatch(new RegExp(`^/orgs/${BUREAU}/years/\\d{4}$`));
    await page.getByRole('link', { name: '机构管理' }).click();
    await page.waitForURL((u) => u.pathname === `/orgs/${BUREAU}/admin`);
    const rows: UnitListEntry[] = [
      { departmentCode: DEPT, departmentName: '益阳市行政审批服务局', unitCode: UNIT, unitName: seed.unit.name },
      { unitCode: OTHER, unitName: '益阳市政务数据中心', headName: '政务数据中心主任', headEmail: OTHER_HEAD },
    ];
    const file = (entries: UnitListEntry[]) => writeUnitList(entries).then((buffer) => ({ name: '单位名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer }));
    await page.locator('#unit-list-file').setInputFiles(await file([...rows, { unitCode: 'bad code', unitName: '编码有空格' }]));
    await page.getByRole('button', { name: '导入', exact: true }).click();
    await expect.poll(() => page.locator('#unit-list-form .form-errors').textContent()).toContain('单位名单 第4行 unitCode');
    expect(await page.locator('#unit-list-form .form-errors').textContent()).toContain('未导入任何内容');
    expect(await database.db.selectFrom('organisations').select('code').where('code', '=', DEPT).executeTakeFirst()).toBeUndefined();
    await screenshot(page, path.join(artifacts, 'bureau-unit-list-error.png'));

    await page.locator('#unit-list-file').setInputFiles(await file(rows));
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: '导入', exact: true }).click()]);
    await expect.poll(() => page.locator(`#org-units tr[data-unit="${UNIT}"]`).count()).toBe(1);
    expect(await page.locator(`#org-units tr[data-unit="${UNIT}"]`).textContent()).toContain('益阳市行政审批服务局');
    expect(await page.locator(`#org-units tr[data-unit="${OTHER}"]`).textContent()).toContain('财政局直属');
    expect(await page.locator('#departments tr[data-department]').count()).toBe(1);

    const grant = page.locator('#grant-officer-form');
    await grant.getByLabel('邮箱').fill(DEPT_OFFICER);
    await grant.getByLabel('姓名').fill('审批局复核人');
    await grant.getByLabel('所在机构').selectOption(DEPT);
    await grant.getByRole('button', { name: '添加' }).click();
    const link = grant.locator('[data-result-value]');
    await expect.poll(() => link.inputValue()).toMatch(new RegExp(`^${base}/password-reset/[A-Za-z0-9_-]{40,}$`));
    deptLink = await link.inputValue();
    await screenshot(page, path.join(artifacts, 'bureau-admin.png'));
    await page.reload();
    expect(await page.locator(`#officers tr[data-officer="${DEPT_OFFICER}"]`).textContent()).toContain('主管部门工作人员');
    expect(await page.locator('#org-audit tr[data-action="organisation_role.grant"]').count()).toBeGreaterThan(0);

    // The unit head the list named has no password: the bureau makes their one-time link.
    const awaiting = page.locator(`#awaiting-password tr[data-person="${OTHER_HEAD}"]`);
    expect(await awaiting.textContent()).toContain('单位负责人');
    await awaiting.getByRole('button', { name: '生成设置密码链接' }).click();
    const headLink = awaiting.locator('[data-result-value]');
    await expect.poll(() => headLink.inputValue()).toMatch(new RegExp(`^${base}/password-reset/[A-Za-z0-9_-]{40,}$`));
    const otherHeadLink = await headLink.inputValue();
    await signOut(page);

    await page.goto(deptLink);
    await page.locator('#reset-new').fill(DEPT_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(DEPT_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.getByRole('button', { name: '设置密码' }).click()]);

    await page.goto(otherHeadLink);
    await page.locator('#reset-new').fill(DEPT_PASSWORD);
    await page.getByLabel('再次输入新密码').fill(DEPT_PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.getByRole('button', { name: '设置密码' }).click()]);
    await signIn(page, base, OTHER_HEAD, DEPT_PASSWORD);
    await signOut(page);
    // Now they have a password: no longer listed, and no second link from the bureau.
    await signIn(page, base, BUREAU_OFFICER);
    await page.goto(`${base}/orgs/${BUREAU}/admin`);
    expect(await page.locator(`#awaiting-password tr[data-person="${OTHER_HEAD}"]`).count()).toBe(0);
    expect(await page.locator('#awaiting-password tr[data-person]').count()).toBeGreaterThan(0);
    await signOut(page);
  });

  it('the bureau officer issues the 2020 notice (refused without its text), which starts both units’ evaluations', async () => {
    await signIn(page, base, BUREAU_OFFICER);
    expect(new URL(page.url()).pathname).toBe(`/orgs/${BUREAU}/years/2020`);
    expect(await page.locator('[data-testid="campaign-line"]').textContent()).toContain('尚未下发');
    await page.getByRole('link', { name: '年度通知' }).click();
    await page.waitForURL((u) => u.pathname === `/orgs/${BUREAU}/years/2020/campaign`);
    const form = page.locator('#campaign-form');
    const due = addDays(civilDateOf(Date.now()), 40);
    await form.getByLabel('报告截止日期').fill(due);
    expect(await form.locator('input[name="units"]:checked').count()).toBe(2);
    await form.getByRole('button', { name: '下发通知' }).click();
    await expect.poll(() => form.locator('#cp-notice').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('.field-error').count()).toBe(1);
    await form.getByLabel('通知正文').fill('请各单位按照附件要求开展2020年度部门整体支出绩效自评，于截止日期前报送自评报告。');
    await screenshot(page, path.join(artifacts, 'bureau-campaign-issue.png'));
    await Promise.all([page.waitForURL((u) => u.search === '?issued=1'), form.getByRole('button', { name: '下发通知' }).click()]);
    // The page refreshes by itself until the campaign's workflow has recorded the notice.
    await page.locator('#campaign-progress').waitFor({ timeout: 60_000 });
    expect(await page.locator('[data-testid="campaign-due"]').count()).toBe(1);
    // Both start: each evaluation opens its tasks.
    const finance = await apiSignIn(app, FINANCE);
    await until('the seed unit’s evaluation', async () => (await status(finance)).stage === 'collecting', 120_000);
    await until('the other unit’s evaluation', async () => (await database.db.selectFrom('evaluations').select('stage').where('workflow_id', 'like', `%/${OTHER}/%`).executeTakeFirst())?.stage === 'collecting', 120_000);
    await reloadUntil(page, `#campaign-units tr[data-unit="${UNIT}"][data-state="started"]`, 'the campaign page shows the unit started');
    expect(await page.locator('#campaign-units tr[data-unit]').count()).toBe(2);
    await screenshot(page, path.join(artifacts, 'bureau-campaign.png'));
    await signOut(page);
  });

  it('the seed unit’s sections, finance officer and head take it to its first issue (through the API)', async () => {
    const finance = await apiSignIn(app, FINANCE);
    for (const s of [...seed.submissions.filter((x) => x.section !== 'infosec'), infosecSubmission]) {
      const head = await apiSignIn(app, emailOf((p) => p.section === s.section));
      const task = await until(`the ${s.section} task`, async () => (await api(head, 'GET', `/api/tasks?unit=${UNIT}&year=2020&open=true`)).json<{ tasks: Array<{ id: number; section: string | null }> }>().tasks.find((t) => t.section === s.section), 60_000);
      const r = await api(head, 'POST', `/api/tasks/${task.id}/submit`, s);
      expect(r.statusCode, r.body).toBe(200);
    }
    const assessment = await until('the self-assessment task', async () => (await api(finance, 'GET', `/api/tasks?unit=${UNIT}&year=2020&open=true`)).json<{ tasks: Array<{ id: number; section: string | null }> }>().tasks.find((t) => t.section === null), 60_000);
    const submitted = await api(finance, 'POST', `/api/tasks/${assessment.id}/submit`, { entries: seed.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] })) });
    expect(submitted.statusCode, submitted.body).toBe(200);
    const draft = await until('the first draft', async () => {
      const s = await status(finance);
      return s.stage === 'approving' && s.reportVersion;
    }, 180_000);
    const head = await apiSignIn(app, HEAD);
    expect((await api(head, 'POST', `/api/units/${UNIT}/years/2020/evaluation/approve`, { reportVersion: draft })).statusCode).toBe(200);
    await until('the issue and its review', async () => (await reviewOf(finance)).status?.state === 'awaiting', 180_000);
    expect((await reviewOf(finance)).status).toMatchObject({ level: 'department', reportVersion: 2 });
  });

  it('the department officer sees only its unit, and returns the report with a comment on one indicator (refused without one)', async () => {
    await signIn(page, base, DEPT_OFFICER, DEPT_PASSWORD);
    expect(new URL(page.url()).pathname).toBe(`/orgs/${DEPT}/years/2020`);
    expect(await page.locator('#overview tr[data-unit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')))).toEqual([UNIT]);
    expect(await page.locator(`#overview tr[data-unit="${UNIT}"] [data-review]`).getAttribute('data-review')).toBe('issued');
    await screenshot(page, path.join(artifacts, 'bureau-overview-department.png'));
    await page.getByRole('link', { name: '报告复核' }).click();
    await page.locator(`#reviews-mine tr[data-unit="${UNIT}"] a`).click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/review`);
    expect(await page.locator('[data-testid="review-state"]').textContent()).toContain('待主管部门复核');
    // The issued version under review, in the page (and verified against its hash).
    const frame = await page.locator('#review-report iframe.pdf').getAttribute('src');
    const shown = await page.request.get(`${base}${frame}`);
    expect([shown.status(), shown.headers()['content-type']]).toEqual([200, 'application/pdf']);
    expect(shown.headers()['x-content-sha256']).toBe((await page.locator('#review-report code.hash').textContent())?.trim());
    // Another department's unit does not exist for this officer.
    expect((await page.request.get(`${base}/api/units/${OTHER}/years/2020/evaluation`)).status()).toBe(404);

    await page.locator('#return-details summary').click();
    const form = page.locator('#return-form');
    await form.getByRole('button', { name: '退回单位修改' }).click();
    await expect.poll(() => form.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await form.locator('.form-errors').isVisible()).toBe(true);
    expect(await database.db.selectFrom('review_decisions').select('id').execute()).toEqual([]);
    const row = form.locator('[data-list="comments"] [data-row]').first();
    await row.locator('[data-field="target"]').selectOption('indicator:budget_disclosure');
    await row.locator('[data-field="text"]').fill(COMMENT);
    await screenshot(page, path.join(artifacts, 'bureau-return.png'));
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: '退回单位修改' }).click()]);
    await expect.poll(() => page.locator('[data-testid="review-state"]').textContent()).toContain('已退回单位修改');
    expect(await page.locator('#review-history li[data-decision="return"]').textContent()).toContain(COMMENT);
    await signOut(page);
  });

  it('the unit’s finance officer sees what was returned, values the indicator again and submits; the head approves the revision, issued as version 4', async () => {
    await signIn(page, base, FINANCE);
    await page.goto(`${base}/units/${UNIT}/years/2020`);
    await page.locator('#review-returned').waitFor({ timeout: 60_000 });
    expect(await page.locator('#review-returned').textContent()).toContain(COMMENT);
    expect(await page.locator('#review-returned').textContent()).toContain('预决算信息公开性');
    await screenshot(page, path.join(artifacts, 'bureau-returned-dashboard.png'));
    await page.locator('#review-returned a', { hasText: '自评' }).click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/self-assessment`);
    await until('the reopened self-assessment', async () => (await page.reload(), (await page.locator('#assessment-form [data-action="submit"]').count()) === 1), 60_000);
    expect(await page.locator('#review-returned').textContent()).toContain(COMMENT);
    await fillAssessment(page, [{ indicator: 'budget_disclosure', tier: 'achieved', points: '3', reason: '部门决算已于2021年7月在门户网站公开（附截图）' }]);
    await Promise.all([page.waitForResponse((r) => r.url().endsWith('/submit') && r.status() === 200), page.getByRole('button', { name: '提交' }).click()]);
    await page.locator('[data-testid="submitted-notice"]').waitFor({ timeout: 30_000 });
    await signOut(page);

    const finance = await apiSignIn(app, FINANCE);
    await until('the revision’s draft', async () => {
      const s = await status(finance);
      return s.stage === 'approving' && s.reportVersion === 3;
    }, 180_000);
    await signIn(page, base, HEAD);
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    await page.getByRole('button', { name: '批准签发' }).click();
    await until('version 4 issued', async () => (await status(finance)).issued?.version === 4, 180_000);
    await reloadUntil(page, '#issued', 'the issued report');
    expect(await page.locator('#issued h2').textContent()).toContain('4');
    const versions = await database.db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['reports.version', 'reports.kind']).where('units.code', '=', UNIT).orderBy('reports.version').execute();
    expect(versions.filter((v) => v.kind === 'issued').map((v) => v.version)).toEqual([2, 4]);
    await signOut(page);
  });

  it('the department accepts version 4; the bureau adjusts an indicator (refused above its weight), accepts and publishes', async () => {
    const finance = await apiSignIn(app, FINANCE);
    await until('version 4 under review', async () => {
      const r = await reviewOf(finance);
      return r.status?.state === 'awaiting' && r.status.reportVersion === 4 && r.status.level === 'department';
    }, 120_000);
    await signIn(page, base, DEPT_OFFICER, DEPT_PASSWORD);
    await page.goto(`${base}/units/${UNIT}/years/2020/review`);
    expect(await page.locator('#review-report h2').textContent()).toContain('第4版');
    // The earlier issued version stays readable beside it.
    const earlier = await page.locator('#review-report a', { hasText: '第2版' }).getAttribute('href');
    expect((await page.request.get(`${base}${earlier}`)).status()).toBe(200);
    await Promise.all([page.waitForEvent('load'), page.locator('#accept-form').getByRole('button', { name: '通过，报财政局复核' }).click()]);
    await expect.poll(() => page.locator('[data-testid="review-state"]').textContent()).toContain('待财政局复核');
    expect(await page.locator('#accept-form').count()).toBe(0);
    await signOut(page);

    await signIn(page, base, BUREAU_OFFICER);
    await page.goto(`${base}/orgs/${BUREAU}/years/2020/reviews`);
    await page.locator(`#reviews-mine tr[data-unit="${UNIT}"] a`).click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/review`);
    const selfBefore = (await reviewOf(finance)).score!.self.totalCp;
    await page.locator('#adjust-details summary').click();
    const form = page.locator('#adjust-form');
    const row = form.locator('[data-list="adjustments"] [data-row]').first();
    await row.locator('[data-field="indicator"]').selectOption('budget_disclosure');
    await row.locator('[data-field="points"]').fill('4');
    await row.locator('[data-field="reason"]').fill(ADJUST_REASON);
    await form.getByRole('button', { name: '保存调整' }).click();
    await expect.poll(() => form.locator('.form-errors').isVisible()).toBe(true);
    expect(await form.locator('[data-list="adjustments"] [data-row] .field-error').count()).toBe(1);
    await row.locator('[data-field="points"]').fill('2');
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: '保存调整' }).click()]);
    await page.locator('#adjusted tr[data-indicator="budget_disclosure"]').waitFor();
    expect(await page.locator('#adjusted tr[data-indicator="budget_disclosure"]').textContent()).toContain(ADJUST_REASON);
    const scores = (await reviewOf(finance)).score!;
    expect(scores.self.totalCp).toBe(selfBefore);
    expect(scores.reviewed.totalCp).toBe(selfBefore - 100);
    expect(await page.locator('[data-testid="reviewed-score"] strong').textContent()).toBe((scores.reviewed.totalCp / 100).toFixed(2));
    expect(await page.locator('[data-testid="self-score"] strong').textContent()).toBe((scores.self.totalCp / 100).toFixed(2));
    await screenshot(page, path.join(artifacts, 'bureau-review.png'));
    // No review result before the bureau accepts.
    expect(await page.locator('#review-result-link').count()).toBe(0);
    expect((await page.request.get(`${base}/api/units/${UNIT}/years/2020/review/result.pdf`)).status()).toBe(409);

    await Promise.all([page.waitForEvent('load'), page.locator('#accept-form').getByRole('button', { name: '复核通过' }).click()]);
    await expect.poll(() => page.locator('[data-testid="review-state"]').textContent()).toContain('复核通过');
    expect(await page.locator('#review-result-link').getAttribute('href')).toBe(`/api/units/${UNIT}/years/2020/review/result.pdf`);
    await page.locator('#publish-form').waitFor();
    await Promise.all([page.waitForEvent('load'), page.locator('#publish-form').getByRole('button', { name: '公开报告' }).click()]);
    await page.locator('[data-testid="published"]').waitFor();
    expect(await page.locator('[data-testid="public-link"]').getAttribute('href')).toBe(`/public/${BUREAU}/2020/${UNIT}`);
    await signOut(page);
  });

  it('anyone reads the published report, its scores and 基础数据表; the bureau’s overview counts it and exports both units', async () => {
    const finance = await apiSignIn(app, FINANCE);
    const scores = (await reviewOf(finance)).score!;
    await page.goto(`${base}/public/${BUREAU}/2020`);
    expect(await page.locator('#public-reports tr[data-unit]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')))).toEqual([UNIT]);
    const row = await page.locator(`#public-reports tr[data-unit="${UNIT}"]`).textContent();
    expect(row).toContain((scores.self.totalCp / 100).toFixed(2));
    expect(row).toContain((scores.reviewed.totalCp / 100).toFixed(2));
    await screenshot(page, path.join(artifacts, 'public-index.png'));
    await page.locator(`#public-reports tr[data-unit="${UNIT}"] a`).first().click();
    await page.waitForURL((u) => u.pathname === `/public/${BUREAU}/2020/${UNIT}`);
    expect(await page.locator('#public-adjusted tr[data-indicator="budget_disclosure"]').textContent()).toContain(ADJUST_REASON);
    expect(await page.locator('#basic-data table').count()).toBeGreaterThan(0);
    const stored = await database.db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select('reports.pdf_sha256').where('units.code', '=', UNIT).where('reports.version', '=', 4).executeTakeFirstOrThrow();
    expect((await page.locator('[data-testid="public-sha256"]').textContent())?.trim()).toBe(stored.pdf_sha256);
    const pdf = await page.request.get(`${base}/api/public/organisations/${BUREAU}/years/2020/units/${UNIT}/report.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['x-content-sha256']).toBe(stored.pdf_sha256);
    await screenshot(page, path.join(artifacts, 'public-report.png'));
    expect((await page.request.get(`${base}/public/${BUREAU}/2020/${OTHER}`)).status()).toBe(404);

    // The 复核结果, linked from the public page: rendered once by the worker, then the same bytes for everyone.
    const resultHref = await page.locator('[data-testid="public-review-result"]').getAttribute('href');
    const result = await page.request.get(`${base}${resultHref}`);
    expect(result.status()).toBe(200);
    const resultPdf = Buffer.from(await result.body());
    expect(resultPdf.subarray(0, 5).toString()).toBe('%PDF-');
    fs.writeFileSync(path.join(artifacts, 'review-result.pdf'), resultPdf);
    const resultText = (await pdfToText(resultPdf)).replace(/\s+/g, '');
    const points = (cp: number) => (cp / 100).toFixed(2);
    for (const expected of ['部门整体支出绩效自评复核结果', `第4版`, ADJUST_REASON.replace(/\s+/g, ''), stored.pdf_sha256, `自评${points(scores.self.totalCp)}`, `复核${points(scores.reviewed.totalCp)}`, '退回修改', '复核通过', '预决算信息公开性']) {
      expect(resultText).toContain(expected);
    }
    const again = await page.request.get(`${base}/api/public/organisations/${BUREAU}/years/2020/units/${UNIT}/review-result.pdf`);
    expect(again.headers()['x-content-sha256']).toBe(result.headers()['x-content-sha256']);
    const kept = await database.db.selectFrom('review_results').select(['report_version', 'pdf_sha256']).execute();
    expect(kept).toEqual([{ report_version: 4, pdf_sha256: result.headers()['x-content-sha256'] }]);
    // The unit's finance officer reads the same result from the review.
    expect((await app.inject({ method: 'GET', url: `/api/units/${UNIT}/years/2020/review/result.pdf`, ...as(finance) })).headers['x-content-sha256']).toBe(kept[0]!.pdf_sha256);

    await signIn(page, base, BUREAU_OFFICER);
    expect(new URL(page.url()).pathname).toBe(`/orgs/${BUREAU}/years/2020`);
    expect(await page.locator('#overview-counts [data-count="accepted"] dd').textContent()).toBe('1');
    expect(await page.locator('#overview-counts [data-count="published"] dd').textContent()).toBe('1');
    expect(await page.locator(`#overview tr[data-unit="${UNIT}"] [data-published]`).count()).toBe(1);
    expect(await page.locator(`#overview tr[data-unit="${OTHER}"] [data-stage]`).getAttribute('data-stage')).toBe('collecting');
    await screenshot(page, path.join(artifacts, 'bureau-overview.png'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="export"]').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(await download.path()) as unknown as ArrayBuffer);
    const codes: unknown[] = [];
    wb.getWorksheet('评价总览')!.eachRow((r, n) => {
      if (n > 3) codes.push(r.getCell(1).value);
    });
    expect(codes.sort()).toEqual([OTHER, UNIT].sort());
    await signOut(page);
  });

  it('ran without a script error or a refused resource in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
