/**
 * The seed cycle in a real browser, as the three roles, on the real stack: Postgres, the shared
 * Temporal dev server (in a namespace of this file's own, so the seed unit's workflow ids meet no
 * other suite's), a worker in this process, and the HTTP server on a random port.
 *
 *   the finance officer signs in, imports the seed through the unit page and starts the
 *   evaluation; each of the six section heads signs in, fills the form and submits (信息安全科 first
 *   submits an output indicator without a target and sees the error next to that field); the
 *   finance officer acknowledges the findings; the unit head approves; the issued PDF downloads
 *   through the report page and its sha256 is the one stored and shown.
 *
 * Screenshots of the inbox, a form with errors and the dashboard go to tests/artifacts/.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { buildServer } from '../../client/http/server';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { sectionSubmissionSchema, type SectionSubmission } from '../../domain/submission';
import { createWorker } from '../../worker/create-worker';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedFile, seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from '../helpers/activities';
import { addUser } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { type Browser, fillSection, launchBrowser, reloadUntil, screenshot, signIn, signOut, until } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const UNIT = 'yiyang-smart-city';
const seed = seedUnitYear();
const emailOf = (pred: (p: (typeof seed.people)[number]) => boolean) => seed.people.find(pred)!.email;
const FINANCE = emailOf((p) => p.roles.includes('finance_officer'));
const HEAD = emailOf((p) => p.roles.includes('unit_head'));
const sectionHead = (section: string) => emailOf((p) => p.section === section);
const infosecSubmission: SectionSubmission = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/demo/infosec-submission.yaml'), 'utf8')));
const submissions = new Map<string, SectionSubmission>([...seed.submissions.map((s) => [s.section, s] as const), ['infosec', infosecSubmission]]);

describe('the seed cycle in the browser (finance officer, six section heads, unit head)', () => {
  const taskQueue = uniqueTaskQueue('browser');
  const t0 = Date.now();
  let database: TestDatabase;
  let client: Client;
  let namespace: string;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let workerRun: Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  const uiUrl = `http://127.0.0.1:${inject('temporalUiPort')}`;
  const dashboard = () => `${base}/units/${UNIT}/years/2020`;

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    database = await createTestDatabase('e2e');
    ({ namespace, client, native: nativeConnection } = await devServerConnections('browser'));
    worker = await createWorker({ connection: nativeConnection, namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    workerRun = worker.run();
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: uiUrl, taskQueue });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    // An administrator registered the unit and its finance officer; everything else comes from the import.
    await database.db.insertInto('units').values({ code: UNIT, name: seed.unit.name, staff_quota: seed.unit.staffQuota, functions: '[]', leadership_posts: '[]' }).execute();
    await addUser(database.db, FINANCE, UNIT, 'finance_officer');
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
    console.log(`[e2e] browser cycle: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('refuses a wrong password with the message in the page language (zh, then en)', async () => {
    await page.goto(`${base}/login`);
    await page.getByLabel('邮箱').fill(FINANCE);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('.form-errors').textContent()).toContain('邮箱或密码不正确');

    await page.goto(`${base}/login?lang=en`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sign in');
    await page.getByLabel('Email').fill(FINANCE);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('.form-errors').textContent()).toContain('wrong email or password');
    await page.goto(`${base}/login?lang=zh`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByLabel('邮箱').fill(FINANCE);
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('.form-errors').textContent()).toContain('邮箱或密码不正确');
    await screenshot(page, path.join(artifacts, 'login.png'));
  });

  it('the finance officer signs in, imports the seed through the unit page and starts the evaluation', async () => {
    await signIn(page, base, FINANCE);
    expect(new URL(page.url()).pathname).toBe(`/units/${UNIT}`);
    await screenshot(page, path.join(artifacts, 'unit.png'));
    await page.getByLabel('账套文件').setInputFiles(seedFile);
    await page.getByRole('button', { name: '导入', exact: true }).click();
    await page.locator('a', { hasText: '财务看板' }).first().waitFor({ timeout: 30_000 });
    expect(await page.locator('h1').textContent()).toBe(seed.unit.name);

    // Section heads and the unit head came with the import; they get their passwords.
    for (const p of seed.people) for (const role of p.roles) await addUser(database.db, p.email, UNIT, role, p.section);

    await page.goto(dashboard());
    await expect.poll(() => page.locator('#start-form').count()).toBe(1);
    const today = civilDateOf(Date.now());
    await page.getByLabel('材料截止日期').fill(addDays(today, 14));
    await page.getByRole('button', { name: '开始评价' }).click();
    await reloadUntil(page, '#progress tbody tr:nth-child(6)', 'six section tasks on the dashboard');
    await until('six open tasks', async () => (await page.reload(), (await page.locator('#progress [data-section] .chip-open').count()) === 6));
    const evaluationLink = await page.locator('#progress-h a[data-temporal-link]').getAttribute('href');
    expect(evaluationLink).toBe(`${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(`evaluation/${UNIT}/2020`)}`);

    // 信息安全科 is late: its due date moves to yesterday, so the inboxes mark it overdue.
    const row = page.locator('#progress tr[data-section="infosec"]');
    await row.locator('summary', { hasText: '延期' }).click();
    await row.getByLabel('新的截止日期').fill(addDays(today, -1));
    await row.getByRole('button', { name: '确定' }).click();
    await until('信息安全科 overdue', async () => (await page.reload(), (await page.locator('#progress tr[data-section="infosec"] .overdue-mark').count()) > 0));
    await until('the reminders column', async () => (await page.reload(), (await page.locator('#progress td', { hasText: '已提醒' }).count()) === 6));
    await screenshot(page, path.join(artifacts, 'dashboard-collecting.png'));
    await signOut(page);
  });

  it('each section head fills and submits; 信息安全科 first sees its errors next to the fields', async () => {
    const order = ['general', 'dev-apps', 'projects', 'bigdata-ops', 'network', 'infosec'];
    for (const section of order) {
      const submission = submissions.get(section)!;
      await signIn(page, base, sectionHead(section));
      expect(new URL(page.url()).pathname).toBe('/tasks');
      if (section === 'general') {
        // The dashboard is not a section head's.
        const refused = await page.goto(dashboard());
        expect(refused?.status()).toBe(403);
        expect(await page.locator('[role="alert"]').textContent()).toContain('无权查看此页面');
        await page.goto(`${base}/tasks`);
      }
      const task = page.locator('#tasks tbody tr');
      await expect.poll(() => task.count()).toBe(1);

      if (section === 'infosec') {
        expect(await task.locator('.overdue-mark').textContent()).toBe('已逾期');
        await until('the task notifications', async () => (await page.reload(), (await page.locator('#messages .msg').count()) >= 2));
        await screenshot(page, path.join(artifacts, 'inbox.png'));
      }
      if (section === 'infosec') {
        // A notification links to the task by its workflow id; the page resolves it.
        const link = page.locator('#messages .msg a', { hasText: '打开' }).first();
        expect(decodeURIComponent((await link.getAttribute('href'))!)).toBe(`/tasks/evaluation/${UNIT}/2020/task/infosec`);
        await link.click();
        await page.waitForURL((u) => /^\/tasks\/\d+$/.test(u.pathname));
      } else {
        await task.locator('a').first().click();
      }
      await page.locator('#section-form').waitFor();

      if (section === 'general') {
        // A draft survives a reload.
        await fillSection(page, submission);
        await page.getByRole('button', { name: '保存草稿' }).click();
        await expect.poll(() => page.locator('.form-status').textContent()).toContain('草稿已保存');
        await page.reload();
        expect(await page.locator('[data-path="achievements[0].title"]').inputValue()).toBe(submission.achievements[0]!.title);
      } else if (section === 'infosec') {
        // An output indicator without its target.
        const invalid = structuredClone(submission);
        invalid.outputIndicators[0]!.target = '';
        await fillSection(page, invalid);
        const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/submit')), page.getByRole('button', { name: '提交' }).click()]);
        // The API's one error shape, with the field's path.
        expect(answer.status()).toBe(400);
        expect(await answer.json()).toMatchObject({ code: 'invalid_input', details: [{ path: 'submission.outputIndicators[0].target', zh: expect.stringContaining('应为数字') }] });
        const target = page.locator('[data-path="outputIndicators[0].target"]');
        await expect.poll(() => target.getAttribute('aria-invalid')).toBe('true');
        const error = target.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
        expect(await error.textContent()).toContain('应为数字');
        const summary = page.locator('.form-errors');
        expect(await summary.textContent()).toContain('产出指标 第1项 · 目标值');
        expect(await page.locator('.field-error').count()).toBe(1);
        await screenshot(page, path.join(artifacts, 'form-with-errors.png'));

        await target.fill(submission.outputIndicators[0]!.target);
        await page.getByRole('button', { name: '得分预览' }).click();
        await page.locator('#score-preview h2').waitFor();
        expect(await page.locator('#score-preview').textContent()).toContain('失分指标');
        expect(await page.locator('.field-error').count()).toBe(0);
      } else {
        await fillSection(page, submission);
      }
      await page.getByRole('button', { name: '提交' }).click();
      await page.locator('[data-testid="submitted-notice"]').waitFor({ timeout: 30_000 });
      if (section === 'infosec') await screenshot(page, path.join(artifacts, 'task-submitted.png'));
      expect(await page.locator('#section-form').count()).toBe(0);
      await signOut(page);
    }
  });

  it('the finance officer sees the findings, the withheld payments and the score, and acknowledges', async () => {
    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    await reloadUntil(page, '#acknowledge-form', 'the findings to acknowledge');
    expect(await page.locator('#progress [data-section] .chip-submitted').count()).toBe(6);
    // Each finding's sentence and its difference in 万元 (the seed's project expenditure gap: 7.02).
    expect(await page.locator('#findings tr[data-finding="project_expenditure_gap"] td.num').textContent()).toBe('7.02');
    expect(await page.locator('#holdbacks [data-holdback]').count()).toBeGreaterThan(0);
    expect(await page.locator('#score .score-total').count()).toBe(1);
    await screenshot(page, path.join(artifacts, 'dashboard.png'));
    await page.goto(`${dashboard()}?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Finance dashboard');
    await screenshot(page, path.join(artifacts, 'dashboard-en.png'));
    await page.goto(`${dashboard()}?lang=zh`);

    await page.getByLabel('备注（可选）').fill('差异已核实，原因见附注。');
    await page.getByRole('button', { name: '确认对账结果' }).click();
    await reloadUntil(page, '[data-stage="approving"]', 'the draft report', 120_000);
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    expect(await page.locator('iframe.pdf').count()).toBe(1);
    await signOut(page);
  });

  it('the unit head approves, and the issued PDF downloads with the sha256 stored and shown', async () => {
    await signIn(page, base, HEAD);
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    await screenshot(page, path.join(artifacts, 'report-approval.png'));
    await page.getByRole('button', { name: '批准签发' }).click();
    await reloadUntil(page, '#issued', 'the issued report', 120_000);
    await screenshot(page, path.join(artifacts, 'report-issued.png'));

    const shown = (await page.locator('[data-testid="issued-pdf-sha256"]').textContent())?.trim();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="download-pdf"]').click()]);
    const bytes = fs.readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const downloaded = createHash('sha256').update(bytes).digest('hex');
    const stored = await database.db.selectFrom('reports').select('pdf_sha256').where('kind', '=', 'issued').executeTakeFirstOrThrow();
    expect(downloaded).toBe(stored.pdf_sha256);
    expect(shown).toBe(stored.pdf_sha256);
    fs.writeFileSync(path.join(artifacts, `issued-${UNIT}-2020.pdf`), bytes);
  });

  it('ran without a script error or a refused resource in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
