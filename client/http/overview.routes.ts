/**
 * The bureau's side that is not a process step:
 *
 *   an organisation's officers   the year's overview of every unit under it (a department: its own
 *                                units) with filters, sorting, the distribution of grades and an
 *                                Excel export; the organisation's departments, units and officers;
 *   a bureau officer             imports the bureau's unit list (单位名单, Excel; every problem with
 *                                its row), grants and revokes bureau and department officers (a new
 *                                officer gets a one-time link to set a password) — all audited;
 *   anyone, signed in or not     the published reports (预决算公开, published by bureau.routes.ts):
 *                                an index per bureau (or department) and year, and per unit-year its
 *                                report PDF, score and reviewed score, and 基础数据表 — only
 *                                published, not withdrawn, accepted reports.
 *
 * Campaigns, reviews and publishing themselves are bureau.routes.ts.
 */
import { z } from 'zod';
import { grantOrganisationRole, unitsUnder } from '../../db/organisations.repository';
import { stoppedRuns } from '../../db/evaluations.repository';
import { decideUndelivered, undelivered as undeliveredOf, type UndeliveredScope } from '../../db/notifications.repository';
import { type EvaluationRunState, stoppedEvaluations } from '../evaluations';
import { reportFile } from '../../db/reports.repository';
import { publishedReportsOf, publishedUnitYear } from '../../db/reviews.repository';
import {
  bureauOfUnit, campaignOfYear, createOfficerPasswordLink, hasPassword, organisationAudit, personInUnitsUnder, organisationDetail, organisationWithParent, overview, type OverviewFilter, publishedYears, revokeOrganisationRole, yearsUnder,
} from '../../db/overview.repository';
import { addDays, civilDateOf } from '../../domain/calendar/civil-date';
import { AppError } from '../../domain/errors';
import { bi } from '../../domain/validation';
import { randomToken, tokenHash } from '../auth/passwords';
import { OVERVIEW_STAGES, overviewWorkbook, REVIEW_STATES, SORT_KEYS } from '../bureau/overview';
import { importUnitListRows, readUnitList, writeUnitList } from '../bureau/unit-list';
import { orgRoles, PUBLIC, SIGNED_IN } from './access';
import { RESET_LINK_TTL_MS } from './admin.routes';
import { sendReviewResult } from './review-result';
import { actorOf, body, type HandlerContext, LARGE_BODY_LIMIT, params, type RouteDef } from './route-kit';

const OFFICERS = orgRoles('bureau_officer', 'department_officer');
const BUREAU = orgRoles('bureau_officer');

const orgParams = z.object({ org: z.string().min(1).max(64) });
const orgYearParams = orgParams.extend({ year: z.coerce.number().int().min(2000).max(2100) });
const userId = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const overviewQuery = z
  .object({
    department: z.string().trim().min(1).max(64).optional(),
    stage: z.enum(OVERVIEW_STAGES).optional(),
    review: z.enum(REVIEW_STATES).optional(),
    grade: z.string().trim().min(1).max(64).optional(),
    late: z.enum(['true', 'false']).optional(),
    sort: z.enum(SORT_KEYS).default('unit'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.coerce.number().int().min(1).max(5000).default(200),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    /** Withheld amounts count as falling due up to this many days from today. */
    horizonDays: z.coerce.number().int().min(0).max(3660).default(90),
  })
  .strict();
type OverviewQuery = z.output<typeof overviewQuery>;

/** The business clock (tests shift it, like the evaluations'). */
const nowOf = (ctx: HandlerContext) => new Date(Date.now() + (ctx.deps.clockShiftMs ?? 0));

/** The messages an organisation answers for: those to the officers of it and of its departments. */
async function officersScope(ctx: HandlerContext, organisationId: number): Promise<UndeliveredScope> {
  const orgs = await ctx.deps.db.selectFrom('organisations').select('id').where((eb) => eb.or([eb('id', '=', organisationId), eb('parent_id', '=', organisationId)])).execute();
  return { officersOf: orgs.map((o) => Number(o.id)) };
}

async function orgOrThrow(ctx: HandlerContext, code: string) {
  const org = await organisationWithParent(ctx.deps.db, code);
  // The access rule already refused an organisation the account does not reach.
  if (!org) throw new AppError('not_found', '未找到', 'not found');
  return org;
}

function filterOf(q: OverviewQuery): OverviewFilter {
  return {
    ...(q.department ? { department: q.department } : {}),
    ...(q.stage ? { stage: q.stage } : {}),
    ...(q.review ? { review: q.review } : {}),
    ...(q.grade ? { grade: q.grade } : {}),
    ...(q.late ? { late: q.late === 'true' } : {}),
  };
}

/** The overview of the organisation and year, filtered, sorted and paged (one SQL statement). */
async function overviewOf(ctx: HandlerContext, code: string, year: number, q: OverviewQuery, page: { limit: number | null; offset: number }) {
  const org = await orgOrThrow(ctx, code);
  const now = nowOf(ctx);
  const today = civilDateOf(now.getTime());
  const horizon = addDays(today, q.horizonDays);
  const [result, campaign, stopped] = await Promise.all([
    overview(ctx.deps.db, { organisationId: org.id, year, now, horizon, filter: filterOf(q), sort: q.sort, order: q.order, ...page }),
    campaignOfYear(ctx.deps.db, [org.id, ...(org.parentId !== null ? [org.parentId] : [])], year),
    stoppedUnder(ctx, org.id, year),
  ]);
  return { org, result, campaign, today, horizon, stopped };
}

/** `reason`: why the run stopped, as it recorded (null: not recorded, e.g. terminated by an operator). */
type Stopped = Array<{ unitCode: string; unitName: string; state: EvaluationRunState; closedAt: string | null; reason: string | null }>;

/**
 * Per organisation and year: the last answer, and when it was asked. Stopped runs are rare and stay
 * stopped until restarted, and the overview is asked often (by its own refresh too): it is served
 * the last answer at once and a stale one is asked again in the background — the overview never
 * waits on Temporal, but for the first asking (at most 1 s; unknown after that).
 */
const stoppedCache = new Map<string, { at: number; value: Stopped | null; refreshing: Promise<void> | null }>();
const STOPPED_FRESH_MS = 15_000;
const STOPPED_FIRST_WAIT_MS = 1_000;

/** After a restart: the next overview asks Temporal again. */
export function forgetStoppedEvaluations(): void {
  stoppedCache.clear();
}

/** The units under the organisation whose evaluation of the year stopped without issuing (recorded on the rows, or listed by Temporal); null: unknown. */
async function stoppedUnder(ctx: HandlerContext, organisationId: number, year: number): Promise<Stopped | null> {
  const key = `${ctx.deps.temporal.options.namespace}|${organisationId}|${year}`;
  const ask = async (): Promise<void> => {
    let value: Stopped | null = null;
    try {
      const units = await unitsUnder(ctx.deps.db, organisationId);
      const names = new Map(units.map((u) => [u.code, u.name]));
      // The runs that recorded their stop (kept after Temporal forgets them), then what Temporal
      // lists (runs terminated or timed out record nothing; its answer is the newer one).
      const found = new Map<string, { state: EvaluationRunState; closedAt: string | null; reason: string | null }>();
      for (const [unitCode, r] of await stoppedRuns(ctx.deps.db, year, [...names.keys()])) found.set(unitCode, { state: r.state, closedAt: r.closedAt, reason: r.reason });
      try {
        const listed = await ctx.deps.temporal.connection.withDeadline(Date.now() + 2_000, () => stoppedEvaluations(ctx.deps.temporal, year, new Set(names.keys())));
        // Temporal's state is the newer; the reason the run recorded stays with it.
        for (const [unitCode, r] of listed) found.set(unitCode, { ...r, reason: found.get(unitCode)?.reason ?? null });
      } catch (e) {
        if (found.size === 0) throw e;
        ctx.request.log.warn(`overview: stopped evaluations from the database only (Temporal did not answer: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
      value = [...found].map(([unitCode, r]) => ({ unitCode, unitName: names.get(unitCode) ?? unitCode, ...r })).sort((a, b) => a.unitCode.localeCompare(b.unitCode));
    } catch (e) {
      ctx.request.log.warn(`overview: stopped evaluations unknown (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
    }
    stoppedCache.set(key, { at: Date.now(), value, refreshing: null });
    if (stoppedCache.size > 1000) stoppedCache.delete(stoppedCache.keys().next().value!);
  };
  const entry = stoppedCache.get(key);
  if (!entry) {
    const first = ask();
    stoppedCache.set(key, { at: Date.now(), value: null, refreshing: first });
    return Promise.race([first.then(() => stoppedCache.get(key)?.value ?? null), new Promise<null>((r) => setTimeout(() => r(null), STOPPED_FIRST_WAIT_MS).unref())]);
  }
  if (!entry.refreshing && Date.now() - entry.at > STOPPED_FRESH_MS) entry.refreshing = ask();
  return entry.value;
}

const unitListBody = z.object({ fileName: z.string().trim().min(1).max(200), contentBase64: z.string().min(1).max(LARGE_BODY_LIMIT) }).strict();
const officerBody = z
  .object({
    email: z.email({ message: bi('邮箱格式不正确', 'not a valid email address') }).max(200),
    name: z.string().trim().min(1).max(100).optional(),
    /** The organisation to grant the role in: this one (default) or one of its departments. */
    organisation: z.string().trim().min(1).max(64).optional(),
  })
  .strict();

/** `https://host` of this request (for the one-time link handed on). */
function origin(ctx: HandlerContext): string {
  const proto = String(ctx.request.headers['x-forwarded-proto'] ?? ctx.request.protocol).split(',')[0]!.trim();
  return `${proto}://${ctx.request.headers.host ?? 'localhost'}`;
}

/** The organisation a grant or revocation names: the route's own, or one of its departments. */
async function targetOrg(ctx: HandlerContext, routeOrg: { id: number; code: string }, code: string | undefined) {
  if (code === undefined || code === routeOrg.code) return (await orgOrThrow(ctx, routeOrg.code));
  const target = await organisationWithParent(ctx.deps.db, code);
  if (!target || target.parentId !== routeOrg.id) {
    throw AppError.invalid([{ path: 'body.organisation', code: 'unknown_organisation', zh: `本局没有主管部门 ${code}`, en: `no department ${code} under this bureau` }]);
  }
  return target;
}

export const overviewRoutes: RouteDef[] = [
  // ── Where one works above the units ──────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/me/organisations', tag: 'organisations', summary: 'The organisations (bureau, departments) I work in, with my role there', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      const grants = ctx.account!.orgRoles ?? [];
      if (!grants.length) return { organisations: [] };
      const rows = await ctx.deps.db.selectFrom('organisations').select(['id', 'code', 'name', 'kind']).where('id', 'in', grants.map((g) => g.organisationId)).orderBy('kind').orderBy('code').execute();
      return { organisations: rows.map((o) => ({ code: o.code, name: o.name, kind: o.kind, roles: grants.filter((g) => g.organisationId === Number(o.id)).map((g) => g.role) })) };
    },
  },

  // ── The year's overview ──────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/organisations/:org/years/:year/overview', tag: 'organisations',
    summary: 'Every unit of the year under the organisation (a department: its own units): stage, due date, late marks, total and grade, blocking findings, review and publication, withheld amounts falling due; filters, sorting, the distribution of grades',
    access: OFFICERS, schema: { params: orgYearParams, querystring: overviewQuery },
    async handler(ctx) {
      const { org: code, year } = params<{ org: string; year: number }>(ctx.request);
      const q = ctx.request.query as OverviewQuery;
      const { org, result, campaign, today, horizon, stopped } = await overviewOf(ctx, code, year, q, { limit: q.limit, offset: q.offset });
      const stoppedBy = new Map((stopped ?? []).map((x) => [x.unitCode, x.state]));
      return {
        organisation: { code: org.code, name: org.name, kind: org.kind, parent: org.parent ? { code: org.parent.code, name: org.parent.name } : null },
        year, today, horizon,
        campaign: campaign ? { ...campaign, createdAt: campaign.createdAt.toISOString() } : null,
        departments: result.departments,
        counts: result.counts,
        distribution: result.distribution,
        filtered: { total: result.matching, distribution: result.matchingDistribution },
        rows: result.rows.map((r) => (stoppedBy.has(r.unitCode) ? { ...r, runStopped: stoppedBy.get(r.unitCode)! } : r)),
        stopped,
        offset: q.offset, limit: q.limit,
      };
    },
  },
  {
    method: 'GET', url: '/api/organisations/:org/years/:year/overview/export', tag: 'organisations', summary: 'The overview as an Excel workbook (the same filters and sorting; every matching unit)',
    access: OFFICERS, schema: { params: orgYearParams, querystring: overviewQuery },
    async handler(ctx) {
      const { org: code, year } = params<{ org: string; year: number }>(ctx.request);
      const q = ctx.request.query as OverviewQuery;
      const { org, result, horizon } = await overviewOf(ctx, code, year, q, { limit: null, offset: 0 });
      const f = filterOf(q);
      const filterText = [
        f.department ? `主管部门 ${f.department === '-' ? '（直属）' : f.department}` : '', f.stage ? `阶段 ${f.stage}` : '', f.review ? `复核 ${f.review}` : '', f.grade ? `等级 ${f.grade}` : '',
        f.late === undefined ? '' : f.late ? '逾期' : '未逾期',
      ].filter(Boolean).join('，');
      const bytes = await overviewWorkbook({ organisationName: org.name, year, rows: result.rows, filterText, horizon, generatedAt: nowOf(ctx).toISOString() });
      const name = `overview-${org.code}-${year}.xlsx`;
      return ctx.reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="${name}"`).send(bytes);
    },
  },

  // ── The organisation's administration ────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/organisations/:org/admin', tag: 'organisations', summary: 'The organisation: its bureau, departments, units (with their years) and officers, the years it has data for, its recent audit entries, and messages to its officers that did not arrive',
    access: OFFICERS, schema: { params: orgParams },
    async handler(ctx) {
      const org = await orgOrThrow(ctx, params<{ org: string }>(ctx.request).org);
      const [detail, years, scope] = await Promise.all([organisationDetail(ctx.deps.db, org.id), yearsUnder(ctx.deps.db, org.id), officersScope(ctx, org.id)]);
      const [audit, undelivered] = await Promise.all([
        organisationAudit(ctx.deps.db, { codes: [org.code, ...detail.departments.map((d) => d.code)], limit: 50 }),
        undeliveredOf(ctx.deps.db, scope),
      ]);
      return {
        undelivered: undelivered.map((n) => ({ ...n, createdAt: n.createdAt.toISOString(), nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null, giveUpAt: n.giveUpAt?.toISOString() ?? null })),
        organisation: { code: org.code, name: org.name, kind: org.kind, parent: org.parent ? { code: org.parent.code, name: org.parent.name } : null },
        ...detail,
        officers: detail.officers.map((o) => ({ ...o, grantedAt: o.grantedAt.toISOString() })),
        years,
        audit: audit.map((a) => ({ ...a, at: a.at.toISOString() })),
      };
    },
  },
  {
    method: 'GET', url: '/api/organisations/:org/admin/unit-list', tag: 'organisations', summary: 'The bureau’s unit list (单位名单) as an Excel sheet: its departments and units, to fill in and import again',
    access: BUREAU, schema: { params: orgParams },
    async handler(ctx) {
      const org = await orgOrThrow(ctx, params<{ org: string }>(ctx.request).org);
      const detail = await organisationDetail(ctx.deps.db, org.id);
      const names = new Map(detail.departments.map((d) => [d.code, d.name]));
      const bytes = await writeUnitList(detail.units.map((u) => ({ unitCode: u.code, unitName: u.name, ...(u.departmentCode ? { departmentCode: u.departmentCode, departmentName: names.get(u.departmentCode)! } : {}) })));
      return ctx.reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="unit-list-${org.code}.xlsx"`).send(bytes);
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/admin/unit-list', tag: 'organisations',
    summary: 'Import the bureau’s unit list (单位名单, Excel, base64): departments and units created, units assigned, the named unit heads and finance officers given their roles; refused with every problem and its row; the same list again changes nothing',
    access: BUREAU, bodyLimit: LARGE_BODY_LIMIT, schema: { params: orgParams, body: unitListBody },
    async handler(ctx) {
      const org = await orgOrThrow(ctx, params<{ org: string }>(ctx.request).org);
      if (org.kind !== 'bureau') throw new AppError('conflict', '单位名单由财政局导入', 'the unit list is imported by the bureau');
      const b = body<z.output<typeof unitListBody>>(ctx.request);
      const read = await readUnitList(Buffer.from(b.contentBase64, 'base64'));
      if (!read.ok) throw AppError.invalid(read.problems, `单位名单有 ${read.problems.length} 处问题，未导入任何内容`, `the unit list has ${read.problems.length} problem(s); nothing was imported`);
      // A department code of another bureau would move its units here: refused by its row.
      const named = [...new Set(read.rows.flatMap((r) => (r.departmentCode ? [r.departmentCode] : [])))];
      const foreign = named.length ? await ctx.deps.db.selectFrom('organisations').select(['code', 'kind', 'parent_id']).where('code', 'in', named).execute() : [];
      const problems = read.rows.flatMap((r, i) => {
        const d = foreign.find((x) => x.code === r.departmentCode);
        return d && (d.kind !== 'department' || Number(d.parent_id) !== org.id)
          ? [{ path: `单位名单 第${i + 2}行 departmentCode`, code: 'foreign_department', zh: `${r.departmentCode} 不是本局的主管部门`, en: `${r.departmentCode} is not a department of this bureau` }]
          : [];
      });
      if (problems.length) throw AppError.invalid(problems, `单位名单有 ${problems.length} 处问题，未导入任何内容`, `the unit list has ${problems.length} problem(s); nothing was imported`);
      const result = await importUnitListRows(ctx.deps.db, { bureauCode: org.code, rows: read.rows, actor: actorOf(ctx.account) });
      const changed = result.departmentsCreated + result.unitsCreated + result.unitsAssigned + result.peopleGranted > 0;
      return { status: changed ? 'updated' : 'unchanged', rows: read.rows.length, ...result };
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/admin/officers', tag: 'organisations',
    summary: 'Grant a bureau officer (in the bureau) or a department officer (in one of its departments), creating the account when new; a person without a password gets a one-time link to set one',
    access: BUREAU, schema: { params: orgParams, body: officerBody },
    async handler(ctx) {
      const org = await orgOrThrow(ctx, params<{ org: string }>(ctx.request).org);
      const b = body<z.output<typeof officerBody>>(ctx.request);
      const target = await targetOrg(ctx, org, b.organisation);
      const role = target.kind === 'bureau' ? 'bureau_officer' : 'department_officer';
      const r = await grantOrganisationRole(ctx.deps.db, { email: b.email, name: b.name ?? b.email.split('@')[0]!, organisationCode: target.code, role, actor: actorOf(ctx.account) });
      let setPassword: { link: string; expiresAt: string } | undefined;
      if (!(await hasPassword(ctx.deps.db, r.userId))) {
        const token = randomToken();
        const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
        await createOfficerPasswordLink(ctx.deps.db, { userId: r.userId, organisationCode: target.code, tokenSha256: tokenHash(token), expiresAt, actor: actorOf(ctx.account) });
        setPassword = { link: `${origin(ctx)}/password-reset/${token}`, expiresAt: expiresAt.toISOString() };
      }
      ctx.reply.status(r.granted ? 201 : 200);
      return { userId: r.userId, organisation: target.code, role, created: r.created, granted: r.granted, ...(setPassword ? { setPassword } : {}) };
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/admin/people/:user/password-link', tag: 'organisations',
    summary: 'A one-time link for a person of a unit under the bureau (a unit head or finance officer named in the unit list, say) who has never set a password; earlier unused links stop working; audited. Someone who has a password resets it through their unit’s administrator',
    access: BUREAU, schema: { params: orgParams.extend({ user: userId }), body: z.object({}).strict().default({}) },
    async handler(ctx) {
      const { org: code, user } = params<{ org: string; user: number }>(ctx.request);
      const org = await orgOrThrow(ctx, code);
      if (!(await personInUnitsUnder(ctx.deps.db, org.id, user))) throw new AppError('not_found', '本局所辖单位中没有此人', 'no such person in a unit under this organisation');
      if (await hasPassword(ctx.deps.db, user)) throw new AppError('conflict', '此人已设置密码；如忘记密码，请由所在单位的管理员发送重置链接', 'this person has a password; their unit’s administrator sends a reset link if it is forgotten');
      const token = randomToken();
      const expiresAt = new Date(Date.now() + RESET_LINK_TTL_MS);
      await createOfficerPasswordLink(ctx.deps.db, { userId: user, organisationCode: org.code, tokenSha256: tokenHash(token), expiresAt, actor: actorOf(ctx.account) });
      ctx.reply.status(201);
      return { userId: user, setPassword: { link: `${origin(ctx)}/password-reset/${token}`, expiresAt: expiresAt.toISOString() } };
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/admin/officers/:user/revoke', tag: 'organisations',
    summary: 'Revoke a person’s officer role in the bureau or one of its departments (their next request no longer carries it); a bureau keeps at least one officer',
    access: BUREAU, schema: { params: orgParams.extend({ user: userId }), body: z.object({ organisation: z.string().trim().min(1).max(64).optional() }).strict().default({}) },
    async handler(ctx) {
      const { org: code, user } = params<{ org: string; user: number }>(ctx.request);
      const org = await orgOrThrow(ctx, code);
      const target = await targetOrg(ctx, org, body<{ organisation?: string } | undefined>(ctx.request)?.organisation);
      if (target.kind === 'bureau') {
        const others = await ctx.deps.db.selectFrom('organisation_roles').select('user_id').where('organisation_id', '=', target.id).where('user_id', '<>', user).execute();
        const holds = await ctx.deps.db.selectFrom('organisation_roles').select('user_id').where('organisation_id', '=', target.id).where('user_id', '=', user).executeTakeFirst();
        if (holds && others.length === 0) throw new AppError('conflict', '这是本局唯一的财政局工作人员，不能撤销', 'this is the bureau’s only officer: it cannot be revoked');
      }
      const revoked = await revokeOrganisationRole(ctx.deps.db, { organisationId: target.id, userId: user, actor: actorOf(ctx.account) });
      if (!revoked) throw new AppError('not_found', '此人在该机构没有职务', 'this person holds no role there');
      return revoked;
    },
  },
  ...(['resend', 'abandon'] as const).map(
    (decision): RouteDef => ({
      method: 'POST', url: `/api/organisations/:org/admin/notifications/:notification/${decision}`, tag: 'organisations',
      summary: decision === 'resend'
        ? 'Send again an uncertain or given-up message to an officer of the bureau or its departments (a new 72-hour window), audited'
        : 'Stop trying a message to an officer of the bureau or its departments that is still retrying or uncertain, audited',
      access: BUREAU, schema: { params: orgParams.extend({ notification: userId }), response: { 200: z.object({ status: z.enum(['pending', 'failed']) }) } },
      async handler(ctx) {
        const { org: code, notification } = params<{ org: string; notification: number }>(ctx.request);
        const org = await orgOrThrow(ctx, code);
        const status = await decideUndelivered(ctx.deps.db, { scope: await officersScope(ctx, org.id), id: notification, decision, actor: actorOf(ctx.account), organisationCode: org.code });
        if (!status) throw new AppError('conflict', '本机构没有这条可处理的未送达通知（可能已送达或已处理）', 'no such undelivered message to this organisation’s officers in a state this applies to (it may have been delivered or dealt with)');
        return { status };
      },
    }),
  ),
  // ── Published reports (预决算公开): no sign-in ───────────────────────────────────────────
  {
    method: 'GET', url: '/api/public/organisations/:org/years/:year', tag: 'public',
    summary: 'The published self-evaluation reports of a year under a bureau (or one of its departments), with the self-score and the reviewed score (no sign-in)',
    access: PUBLIC, schema: { params: orgYearParams },
    async handler(ctx) {
      const { org: code, year } = params<{ org: string; year: number }>(ctx.request);
      const org = await organisationWithParent(ctx.deps.db, code);
      if (!org) throw new AppError('not_found', `没有机构 ${code}`, `no organisation ${code}`);
      const bureau = org.kind === 'bureau' ? org : org.parent!;
      const all = await publishedReportsOf(ctx.deps.db, bureau.code, year);
      return {
        organisation: { code: org.code, name: org.name, kind: org.kind, bureau: { code: bureau.code, name: bureau.name } },
        year, years: await publishedYears(ctx.deps.db, org.id),
        reports: org.kind === 'bureau' ? all : all.filter((r) => r.department?.code === org.code),
      };
    },
  },
  {
    method: 'GET', url: '/api/public/organisations/:org/years/:year/units/:unit', tag: 'public',
    summary: 'One published unit-year (no sign-in): the report version and its sha256, the self-score and the reviewed score with every adjusted indicator and its reason, and the 基础数据表',
    access: PUBLIC, schema: { params: orgYearParams.extend({ unit: z.string().min(1).max(64) }) },
    async handler(ctx) {
      const { org: code, year, unit } = params<{ org: string; year: number; unit: string }>(ctx.request);
      const found = await publishedUnder(ctx, code, unit, year);
      const { unitYearId: _id, ...rest } = found.published;
      return { organisation: found.organisation, ...rest };
    },
  },
  {
    method: 'GET', url: '/api/public/organisations/:org/years/:year/units/:unit/review-result.pdf', tag: 'public', summary: 'The published report’s 复核结果 (no sign-in): self-score and reviewed score side by side, every adjustment with its reason, every step of the review; verified against its sha256',
    access: PUBLIC, schema: { params: orgYearParams.extend({ unit: z.string().min(1).max(64) }) },
    async handler(ctx) {
      const { org: code, year, unit } = params<{ org: string; year: number; unit: string }>(ctx.request);
      const { published } = await publishedUnder(ctx, code, unit, year);
      return sendReviewResult(ctx, { unitCode: unit, year, unitYearId: published.unitYearId, actor: 'public' });
    },
  },
  {
    method: 'GET', url: '/api/public/organisations/:org/years/:year/units/:unit/report.pdf', tag: 'public', summary: 'The published report’s PDF (no sign-in), verified against its sha256',
    access: PUBLIC, schema: { params: orgYearParams.extend({ unit: z.string().min(1).max(64) }) },
    async handler(ctx) {
      const { org: code, year, unit } = params<{ org: string; year: number; unit: string }>(ctx.request);
      const { published } = await publishedUnder(ctx, code, unit, year);
      const file = await reportFile(ctx.deps.db, published.unitYearId, published.reportVersion, 'pdf');
      return ctx.reply
        .header('content-type', 'application/pdf')
        .header('x-content-sha256', file.sha256)
        .header('content-disposition', `inline; filename="${unit}-${year}-v${published.reportVersion}.pdf"`)
        .header('cache-control', 'no-cache')
        .send(file.bytes);
    },
  },
];

/** A published unit-year under the organisation named (the unit's bureau, or its own department); refused alike when not published, withdrawn or elsewhere. */
async function publishedUnder(ctx: HandlerContext, code: string, unit: string, year: number) {
  const notPublished = () => new AppError('not_found', `${unit} ${year} 年度的自评报告未公开`, `the ${year} report of ${unit} is not published`);
  const [org, published, bureau] = await Promise.all([organisationWithParent(ctx.deps.db, code), publishedUnitYear(ctx.deps.db, unit, year), bureauOfUnit(ctx.deps.db, unit)]);
  if (!org || !published) throw notPublished();
  const under = org.kind === 'bureau' ? bureau?.code === org.code : published.department?.code === org.code;
  if (!under) throw notPublished();
  return { organisation: { code: org.code, name: org.name, kind: org.kind, bureau: bureau! }, published };
}
