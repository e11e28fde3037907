/**
 * The seed cycle in a real browser, as the three roles, on the real stack: Postgres, the shared
 * Temporal dev server (in a namespace of this file's own, so the seed unit's workflow ids meet no
 * other suite's), a worker in this process, and the HTTP server on a random port.
 *
 *   the finance officer signs in, imports the seed through the unit page and starts the
 *   evaluation (six section tasks and the self-assessment task); each of the six section heads
 *   signs in, fills the form and submits (综合科 with its own assessment of 资产管理 and an
 *   evidence file; 信息安全科 first submits an output indicator without a target and sees the error
 *   next to that field, then marks 等级保护测评完成率 as a 质量 indicator at 95 of 100 with its
 *   偏差原因); the finance officer types a 三公 合计 that does not add up in the 基础数据表 (refused
 *   next to the cell), corrects it, sees a project row's gap as a finding and puts it right; on
 *   单位自评打分 gives 绩效指标明确性 points outside its tier (refused next to the points field),
 *   corrects them, attaches an uploaded PDF and submits; acknowledges the findings; the unit head
 *   reads the self-assessment and the 基础数据表, approves, and the issued PDF (total and grade in
 *   it) downloads through the report page with the sha256 stored and shown.
 *
 * The total is pinned by hand: the seed scores 86.00 (良) with its own submissions. Here 信息安全科
 * adds 重大网络安全事故 (数量, met) and 等级保护测评完成率 (质量, 95 of 100): 实际完成率 60, 100, 100,
 * 100 → 90.00% → 4.50 (the seed's 86.67% gave 4.33, +0.17); 质量达标率 100, 100, 95 → 98.33% →
 * 4.92 (−0.08); the finance officer's 绩效指标明确性 2.10 → 2.30 (+0.20): 86.29 (良).
 *
 * Every notification the cycle sent (tasks, reminders, findings, approval, issue, withheld
 * payments) then opens a page for its recipient.
 *
 * Screenshots of the inbox, forms with errors, the two new pages and the dashboard go to
 * tests/artifacts/.
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
import { pdfToText } from '../helpers/pdf';
import { buildServer } from '../../client/http/server';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { sectionSubmissionSchema, type SectionSubmission } from '../../domain/submission';
import { createWorker } from '../../worker/create-worker';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedFile, seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from '../helpers/activities';
import { addUser, as, type Persona, signIn as apiSignIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { type Browser, fillSection, launchBrowser, reloadUntil, screenshot, signIn, signOut, submitApiForm, until } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const UNIT = 'yiyang-smart-city';
const seed = seedUnitYear();
const emailOf = (pred: (p: (typeof seed.people)[number]) => boolean) => seed.people.find(pred)!.email;
const FINANCE = emailOf((p) => p.roles.includes('finance_officer'));
const HEAD = emailOf((p) => p.roles.includes('unit_head'));
const sectionHead = (section: string) => emailOf((p) => p.section === section);
const infosecSubmission: SectionSubmission = sectionSubmissionSchema.parse(parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/demo/infosec-submission.yaml'), 'utf8')));
const submissions = new Map<string, SectionSubmission>([...seed.submissions.map((s) => [s.section, s] as const), ['infosec', infosecSubmission]]);
/** 信息安全科's 等级保护测评完成率, made a 质量 indicator that fell short, with its 偏差原因. */
const INFOSEC_NOTE = '两个业务系统的等级保护测评因疫情顺延至次年一季度完成';
/** A small PDF made here (the evidence check reads the content, not the name). */
const evidencePdf = (title: string) =>
  Buffer.from(`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${title}\ntrailer<</Root 1 0 R>>\n%%EOF\n`, 'latin1');
const EXPECTED_TOTAL = '86.29';

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

    // Before the evaluation starts there is no task: the self-assessment can be saved as it is.
    await page.goto(`${dashboard()}/self-assessment`);
    expect(await page.locator('.notice', { hasText: '本年度评价尚未开始' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '提交' }).count()).toBe(0);
    const [early] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/self-assessment') && r.request().method() === 'PUT'), page.getByRole('button', { name: '保存', exact: true }).click()]);
    expect(early.status()).toBe(200);
    await expect.poll(() => page.locator('#assessment-form .form-status').textContent()).toContain('已保存');

    await page.goto(dashboard());
    await expect.poll(() => page.locator('#start-form').count()).toBe(1);
    const today = civilDateOf(Date.now());
    await page.getByLabel('材料截止日期').fill(addDays(today, 14));
    await submitApiForm(page, page.getByRole('button', { name: '开始评价' }), '/evaluation');
    await reloadUntil(page, '#progress tbody tr:nth-child(6)', 'six section tasks on the dashboard');
    await until('six open tasks', async () => (await page.reload(), (await page.locator('#progress [data-section] .chip-open').count()) === 6));
    const evaluationLink = await page.locator('#progress-h a[data-temporal-link]').getAttribute('href');
    expect(evaluationLink).toBe(`${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(`evaluation/${UNIT}/2020`)}`);

    // 信息安全科 is late: its due date moves to yesterday, so the inboxes mark it overdue.
    const row = page.locator('#progress tr[data-section="infosec"]');
    await row.locator('summary', { hasText: '延期' }).click();
    await row.getByLabel('新的截止日期').fill(addDays(today, -1));
    await submitApiForm(page, row.getByRole('button', { name: '确定' }), '/extend');
    await until('信息安全科 overdue', async () => (await page.reload(), (await page.locator('#progress tr[data-section="infosec"] .overdue-mark').count()) > 0));
    await until('the reminders column', async () => (await page.reload(), (await page.locator('#progress td', { hasText: '已提醒' }).count()) === 6));
    // The finance officer's own task, beside the sections': its state, due date and the rule set.
    const sa = page.locator('#self-assessment-status');
    await until('the self-assessment task', async () => (await page.reload(), (await sa.locator('[data-testid="sa-state"] .chip-open').count()) === 1));
    expect(await sa.locator('[data-testid="rule-set"]').textContent()).toBe('hunan-department-2020');
    expect((await sa.locator('[data-testid="sa-due"]').textContent())?.trim()).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect(await sa.locator('[data-testid="sa-link"]').getAttribute('href')).toBe(`/units/${UNIT}/years/2020/self-assessment`);
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
        await expect.poll(() => page.locator('#section-form .form-status').textContent()).toContain('草稿已保存');
        await page.reload();
        expect(await page.locator('[data-path="achievements[0].title"]').inputValue()).toBe(submission.achievements[0]!.title);
        // Its own assessment of 资产管理 came back from the draft too, and the category of its indicator.
        expect(await page.locator('[data-assess][data-indicator="asset_safety"] [data-field="points"]').inputValue()).toBe('2.8');
        expect(await page.locator('[data-assess][data-indicator="asset_safety"] [data-field="tier"][value="achieved"]').isChecked()).toBe(true);
        expect(await page.locator('[data-path="outputIndicators[0].category"]').inputValue()).toBe('timeliness');
        // An evidence file, uploaded from the block and attached to it at once.
        const safety = page.locator('[data-assess][data-indicator="asset_safety"]');
        await safety.locator('input[data-upload]').setInputFiles({ name: '资产盘点表.pdf', mimeType: 'application/pdf', buffer: evidencePdf('asset inventory') });
        await expect.poll(() => safety.locator('[data-evidence]:checked').count()).toBe(1);
        expect(await page.locator('#evidence [data-evidence-list] li').textContent()).toContain('资产盘点表.pdf');
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
        const summary = page.locator('#section-form .form-errors');
        expect(await summary.textContent()).toContain('产出指标 第1项 · 目标值');
        expect(await page.locator('.field-error').count()).toBe(1);
        await screenshot(page, path.join(artifacts, 'form-with-errors.png'));

        await target.fill(submission.outputIndicators[0]!.target);
        // 等级保护测评完成率 is a 质量 indicator, and fell short, with its 偏差原因.
        await page.locator('[data-path="outputIndicators[1].category"]').selectOption({ label: '质量' });
        await page.locator('[data-path="outputIndicators[1].actual"]').fill('95');
        await page.locator('[data-path="outputIndicators[1].note"]').fill(INFOSEC_NOTE);
        await page.getByRole('button', { name: '得分预览' }).click();
        await page.locator('#score-preview h2').waitFor();
        expect(await page.locator('#score-preview').textContent()).toContain('失分指标');
        expect(await page.locator('#score-preview [data-testid="score-losses"]').textContent()).toContain(`等级保护测评完成率：${INFOSEC_NOTE}`);
        expect(await page.locator('.field-error').count()).toBe(0);
      } else {
        await fillSection(page, submission);
      }
      await page.getByRole('button', { name: '提交' }).click();
      await page.locator('[data-testid="submitted-notice"]').waitFor({ timeout: 30_000 });
      if (section === 'infosec') {
        await screenshot(page, path.join(artifacts, 'task-submitted.png'));
        const row = page.locator('#submitted-indicators tbody tr').nth(1);
        expect(await row.locator('[data-category]').getAttribute('data-category')).toBe('quality');
        expect(await row.textContent()).toContain(INFOSEC_NOTE);
      }
      if (section === 'general') {
        expect(await page.locator('[data-testid="assessment-table"] tr[data-indicator="asset_safety"]').textContent()).toContain('资产盘点表.pdf');
      }
      expect(await page.locator('#section-form').count()).toBe(0);
      await signOut(page);
    }
    // What was stored is what was typed: the category, the 偏差原因, and 综合科's assessment with its file.
    const stored = await database.db.selectFrom('section_submissions').innerJoin('sections', 'sections.id', 'section_submissions.section_id')
      .select(['sections.code', 'section_submissions.content']).where('section_submissions.origin', '=', 'task').execute();
    expect(stored).toHaveLength(6);
    const content = (code: string) => sectionSubmissionSchema.parse(stored.find((r) => r.code === code)!.content);
    expect(content('infosec').outputIndicators[1]).toMatchObject({ name: '等级保护测评完成率', category: 'quality', actual: '95', note: INFOSEC_NOTE });
    expect(content('projects').outputIndicators[0]).toMatchObject({ category: 'quantity', key: true });
    const general = content('general').selfAssessments;
    expect(general.map((e) => [e.indicator, e.tier, e.points])).toEqual([['asset_rules', 'achieved', '3'], ['asset_safety', 'achieved', '2.8']]);
    expect(general[1]!.evidence).toHaveLength(1);
  });

  it('the finance officer corrects the 基础数据表 and submits the self-assessment with an evidence file', async () => {
    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    // The evaluation waits for the self-assessment.
    expect(await page.locator('[data-stage="collecting"]').count()).toBe(1);
    await page.locator('.page-head').getByRole('link', { name: '基础数据表' }).click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/basic-data`);

    // 三公 合计 (本年决算数) that does not add up: refused next to that cell, nothing saved.
    const total = page.locator('[data-path="threePublic.total.final"]');
    expect(await total.inputValue()).toBe('85000.00');
    await total.fill('86000.00');
    const save = () => Promise.all([page.waitForResponse((r) => r.url().endsWith('/basic-data') && r.request().method() === 'PUT'), page.getByRole('button', { name: '保存基础数据表' }).click()]).then(([r]) => r);
    const refused = await save();
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'invalid_input', details: [{ path: 'body.threePublic.total.final', code: 'columns_do_not_add_up' }] });
    await expect.poll(() => total.getAttribute('aria-invalid')).toBe('true');
    expect(await total.locator('xpath=ancestor::td[1]').locator('.field-error').textContent()).toContain('“三公”经费合计（本年决算数） 86,000.00 元');
    expect(await page.locator('.field-error').count()).toBe(1);
    await screenshot(page, path.join(artifacts, 'basic-data-error.png'));

    await total.fill('85000.00');
    expect((await save()).status()).toBe(200);
    await expect.poll(() => page.locator('#basic-data-form .form-status').textContent()).toContain('已保存');
    expect(await page.locator('.field-error').count()).toBe(0);
    expect(await page.locator('#bd-findings').textContent()).toContain('基础数据表没有引起对账差异');

    // A project row that disagrees with the ledger's payments is saved, and is a finding.
    const extranet = page.locator('[data-path="projects[2].final"]');
    expect(await extranet.inputValue()).toBe('2010500.00');
    await extranet.fill('2015000.00');
    expect((await save()).status()).toBe(200);
    await expect.poll(() => page.locator('#bd-findings [data-finding="basic_data_project_gap"]').count()).toBe(1);
    expect(await page.locator('#basic-data-form .form-status').textContent()).toContain('引起 1 项对账发现');
    expect(await page.locator('#bd-findings [data-finding="basic_data_project_gap"]').textContent()).toContain('外网平台建设项目');
    await screenshot(page, path.join(artifacts, 'basic-data.png'));
    await extranet.fill('2010500.00');
    expect((await save()).status()).toBe(200);
    await expect.poll(() => page.locator('#bd-findings [data-finding]').count()).toBe(0);
    const saved = (await (await page.request.get(`${base}/api/units/${UNIT}/years/2020/basic-data`)).json()) as { basicData: { threePublic: { total: { final: number } }; projects: Array<{ final: number }> } };
    expect(saved.basicData.threePublic.total.final).toBe(8_500_000);
    expect(saved.basicData.projects[2]!.final).toBe(201_050_000);

    // 单位自评打分: the file's entries, prefilled; the score follows what is typed.
    await page.getByRole('link', { name: '单位自评打分' }).click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/self-assessment`);
    const clarity = page.locator('[data-assess][data-indicator="indicator_clarity"]');
    const points = clarity.locator('[data-field="points"]');
    expect(await clarity.locator('[data-field="tier"][value="partial"]').isChecked()).toBe(true);
    expect(await points.inputValue()).toBe('2.1');
    const shownTotal = () => page.locator('#score-preview .score-total strong').textContent();
    await expect.poll(shownTotal).toBe('86.09');

    // Points outside the chosen tier: the preview says so at once, and 提交 is refused next to the field.
    await points.fill('2.5');
    await expect.poll(() => page.locator('#score-preview [data-testid="preview-problems"]').textContent()).toContain('2.50 分不在');
    const [answer] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/submit')), page.getByRole('button', { name: '提交' }).click()]);
    expect(answer.status()).toBe(400);
    expect(await answer.json()).toMatchObject({ code: 'invalid_input', details: [{ code: 'points_outside_tier', path: expect.stringMatching(/^entries\[\d+\]\.points$/) }] });
    await expect.poll(() => points.getAttribute('aria-invalid')).toBe('true');
    expect(await points.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toBe('2.50 分不在“部分达成并具有一定效果”档的范围内：1.80 分（含）至 2.40 分（不含）');
    expect(await page.locator('#assessment-form .form-errors').textContent()).toContain('绩效指标明确性');
    expect(await page.locator('.field-error').count()).toBe(1);
    await screenshot(page, path.join(artifacts, 'self-assessment-error.png'));

    await points.fill('2.3');
    await expect.poll(shownTotal).toBe(EXPECTED_TOTAL);
    expect(await page.locator('#score-preview [data-testid="preview-problems"]').count()).toBe(0);
    // Evidence: uploaded from the block, attached to it, listed with a download link.
    const pdf = evidencePdf('indicator clarity');
    await clarity.locator('input[data-upload]').setInputFiles({ name: '绩效指标明细.pdf', mimeType: 'application/pdf', buffer: pdf });
    await expect.poll(() => clarity.locator('[data-evidence]:checked').count()).toBe(1);
    const listed = page.locator('#evidence [data-evidence-list] li', { hasText: '绩效指标明细.pdf' });
    const [download] = await Promise.all([page.waitForEvent('download'), listed.locator('a').click()]);
    expect(fs.readFileSync(await download.path()).equals(pdf)).toBe(true);
    await screenshot(page, path.join(artifacts, 'self-assessment.png'));
    await page.getByRole('button', { name: '提交' }).click();
    await page.locator('[data-testid="submitted-notice"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.field-error').count()).toBe(0);

    const mine = (await (await page.request.get(`${base}/api/units/${UNIT}/years/2020/self-assessment`)).json()) as { entries: Array<{ indicator: string; points?: string; evidence: number[] }>; evidence: Array<{ id: number; fileName: string }>; task: { state: string } };
    expect(mine.task.state).toBe('submitted');
    const entry = mine.entries.find((e) => e.indicator === 'indicator_clarity')!;
    expect(entry.points).toBe('2.3');
    expect(entry.evidence).toEqual([mine.evidence.find((e) => e.fileName === '绩效指标明细.pdf')!.id]);
    await signOut(page);
  });

  it('the finance officer sees the findings, the withheld payments and the score, and acknowledges', async () => {
    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    await reloadUntil(page, '#acknowledge-form', 'the findings to acknowledge');
    expect(await page.locator('#progress [data-section] .chip-submitted').count()).toBe(6);
    expect(await page.locator('#self-assessment-status [data-testid="sa-state"] .chip-submitted').count()).toBe(1);
    expect(await page.locator('#score .score-total strong').textContent()).toBe(EXPECTED_TOTAL);
    expect(await page.locator('#score .score-grade').textContent()).toBe('等级：良');
    expect(await page.locator('#score [data-testid="score-losses"]').textContent()).toContain(`等级保护测评完成率：${INFOSEC_NOTE}`);
    // Each finding's sentence and its difference in 万元 (the seed's project expenditure gap: 7.02).
    expect(await page.locator('#findings tr[data-finding="project_expenditure_gap"] td.num').textContent()).toBe('7.02');
    expect(await page.locator('#holdbacks [data-holdback]').count()).toBeGreaterThan(0);
    await screenshot(page, path.join(artifacts, 'dashboard.png'));
    await page.goto(`${dashboard()}?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Finance dashboard');
    await screenshot(page, path.join(artifacts, 'dashboard-en.png'));
    await page.goto(`${dashboard()}?lang=zh`);

    await page.getByLabel('备注（可选）').fill('差异已核实，原因见附注。');
    await submitApiForm(page, page.getByRole('button', { name: '确认对账结果' }), '/acknowledge');
    await reloadUntil(page, '[data-stage="approving"]', 'the draft report', 120_000);
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    expect(await page.locator('iframe.pdf').count()).toBe(1);
    await signOut(page);
  });

  it('the unit head reads the self-assessment and the 基础数据表, approves, and the issued PDF downloads with the total and grade and the sha256 stored and shown', async () => {
    await signIn(page, base, HEAD);
    // Read-only for the unit head: a table, no form.
    await page.goto(`${dashboard()}/self-assessment`);
    expect(await page.locator('#assessment-form').count()).toBe(0);
    const clarity = page.locator('[data-testid="assessment-table"] tr[data-indicator="indicator_clarity"]');
    expect(await clarity.textContent()).toContain('2.3');
    expect(await clarity.textContent()).toContain('绩效指标明细.pdf');
    expect(await page.locator('#score-preview .score-total strong').textContent()).toBe(EXPECTED_TOTAL);
    await page.goto(`${dashboard()}/basic-data`);
    expect(await page.locator('#basic-data-form').count()).toBe(0);
    expect(await page.locator('#basic-data input').count()).toBe(0);
    expect(await page.locator('#bd-three-public tr.total').textContent()).toContain('85,000.00');
    await screenshot(page, path.join(artifacts, 'basic-data-read-only.png'));

    // The head sends draft 1 back with a reason; the finance officer reads it on the dashboard and
    // resubmits; draft 2 comes to the head, who approves it.
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    const firstDraft = await page.locator('form[data-api$="/evaluation/approve"] input[name="reportVersion"]').getAttribute('value');
    await page.locator('summary', { hasText: '退回财务人员' }).click();
    await page.locator('#send-back-reason').fill('请补充信息安全指标的佐证说明。');
    await submitApiForm(page, page.locator('form[data-api$="/evaluation/send-back"] button[type="submit"]'), '/evaluation/send-back');
    await reloadUntil(page, '[data-stage="returned"]', 'the sent-back draft', 60_000);
    await signOut(page);

    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    await reloadUntil(page, '#returned', 'the returned card', 60_000);
    expect(await page.locator('#returned h2').textContent()).toContain(`第${firstDraft}版报告草稿已被${HEAD}`);
    expect(await page.locator('[data-testid="returned-reason"]').textContent()).toBe('请补充信息安全指标的佐证说明。');
    await screenshot(page, path.join(artifacts, 'dashboard-returned.png'));
    await page.getByLabel('所作更正').fill('已补充佐证说明。');
    await submitApiForm(page, page.getByRole('button', { name: '更正完成，重新提交' }), '/resubmit');
    await reloadUntil(page, '[data-stage="approving"]', 'the second draft', 120_000);
    expect(await page.locator('#returned').count()).toBe(0);
    await signOut(page);

    await signIn(page, base, HEAD);
    await page.goto(`${base}/units/${UNIT}/years/2020/report`);
    const secondDraft = await page.locator('form[data-api$="/evaluation/approve"] input[name="reportVersion"]').getAttribute('value');
    expect(Number(secondDraft)).toBe(Number(firstDraft) + 1);
    await screenshot(page, path.join(artifacts, 'report-approval.png'));
    await submitApiForm(page, page.getByRole('button', { name: '批准签发' }), '/evaluation/approve');
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
    // The issued report carries the total and the grade.
    const text = (await pdfToText(bytes)).replace(/\s+/g, '');
    expect(text).toContain(`自评得分：${EXPECTED_TOTAL}分（良）`);
    expect(text).toContain(`部门整体支出绩效自评得分${EXPECTED_TOTAL}分，评价等级为“良”`);
  }, 420_000); // the sum of its waits, so that a slow step fails with its own name

  it('every notification the cycle sent opens a page for its recipient', async () => {
    const messages = await database.db
      .selectFrom('notifications')
      .innerJoin('users', 'users.id', 'notifications.recipient_user_id')
      .select(['notifications.kind', 'notifications.link', 'users.email'])
      .where('notifications.channel', '=', 'in_app')
      .execute();
    const kinds = new Set(messages.map((m) => m.kind));
    for (const kind of ['task_assigned', 'evaluation_findings', 'evaluation_approval', 'evaluation_issued']) expect(kinds, kind).toContain(kind);
    expect([...kinds].some((k) => k.startsWith('holdback.')), 'a holdback reminder').toBe(true);
    const sessions = new Map<string, Persona>();
    const failures: string[] = [];
    for (const { kind, link, email } of new Map(messages.map((m) => [`${m.email} ${m.link}`, m])).values()) {
      let persona = sessions.get(email);
      if (!persona) sessions.set(email, (persona = await apiSignIn(app, email)));
      let url = link ?? '(none)';
      let response = await app.inject({ method: 'GET', url, ...as(persona) });
      for (let hops = 0; hops < 3 && response.statusCode >= 300 && response.statusCode < 400; hops++) {
        url = String(response.headers.location);
        response = await app.inject({ method: 'GET', url, ...as(persona) });
      }
      if (response.statusCode !== 200) failures.push(`${kind} ${link} → ${url} as ${email}: ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('ran without a script error or a refused resource in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
