/**
 * Scoring rule sets in the browser, on Postgres, the shared Temporal dev server (a namespace of its
 * own; nothing here starts a workflow) and the HTTP server on a random port:
 *
 *   the administrator chooses a rule-set file with two mistakes — an unknown rule kind
 *   (`judgement`) and 预算完成率 at 6 points, so the points add up to 101 — and sees the first
 *   problem right under its line in the line-numbered view (a file's shape is checked before its
 *   sums); clicks that line's number, which selects the line in the text box, and types the fix;
 *   adds the file and is refused with the sum under the `indicators:` line; fixes the points the
 *   same way, checks, adds it, and sees version 1 of the new id, whose page shows the rules in words.
 *
 *   The finance officer previews the seed unit-year under it on the dashboard. The file differs
 *   from the built-in Hunan set in two rules only, so the change is worked out by hand from the
 *   seed's values (it scores 86.00, 良, under hunan-department-2020):
 *     预算完成率 83.99%: 16.01% short of 100%, three whole 5% steps. Hunan deducts 2 a step: 6,
 *       more than its 5 points → 0.00. The new file deducts 1 a step: 3 → 2.00 (+2.00).
 *     预算控制率 19.86%: in the band above 10% up to 20%, worth 3 points in Hunan, 5 in the new
 *       file (+2.00).
 *   86.00 + 2.00 + 2.00 = 90.00: 优 (≥ 90) instead of 良. The finance officer adopts it before the
 *   evaluation starts, and the dashboard scores 90.00 under it.
 *
 *   The unit head may preview (a pasted candidate with an unknown computed indicator shows the
 *   problem under its line) but adopts nothing, has no 评分规则 link, no add button, and is refused
 *   the add page and the API.
 *
 *   Re-scoring: with the evaluation recorded as reviewing under the new set (a row the test writes;
 *   the workflow's own re-scoring is tested in tests/integration/rule-sets-api), the finance
 *   officer's preview of hunan-department-2020 offers 按此版本重新评分, which wants a reason (refused
 *   next to the field without one) and then scores 86.00 again under version 1.
 *
 * Screenshots go to tests/artifacts/.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { seedUnitYear } from '../fixtures/seed';
import { addUser } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections } from '../helpers/temporal';
import { type Browser, launchBrowser, screenshot, signIn, signOut } from './browser';

const artifacts = path.resolve(__dirname, '../artifacts');
const UNIT = 'yiyang-smart-city';
const ADMIN = 'admin@e2e-rules.test';
const FINANCE = 'finance@e2e-rules.test';
const HEAD = 'head@e2e-rules.test';
const NEW_ID = 'e2e-hunan-2021';
const NEW_NAME = '湖南省部门整体支出绩效评价指标（2021 年修订）';

/** Replaces the one occurrence of `from` (a test that edits the wrong place would prove nothing). */
function swap(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`expected exactly one ${JSON.stringify(from)}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}
const lineWhere = (text: string, pred: (line: string, i: number, all: string[]) => boolean) => {
  const n = text.split('\n').findIndex((l, i, all) => pred(l, i, all)) + 1;
  if (n === 0) throw new Error('no such line');
  return n;
};

const hunan = fs.readFileSync(path.resolve(__dirname, '../../rule-sets/hunan-department-2020.yaml'), 'utf8');
/** The file as it should be: Hunan with 预算完成率 at 1 point a 5% step and 预算控制率 10–20% worth 5. */
const good = [
  (t: string) => swap(t, 'id: hunan-department-2020\nversion: 1\n', `id: ${NEW_ID}\n`),
  (t: string) => swap(t, 'name: 湖南省部门整体支出绩效评价指标（岳阳、长沙雨花区口径）', `name: ${NEW_NAME}`),
  (t: string) => swap(t, 'indicator: budget_completion_rate, target: 100%, step: 5%, deduct: 2,', 'indicator: budget_completion_rate, target: 100%, step: 5%, deduct: 1,'),
  (t: string) => swap(t, '        - { above: 10%, atMost: 20%, points: 3 }', '        - { above: 10%, atMost: 20%, points: 5 }'),
].reduce((t, f) => f(t), hunan);
const KIND_LINE_GOOD = '    rule: { kind: tiers }';
const KIND_LINE_BAD = '    rule: { kind: judgement }';
/** The file the administrator chooses: an unknown rule kind (绩效目标合理性) and 预算完成率 at 6 points. */
const broken = [
  (t: string) => swap(t, `${KIND_LINE_GOOD}\n    source: S2\n  - id: indicator_clarity`, `${KIND_LINE_BAD}\n    source: S2\n  - id: indicator_clarity`),
  (t: string) => swap(t, 'level3: 预算完成率\n    points: 5', 'level3: 预算完成率\n    points: 6'),
].reduce((t, f) => f(t), good);
const kindLine = lineWhere(broken, (l) => l === KIND_LINE_BAD);
const pointsLine = lineWhere(broken, (l, i, all) => l === '    points: 6' && all[i - 1] === '    level3: 预算完成率');
const indicatorsLine = lineWhere(broken, (l) => l === 'indicators:');

describe('scoring rule sets in the browser', () => {
  let database: TestDatabase;
  let client: Client;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  const dashboard = () => `${base}/units/${UNIT}/years/2020`;

  beforeAll(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    database = await createTestDatabase('e2e_rule_sets');
    await importUnitYear(database.db, seedUnitYear(), { actor: 'test' });
    await addUser(database.db, ADMIN, UNIT, 'admin');
    await addUser(database.db, FINANCE, UNIT, 'finance_officer');
    await addUser(database.db, HEAD, UNIT, 'unit_head');
    ({ client } = await devServerConnections('browser-rule-sets'));
    app = await buildServer({ db: database.db, temporal: client, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await client?.connection.close();
    await database?.drop();
  });

  /** The line-numbered view: the problem row right after line n (the line it names). */
  const problemUnder = (n: number) => page.locator(`#rule-set-form [data-source-view] .src-line[data-line="${n}"] + .src-problem`);
  const selectedText = () =>
    page.locator('#rs-content').evaluate((el) => {
      const box = el as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return box.value.slice(box.selectionStart, box.selectionEnd);
    });

  it('the administrator sees each problem of a file under its line, fixes it in the text box and adds it as version 1', async () => {
    expect(broken).not.toBe(good);
    await signIn(page, base, ADMIN);
    await page.getByRole('navigation').getByRole('link', { name: '评分规则' }).click();
    await page.waitForURL((u) => u.pathname === '/rule-sets');
    expect(await page.locator('#rule-sets tr[data-rule-set="hunan-department-2020@1"]').textContent()).toContain('内置');
    expect(await page.locator(`#rule-sets tr[data-rule-set^="${NEW_ID}@"]`).count()).toBe(0);
    await page.locator('#add-rule-set').click();
    await page.waitForURL((u) => u.pathname === '/rule-sets/new');

    // Choosing the file reads it into the box and checks it: the unknown kind, under its line.
    await page.locator('#rs-file').setInputFiles({ name: 'hunan-2021.yaml', mimeType: 'text/yaml', buffer: Buffer.from(broken, 'utf8') });
    await expect.poll(() => problemUnder(kindLine).count()).toBe(1);
    expect(await page.locator('#rs-content').inputValue()).toBe(broken);
    expect(await problemUnder(kindLine).textContent()).toContain('未知的计分方式');
    expect(await problemUnder(kindLine).textContent()).toContain('indicators[0].rule.kind');
    expect(await page.locator(`#rule-set-form .src-line[data-line="${kindLine}"]`).textContent()).toContain('kind: judgement');
    // Only that problem (the sums are checked once the shape is right), listed at the top with its line.
    expect(await page.locator('#rule-set-form .src-problem').count()).toBe(1);
    expect(await page.locator('#rule-set-form .form-errors').textContent()).toContain(`第 ${kindLine} 行：未知的计分方式`);
    await screenshot(page, path.join(artifacts, 'rule-set-problem.png'));

    // The line's number selects the line in the box; typing replaces it. The view says it is out of date.
    await page.locator(`#rule-set-form .src-line[data-line="${kindLine}"] .ln`).click();
    expect(await selectedText()).toBe(KIND_LINE_BAD);
    await page.keyboard.type(KIND_LINE_GOOD);
    expect(await page.locator('#rule-set-form [data-source-view]').getAttribute('class')).toContain('is-stale');

    // 添加 refuses the file now that its points are summed: 101 against 100, under `indicators:`.
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => problemUnder(indicatorsLine).count()).toBe(1);
    expect(await problemUnder(indicatorsLine).textContent()).toContain('各指标分值合计 101.00 分，与规定的总分 100.00 分不符');
    expect(await page.locator('#rule-set-form .src-problem').count()).toBe(1);
    expect(await page.locator('#rule-set-form [data-source-view]').getAttribute('class')).not.toContain('is-stale');

    await page.locator(`#rule-set-form .src-line[data-line="${pointsLine}"] .ln`).click();
    expect(await selectedText()).toBe('    points: 6');
    await page.keyboard.type('    points: 5');
    expect(await page.locator('#rs-content').inputValue()).toBe(good);

    await page.getByRole('button', { name: '检查', exact: true }).click();
    const result = page.locator('[data-testid="rule-set-result"]');
    await expect.poll(() => result.textContent()).toBe(`检查通过：${NEW_NAME}（${NEW_ID}），总分 100.00 分。`);
    expect(await page.locator('#rule-set-form [data-source-view]').isHidden()).toBe(true);
    expect(await page.locator('#rule-set-form .form-errors').isHidden()).toBe(true);

    await page.getByRole('button', { name: '添加', exact: true }).click();
    await expect.poll(() => result.textContent()).toBe(`已添加：${NEW_ID} 第1版（${NEW_NAME}）`);
    await Promise.all([page.waitForURL((u) => u.pathname === `/rule-sets/${NEW_ID}/1`), page.getByRole('link', { name: '查看此版本' }).click()]);

    // The version: its rules in words, grouped by 一级/二级, and the file as added.
    expect(await page.getByTestId('rule-set-version').textContent()).toBe(`${NEW_ID} 第1版`);
    const completion = page.locator('#rule-set-indicators tr[data-indicator="budget_completion_rate"]');
    expect(await completion.locator('[data-weight]').textContent()).toBe('5.00');
    expect(await completion.locator('[data-criteria]').textContent()).toContain('每低 5 个百分点扣 1 分');
    expect(await page.locator('#rule-set-indicators tr[data-indicator="budget_control_rate"] [data-criteria]').textContent()).toContain('高于 10% 且不高于 20% 得 5 分');
    expect(await page.locator('#rule-set-indicators tbody[data-level1="过程"] tr.level1-row').textContent()).toContain('过程');
    expect(await page.locator(`[data-testid="source"] .src-line[data-line="${kindLine}"]`).textContent()).toContain(KIND_LINE_GOOD.trim());
    await screenshot(page, path.join(artifacts, 'rule-set-version.png'));
    // An added file is the start of the next version.
    await Promise.all([page.waitForURL((u) => u.pathname === '/rule-sets/new'), page.getByRole('link', { name: '以此文件为底稿添加新版本' }).click()]);
    expect(await page.locator('#rs-content').inputValue()).toBe(good);

    await page.goto(`${base}/rule-sets`);
    const row = page.locator(`#rule-sets tr[data-rule-set="${NEW_ID}@1"]`);
    expect(await row.textContent()).toContain(ADMIN);
    expect(await row.textContent()).toContain(NEW_NAME);
    // The same in English (the data stays as written).
    await page.goto(`${base}/rule-sets?lang=en`);
    expect(await page.locator('h1').textContent()).toBe('Scoring rule sets');
    expect(await row.textContent()).toContain(`added by ${ADMIN}`);
    await page.goto(`${base}/rule-sets/${NEW_ID}/1`);
    expect(await page.locator('#rule-set-indicators thead').textContent()).toContain('How it is scored');
    await page.goto(`${base}/rule-sets?lang=zh`);
    await signOut(page);
  });

  it('the finance officer previews the seed under it (86.00 → 90.00, 良 → 优, two indicators +2.00 each) and adopts it', async () => {
    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    const card = page.locator('#rule-set-card');
    expect(await card.getByTestId('rule-set-id-version').textContent()).toBe('hunan-department-2020 第1版');
    expect(await card.getByTestId('outline-in-use').textContent()).toContain('益阳市智慧城市和大数据中心2020年度报告提纲');
    expect(await card.getByTestId('outline-in-use').textContent()).toContain('yiyang-2020');

    await card.locator('#rsp-pick').selectOption(`${NEW_ID}@1`);
    await card.locator('#rule-set-preview-form').getByRole('button', { name: '预览' }).click();
    const compare = card.locator(`[data-testid="rule-set-compare"][data-candidate="${NEW_ID}@1"]`);
    await compare.waitFor();
    expect(await compare.locator('[data-side="current"] [data-total]').textContent()).toBe('86.00');
    expect(await compare.locator('[data-side="current"] [data-grade]').textContent()).toBe('等级：良');
    expect(await compare.locator('[data-side="candidate"] [data-total]').textContent()).toBe('90.00');
    expect(await compare.locator('[data-side="candidate"] [data-grade]').textContent()).toBe('等级：优');
    expect(await compare.locator('[data-side="candidate"] [data-delta]').getAttribute('data-delta')).toBe('+4.00');
    const changes = card.locator('#rule-set-changes tbody tr');
    expect(await changes.evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-indicator'), ...[...r.querySelectorAll('td.num')].map((c) => c.textContent)]))).toEqual([
      ['budget_completion_rate', '0.00 / 5.00', '2.00 / 5.00', '+2.00'],
      ['budget_control_rate', '3.00 / 5.00', '5.00 / 5.00', '+2.00'],
    ]);
    expect(await card.locator('.rule-set-preview').textContent()).toContain('其余 21 项指标不变');
    await screenshot(page, path.join(artifacts, 'rule-set-preview.png'));

    // Nothing changed by previewing; adopting makes it the year's rule set.
    await page.reload();
    expect(await card.getByTestId('rule-set-id-version').textContent()).toBe('hunan-department-2020 第1版');
    await card.locator('#rsp-pick').selectOption(`${NEW_ID}@1`);
    await card.locator('#rule-set-preview-form').getByRole('button', { name: '预览' }).click();
    await Promise.all([page.waitForEvent('load'), card.locator('#adopt-rule-set-form').getByRole('button').click()]);
    await expect.poll(() => card.getByTestId('rule-set-id-version').textContent()).toBe(`${NEW_ID} 第1版`);
    expect(await page.locator('#score .score-total strong').textContent()).toBe('90.00');
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'unit_year.rule_set').execute();
    expect(audit).toEqual([{ actor: FINANCE, details: { ruleSet: NEW_ID } }]);
    await signOut(page);
  });

  it('the unit head previews, pastes a candidate with a problem shown under its line, but adopts and adds nothing', async () => {
    await signIn(page, base, HEAD);
    expect(await page.getByRole('navigation').getByRole('link', { name: '评分规则' }).count()).toBe(0);
    await page.goto(dashboard());
    const card = page.locator('#rule-set-card');
    expect(await card.getByTestId('rule-set-id-version').textContent()).toBe(`${NEW_ID} 第1版`);

    // A pasted candidate naming a computed indicator that does not exist: the problem under its line.
    const candidate = swap(good, 'rule: { kind: cap_deduct, indicator: staff_control_rate,', 'rule: { kind: cap_deduct, indicator: staff_rate,');
    const badLine = lineWhere(candidate, (l) => l.includes('indicator: staff_rate,'));
    await card.locator('#rule-set-candidate summary').click();
    await card.locator('#rsc-content').fill(candidate);
    await card.locator('#rule-set-candidate-form').getByRole('button', { name: '预览' }).click();
    const under = card.locator(`#rule-set-candidate-form .src-line[data-line="${badLine}"] + .src-problem`);
    await expect.poll(() => under.count()).toBe(1);
    expect(await under.textContent()).toContain('indicators[2].rule.indicator');
    expect(await card.locator('#rule-set-preview').isHidden()).toBe(true);

    // A stored one previews, but only the finance officer adopts.
    await card.locator('#rsp-pick').selectOption('hunan-department-2020@1');
    await card.locator('#rule-set-preview-form').getByRole('button', { name: '预览' }).click();
    const compare = card.locator('[data-testid="rule-set-compare"][data-candidate="hunan-department-2020@1"]');
    await compare.waitFor();
    expect(await compare.locator('[data-side="candidate"] [data-delta]').getAttribute('data-delta')).toBe('−4.00');
    expect(await card.getByTestId('rule-set-action-note').textContent()).toBe('采用或重新评分由财务人员操作。');
    expect(await card.locator('#adopt-rule-set-form').count()).toBe(0);

    // The list is readable, but there is no way to add one: no button, the page and the API refuse.
    await page.goto(`${base}/rule-sets`);
    expect(await page.locator(`#rule-sets tr[data-rule-set="${NEW_ID}@1"]`).count()).toBe(1);
    expect(await page.locator('#add-rule-set').count()).toBe(0);
    const refused = await page.goto(`${base}/rule-sets/new`);
    expect(refused?.status()).toBe(403);
    expect(await page.locator('.notice-danger').textContent()).toContain('无权查看此页面');
    await page.goto(`${base}/rule-sets`);
    // The page's own session and CSRF token: only the role is missing.
    const content = JSON.stringify(swap(good, `id: ${NEW_ID}\n`, 'id: e2e-by-the-head\n'));
    const api = await page.evaluate(`fetch('/api/rule-sets', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': document.querySelector('meta[name="csrf-token"]').content }, body: JSON.stringify({ content: ${content} }) }).then((r) => r.status)`);
    expect(api).toBe(403);
    expect(await database.db.selectFrom('rule_sets').select('id').execute()).toEqual([{ id: NEW_ID }]);
    await signOut(page);
  });

  it('while the evaluation is reviewing, the finance officer re-scores under another version with a reason', async () => {
    const uy = await database.db.selectFrom('unit_years').select('id').executeTakeFirstOrThrow();
    await database.db
      .insertInto('evaluations')
      .values({ unit_year_id: uy.id, workflow_id: `evaluation/${UNIT}/2020`, stage: 'reviewing', started_by: FINANCE, due_at: new Date(), snapshot_sha256: 'x', rule_set_id: NEW_ID, rule_set_version: 1 })
      .execute();
    await signIn(page, base, FINANCE);
    await page.goto(dashboard());
    const card = page.locator('#rule-set-card');
    expect(await card.textContent()).toContain('评价开始时锁定此版本');
    await card.locator('#rsp-pick').selectOption('hunan-department-2020@1');
    await card.locator('#rule-set-preview-form').getByRole('button', { name: '预览' }).click();
    const form = card.locator('#rescore-form');
    await form.waitFor();
    expect(await card.locator('#adopt-rule-set-form').count()).toBe(0);
    await form.getByRole('button', { name: '按此版本重新评分' }).click();
    const reason = form.locator('#rescore-reason');
    await expect.poll(() => reason.getAttribute('aria-invalid')).toBe('true');
    await reason.fill('财政局通知2020年度仍按原版本评分');
    await Promise.all([page.waitForEvent('load'), form.getByRole('button', { name: '按此版本重新评分' }).click()]);
    await expect.poll(() => card.getByTestId('rule-set-id-version').textContent()).toBe('hunan-department-2020 第1版');
    expect(await page.locator('#score .score-total strong').textContent()).toBe('86.00');
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'details']).where('action', '=', 'evaluation.rule_set').execute();
    expect(audit).toEqual([{ actor: FINANCE, details: { from: `${NEW_ID}@1`, to: 'hunan-department-2020@1', reason: '财政局通知2020年度仍按原版本评分' } }]);
    expect(browser.pageErrors).toEqual([]);
  });
});
