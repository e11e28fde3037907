/**
 * Administration in the browser, on Postgres, the shared Temporal dev server (its own namespace;
 * nothing here starts a workflow) and the HTTP server on a random port, with a local 钉钉 robot
 * (an HTTP receiver this test starts):
 *
 *   the administrator adds a section head for 综合科 (a new account: the page shows the one-time
 *   link, which the new head opens to set a password, then signs in to their tasks); adds a 钉钉
 *   channel — first with a webhook the receiver refuses (the error next to the field, nothing
 *   saved), then accepted, the signed test message received; finds a robot message the relay gave
 *   up on (with the robot's answer) and sends it again; revokes the finance officer's role
 *   while the finance officer is signed in in another browser (their next page is refused); and
 *   finds each change in the audit viewer by what and by who. The new section head changes their
 *   password: signed out, the old one is refused and the new one works.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifier } from '../../activities/notifications/notifier';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { seedUnitYear } from '../fixtures/seed';
import { addUser } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections } from '../helpers/temporal';
import { type Browser, launchBrowser, screenshot, signIn, signOut } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const UNIT = 'yiyang-smart-city';
const ADMIN = 'admin@e2e-admin.test';
const FINANCE = 'finance@e2e-admin.test';
const NEW_HEAD = 'zhang.kezhang@e2e-admin.test';
const SECRET = 'SECe2e0123456789';

describe('administration in the browser', () => {
  let database: TestDatabase;
  let client: Client;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let financeBrowser: Browser;
  const received: Array<{ url: string; body: any }> = [];
  let refuse = false;
  const robot = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(data || '{}') });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(refuse ? { errcode: 300001, errmsg: 'token is not exist' } : { errcode: 0, errmsg: 'ok' }));
    });
  });
  let robotBase: string;
  let setPasswordLink: string;

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    database = await createTestDatabase('e2e_admin');
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    await addUser(database.db, ADMIN, UNIT, 'admin');
    await addUser(database.db, FINANCE, UNIT, 'finance_officer');
    ({ client } = await devServerConnections('browser-admin'));
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
    robotBase = `http://127.0.0.1:${(robot.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = browser.page;
    // Revoking asks for confirmation.
    page.on('dialog', (d) => void d.accept());
  });

  afterAll(async () => {
    await browser?.close();
    await financeBrowser?.close();
    await new Promise<void>((r) => robot.close(() => r()));
    await app?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('the administrator adds a section head; the page shows the one-time link, which sets the new head’s password', async () => {
    await signIn(page, base, ADMIN);
    await page.getByRole('link', { name: '系统管理' }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    await page.locator(`#admin-units tr[data-unit="${UNIT}"] a`).click();
    await page.waitForURL((u) => u.pathname === `/admin/units/${UNIT}`);

    const form = page.locator('#grant-form');
    // A section head without a section: refused next to the section.
    await form.getByLabel('邮箱').fill(NEW_HEAD);
    await form.getByLabel('姓名').fill('张科长');
    await form.getByLabel('角色').selectOption({ label: '科室负责人' });
    await form.getByRole('button', { name: '授予' }).click();
    const section = form.locator('#g-section');
    await expect.poll(() => section.getAttribute('aria-invalid')).toBe('true');
    expect(await section.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('科室负责人须选择科室');

    await section.selectOption({ label: '综合科' });
    await form.getByRole('button', { name: '授予' }).click();
    const link = form.locator('[data-result-value]');
    await expect.poll(() => link.inputValue()).toMatch(new RegExp(`^${base}/password-reset/[A-Za-z0-9_-]{40,}$`));
    setPasswordLink = await link.inputValue();
    expect(await form.locator('.form-result').textContent()).toContain('只能使用一次');
    await screenshot(page, path.join(artifacts, 'admin-grant.png'));
    await page.reload();
    const row = page.locator(`#people tr[data-person="${NEW_HEAD}"]`);
    expect(await row.locator('[data-role="section_head"]').textContent()).toContain('综合科');
    expect(await row.textContent()).toContain('尚未设置密码');
    await signOut(page);

    // The new head opens the link, sets a password (typed twice), and signs in to their tasks.
    await page.goto(setPasswordLink);
    expect(await page.locator('.login-card p.muted').first().textContent()).toContain(NEW_HEAD);
    await page.locator('#reset-new').fill('kezhang-2026-a');
    await page.getByLabel('再次输入新密码').fill('kezhang-2026-b');
    await page.getByRole('button', { name: '设置密码' }).click();
    await expect.poll(() => page.locator('.field-error').textContent()).toContain('两次输入的新密码不一致');
    await page.getByLabel('再次输入新密码').fill('kezhang-2026-a');
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.getByRole('button', { name: '设置密码' }).click()]);
    expect(await page.locator('[data-testid="login-notice"]').textContent()).toContain('密码已设置');
    await signIn(page, base, NEW_HEAD, 'kezhang-2026-a');
    expect(new URL(page.url()).pathname).toBe('/tasks');
    // The link worked once.
    await page.goto(setPasswordLink);
    expect(await page.locator('[data-testid="reset-invalid"]').count()).toBe(1);
    await page.goto(`${base}/tasks`);
    await signOut(page);
  });

  it('adds a 钉钉 channel: a webhook the robot refuses is not saved; an accepted one is, after a signed test message', async () => {
    await signIn(page, base, ADMIN);
    await page.goto(`${base}/admin/units/${UNIT}`);
    const form = page.locator('#channel-form');
    await form.getByLabel('类型').selectOption('dingtalk');
    await form.getByLabel('名称（可选）').fill('财务通知群');
    await form.getByLabel('Webhook 地址').fill(`${robotBase}/robot/send?access_token=e2e-token-123456`);
    await form.getByLabel('加签密钥').fill(SECRET);
    refuse = true;
    await form.getByRole('button', { name: '发送测试消息并添加' }).click();
    const url = form.getByLabel('Webhook 地址');
    await expect.poll(() => url.getAttribute('aria-invalid')).toBe('true');
    expect(await url.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('token is not exist');
    expect(await page.locator('#channels tr[data-channel]').count()).toBe(0);

    refuse = false;
    const before = received.length;
    await form.getByRole('button', { name: '发送测试消息并添加' }).click();
    await page.locator('#channels tr[data-channel][data-kind="dingtalk"]').waitFor({ timeout: 15_000 });
    const channel = page.locator('#channels tr[data-channel]');
    expect(await channel.textContent()).toContain('财务通知群');
    expect(await channel.textContent()).toContain('成功');
    expect(await channel.textContent()).not.toContain('e2e-token-123456');
    const message = received[before]!;
    expect(message.body.markdown.text).toContain('财务通知群');
    const q = new URL(message.url, 'http://x').searchParams;
    expect(q.get('sign')).toBe(createHmac('sha256', SECRET).update(`${q.get('timestamp')}\n${SECRET}`).digest('base64'));
    await screenshot(page, path.join(artifacts, 'admin-channels.png'));
  });

  it('shows a robot message that never got through, with why; the administrator sends it again and it arrives once', async () => {
    // Reminders posted while the robot refused, for the whole 72-hour window: the relay gave up.
    const notifier = createNotifier({ db: database.db, mailFrom: 'selfeval <e2e@example.invalid>', publicUrl: base });
    refuse = true;
    const request = { dedupeKey: 'e2e-undelivered', unitCode: UNIT, kind: 'task_reminder', audience: { roles: ['finance_officer' as const] }, subject: '综合科自评材料将于3个工作日后到期', body: '请按期提交。', link: `/units/${UNIT}/years/2020` };
    expect((await notifier.notify(request)).failed).toBe(1);
    await database.db.updateTable('notifications').set({ give_up_at: new Date(Date.now() - 1_000) }).where('dedupe_key', 'like', 'e2e-undelivered|dingtalk|%').execute();
    expect((await notifier.deliverDue()).gaveUp).toBe(1);

    await page.goto(`${base}/admin/units/${UNIT}`);
    const row = page.locator('#undelivered tr[data-notification]');
    expect(await row.count()).toBe(1);
    expect(await row.getAttribute('data-status')).toBe('failed');
    expect(await row.textContent()).toContain('综合科自评材料将于3个工作日后到期');
    expect(await row.textContent()).toContain('已停止');
    expect(await row.locator('[data-testid="delivery-error"]').textContent()).toContain('token is not exist');
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, path.join(artifacts, 'admin-undelivered.png'));

    refuse = false;
    await Promise.all([page.waitForEvent('load'), row.getByRole('button', { name: '重新发送' }).click()]);
    await expect.poll(() => page.locator('#undelivered tr[data-notification]').getAttribute('data-status')).toBe('pending');
    const before = received.length;
    expect((await notifier.deliverDue()).sent).toBe(1);
    expect(received.slice(before).map((r) => r.body.markdown.title)).toEqual(['综合科自评材料将于3个工作日后到期']);
    expect((await notifier.deliverDue()).sent).toBe(0);
    await page.reload();
    expect(await page.locator('[data-testid="all-delivered"]').count()).toBe(1);
    await page.goto(`${base}/admin/units/${UNIT}/audit?what=notification`);
    expect(await page.locator('#audit tbody tr').count()).toBe(1);
    expect(await page.locator('#audit tbody tr').textContent()).toContain('notification.resend');
  });

  it('revokes the finance officer’s role: their next page is refused', async () => {
    financeBrowser = await launchBrowser();
    const finance = financeBrowser.page;
    await signIn(finance, base, FINANCE);
    expect((await finance.goto(`${base}/units/${UNIT}/years/2020`))?.status()).toBe(200);

    await page.goto(`${base}/admin/units/${UNIT}`);
    const role = page.locator(`#people tr[data-person="${FINANCE}"] [data-role="finance_officer"]`);
    await Promise.all([page.waitForEvent('load'), role.getByRole('button', { name: '撤销' }).click()]);
    await expect.poll(() => page.locator(`#people tr[data-person="${FINANCE}"]`).count()).toBe(0);

    const refused = await finance.goto(`${base}/units/${UNIT}/years/2020`);
    expect(refused?.status()).toBe(404);
    expect((await finance.request.get(`${base}/api/units/${UNIT}/years/2020/analysis`)).status()).toBe(404);
  });

  it('finds the grant, the channel and the revocation in the audit viewer, by what and by who', async () => {
    await page.goto(`${base}/admin/units/${UNIT}`);
    await page.getByRole('link', { name: '审计日志' }).click();
    await page.waitForURL((u) => u.pathname === `/admin/units/${UNIT}/audit`);
    const rows = page.locator('#audit tbody tr');

    await page.locator('#af-what').selectOption('role.*');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('what') === 'role'), page.getByRole('button', { name: '筛选' }).click()]);
    const roleRows = await rows.allTextContents();
    expect(roleRows.some((r) => r.includes('role.grant') && r.includes(NEW_HEAD) && r.includes('section_head') && r.includes('general'))).toBe(true);
    expect(roleRows.some((r) => r.includes('role.revoke') && r.includes(FINANCE) && r.includes('finance_officer'))).toBe(true);
    expect(roleRows.every((r) => r.includes('role.'))).toBe(true);

    await page.locator('#af-what').selectOption('channel.add');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL((u) => u.searchParams.get('what') === 'channel.add');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('财务通知群');
    expect(await rows.first().textContent()).toContain(ADMIN);

    await page.locator('#af-what').selectOption('');
    await page.getByLabel('操作人').fill('zhang.kezhang');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL((u) => u.searchParams.get('who') === 'zhang.kezhang');
    const mine = (await rows.locator('td:nth-child(3)').allTextContents()).sort();
    expect(mine).toEqual(expect.arrayContaining(['account.create', 'account.password_reset', 'account.sign_in', 'role.grant']));
    // Today, and a day with nothing.
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await page.goto(`${base}/admin/units/${UNIT}/audit?from=${today}&to=${today}&what=channel`);
    expect(await rows.count()).toBe(1);
    await page.goto(`${base}/admin/units/${UNIT}/audit?to=2021-01-01`);
    expect(await page.locator('[data-testid="audit-empty"]').count()).toBe(1);
    await page.goto(`${base}/admin/units/${UNIT}/audit`);
    await screenshot(page, path.join(artifacts, 'admin-audit.png'));
    await signOut(page);
  });

  it('the new section head changes their password: the old one stops working, the new one works', async () => {
    await signIn(page, base, NEW_HEAD, 'kezhang-2026-a');
    await page.locator('.user a[href="/account"]').click();
    await page.waitForURL((u) => u.pathname === '/account');
    const form = page.locator('#password-form');
    await form.getByLabel('当前密码').fill('wrong-password-1');
    await form.locator('#pw-new').fill('kezhang-2027-b');
    await form.getByLabel('再次输入新密码').fill('kezhang-2027-b');
    await form.getByRole('button', { name: '修改密码' }).click();
    const current = form.getByLabel('当前密码');
    await expect.poll(() => current.getAttribute('aria-invalid')).toBe('true');
    expect(await current.locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error').textContent()).toContain('当前密码不正确');
    await current.fill('kezhang-2026-a');
    await Promise.all([page.waitForURL((u) => u.searchParams.get('changed') === '1'), form.getByRole('button', { name: '修改密码' }).click()]);
    expect(await page.locator('[data-testid="password-changed"]').count()).toBe(1);
    await screenshot(page, path.join(artifacts, 'account.png'));
    await signOut(page);

    await page.getByLabel('邮箱').fill(NEW_HEAD);
    await page.getByLabel('密码').fill('kezhang-2026-a');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.locator('.form-errors').textContent()).toContain('邮箱或密码不正确');
    await signIn(page, base, NEW_HEAD, 'kezhang-2027-b');
    expect(new URL(page.url()).pathname).toBe('/tasks');
  });

  it('ran without a script error or a refused resource in any page', () => {
    expect(browser.pageErrors).toEqual([]);
    expect(financeBrowser.pageErrors).toEqual([]);
  });
});
