/**
 * The web pages (server-rendered HTML, zh-CN first, English with `?lang=en` or the `lang` cookie):
 *
 *   /login                                   登录
 *   /                                        → 我的任务 (section heads) or the unit page
 *   /tasks                                   我的任务 + 我的消息
 *   /tasks/:task                             the section form (a task id, or a task workflow id from a notification link)
 *   /units, /units/:unit                     units, a unit's years, the ledger import
 *   /units/:unit/years/:year                 财务看板
 *   /units/:unit/years/:year/report          报告 (draft preview, approval, issued downloads)
 *   /units/:unit/years/:year/basic-data      基础数据表 (the finance officer fills it; unit head reads)
 *   /units/:unit/years/:year/self-assessment 单位自评打分 (the finance officer's self-assessment task)
 *   /units/:unit/years/:year/holdbacks/:code 暂缓支付款项 (history, due date, reminders; the finance officer records events)
 *   /holdbacks/:unit/:year/:code             → the holdback's page (the link in its reminders)
 *   /evaluations, /reports                   → the unit-year a link without one means, or a list to choose from
 *   /units/:unit/years/:year/rule-set-preview (POST) the dashboard's preview under another rule set, as HTML
 *   /rule-sets, /rule-sets/:id/:version      评分规则 (every rule set and version; one version's indicators and file)
 *   /rule-sets/new                           添加评分规则 (administrators: a file checked line by line, then added)
 *   /account                                 我的账号 (password, API tokens)
 *   /password-reset/:token                   设置密码 (a one-time link; no sign-in)
 *   /admin, /admin/units/:unit[/audit]       系统管理 (units, sections, people and roles, robots, schedule; the audit log)
 *
 * Pages read through the JSON API in-process with the visitor's cookie (internal-api.ts), so they
 * show exactly what the API allows that person; changes go from the browser to the API with the
 * session's CSRF token (assets/app.js.ts). Detail views also ask the workflows (reminders) and the
 * holdbacks repository (what falls due when), after the same authorization.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Account, type ApiTokenInfo, passwordResetFor, type Person } from '../../db/accounts.repository';
import { type AdminUnit, type AuditEntry, type UnitYearStage, unitYearStages } from '../../db/admin.repository';
import { type ChannelInfo, type UndeliveredNotification, undelivered as undeliveredOf, unitIdOf } from '../../db/notifications.repository';
import { currentSubmissions, taskRow } from '../../db/evaluations.repository';
import { type HoldbackEventListRow, type HoldbackStop, openHoldbacksOfUnit, type OpenHoldback } from '../../db/holdbacks.repository';
import { loadUnitYear } from '../../db/ledger.repository';
import { DEFAULT_OUTLINE_ID, outlineById } from '../../domain/report/outlines';
import { ruleSetOf } from '../../domain/rule-sets';
import { assessmentScope } from '../../domain/self-assessment';
import { evaluationId, SELF_ASSESSMENT_TASK, type TaskView, taskViewQuery } from '../../workflows/evaluation/contract';
import { type HoldbackStatusView, holdbackWorkflowId } from '../../workflows/holdback/contract';
import { hasUnitRole, isSectionHead } from '../http/access';
import { tokenHash } from '../auth/passwords';
import type { ServerDeps } from '../http/server';
import type {
  AnalysisAnswer, AssessmentEntryView, BasicDataAnswer, EvidenceItem, NotificationItem, ReportItem, RuleSetAnswer, RuleSetPreviewAnswer, RuleSetSummary, SelfAssessmentAnswer, StatusAnswer, TaskDetail,
  TaskItem, UnitDetail, UnitSummary,
} from './api-types';
import { appCss } from './assets/app.css';
import { appJs } from './assets/app.js';
import { html, type Html } from './html';
import { type Lang, LANG_COOKIE, langOf, type MessageKey, pick, t, todayCivil } from './i18n';
import { type ApiResult, InternalApi, must, PageError } from './internal-api';
import { layout, type NavKey, pageHead, type Viewer } from './layout';
import { indicatorViews, previewProblems } from './pages/assessment';
import { accountBody, passwordResetBody } from './pages/account.page';
import { adminUnitBody, adminUnitsBody, auditBody } from './pages/admin.page';
import { basicDataBody } from './pages/basic-data.page';
import { hrefOf, pickUnitYear, unitYearsBody } from './pages/evaluations.page';
import { dashboardBody, dashboardRefreshMs } from './pages/dashboard.page';
import { holdbackBody, type HoldbackPageData } from './pages/holdback.page';
import { inboxBody } from './pages/inbox.page';
import { loginBody } from './pages/login.page';
import { scoreView, temporalUrl } from './pages/parts';
import { reportBody, reportRefreshMs } from './pages/report.page';
import { ruleSetComparison } from './pages/rule-set-choice';
import { ruleSetBody, ruleSetNewBody, ruleSetsBody } from './pages/rule-sets.page';
import { selfAssessmentBody } from './pages/self-assessment.page';
import { taskBody } from './pages/task.page';
import { unitBody, unitsBody } from './pages/units.page';
import { bureauPages, registerBureauFiles } from './bureau-pages';

export interface PageContext {
  request: FastifyRequest;
  reply: FastifyReply;
  lang: Lang;
  account: Account | undefined;
  api: InternalApi;
  notifications: () => Promise<NotificationItem[]>;
}

export type PageResult = { title: string; nav: NavKey; body: Html; autoRefreshMs?: number | undefined } | { redirect: string };

const OPEN_STATES = new Set(['open', 'draft', 'overdue', 'returned']);
/** Evaluation stages in which the score's inputs may still change (as the API decides). */
const INPUT_STAGES = new Set(['opening', 'collecting', 'reviewing']);

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; object-src 'none'; frame-ancestors 'self'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

function sendHtml(reply: FastifyReply, status: number, body: Html | string): FastifyReply {
  return reply.status(status).headers(SECURITY_HEADERS).type('text/html; charset=utf-8').send(String(body));
}

const loginUrl = (request: FastifyRequest) => `/login?next=${encodeURIComponent(request.url)}`;

export function param(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, string | undefined>)[name] ?? '');
}

/** A page's own refusal, worded from the catalog. */
export function refusal(status: 403 | 404, key: MessageKey, params: Record<string, string | number> = {}): PageError {
  return new PageError(status, { code: status === 403 ? 'forbidden' : 'not_found', message: t('en', key, params), messageZh: t('zh', key, params), details: [] });
}

export function yearParam(request: FastifyRequest): number {
  const year = Number(param(request, 'year'));
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw refusal(404, 'error.notFound');
  return year;
}

export async function optional<T>(result: Promise<ApiResult<T>>): Promise<T | undefined> {
  const r = await result;
  if (r.ok) return r.data;
  if (r.status === 404) return undefined;
  throw new PageError(r.status, r.error);
}

export async function registerPages(app: FastifyInstance, deps: ServerDeps): Promise<void> {
  const asset = (path: string, type: string, body: string) => {
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    app.get(path, { schema: { hide: true } }, async (request, reply) => {
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.header('etag', etag).header('cache-control', 'no-cache').type(type).send(body);
    });
  };
  asset('/assets/app.css', 'text/css; charset=utf-8', appCss);
  asset('/assets/app.js', 'text/javascript; charset=utf-8', appJs);

  /** A POST to the API in-process with the visitor's cookie and CSRF token (for page fragments). */
  const forwardPost = (request: FastifyRequest, url: string, payload: unknown) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (request.headers.cookie) headers['cookie'] = request.headers.cookie;
    const csrf = request.headers['x-csrf-token'];
    if (typeof csrf === 'string') headers['x-csrf-token'] = csrf;
    return app.inject({ method: 'POST', url, headers, payload: JSON.stringify(payload ?? {}) });
  };

  /** A unit's messages (of the given workflows) that did not reach their recipient, newest first. */
  const undeliveredOfUnit = async (unitCode: string, only: Parameters<typeof undeliveredOf>[3]) => {
    const unitId = await unitIdOf(deps.db, unitCode);
    return unitId === undefined ? [] : undeliveredOf(deps.db, { unitId }, 20, only);
  };

  const page = (url: string, options: { public?: boolean }, handler: (ctx: PageContext) => Promise<PageResult>) => {
    app.get(url, { schema: { hide: true } }, async (request, reply) => {
      const lang = langOf(request.query, request.cookies[LANG_COOKIE]);
      const query = (request.query as Record<string, unknown> | undefined) ?? {};
      if (query['lang'] === 'en' || query['lang'] === 'zh') reply.setCookie(LANG_COOKIE, lang, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
      const account = request.auth.account;
      if (!options.public && !account) return reply.redirect(loginUrl(request));
      const api = new InternalApi(app, request);
      let inbox: Promise<NotificationItem[]> | undefined;
      const notifications = () => (inbox ??= account ? api.get<{ notifications: NotificationItem[] }>('/api/notifications').then((r) => (r.ok ? r.data.notifications : [])) : Promise.resolve([]));
      const viewer = async (): Promise<Viewer> => ({
        lang,
        ...(account ? { account } : {}),
        ...(request.auth.csrfToken ? { csrfToken: request.auth.csrfToken } : {}),
        url: request.url,
        unread: (await notifications()).filter((n) => n.readAt === null).length,
      });
      try {
        const result = await handler({ request, reply, lang, account, api, notifications });
        if ('redirect' in result) return reply.redirect(result.redirect);
        return sendHtml(reply, 200, layout(await viewer(), result));
      } catch (e) {
        if (e instanceof PageError && e.status === 401) return reply.redirect(loginUrl(request));
        if (!(e instanceof PageError)) request.log.error({ err: e }, 'page failed');
        const status = e instanceof PageError ? e.status : 500;
        const message = e instanceof PageError ? pick(lang, e.error.messageZh, e.error.message) : t(lang, 'error.internal');
        const body = html`${pageHead(t(lang, 'error.title'))}<div class="card"><div class="notice notice-danger" role="alert">${message}</div><p><a href="/">${t(lang, 'common.back')}</a></p></div>`;
        return sendHtml(reply, status, layout(await viewer().catch(() => ({ lang, url: request.url, unread: 0 })), { title: t(lang, 'error.title'), nav: 'none', body }));
      }
    });
  };

  // ── 登录 ──────────────────────────────────────────────────────────────────────────────────
  page('/login', { public: true }, async ({ request, lang, account }) => {
    const raw = (request.query as Record<string, unknown>)['next'];
    const next = typeof raw === 'string' ? raw : '/';
    const safeNext = next.startsWith('/') && !next.startsWith('//') ? next : '/';
    if (account) return { redirect: safeNext };
    const afterReset = (request.query as Record<string, unknown>)['reset'] === '1';
    return { title: t(lang, 'login.title'), nav: 'none', body: loginBody({ lang, url: request.url, unread: 0 }, safeNext, afterReset ? t(lang, 'reset.done') : undefined) };
  });

  // ── 我的账号, 设置密码 ─────────────────────────────────────────────────────────────────────
  page('/account', {}, async ({ request, lang, account, api }) => {
    const { tokens } = must(await api.get<{ tokens: ApiTokenInfo[] }>('/api/me/tokens'));
    const changed = (request.query as Record<string, unknown>)['changed'] === '1';
    return { title: t(lang, 'account.title'), nav: 'account', body: accountBody({ lang, url: '', unread: 0 }, { account: account!, tokens, changed }) };
  });

  // A one-time link: anyone holding it may set the password (no session needed, none used).
  page('/password-reset/:token', { public: true }, async ({ request, reply, lang }) => {
    const token = param(request, 'token');
    const found = /^[A-Za-z0-9_-]{20,200}$/.test(token) ? await passwordResetFor(deps.db, tokenHash(token)) : undefined;
    // The token stays out of referrers and caches.
    reply.header('referrer-policy', 'no-referrer');
    const reset = found ? { token, email: found.email, expiresAt: found.expiresAt } : undefined;
    return { title: t(lang, 'reset.title'), nav: 'none', body: passwordResetBody({ lang, url: request.url, unread: 0 }, reset) };
  });

  // ── 系统管理 ─────────────────────────────────────────────────────────────────────────────
  page('/admin', {}, async ({ lang, account, api }) => {
    if (!account!.roles.some((r) => r.role === 'admin')) throw refusal(403, 'error.forbidden');
    const { units } = must(await api.get<{ units: AdminUnit[] }>('/api/admin/units'));
    return { title: t(lang, 'admin.title'), nav: 'admin', body: adminUnitsBody({ lang, url: '', unread: 0 }, units) };
  });

  page('/admin/units/:unit', {}, async ({ request, lang, account, api }) => {
    const code = param(request, 'unit');
    const d = must(await api.get<{ unit: AdminUnit; people: Person[]; tokens: ApiTokenInfo[]; channels: ChannelInfo[]; undelivered: UndeliveredNotification[] }>(`/api/admin/units/${encodeURIComponent(code)}`));
    return { title: `${t(lang, 'admin.title')} · ${d.unit.name}`, nav: 'admin', body: adminUnitBody({ lang, url: '', unread: 0 }, { ...d, selfUserId: account!.id }) };
  });

  page('/admin/units/:unit/audit', {}, async ({ request, lang, api }) => {
    const code = param(request, 'unit');
    const query = (request.query as Record<string, unknown> | undefined) ?? {};
    const filter: { who?: string; what?: string; from?: string; to?: string; year?: number } = {};
    const q = new URLSearchParams();
    for (const key of ['who', 'what', 'from', 'to', 'year', 'before'] as const) {
      const value = query[key];
      if (typeof value !== 'string' || value.trim() === '') continue;
      q.set(key, value.trim());
      if (key === 'year') filter.year = Number(value);
      else if (key !== 'before') filter[key] = value.trim();
    }
    const [unit, audit] = await Promise.all([
      api.get<{ unit: AdminUnit }>(`/api/admin/units/${encodeURIComponent(code)}`).then(must),
      api.get<{ entries: AuditEntry[]; actions: string[]; next: number | null }>(`/api/admin/units/${encodeURIComponent(code)}/audit?${q.toString()}`).then(must),
    ]);
    const data = { unitCode: code, unitName: unit.unit.name, years: unit.unit.years, filter, ...audit };
    return { title: `${t(lang, 'audit.title')} · ${unit.unit.name}`, nav: 'admin', body: auditBody({ lang, url: '', unread: 0 }, data) };
  });

  // ── Links that name no unit-year (/evaluations, /reports): the one meant, or a list ───────────
  const unitYearLink = (to: 'dashboard' | 'report') => async ({ request, lang, account }: PageContext): Promise<PageResult> => {
    const query = (request.query as Record<string, unknown> | undefined) ?? {};
    const unitCodes = [...new Set(account!.roles.map((r) => r.unitCode))];
    const staffUnits = new Set(account!.roles.filter((r) => r.role !== 'section_head').map((r) => r.unitCode));
    const visible = (await unitYearStages(deps.db, unitCodes)).filter((u) => to === 'report' || staffUnits.has(u.unitCode));
    if (typeof query['unit'] === 'string' && typeof query['year'] === 'string') {
      const named = visible.find((u) => u.unitCode === query['unit'] && String(u.year) === query['year']);
      if (!named) throw refusal(404, 'error.notFound');
      return { redirect: hrefOf(named, to) };
    }
    // A section head has no dashboard: their tasks are their page.
    if (to === 'dashboard' && staffUnits.size === 0) return { redirect: '/tasks' };
    const started = visible.filter((u) => u.stage !== null);
    const heads = new Set(account!.roles.filter((r) => r.role === 'unit_head').map((r) => r.unitCode));
    const tiers: UnitYearStage[][] =
      to === 'report'
        ? [started.filter((u) => u.stage === 'approving' && heads.has(u.unitCode)), started.filter((u) => u.stage === 'issued'), started]
        : [started.filter((u) => u.stage !== 'issued'), started, visible];
    const chosen = pickUnitYear(tiers);
    if (chosen) return { redirect: hrefOf(chosen, to) };
    return { title: t(lang, to === 'report' ? 'nav.reportsTitle' : 'nav.evaluationsTitle'), nav: 'units', body: unitYearsBody({ lang, url: '', unread: 0 }, started.length ? started : visible, to) };
  };
  page('/evaluations', {}, unitYearLink('dashboard'));
  page('/reports', {}, unitYearLink('report'));

  page('/', {}, async ({ account }) => {
    const staffUnits = [...new Set(account!.roles.filter((r) => r.role !== 'section_head').map((r) => r.unitCode))];
    // A bureau's or department's officer (with no unit of their own) starts at the overview.
    if (staffUnits.length === 0 && account!.orgRoles?.length && account!.roles.length === 0) return { redirect: '/orgs' };
    if (staffUnits.length === 0) return { redirect: '/tasks' };
    return { redirect: staffUnits.length === 1 ? `/units/${encodeURIComponent(staffUnits[0]!)}` : '/units' };
  });

  // ── Units ─────────────────────────────────────────────────────────────────────────────────
  page('/units', {}, async ({ lang, api }) => {
    const { units } = must(await api.get<{ units: UnitSummary[] }>('/api/units'));
    return { title: t(lang, 'home.title'), nav: 'units', body: unitsBody({ lang, url: '', unread: 0 }, units) };
  });

  page('/units/:unit', {}, async ({ request, lang, account, api }) => {
    const detail = must(await api.get<UnitDetail>(`/api/units/${encodeURIComponent(param(request, 'unit'))}`));
    return { title: detail.unit.name, nav: 'units', body: unitBody({ lang, url: '', unread: 0 }, account!, detail) };
  });

  // ── The bureau's side: overview, organisation, campaign, review, published reports ─────────
  for (const [url, options, handler] of bureauPages(deps)) page(url, options, handler);
  registerBureauFiles(app);

  // ── 我的任务 ──────────────────────────────────────────────────────────────────────────────
  page('/tasks', {}, async ({ request, lang, account, api, notifications }) => {
    const openOnly = (request.query as Record<string, unknown>)['open'] === 'true';
    const { tasks } = must(await api.get<{ tasks: TaskItem[] }>(`/api/tasks${openOnly ? '?open=true' : ''}`));
    return { title: t(lang, 'tasks.title'), nav: 'tasks', body: inboxBody({ lang, url: '', unread: 0 }, account!, tasks, await notifications(), openOnly) };
  });

  page('/tasks/:task', {}, async ({ request, lang, account, api }) => {
    const ref = param(request, 'task');
    if (!/^\d{1,15}$/.test(ref)) {
      // A notification links to the task's workflow id.
      const row = await taskRow(deps.db, ref);
      if (!row || !account!.roles.some((r) => r.unitId === row.unit_id)) throw refusal(404, 'error.notFound');
      return { redirect: `/tasks/${row.id}` };
    }
    const { task } = must(await api.get<{ task: TaskDetail }>(`/api/tasks/${ref}`));
    // The finance officer's self-assessment has its own page.
    if (task.section === null) return { redirect: `/units/${encodeURIComponent(task.unitCode)}/years/${task.year}/self-assessment` };
    const editable = isSectionHead(account!, task.unitCode, task.section) && OPEN_STATES.has(task.state);
    const submitted = task.state === 'submitted' ? (await currentSubmissions(deps.db, task.unitYearId)).find((s) => s.section === task.section) : undefined;
    const overdue = OPEN_STATES.has(task.state) && Date.parse(task.dueAt) < Date.now();
    // The indicators the unit has this section assess (its sections' `assesses`, under the rule set),
    // and the section's evidence files (the API shows a section head only their sections').
    const yearApi = `/api/units/${encodeURIComponent(task.unitCode)}/years/${task.year}`;
    const [doc, evidence] = await Promise.all([
      loadUnitYear(deps.db, { unitCode: task.unitCode, year: task.year }),
      api.get<{ evidence: EvidenceItem[] }>(`${yearApi}/evidence`).then((r) => (r.ok ? r.data.evidence : [])),
    ]);
    const ruleSet = doc ? ruleSetOf(doc) : undefined;
    const indicators = doc && ruleSet ? indicatorViews(assessmentScope(ruleSet, doc.unit.sections, { kind: 'section', section: task.section })) : [];
    return {
      title: t(lang, 'form.title', { section: task.sectionName }),
      nav: 'tasks',
      body: taskBody({ lang, url: '', unread: 0 }, task, {
        editable, ...(submitted ? { submitted } : {}), temporalUi: temporalUrl(deps, task.workflowId), overdue,
        assessment: {
          indicators,
          evidence: evidence.filter((e) => e.section === task.section),
          evidenceHref: (id: number) => `${yearApi}/evidence/${id}`,
          uploadUrl: `${yearApi}/evidence`,
          notApplicablePolicy: ruleSet?.notApplicable ?? 'full_marks',
        },
      }),
    };
  });

  // The form's 得分预览: the API's score preview, rendered as the fragment the page shows.
  app.post('/tasks/:task/score-preview', { schema: { hide: true } }, async (request, reply) => {
    const lang = langOf(request.query, request.cookies[LANG_COOKIE]);
    const api = new InternalApi(app, request);
    const task = await api.get<{ task: TaskDetail }>(`/api/tasks/${encodeURIComponent(param(request, 'task'))}`);
    if (!task.ok) return reply.status(task.status).send(task.error);
    const { unitCode, year } = task.data.task;
    const response = await forwardPost(request, `/api/units/${encodeURIComponent(unitCode)}/years/${year}/score-preview`, request.body);
    if (response.statusCode !== 200) return reply.status(response.statusCode).type('application/json').send(response.body);
    const { score } = response.json<{ score: AnalysisAnswer['score'] }>();
    return sendHtml(reply, 200, scoreView(lang, score, t(lang, 'preview.help')));
  });

  // ── 财务看板 ──────────────────────────────────────────────────────────────────────────────
  page('/units/:unit/years/:year', {}, async ({ request, lang, account, api }) => {
    const unitCode = param(request, 'unit');
    const year = yearParam(request);
    const base = `/api/units/${encodeURIComponent(unitCode)}`;
    const detail = must(await api.get<UnitDetail>(base));
    const staff = hasUnitRole(account!, unitCode, ['finance_officer', 'unit_head', 'admin']);
    // A department's or the bureau's officer above the unit (the API let them read the unit): a
    // read-only dashboard — progress, findings' count, withheld amounts, the review — without the
    // unit's own working material (its analysis, tasks and forms).
    const above = !staff && !account!.roles.some((r) => r.unitCode === unitCode) && !!account!.orgRoles?.length;
    if (!staff && !above) throw refusal(403, 'error.forbidden');
    if (!detail.years.includes(year)) throw refusal(404, 'error.noLedger', { year });
    const [status, tasks, analysis, holdbacks, ruleSets, doc, notDelivered] = await Promise.all([
      optional(api.get<StatusAnswer>(`${base}/years/${year}/evaluation`)),
      above ? Promise.resolve([] as TaskItem[]) : api.get<{ tasks: TaskItem[] }>(`/api/tasks?unit=${encodeURIComponent(unitCode)}&year=${year}`).then((r) => must(r).tasks),
      above ? Promise.resolve(undefined) : optional(api.get<AnalysisAnswer>(`${base}/years/${year}/analysis`)),
      openHoldbacksOfUnit(deps.db, unitCode).catch((e: unknown): OpenHoldback[] => {
        request.log.warn({ err: e }, 'withheld payments could not be read');
        return [];
      }),
      api.get<{ ruleSets: RuleSetSummary[] }>('/api/rule-sets').then((r) => must(r).ruleSets),
      loadUnitYear(deps.db, { unitCode, year }),
      // Messages of this evaluation, its tasks and the year's withheld payments that did not reach their recipient (the unit's own people see them).
      above ? Promise.resolve([]) : undeliveredOfUnit(unitCode, { workflowPrefixes: [evaluationId(unitCode, year), holdbackWorkflowId(unitCode, year, '')] }),
    ]);
    const outlineId = doc?.outline ?? DEFAULT_OUTLINE_ID;
    const outline = { id: outlineId, name: outlineById(outlineId)?.name ?? outlineId };
    // Reminders come from the task workflows themselves (a detail view may ask the workflow).
    const reminders = new Map<string, TaskView>();
    const waiting = [
      ...(status?.sections ?? []).filter((s) => s.state === 'open' || s.state === 'overdue' || s.state === 'returned'),
      ...(status?.selfAssessment && status.selfAssessment.state !== 'submitted' ? [{ section: SELF_ASSESSMENT_TASK, workflowId: status.selfAssessment.workflowId }] : []),
    ];
    await Promise.all(
      waiting.map(async (s) => {
        try {
          const view = await deps.temporal.connection.withDeadline(Date.now() + 2_000, () => deps.temporal.workflow.getHandle(s.workflowId).query(taskViewQuery));
          reminders.set(s.section, view);
        } catch {
          // The worker may be busy or down: the page shows the rest.
        }
      }),
    );
    const data = {
      unitCode, unitName: detail.unit.name, year, canAct: hasUnitRole(account!, unitCode, ['finance_officer']),
      ...(status ? { status } : {}), tasks, reminders, ...(analysis ? { analysis } : {}), holdbacks,
      temporalUrl: (id: string) => temporalUrl(deps, id), today: todayCivil(),
      ruleSets, outline, canPreview: staff, above, undelivered: notDelivered, isAdmin: hasUnitRole(account!, unitCode, ['admin']),
    };
    return { title: `${t(lang, 'dash.title')} · ${detail.unit.name} ${year}`, nav: 'units', body: dashboardBody({ lang, url: '', unread: 0 }, data), autoRefreshMs: dashboardRefreshMs(data) };
  });

  // The dashboard's preview under another rule set: the API's preview beside the current score, as HTML.
  app.post('/units/:unit/years/:year/rule-set-preview', { schema: { hide: true } }, async (request, reply) => {
    const lang = langOf(request.query, request.cookies[LANG_COOKIE]);
    const unitCode = param(request, 'unit');
    const year = param(request, 'year');
    const json = (status: number, body: unknown) => reply.status(status).headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).type('application/json').send(body);
    if (!/^\d{4}$/.test(year)) return json(404, { code: 'not_found', message: 'not found', messageZh: '未找到', details: [] });
    const base = `/api/units/${encodeURIComponent(unitCode)}/years/${year}`;
    // The API decides who may preview and checks the candidate (a file's problems come with their lines).
    const response = await forwardPost(request, `${base}/rule-set-preview`, request.body);
    if (response.statusCode !== 200) return reply.status(response.statusCode).headers({ 'cache-control': 'no-store' }).type('application/json').send(response.body);
    const preview = response.json<RuleSetPreviewAnswer>();
    const api = new InternalApi(app, request);
    const [analysis, status, list] = await Promise.all([
      api.get<AnalysisAnswer>(`${base}/analysis`),
      api.get<StatusAnswer>(`${base}/evaluation`),
      api.get<{ ruleSets: RuleSetSummary[] }>('/api/rule-sets'),
    ]);
    if (!analysis.ok) return json(analysis.status, analysis.error);
    if (!status.ok && status.status !== 404) return json(status.status, status.error);
    const account = request.auth.account!;
    const stored = typeof (request.body as { content?: unknown } | undefined)?.content !== 'string';
    const versions = list.ok ? list.data.ruleSets.filter((x) => x.id === preview.ruleSet.id).map((x) => x.version) : [];
    const body = ruleSetComparison(lang, {
      unitCode, year: Number(year), current: analysis.data.score, candidate: preview.score, ruleSet: preview.ruleSet, stored,
      latestVersion: versions.length ? Math.max(...versions) : undefined,
      stage: status.ok ? status.data.stage : undefined,
      canAdopt: hasUnitRole(account, unitCode, ['finance_officer', 'admin']),
      canRescore: hasUnitRole(account, unitCode, ['finance_officer']),
    });
    return json(200, { html: String(body), total: preview.score.totalCp });
  });

  // ── 评分规则 ──────────────────────────────────────────────────────────────────────────────
  const isAdmin = (account: Account | undefined) => !!account?.roles.some((r) => r.role === 'admin');

  page('/rule-sets', {}, async ({ lang, account, api }) => {
    const { ruleSets } = must(await api.get<{ ruleSets: RuleSetSummary[] }>('/api/rule-sets'));
    return { title: t(lang, 'rs.title'), nav: 'rules', body: ruleSetsBody({ lang, url: '', unread: 0 }, { ruleSets, canAdd: isAdmin(account) }) };
  });

  page('/rule-sets/new', {}, async ({ request, lang, account, api }) => {
    // Rule sets serve every unit: an administrator of any unit adds them (as the API decides).
    if (!isAdmin(account)) throw refusal(403, 'error.forbidden');
    const raw = (request.query as Record<string, unknown> | undefined)?.['from'];
    const m = typeof raw === 'string' ? /^([a-z0-9][a-z0-9-]{0,99})@(\d{1,6})$/.exec(raw) : null;
    let from: { id: string; version: number; source: string } | undefined;
    if (m) {
      const found = await optional(api.get<RuleSetAnswer>(`/api/rule-sets/${encodeURIComponent(m[1]!)}/${m[2]}`));
      if (found?.source) from = { id: m[1]!, version: Number(m[2]), source: found.source };
    }
    return { title: t(lang, 'rs.add'), nav: 'rules', body: ruleSetNewBody({ lang, url: '', unread: 0 }, from ? { from } : {}) };
  });

  page('/rule-sets/:id/:version', {}, async ({ request, lang, account, api }) => {
    const id = param(request, 'id');
    const version = param(request, 'version');
    if (!/^\d{1,6}$/.test(version)) throw refusal(404, 'error.notFound');
    const [answer, list] = await Promise.all([
      api.get<RuleSetAnswer>(`/api/rule-sets/${encodeURIComponent(id)}/${version}`).then(must),
      api.get<{ ruleSets: RuleSetSummary[] }>('/api/rule-sets').then(must),
    ]);
    const versions = list.ruleSets.filter((x) => x.id === answer.ruleSet.id).sort((a, b) => a.version - b.version);
    const name = answer.ruleSet.name ?? answer.ruleSet.id;
    return { title: `${name} · ${answer.ruleSet.id}@${answer.ruleSet.version}`, nav: 'rules', body: ruleSetBody({ lang, url: '', unread: 0 }, { answer, versions, canAdd: isAdmin(account) }) };
  });

  // ── 暂缓支付款项 ──────────────────────────────────────────────────────────────────────────
  page('/units/:unit/years/:year/holdbacks/:code', {}, async ({ request, lang, account, api }) => {
    const unitCode = param(request, 'unit');
    const year = yearParam(request);
    const code = param(request, 'code');
    const base = `/api/units/${encodeURIComponent(unitCode)}`;
    const detail = must(await api.get<UnitDetail>(base));
    if (!hasUnitRole(account!, unitCode, ['finance_officer', 'unit_head', 'admin'])) throw refusal(403, 'error.forbidden');
    const answer = await api.get<{ status: HoldbackStatusView; events: HoldbackEventListRow[]; stopped: HoldbackStop | null; temporalUi: string }>(`${base}/years/${year}/holdbacks/${encodeURIComponent(code)}`);
    if (!answer.ok && answer.status !== 404) throw new PageError(answer.status, answer.error);
    // Not started (or unknown): what the ledger says, if it has it.
    const ledger = answer.ok ? undefined : (await openHoldbacksOfUnit(deps.db, unitCode, { year })).find((h) => h.holdbackCode === code);
    if (!answer.ok && !ledger) throw refusal(404, 'error.notFound');
    const [doc, notDelivered] = await Promise.all([
      loadUnitYear(deps.db, { unitCode, year }),
      // Its reminders that did not reach the finance officer.
      undeliveredOfUnit(unitCode, { workflowId: holdbackWorkflowId(unitCode, year, code) }),
    ]);
    const ledgerRow = doc?.projects.flatMap((p) => p.holdbacks.map((h) => ({ h, contract: p.contracts.find((c) => c.code === h.contract) }))).find((x) => x.h.code === code);
    const contract = ledgerRow?.contract;
    const data: HoldbackPageData = {
      unitCode, unitName: detail.unit.name, year, code,
      ...(answer.ok ? { status: answer.data.status, events: answer.data.events, temporalUi: answer.data.temporalUi, ...(answer.data.stopped ? { stopped: answer.data.stopped } : {}) } : { events: [] }),
      ...(ledger ? { ledger } : {}),
      omCoefficientApplies: contract?.omCoefficientApplies ?? false,
      ...(contract?.omScoring ? { omScoring: contract.omScoring } : {}),
      canAct: hasUnitRole(account!, unitCode, ['finance_officer']),
      requestId: (form: string) => `web-${form}-${randomUUID()}`,
      today: todayCivil(),
      undelivered: notDelivered,
    };
    const shown = data.status ?? data.ledger;
    const title = shown ? `${shown.projectName} · ${t(lang, `kind.${shown.kind}`)}` : code;
    return { title, nav: 'units', body: holdbackBody({ lang, url: '', unread: 0 }, data) };
  });

  // A holdback reminder links to `/holdbacks/<unit>/<year>/<code>`: the holdback's page.
  page('/holdbacks/:unit/:year/:code', {}, async ({ request }) => {
    const year = yearParam(request);
    return { redirect: `/units/${encodeURIComponent(param(request, 'unit'))}/years/${year}/holdbacks/${encodeURIComponent(param(request, 'code'))}` };
  });

  // ── 基础数据表 ────────────────────────────────────────────────────────────────────────────
  page('/units/:unit/years/:year/basic-data', {}, async ({ request, lang, account, api }) => {
    const unitCode = param(request, 'unit');
    const year = yearParam(request);
    const base = `/api/units/${encodeURIComponent(unitCode)}`;
    const detail = must(await api.get<UnitDetail>(base));
    if (!hasUnitRole(account!, unitCode, ['finance_officer', 'unit_head', 'admin'])) throw refusal(403, 'error.forbidden');
    if (!detail.years.includes(year)) throw refusal(404, 'error.noLedger', { year });
    const [answer, status] = await Promise.all([
      api.get<BasicDataAnswer>(`${base}/years/${year}/basic-data`).then(must),
      optional(api.get<StatusAnswer>(`${base}/years/${year}/evaluation`)),
    ]);
    const editable = hasUnitRole(account!, unitCode, ['finance_officer']) && (!status || INPUT_STAGES.has(status.stage));
    const data = { unitCode, unitName: detail.unit.name, year, ...answer, editable, staff: true };
    return { title: `${t(lang, 'bd.title')} · ${detail.unit.name} ${year}`, nav: 'units', body: basicDataBody({ lang, url: '', unread: 0 }, data) };
  });

  // ── 单位自评打分 ──────────────────────────────────────────────────────────────────────────
  page('/units/:unit/years/:year/self-assessment', {}, async ({ request, lang, account, api }) => {
    const unitCode = param(request, 'unit');
    const year = yearParam(request);
    const base = `/api/units/${encodeURIComponent(unitCode)}`;
    const detail = must(await api.get<UnitDetail>(base));
    if (!hasUnitRole(account!, unitCode, ['finance_officer', 'unit_head', 'admin'])) throw refusal(403, 'error.forbidden');
    if (!detail.years.includes(year)) throw refusal(404, 'error.noLedger', { year });
    const [answer, status] = await Promise.all([
      api.get<SelfAssessmentAnswer>(`${base}/years/${year}/self-assessment`).then(must),
      optional(api.get<StatusAnswer>(`${base}/years/${year}/evaluation`)),
    ]);
    // Returned by a reviewer above the unit: the comments on indicators are what to value again.
    const lastReturn = status?.review?.state === 'returned' ? status.review.lastReturn : null;
    const reviewReturn = lastReturn
      ? { level: lastReturn.level, by: lastReturn.by, at: lastReturn.at, comments: lastReturn.comments.flatMap((c) => (c.indicator ? [{ indicator: c.indicator, text: c.text }] : [])) }
      : undefined;
    const data = { unitCode, unitName: detail.unit.name, year, answer, isFinance: hasUnitRole(account!, unitCode, ['finance_officer']), staff: true, ...(reviewReturn ? { reviewReturn } : {}) };
    return { title: `${t(lang, 'sa.title')} · ${detail.unit.name} ${year}`, nav: 'units', body: selfAssessmentBody({ lang, url: '', unread: 0 }, data) };
  });

  // The live preview: the API's preview with the entries as typed, rendered as the panel's HTML.
  app.post('/units/:unit/years/:year/self-assessment/preview', { schema: { hide: true } }, async (request, reply) => {
    const lang = langOf(request.query, request.cookies[LANG_COOKIE]);
    const url = `/api/units/${encodeURIComponent(param(request, 'unit'))}/years/${encodeURIComponent(param(request, 'year'))}/self-assessment/preview`;
    const response = await forwardPost(request, url, request.body);
    if (response.statusCode !== 200) return reply.status(response.statusCode).type('application/json').send(response.body);
    const { score, problems } = response.json<{ score: AnalysisAnswer['score']; problems: Array<{ path: string; zh: string; en: string }> }>();
    const sent = ((request.body as { entries?: AssessmentEntryView[] } | undefined)?.entries ?? []).map((e) => ({ indicator: String(e?.indicator ?? '') }));
    const names = new Map(score.indicators.map((i) => [i.id, i.level3]));
    const body = html`${scoreView(lang, score, t(lang, 'sa.previewHelp'))}${previewProblems(lang, problems, sent, names)}`;
    return reply.headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).type('application/json').send({ html: String(body), problems: problems.length });
  });

  // ── 报告 ──────────────────────────────────────────────────────────────────────────────────
  page('/units/:unit/years/:year/report', {}, async ({ request, lang, account, api }) => {
    const unitCode = param(request, 'unit');
    const year = yearParam(request);
    const base = `/api/units/${encodeURIComponent(unitCode)}`;
    const detail = must(await api.get<UnitDetail>(base));
    const [status, reports] = await Promise.all([
      optional(api.get<StatusAnswer>(`${base}/years/${year}/evaluation`)),
      api.get<{ reports: ReportItem[] }>(`${base}/years/${year}/reports`).then((r) => must(r).reports),
    ]);
    const data = { unitCode, unitName: detail.unit.name, year, ...(status ? { status } : {}), reports };
    return { title: `${t(lang, 'report.title')} · ${detail.unit.name} ${year}`, nav: 'units', body: reportBody({ lang, url: '', unread: 0 }, account!, data), autoRefreshMs: reportRefreshMs(data) };
  });

  // The draft shown in the page: the API's download, served inline.
  app.get('/units/:unit/years/:year/report/:version/preview.pdf', { schema: { hide: true } }, async (request, reply) => {
    if (!request.auth.account) return reply.redirect(loginUrl(request));
    const version = param(request, 'version');
    if (!/^\d{1,9}$/.test(version)) return reply.status(404).send();
    const file = await new InternalApi(app, request).file(`/api/units/${encodeURIComponent(param(request, 'unit'))}/years/${encodeURIComponent(param(request, 'year'))}/reports/${version}/pdf`);
    if (file.status !== 200) return reply.status(file.status).type('application/json').send(file.body);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="report-v${version}.pdf"`)
      .header('x-content-sha256', String(file.headers['x-content-sha256'] ?? ''))
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(file.body);
  });
}
