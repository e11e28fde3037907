/**
 * Browser helpers for the end-to-end tests: Debian's chromium driven by playwright-core (headless,
 * no network beyond loopback, a fresh profile), signing in and out through the pages, filling the
 * section form and self-assessment blocks, and polling with a deadline.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page, type Response } from 'playwright-core';
import type { SelfAssessmentEntryInput } from '../../domain/self-assessment';
import type { SectionSubmission } from '../../domain/submission';
import { PASSWORD } from '../helpers/api';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the pages' script and CSP refusals, for a final check. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'selfeval-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    acceptDownloads: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Uncaught/.test(m.text())) pageErrors.push(m.text());
  });
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns something truthy; fails with `what` after the deadline. */
export async function until<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Clicks the submit button of an API form and waits for the API's answer, which must be a success.
 * A reload right after the click (reloadUntil) would otherwise cancel a request the page had not
 * sent yet — on a loaded machine the action is then simply lost and the test waits for nothing.
 */
export async function submitApiForm(page: Page, button: Locator, pathSuffix: string): Promise<Response> {
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.request().method() !== 'GET' && new URL(r.url()).pathname.endsWith(pathSuffix), { timeout: 60_000 }),
    button.click(),
  ]);
  if (!answer.ok()) throw new Error(`${pathSuffix} answered ${answer.status()}: ${await answer.text()}`);
  return answer;
}

/** Reloads the page until the selector is on it. */
export async function reloadUntil(page: Page, selector: string, what: string, timeoutMs = 90_000): Promise<void> {
  await until(
    what,
    async () => {
      await page.reload();
      return (await page.locator(selector).count()) > 0;
    },
    timeoutMs,
    500,
  );
}

export async function signIn(page: Page, base: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/login`);
  await page.getByLabel('邮箱').fill(email);
  await page.getByLabel('密码').fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.getByRole('button', { name: '登录' }).click()]);
}

export async function signOut(page: Page): Promise<void> {
  await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.getByRole('button', { name: '退出' }).click()]);
}

/**
 * A screenshot of the whole page, taken with the window as tall as the page so that sticky
 * elements sit where a person sees them (a full-page capture would paint them mid-page).
 */
export async function screenshot(page: Page, file: string): Promise<void> {
  const viewport = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.evaluate('window.scrollTo(0, 0)');
  const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, Math.min(height, 8000)) });
  try {
    await page.screenshot({ path: file });
  } finally {
    await page.setViewportSize(viewport);
  }
}

const field = (page: Page, path: string) => page.locator(`[data-path="${path}"]`);

/** Fills the self-assessment blocks of a form (the finance officer's page, or a section's task). */
export async function fillAssessment(page: Page, entries: readonly SelfAssessmentEntryInput[]): Promise<void> {
  for (const e of entries) {
    const block = page.locator(`[data-assess][data-indicator="${e.indicator}"]`);
    await block.locator('[data-field="notApplicable"]').setChecked(e.notApplicable === true);
    if (e.tier !== undefined) await block.locator(`[data-field="tier"][value="${e.tier}"]`).check();
    if (e.points !== undefined) await block.locator('[data-field="points"]').fill(String(e.points));
    if (e.survey) {
      await block.locator('[data-field="survey.sample"]').fill(String(e.survey.sample));
      await block.locator('[data-field="survey.satisfied"]').fill(String(e.survey.satisfied));
      await block.locator('[data-field="survey.method"]').fill(e.survey.method ?? '');
    }
    await block.locator('[data-field="reason"]').fill(e.reason ?? '');
  }
}

/** Fills the section form with a submission, adding rows as needed. */
export async function fillSection(page: Page, s: SectionSubmission): Promise<void> {
  const ensureRows = async (list: string, n: number) => {
    const rows = page.locator(`[data-list="${list}"] > .rows > [data-row]`);
    while ((await rows.count()) < n) await page.locator(`[data-list="${list}"] [data-add]`).click();
  };
  await ensureRows('achievements', s.achievements.length);
  for (const [i, a] of s.achievements.entries()) {
    await field(page, `achievements[${i}].title`).fill(a.title);
    await field(page, `achievements[${i}].paragraphs`).fill(a.paragraphs.join('\n'));
  }
  await ensureRows('outputIndicators', s.outputIndicators.length);
  for (const [i, x] of s.outputIndicators.entries()) {
    await field(page, `outputIndicators[${i}].name`).fill(x.name);
    await field(page, `outputIndicators[${i}].unit`).fill(x.unit);
    await field(page, `outputIndicators[${i}].direction`).selectOption(x.direction);
    await field(page, `outputIndicators[${i}].target`).fill(x.target);
    await field(page, `outputIndicators[${i}].actual`).fill(x.actual);
    await field(page, `outputIndicators[${i}].category`).selectOption(x.category);
    await field(page, `outputIndicators[${i}].key`).setChecked(x.key);
    await field(page, `outputIndicators[${i}].note`).fill(x.note ?? '');
  }
  for (const list of ['problems', 'nextSteps'] as const) {
    await ensureRows(list, s[list].length);
    for (const [i, p] of s[list].entries()) {
      await field(page, `${list}[${i}].title`).fill(p.title);
      await field(page, `${list}[${i}].detail`).fill(p.detail ?? '');
    }
  }
  await fillAssessment(page, s.selfAssessments);
}
