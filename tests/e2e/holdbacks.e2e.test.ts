/**
 * Withheld payments worked in the browser by the finance officer, on the real stack (Postgres,
 * the shared Temporal dev server in a namespace of this file's own, a worker in this process, the
 * HTTP server on a random port). The seed unit-year, with its 雪亮工程 O&M contract paying by the
 * assessment's coefficient (the contract's table: pass from 60; ≥ 90 → 100%, ≥ 80 → 95%, ≥ 60 →
 * 80%), and its five holdbacks' workflows started as the evaluation would start them.
 *
 *   a holdback reminder in 我的消息 opens the holdback's page; the dashboard's list links to each;
 *   the 2021 运维考核 of 雪亮工程 (83.69万元): a pass without a coefficient is refused next to the
 *   field; a score of 85 proposes 95% and 通过, and the amount becomes payable scaled by it
 *   (795,055.00 元; 41,845.00 元 not payable); the 财税平台 acceptance makes its 45.94万元 payable;
 *   a defect on the 一市一平台 retention extends its warranty by 6 months (due 2022-02-28); a
 *   partial release of the 一件事一次办 retention (50,000.00 元 of 109,200.00 元); the 外网平台
 *   升级 milestone (a different name refused next to the field). Each page shows its history, next
 *   due date and the reminders sent. The 一件事一次办 retention's tracking is terminated: the
 *   dashboard and its page say so, and the finance officer restarts it where it stopped.
 *
 * Amounts by hand: 836,900.00 元 × 95% = 795,055.00 元. Dates are in 2021–2022, before today, so
 * the workflows' own "not after today" checks pass on the real clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { createHoldbackActivities } from '../../activities/holdbacks.activities';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import { createWorker } from '../../worker/create-worker';
import { sweepStoppedRuns } from '../../worker/stop-sweeper';
import { holdbackStatusQuery, holdbackWorkflowId } from '../../workflows/holdback/contract';
import { seedDocument, seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from '../helpers/activities';
import { addUser } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { type Browser, launchBrowser, reloadUntil, screenshot, signIn, submitApiForm, until } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const UNIT = 'yiyang-smart-city';
const seed = seedUnitYear();
const FINANCE = seed.people.find((p) => p.roles.includes('finance_officer'))!.email;

/** The seed, with the O&M contract paying by the assessment's coefficient per its table. */
function seedWithOmTable() {
  const doc = seedDocument();
  const contract = (doc['projects'] as Array<Record<string, any>>).flatMap((p) => (p['contracts'] ?? []) as Array<Record<string, any>>).find((c) => c['code'] === 'xueliang-om')!;
  contract['omCoefficientApplies'] = true;
  contract['omScoring'] = { passScore: 60, bands: [{ minScore: 90, coefficient: '100%' }, { minScore: 80, coefficient: '95%' }, { minScore: 60, coefficient: '80%' }] };
  const parsed = parseUnitYear(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.value;
}

describe('withheld payments in the browser (the finance officer)', () => {
  const taskQueue = uniqueTaskQueue('browser-holdbacks');
  let database: TestDatabase;
  let client: Client;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  const holdbackPage = (code: string) => `${base}/units/${UNIT}/years/2020/holdbacks/${code}`;
  const status = (code: string) => client.workflow.getHandle(holdbackWorkflowId(UNIT, 2020, code)).query(holdbackStatusQuery);

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    database = await createTestDatabase('e2e_holdbacks');
    await importUnitYear(database.db, seedWithOmTable(), { actor: 'test' });
    let namespace: string;
    ({ namespace, client, native } = await devServerConnections('browser-holdbacks'));
    const deps = testActivityDeps(database.db, { temporal: client });
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(deps) });
    running = worker.run();
    await addUser(database.db, FINANCE, UNIT, 'finance_officer');
    await createHoldbackActivities(deps).ensureHoldbackWorkflows({ unitCode: UNIT, year: 2020, taskQueue });
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: `http://127.0.0.1:${inject('temporalUiPort')}`, taskQueue });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    for (const h of seed.projects.flatMap((p) => p.holdbacks)) await client?.workflow.getHandle(holdbackWorkflowId(UNIT, 2020, h.code)).terminate('test done').catch(() => undefined);
    await app?.close();
    worker?.shutdown();
    await running?.catch(() => undefined);
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('a holdback reminder in the inbox opens the holdback’s page; the dashboard links to every holdback', async () => {
    await signIn(page, base, FINANCE);
    // The seed's retentions fell due in 2021: each workflow sends its reminder at once.
    await until('a holdback reminder', async () => (await page.goto(`${base}/tasks`), (await page.locator('#messages .msg a[href^="/holdbacks/"]').count()) > 0), 60_000, 500);
    const link = page.locator('#messages .msg a[href^="/holdbacks/"]').first();
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(new RegExp(`^/holdbacks/${UNIT}/2020/[a-z0-9-]+$`));
    await Promise.all([page.waitForURL((u) => u.pathname.startsWith(`/units/${UNIT}/years/2020/holdbacks/`)), link.click()]);
    expect(new URL(page.url()).pathname).toBe(`/units/${UNIT}/years/2020/holdbacks/${href.split('/').pop()}`);
    expect(await page.locator('#hb-reminders tr[data-reminder]').count()).toBeGreaterThan(0);
    expect(await page.locator('#hb-undelivered').count()).toBe(0);

    // Its reminder's email never got through (the mail server refused it for three days): the page says so.
    const code = href.split('/').pop()!;
    const unit = await database.db.selectFrom('units').select('id').where('code', '=', UNIT).executeTakeFirstOrThrow();
    const finance = await database.db.selectFrom('users').select('id').where('email', '=', FINANCE).executeTakeFirstOrThrow();
    await database.db
      .insertInto('notifications')
      .values({ dedupe_key: `e2e-undelivered|${code}`, unit_id: unit.id, kind: 'holdback.retention.due', channel: 'email', recipient_user_id: finance.id, subject: '质保金到期', body: 'b', workflow_id: `holdback/${UNIT}/2020/${code}`, status: 'failed', attempts: 40, error: 'gave up after 40 attempts: connect ECONNREFUSED' })
      .execute();
    await page.reload();
    expect(await page.locator('#hb-undelivered').textContent()).toContain('有1条提醒未能送达');
    expect(await page.locator('#hb-undelivered li').textContent()).toContain('ECONNREFUSED');

    await page.goto(`${base}/units/${UNIT}/years/2020`);
    expect(await page.locator('#undelivered-notice').textContent()).toContain('质保金到期');
    const listed = page.locator('#holdbacks [data-holdback] a[href*="/holdbacks/"]');
    expect(await listed.count()).toBe(5);
    // The register downloads as an Excel workbook.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="holdbacks-export"]').click()]);
    expect(download.suggestedFilename()).toBe(`holdbacks-${UNIT}.xlsx`);
    expect(fs.readFileSync(await download.path()).subarray(0, 2).toString()).toBe('PK');
    await page.locator('#holdbacks [data-holdback="xueliang-om-2020"] a[href*="/holdbacks/"]').click();
    await page.waitForURL((u) => u.pathname === `/units/${UNIT}/years/2020/holdbacks/xueliang-om-2020`);
    expect(await page.locator('[data-testid="hb-awaiting"]').textContent()).toBe('2021 期间运维考核结果');
  });

  it('records the 运维考核: a pass without its coefficient is refused next to the field; the score proposes 95%, and the fee becomes payable scaled by it', async () => {
    await page.goto(holdbackPage('xueliang-om-2020'));
    const form = page.locator('#assessment form');
    expect(await page.locator('[data-testid="om-scoring"]').textContent()).toContain('60 分及以上为合格');
    expect(await form.getByLabel('考核期间').inputValue()).toBe('2021');
    await form.getByLabel('考核日期').fill('2022-01-10');
    await form.getByLabel('通过', { exact: true }).check();
    const [refused] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/assessment')), form.getByRole('button', { name: '记录' }).click()]);
    expect(refused.status()).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'invalid_input', details: [{ path: 'coefficientBp', code: 'coefficient_required' }] });
    const coefficient = form.getByLabel('支付系数（%）');
    await expect.poll(() => coefficient.getAttribute('aria-invalid')).toBe('true');
    expect(await coefficient.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('须填写系数');
    await screenshot(page, path.join(artifacts, 'holdback-assessment-error.png'));
    expect((await status('xueliang-om-2020')).phase).toBe('awaiting_assessment');

    // The score decides: 85 → 95% and 通过, from the contract's table.
    await form.getByLabel('通过', { exact: true }).uncheck().catch(() => undefined);
    await form.getByLabel('未通过').check();
    await form.getByLabel('考核得分').fill('85');
    await expect.poll(() => coefficient.inputValue()).toBe('95%');
    expect(await form.getByLabel('通过', { exact: true }).isChecked()).toBe(true);
    await form.getByLabel('备注（可选）').fill('2021年度运维考核85分');
    await form.getByRole('button', { name: '记录' }).click();
    await page.locator('[data-testid="hb-status"][data-status="payable"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#hb-amounts tr[data-amount="payable"] td').textContent()).toBe('795,055.00 元');
    expect(await page.locator('#hb-amounts tr[data-amount="forfeited"] td').textContent()).toBe('41,845.00 元');
    expect(await page.locator('#hb-events tr[data-event="assessment"]').last().textContent()).toContain('2021 期间运维考核通过');
    expect(await page.locator('#hb-events tr[data-event="assessment"]').last().textContent()).toContain(FINANCE);
    expect(await page.locator('[data-testid="hb-due"]').textContent()).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
    expect(await page.locator('#assessment').count()).toBe(0);
    await screenshot(page, path.join(artifacts, 'holdback-assessment.png'));
    const s = await status('xueliang-om-2020');
    expect(s.amounts).toMatchObject({ payableFen: 79_505_500, forfeitedFen: 4_184_500, heldFen: 0 });
  });

  it('records the 财税平台 acceptance: the final payment becomes payable', async () => {
    await page.goto(holdbackPage('fiscal-platform-acceptance'));
    const form = page.locator('#acceptance form');
    await form.getByLabel('验收日期').fill('2021-06-30');
    await form.getByRole('button', { name: '记录' }).click();
    await page.locator('[data-testid="hb-status"][data-status="payable"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#hb-amounts tr[data-amount="payable"] td').textContent()).toBe('459,400.00 元');
    expect(await page.locator('#hb-events tr[data-event="acceptance"]').textContent()).toContain('2021-06-30 验收合格');
    // Paid within the contract's 30 days of acceptance: 2021-07-30.
    expect(await page.locator('[data-testid="hb-due"]').textContent()).toContain('2021年7月30日');
    expect((await status('fiscal-platform-acceptance')).acceptedOn).toBe('2021-06-30');
  });

  it('reports a defect on a retention: the warranty is extended and the due date moves', async () => {
    const code = 'one-city-one-platform-retention';
    await until('the retention fell due', async () => (await status(code)).phase === 'payable', 30_000);
    await page.goto(holdbackPage(code));
    expect(await page.locator('[data-testid="hb-due"]').textContent()).toContain('2021年8月31日');
    const form = page.locator('#defect form');
    await form.getByLabel('发现日期').fill('2021-08-20');
    await form.getByLabel('延长质保期（月）').fill('6');
    await form.getByLabel('缺陷说明').fill('平台统一身份认证模块偶发登录失败，已通知承建单位整改');
    await form.getByRole('button', { name: '记录' }).click();
    await page.locator('#hb-events tr[data-event="defect"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#hb-events tr[data-event="defect"]').textContent()).toContain('质保期延长 6 个月');
    await until('the due date moved', async () => (await page.reload(), ((await page.locator('[data-testid="hb-due"]').textContent()) ?? '').includes('2022年2月28日')), 30_000);
    const s = await status(code);
    expect(s.dueOn).toBe('2022-02-28');
    expect(s.events.map((e) => e.type)).toEqual(['defect']);
  });

  it('records a partial release of a retention', async () => {
    const code = 'one-thing-once-retention';
    await until('the retention fell due', async () => (await status(code)).phase === 'payable', 30_000);
    await page.goto(holdbackPage(code));
    const form = page.locator('#release form');
    const amount = form.getByLabel('支付金额（元）');
    expect(await amount.inputValue()).toBe('109200.00');
    // More than is payable: refused next to the amount.
    await form.getByLabel('支付日期').fill('2021-09-15');
    await amount.fill('120000');
    await form.getByRole('button', { name: '记录支付' }).click();
    await expect.poll(() => amount.getAttribute('aria-invalid')).toBe('true');
    expect(await amount.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('超过尚未支付的暂缓金额');

    await amount.fill('50,000.00');
    await form.getByRole('button', { name: '记录支付' }).click();
    await page.locator('[data-testid="hb-status"][data-status="partially_released"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#hb-amounts tr[data-amount="released"] td').textContent()).toBe('50,000.00 元');
    expect(await page.locator('#hb-amounts tr[data-amount="payable"] td').textContent()).toBe('59,200.00 元');
    expect(await page.locator('#hb-events tr[data-event="release"]').textContent()).toContain(`${code}-release-1`);
    expect(await page.locator('#hb-reminders').textContent()).toContain('已提醒');
    await screenshot(page, path.join(artifacts, 'holdback-release.png'));
    expect((await status(code)).amounts).toMatchObject({ releasedFen: 5_000_000, payableFen: 5_920_000 });
  });

  it('shows a tracking that stopped on the dashboard and the page, and the finance officer restarts it where it stopped', async () => {
    const code = 'one-thing-once-retention';
    const handle = client.workflow.getHandle(holdbackWorkflowId(UNIT, 2020, code));
    await handle.terminate('an operator cleaned up the wrong namespace');
    const recorder = createActivities(testActivityDeps(database.db, { temporal: client }));
    await until('the stop recorded', async () => (await sweepStoppedRuns({ client, db: database.db, recorder })).recorded === 1, 60_000, 500);

    await page.goto(`${base}/units/${UNIT}/years/2020`);
    expect(await page.locator(`#holdbacks [data-holdback="${code}"] [data-testid="hb-stopped-chip"]`).textContent()).toBe('跟踪已停止');
    await page.goto(holdbackPage(code));
    expect(await page.locator('#hb-stopped h2').textContent()).toContain('跟踪已停止');
    expect(await page.locator('[data-testid="hb-stopped-reason"]').textContent()).toContain('an operator cleaned up the wrong namespace');
    expect(await page.locator('#release form').count()).toBe(0);
    await screenshot(page, path.join(artifacts, 'holdback-stopped.png'));
    const form = page.locator('#hb-restart-form');
    await form.getByLabel('重新启动的原因').fill('误终止，恢复跟踪');
    await submitApiForm(page, form.getByRole('button', { name: '重新启动跟踪' }), '/restart');
    await reloadUntil(page, '#release form', 'the release form again', 60_000);
    expect(await page.locator('#hb-stopped').count()).toBe(0);
    // Where it stopped: the partial payment is still there.
    expect(await page.locator('#hb-amounts tr[data-amount="released"] td').textContent()).toBe('50,000.00 元');
    expect((await status(code)).amounts).toMatchObject({ releasedFen: 5_000_000, payableFen: 5_920_000 });
  });

  it('records the 外网平台 milestone: a name other than the contract’s is refused next to it; the named one makes the amount payable', async () => {
    await page.goto(holdbackPage('extranet-upgrade'));
    const form = page.locator('#milestone form');
    const name = form.getByLabel('里程碑', { exact: true });
    expect(await name.inputValue()).toBe('系统升级改造项目完成');
    await name.fill('系统上线');
    await form.getByLabel('达成日期').fill('2021-10-20');
    await form.getByRole('button', { name: '记录' }).click();
    await expect.poll(() => name.getAttribute('aria-invalid')).toBe('true');
    expect(await name.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('本项等待的里程碑是“系统升级改造项目完成”');
    await name.fill('系统升级改造项目完成');
    await form.getByRole('button', { name: '记录' }).click();
    await page.locator('[data-testid="hb-status"][data-status="payable"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#hb-amounts tr[data-amount="payable"] td').textContent()).toBe('985,100.00 元');
    expect(await page.locator('#hb-events tr[data-event="milestone"]').textContent()).toContain('达成里程碑“系统升级改造项目完成”');
  });

  it('ran without a script error or a refused resource in any page', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
