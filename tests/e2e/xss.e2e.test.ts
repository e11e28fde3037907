/**
 * Text one person enters and another sees is escaped on every page. Every free-text field a
 * unit-year can carry — the unit's, sections', projects', contracts' and people's names, notes and
 * sources, submission texts, output indicators, drafts, return and withdrawal reasons, evidence
 * file names, self-assessment reasons, notification texts, audit entries, report authors, and a
 * URL's own parameters — holds a payload that runs `__xss(<id>)` if it is ever parsed as markup:
 * `<script>…</script>`, `"><img src=x onerror=…>` and `'><svg onload=…>`.
 *
 * Chromium renders each page twice: once with the Content-Security-Policy bypassed, so that only
 * escaping stands between a payload and running (no call may arrive, no injected element may
 * exist); once with it, where no policy violation may be reported (the pages work under it, and
 * nothing inline tries to run). Each payload's id must appear as text somewhere, so a field that
 * is not shown at all does not pass for an escaped one.
 */
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildServer } from '../../client/http/server';
import { importUnitYear } from '../../db/ledger.repository';
import { storeReport } from '../../db/reports.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import { addUser, as, type Persona, signIn } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { seedDocument } from '../fixtures/seed';
import { CHROMIUM } from './browser';

const UNIT = 'yiyang-smart-city';

const long = (id: string) => `<script>__xss('${id}')</script>"><img src=x onerror="__xss('${id}')">'><svg onload=__xss('${id}')>`;
const short = (id: string) => `"><img src=x onerror=__xss('${id}')>`;

/** What each payload id stands for. */
const fields = new Map<string, string>();
let next = 0;
const mark = (what: string, make: (id: string) => string = long): string => {
  const id = `X${++next}`;
  fields.set(id, what);
  return make(id);
};

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/**
 * The seed unit-year with a payload in every string the schema lets be free text: every string
 * gets the long payload; where the schema refuses it, the short one; where it refuses that too (a
 * code, an email, a date, an amount), the original value again.
 */
function markedUnitYear(): Record<string, Json> {
  const original = seedDocument() as Record<string, Json>;
  const leaves: Array<{ path: Array<string | number>; value: string }> = [];
  const walk = (v: Json, path: Array<string | number>) => {
    if (typeof v === 'string') leaves.push({ path, value: v });
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(original, []);
  const set = (doc: Record<string, Json>, path: Array<string | number>, value: string) => {
    let at = doc as Record<string | number, Json>;
    for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, Json>;
    at[path[path.length - 1]!] = value;
  };
  const fmt = (path: Array<string | number>) => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').slice(1).replace(/\.\[/g, '[');
  // Per leaf: 0 long payload, 1 short payload, 2 original.
  const stage = leaves.map(() => 0);
  const ids = leaves.map(() => `X${++next}`);
  for (let round = 0; round < 8; round++) {
    const doc = structuredClone(original);
    leaves.forEach((l, i) => {
      if (stage[i] !== 2) set(doc, l.path, stage[i] === 0 ? long(ids[i]!) : short(ids[i]!));
    });
    const parsed = parseUnitYear(doc);
    if (parsed.ok) {
      leaves.forEach((l, i) => {
        if (stage[i] !== 2) fields.set(ids[i]!, `ledger ${fmt(l.path)}`);
      });
      return doc;
    }
    const refused = new Set(parsed.problems.map((p) => p.path.replace(/^.*\((.*)\)$/, '$1')));
    let moved = false;
    leaves.forEach((l, i) => {
      const p = fmt(l.path);
      if (stage[i]! < 2 && [...refused].some((r) => r === p || p.startsWith(`${r}.`) || p.startsWith(`${r}[`) || r === '(root)')) {
        stage[i] = stage[i]! + 1;
        moved = true;
      }
    });
    // A problem that names no leaf (a cross-reference, a total): put every remaining leaf of that branch back.
    if (!moved) {
      leaves.forEach((l, i) => {
        if (stage[i]! < 2 && [...refused].some((r) => fmt(l.path).startsWith(r.split(/[.[]/)[0]!))) stage[i] = 2;
      });
    }
  }
  throw new Error('the marked unit-year does not parse');
}

interface Visit {
  persona: 'anonymous' | 'finance' | 'head' | 'general' | 'admin';
  url: string;
  /** Something to do once the page is there (the live previews). */
  act?: (page: Page) => Promise<void>;
}

describe('pages show what others typed as text, never as markup', () => {
  let database: TestDatabase;
  let temporal: Client;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  const personas: Partial<Record<Visit['persona'], Persona>> = {};
  const visits: Visit[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('xss');
    const doc = markedUnitYear();
    const parsed = parseUnitYear(doc);
    if (!parsed.ok) throw new Error('unreachable');
    await importUnitYear(database.db, parsed.value, { actor: mark('import actor', short) });
    temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }), namespace: 'xss-no-such-namespace' });
    app = await buildServer({ db: database.db, temporal, logger: pino({ level: 'silent' }), temporalUiUrl: 'http://ui.test' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // The seed's people (their names carry payloads), with passwords; an administrator.
    const seedPeople = parsed.value.people;
    const email = (role: string, section?: string) => seedPeople.find((p) => p.roles.includes(role as never) && (!section || p.section === section))!.email;
    await addUser(database.db, email('finance_officer'), UNIT, 'finance_officer');
    await addUser(database.db, email('unit_head'), UNIT, 'unit_head');
    await addUser(database.db, email('section_head', 'general'), UNIT, 'section_head', 'general');
    await addUser(database.db, 'admin@xss.test', UNIT, 'admin');
    await database.db.updateTable('users').set({ name: mark('administrator name') }).where('email', '=', 'admin@xss.test').execute();
    personas.finance = await signIn(app, email('finance_officer'));
    personas.head = await signIn(app, email('unit_head'));
    personas.general = await signIn(app, email('section_head', 'general'));
    personas.admin = await signIn(app, 'admin@xss.test');

    // An evaluation under way: a section's draft, a returned and a withdrawn task, a submitted one, the self-assessment.
    const uy = await database.db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select(['unit_years.id', 'units.id as unitId']).where('units.code', '=', UNIT).executeTakeFirstOrThrow();
    const evaluation = await database.db.insertInto('evaluations').values({ unit_year_id: uy.id, workflow_id: `evaluation/${UNIT}/2020`, stage: 'collecting', started_by: mark('evaluation started by', short), due_at: new Date(Date.now() + 7 * 864e5), snapshot_sha256: 'x' }).returning('id').executeTakeFirstOrThrow();
    const sectionId = async (code: string) => (await database.db.selectFrom('sections').select('id').where('unit_id', '=', uy.unitId).where('code', '=', code).executeTakeFirstOrThrow()).id;
    const task = async (section: string | null, state: 'draft' | 'returned' | 'cancelled' | 'submitted' | 'open', extra: Record<string, unknown> = {}) =>
      (await database.db.insertInto('tasks').values({
        evaluation_id: evaluation.id, unit_id: uy.unitId, section_id: section === null ? null : await sectionId(section), kind: section === null ? 'self_assessment' : 'section',
        workflow_id: `evaluation/${UNIT}/2020/${section === null ? 'self-assessment' : `task/${section}`}`, run: 1, state, due_at: new Date(Date.now() + 7 * 864e5), ...extra,
      }).returning('id').executeTakeFirstOrThrow()).id;
    const draft = {
      achievements: [{ title: mark('draft achievement title'), paragraphs: [mark('draft achievement paragraph')] }],
      outputIndicators: [{ name: mark('draft output indicator name'), unit: '件', direction: '>=', target: '10', actual: '8', category: 'quantity', key: true, note: mark('draft deviation note') }],
      problems: [{ title: mark('draft problem title'), detail: mark('draft problem detail') }],
      nextSteps: [{ title: mark('draft next step title'), detail: mark('draft next step detail') }],
    };
    const draftTask = await task('general', 'draft', { draft: JSON.stringify({ ...draft, section: 'general' }), draft_saved_by: mark('draft saved by', short), draft_saved_at: new Date() });
    const returnedTask = await task('dev-apps', 'returned', { returned_reason: mark('returned reason') });
    await task('network', 'cancelled', { cancelled_reason: mark('proceed-without reason') });
    const submittedTask = await task('projects', 'submitted', { submitted_by: mark('submitted by', short), submitted_at: new Date() });
    await task(null, 'open');

    // Evidence with a payload for its name; the self-assessment with payload reasons citing it.
    const upload = await app.inject({ method: 'POST', url: `/api/units/${UNIT}/years/2020/evidence`, ...as(personas.finance), payload: { fileName: `${mark('evidence file name', short)}.txt`, contentBase64: Buffer.from('会议纪要').toString('base64') } });
    expect(upload.statusCode, upload.body).toBe(201);
    const evidenceId = upload.json<{ evidence: { id: number } }>().evidence.id;
    const current = (await app.inject({ method: 'GET', url: `/api/units/${UNIT}/years/2020/self-assessment`, ...as(personas.finance) })).json<{ entries: Array<Record<string, unknown>> }>().entries;
    const entries = current.map((e) => ('reason' in e || 'tier' in e ? { ...e, reason: mark(`self-assessment reason (${String(e['indicator'])})`), evidence: [evidenceId] } : e));
    const saved = await app.inject({ method: 'PUT', url: `/api/units/${UNIT}/years/2020/self-assessment`, ...as(personas.finance), payload: { entries } });
    expect(saved.statusCode, saved.body).toBe(200);

    // Messages, audit entries, a draft report by someone with a payload for a name.
    for (const [who, persona] of [['finance', personas.finance], ['general', personas.general]] as const) {
      const user = await database.db.selectFrom('users').select('id').where('email', '=', persona.email).executeTakeFirstOrThrow();
      await database.db.insertInto('notifications').values({
        dedupe_key: `xss-${who}`, unit_id: uy.unitId, kind: 'task_reminder', channel: 'in_app', recipient_user_id: user.id,
        subject: mark(`notification subject (${who})`), body: mark(`notification body (${who})`), link: `/tasks/${draftTask}`, status: 'sent', sent_at: new Date(),
      }).execute();
    }
    await database.db.insertInto('audit_log').values({ actor: mark('audit actor', short), unit_id: uy.unitId, action: 'evaluation.note', subject: mark('audit subject'), details: JSON.stringify({ note: mark('audit details') }) }).execute();
    await storeReport(database.db, { unitYearId: uy.id, kind: 'draft', contentSha256: 'd', pdf: Buffer.from('%PDF'), docx: Buffer.from('PK'), template: 't', createdBy: mark('report author', short) });

    const y = `/units/${UNIT}/years/2020`;
    const reflected = encodeURIComponent(mark('a URL parameter shown back', short));
    const holdback = parsed.value.projects.flatMap((p) => p.holdbacks)[0]!.code;
    visits.push(
      { persona: 'anonymous', url: `/login?next=${reflected}` },
      { persona: 'anonymous', url: `/password-reset/${reflected}` },
      { persona: 'finance', url: '/tasks' },
      { persona: 'finance', url: '/units' },
      { persona: 'finance', url: `/units/${UNIT}` },
      { persona: 'finance', url: y },
      { persona: 'finance', url: `${y}/basic-data` },
      { persona: 'finance', url: `${y}/self-assessment`, act: async (page) => void (await page.waitForSelector('#score-preview[data-preview-seq]', { timeout: 15_000 })) },
      { persona: 'finance', url: `${y}/report` },
      { persona: 'finance', url: `${y}/holdbacks/${holdback}` },
      { persona: 'finance', url: `/tasks/${submittedTask}` },
      { persona: 'finance', url: `/tasks/${returnedTask}` },
      { persona: 'finance', url: `/units/${reflected}/years/2020` },
      { persona: 'finance', url: '/account' },
      { persona: 'head', url: `${y}/report` },
      { persona: 'head', url: '/tasks' },
      {
        persona: 'general', url: `/tasks/${draftTask}`,
        act: async (page) => {
          const preview = page.locator('button[data-action="preview"]');
          if (await preview.count()) {
            await preview.first().click();
            await page.waitForSelector('#score-preview:not([hidden])', { timeout: 15_000 });
          }
        },
      },
      { persona: 'general', url: '/tasks' },
      { persona: 'admin', url: '/admin' },
      { persona: 'admin', url: `/admin/units/${UNIT}` },
      { persona: 'admin', url: `/admin/units/${UNIT}/audit` },
    );

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await temporal?.connection.close();
    await database?.drop();
  });

  async function contextFor(persona: Visit['persona'], bypassCSP: boolean): Promise<BrowserContext> {
    const context = await browser.newContext({ bypassCSP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    // (Strings: this file is type-checked without the DOM library.)
    await context.addInitScript(`
      window.__hits = [];
      window.__violations = [];
      window.__xss = (id) => window.__hits.push(id);
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
    `);
    const p = persona === 'anonymous' ? undefined : personas[persona];
    if (p) {
      const [name, value] = p.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: base }]);
    }
    return context;
  }

  /** Loads the page, lets its script and images run, and reports what it found. */
  async function look(context: BrowserContext, visit: Visit) {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(`${base}${visit.url}`, { waitUntil: 'networkidle' });
    await visit.act?.(page);
    await page.waitForLoadState('networkidle');
    const found = await page.evaluate<{ hits: string[]; violations: string[]; injected: string[] }>(`({
      hits: window.__hits,
      violations: window.__violations,
      injected: [
        ...document.querySelectorAll('img[src="x"], svg[onload], [onerror]'),
        ...[...document.scripts].filter((s) => !s.src && s.type !== 'application/json'),
      ].map((e) => e.outerHTML.slice(0, 120)),
    })`);
    const shown = new Set([...(await page.content()).matchAll(/__xss\('(X\d+)'\)/g)].map((m) => m[1]!));
    await page.close();
    return { status: response?.status() ?? 0, ...found, errors, shown };
  }

  it('runs no payload on any page when only escaping stands in the way, and shows each as text', async () => {
    const shown = new Set<string>();
    const failures: string[] = [];
    for (const persona of ['anonymous', 'finance', 'head', 'general', 'admin'] as const) {
      const context = await contextFor(persona, true);
      for (const visit of visits.filter((v) => v.persona === persona)) {
        const r = await look(context, visit);
        if (r.hits.length) failures.push(`${visit.url} as ${persona}: ran ${[...new Set(r.hits)].map((id) => `${id} (${fields.get(id)})`).join(', ')}`);
        if (r.injected.length) failures.push(`${visit.url} as ${persona}: injected ${r.injected.join(' | ')}`);
        if (r.status >= 500) failures.push(`${visit.url} as ${persona}: status ${r.status}`);
        r.shown.forEach((id) => shown.add(id));
      }
      await context.close();
    }
    expect(failures).toEqual([]);

    // Every kind of field was on some page (an escaped field, not a missing one).
    const shownFields = [...shown].map((id) => fields.get(id) ?? id);
    const mustShow = [
      /^ledger unit\.name$/, /^ledger unit\.sections\[\d+\]\.name$/, /^ledger projects\[\d+\]\.name$/, /^ledger people\[\d+\]\.name$/,
      /^ledger submissions\[\d+\]\.achievements\[\d+\]\.title$/, /^ledger submissions\[\d+\]\.problems\[\d+\]\.detail$/, /^ledger projects\[\d+\]\.holdbacks\[\d+\]\./,
      /^ledger basicData\.projects\[\d+\]\.name$/,
      /^administrator name$/, /^draft achievement title$/, /^draft achievement paragraph$/, /^draft output indicator name$/, /^draft deviation note$/, /^draft problem detail$/, /^draft next step title$/,
      /^returned reason$/, /^proceed-without reason$/, /^evidence file name$/, /^self-assessment reason/, /^notification subject \(finance\)$/, /^notification subject \(general\)$/,
      /^audit subject$/, /^a URL parameter shown back$/,
    ];
    const missing = mustShow.filter((re) => !shownFields.some((f) => re.test(f)));
    expect(missing.map(String), `shown: ${shownFields.sort().join('; ')}`).toEqual([]);
  }, 240_000);

  it('reports no Content-Security-Policy violation on any page (the pages work under it; nothing inline tries to run)', async () => {
    const failures: string[] = [];
    for (const persona of ['anonymous', 'finance', 'head', 'general', 'admin'] as const) {
      const context = await contextFor(persona, false);
      for (const visit of visits.filter((v) => v.persona === persona)) {
        const r = await look(context, visit);
        if (r.violations.length) failures.push(`${visit.url} as ${persona}: ${r.violations.join(' | ')}`);
        if (r.hits.length) failures.push(`${visit.url} as ${persona}: ran ${r.hits.join(', ')}`);
        if (r.errors.length) failures.push(`${visit.url} as ${persona}: script errors ${r.errors.join(' | ')}`);
      }
      await context.close();
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
