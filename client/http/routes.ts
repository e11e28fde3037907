/**
 * The JSON API, as a table of routes: method, URL, access rule, zod schemas, handler. The table is
 * the single source for registration, the OpenAPI document and the authorization test.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { restartHoldback } from '../holdbacks';
import { evaluationSummary, saveDraft, stoppedRuns } from '../../db/evaluations.repository';
import { importUnitYear, loadUnitYear } from '../../db/ledger.repository';
import { inbox, markRead } from '../../db/notifications.repository';
import { auditAdmin } from '../../db/admin.repository';
import { listReports, reportFile, reportVersion } from '../../db/reports.repository';
import { taskById, tasksFor } from '../../db/tasks.repository';
import { civilDateOf, instantAt, isCivilDate } from '../../domain/calendar/civil-date';
import { AppError } from '../../domain/errors';
import { bi } from '../../domain/validation';
import { analyseStored, listEvidence } from '../../db/scoring.repository';
import { selfAssessmentDraftSchema } from '../../domain/self-assessment';
import { draftSubmissionSchema, sectionSubmissionSchema } from '../../domain/submission';
import { holdbackEvents, holdbackStop, openHoldbacksOfUnit } from '../../db/holdbacks.repository';
import {
  holdbackStatusQuery, holdbackWorkflowId, recordAcceptanceSchema, recordAcceptanceUpdate, recordAssessmentSchema, recordAssessmentUpdate,
  recordMilestoneSchema, recordMilestoneUpdate, recordReleaseSchema, recordReleaseUpdate, reportDefectSchema, reportDefectUpdate,
} from '../../workflows/holdback/contract';
import {
  acknowledgeFindingsUpdate, approveUpdate, evaluationId, evaluationStatusQuery, extendSectionDueSignal, proceedWithoutUpdate, recheckUpdate, resubmitUpdate,
  returnSubmissionUpdate, sectionTaskId, selfAssessmentTaskId, sendBackUpdate, submitSelfAssessmentUpdate, submitUpdate,
} from '../../workflows/evaluation/contract';
import { type DraftDocxInput, draftDocxId, draftDocxWorkflowType } from '../../workflows/report-docx/contract';
import { ensureYearlySchedule, evaluationRun, restartable, restartEvaluation, startEvaluation } from '../evaluations';
import { readLedgerFile, writeLedgerFile } from '../ledger/files';
import { holdbacksWorkbook } from '../ledger/holdbacks-workbook';
import { workflowUiUrl } from '../temporal';
import { ANY_UNIT_ROLE, hasUnitRole, ORG_OFFICERS, PUBLIC, SIGNED_IN, taskAccess, unitOrOrgRoles, unitRoles } from './access';
import { issueApiToken, signIn, signOut } from './auth';
import { actorOf, body, type HandlerContext, LARGE_BODY_LIMIT, params, renderOnWorker, type RouteDef, taskParams, unitParams, unitYearOrThrow, unitYearParams, update } from './route-kit';
import { ruleSetRoutes } from './rule-sets.routes';
import { scoringRoutes } from './scoring.routes';
import { adminRoutes } from './admin.routes';
import { bureauRoutes } from './bureau.routes';
import { forgetStoppedEvaluations, overviewRoutes } from './overview.routes';

export type { HandlerContext, RouteDef } from './route-kit';

/** A civil due date (YYYY-MM-DD) → the end of that working day as the workflow's instant. */
function dueInstant(ctx: HandlerContext, dueDate: string): string {
  if (!isCivilDate(dueDate)) throw AppError.invalid([{ path: 'body.dueDate', code: 'invalid_format', zh: '日期格式应为 YYYY-MM-DD', en: 'date must be YYYY-MM-DD' }]);
  return new Date(Date.parse(instantAt(dueDate, '18:00')) - (ctx.deps.clockShiftMs ?? 0)).toISOString();
}

const okSchema = z.object({ ok: z.literal(true) });

/** Reads a department's or the bureau's officers share with the unit's people (the overview links to them); drafts stay the unit's. */
const UNIT_OR_ORG_READERS = unitOrOrgRoles(['finance_officer', 'unit_head', 'section_head', 'admin'], ORG_OFFICERS);

export const apiRoutes: RouteDef[] = [
  // ── Accounts ──────────────────────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/login', tag: 'accounts', summary: 'Sign in with email and password (sets the session cookie)', access: PUBLIC, skipCsrf: true,
    schema: { body: z.object({ email: z.string().trim().min(3).max(200), password: z.string().min(1).max(200) }) },
    async handler(ctx) {
      const b = body<{ email: string; password: string }>(ctx.request);
      const { account, csrfToken } = await signIn(ctx.deps.db, ctx.request, ctx.reply, b.email, b.password, ctx.deps.secureCookies ?? false);
      return { user: account, csrfToken };
    },
  },
  {
    method: 'POST', url: '/api/logout', tag: 'accounts', summary: 'Sign out', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      await signOut(ctx.deps.db, ctx.request, ctx.reply);
      return { ok: true };
    },
  },
  {
    method: 'GET', url: '/api/me', tag: 'accounts', summary: 'The signed-in account, its roles and the CSRF token', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      return { user: ctx.account, csrfToken: ctx.request.auth.csrfToken ?? null };
    },
  },
  {
    method: 'POST', url: '/api/tokens', tag: 'accounts', summary: 'Create an API token for the command line (shown once)', access: SIGNED_IN,
    schema: { body: z.object({ name: z.string().trim().min(1).max(100) }) },
    async handler(ctx) {
      return { token: await issueApiToken(ctx.deps.db, ctx.account!, body<{ name: string }>(ctx.request).name) };
    },
  },

  // ── Units and ledger ──────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units', tag: 'units', summary: 'Units the account has a role in', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      const codes = [...new Set(ctx.account!.roles.map((r) => r.unitCode))];
      if (!codes.length) return { units: [] };
      const units = await ctx.deps.db.selectFrom('units').select(['code', 'name']).where('code', 'in', codes).orderBy('code').execute();
      return { units: units.map((u) => ({ ...u, roles: ctx.account!.roles.filter((r) => r.unitCode === u.code).map((r) => ({ role: r.role, section: r.section })) })) };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit', tag: 'units', summary: 'A unit with its sections and years', access: UNIT_OR_ORG_READERS, schema: { params: unitParams },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const row = await ctx.deps.db.selectFrom('units').select(['id', 'code', 'name', 'level', 'staff_quota']).where('code', '=', unit).executeTakeFirstOrThrow();
      const sections = await ctx.deps.db.selectFrom('sections').select(['code', 'name']).where('unit_id', '=', row.id).orderBy('position').execute();
      const years = await ctx.deps.db.selectFrom('unit_years').select('year').where('unit_id', '=', row.id).orderBy('year', 'desc').execute();
      return { unit: { code: row.code, name: row.name, level: row.level, staffQuota: row.staff_quota }, sections, years: years.map((y) => y.year) };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/ledger', tag: 'ledger', summary: 'Import a unit-year file (JSON, YAML or Excel, base64); importing the same content again changes nothing',
    access: unitRoles('finance_officer', 'admin'), bodyLimit: LARGE_BODY_LIMIT,
    schema: { params: unitParams, body: z.object({ fileName: z.string().min(1).max(200), contentBase64: z.string().min(1) }) },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<{ fileName: string; contentBase64: string }>(ctx.request);
      const read = await readLedgerFile(b.fileName, Buffer.from(b.contentBase64, 'base64'));
      if (!read.ok) throw AppError.invalid(read.problems, `文件有 ${read.problems.length} 处问题`, `the file has ${read.problems.length} problem(s)`);
      if (read.value.unit.code !== unit) {
        throw AppError.invalid([{ path: 'unit.code', code: 'wrong_unit', zh: `文件属于单位 ${read.value.unit.code}，不是 ${unit}`, en: `the file is for unit ${read.value.unit.code}, not ${unit}` }]);
      }
      return importUnitYear(ctx.deps.db, read.value, { actor: actorOf(ctx.account), fileName: b.fileName });
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/ledger', tag: 'ledger', summary: 'Export the unit-year ledger (format=xlsx|yaml|json)', access: unitRoles('finance_officer', 'unit_head', 'admin'),
    schema: { params: unitYearParams, querystring: z.object({ format: z.enum(['xlsx', 'yaml', 'json']).default('xlsx') }) },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const { format } = ctx.request.query as { format: 'xlsx' | 'yaml' | 'json' };
      const loaded = await loadUnitYear(ctx.deps.db, { unitCode: unit, year });
      if (!loaded) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      const bytes = await writeLedgerFile(loaded, format);
      const type = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', yaml: 'application/yaml', json: 'application/json' }[format];
      return ctx.reply.header('content-type', type).header('content-disposition', `attachment; filename="${unit}-${year}.${format}"`).send(bytes);
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/analysis', tag: 'ledger', summary: 'Reconciliation findings, indicators, carry-over ageing and the score preview',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const stored = await analyseStored(ctx.deps.db, unit, year);
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      return stored.analysis;
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/score-preview', tag: 'ledger', summary: 'Score preview with a section submission (before submitting): which indicators lose points and why',
    access: ANY_UNIT_ROLE, schema: { params: unitYearParams, body: sectionSubmissionSchema },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const submission = body<z.infer<typeof sectionSubmissionSchema>>(ctx.request);
      if (!hasUnitRole(ctx.account!, unit, ['finance_officer', 'unit_head', 'admin']) && !ctx.account!.roles.some((r) => r.unitCode === unit && r.section === submission.section)) {
        throw new AppError('forbidden', '只能预览本科室的材料', 'you may preview only your own section');
      }
      const stored = await analyseStored(ctx.deps.db, unit, year, { submission });
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      return { score: stored.analysis.score };
    },
  },

  ...scoringRoutes,
  ...adminRoutes,
  ...ruleSetRoutes,
  ...bureauRoutes,
  ...overviewRoutes,

  // ── Evaluation ────────────────────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/units/:unit/years/:year/evaluation', tag: 'evaluation', summary: 'Start the annual evaluation (returns the existing one if it was started already)',
    access: unitRoles('finance_officer'),
    schema: { params: unitYearParams, body: z.object({ dueDate: z.string().optional(), escalateAfterWorkingDays: z.number().int().min(0).max(60).optional() }).default({}) },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      await unitYearOrThrow(ctx, unit, year);
      const b = body<{ dueDate?: string; escalateAfterWorkingDays?: number }>(ctx.request) ?? {};
      if (b.dueDate !== undefined && !isCivilDate(b.dueDate)) throw AppError.invalid([{ path: 'body.dueDate', code: 'invalid_format', zh: '日期格式应为 YYYY-MM-DD', en: 'date must be YYYY-MM-DD' }]);
      const started = await startEvaluation(ctx.deps.temporal, { unitCode: unit, year, startedBy: actorOf(ctx.account), ...(ctx.deps.taskQueue ? { taskQueue: ctx.deps.taskQueue } : {}), options: { ...(b.dueDate ? { dueDate: b.dueDate } : {}), ...(b.escalateAfterWorkingDays !== undefined ? { escalateAfterWorkingDays: b.escalateAfterWorkingDays } : {}) } });
      ctx.reply.status(started.alreadyStarted ? 200 : 201);
      // An evaluation that already ran says how it stands (`failed` and the like can be restarted).
      return { workflowId: started.workflowId, alreadyStarted: started.alreadyStarted, ...(started.state ? { state: started.state } : {}), temporalUi: workflowUiUrl({ temporal: { uiUrl: ctx.deps.temporalUiUrl, namespace: ctx.deps.temporal.options.namespace } }, started.workflowId) };
    },
  },
  {
    method: 'PUT', url: '/api/units/:unit/schedule', tag: 'evaluation',
    summary: 'Start each year’s evaluation automatically on a date (Asia/Shanghai): creates or updates the unit’s yearly Schedule',
    access: unitRoles('finance_officer', 'admin'),
    schema: {
      params: unitParams,
      body: z
        .object({ month: z.number().int().min(1).max(12), dayOfMonth: z.number().int().min(1).max(31), hour: z.number().int().min(0).max(23).default(9), dueInWorkingDays: z.number().int().min(1).max(60).optional() })
        // A date some years lack (2-29) or none has (4-31) would start the evaluation some years or never.
        .refine((b) => b.dayOfMonth <= [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][b.month - 1]!, { path: ['dayOfMonth'], message: bi('该月没有这一天（或并非每年都有，如 2 月 29 日）', 'that month has no such day every year (e.g. February 29)') }),
    },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const b = body<{ month: number; dayOfMonth: number; hour: number; dueInWorkingDays?: number }>(ctx.request);
      const result = await ensureYearlySchedule(ctx.deps.temporal, {
        unitCode: unit, month: b.month, dayOfMonth: b.dayOfMonth, hour: b.hour, startedBy: actorOf(ctx.account),
        ...(b.dueInWorkingDays ? { options: { dueInWorkingDays: b.dueInWorkingDays } } : {}), ...(ctx.deps.taskQueue ? { taskQueue: ctx.deps.taskQueue } : {}),
      });
      const unitId = ctx.account!.roles.find((r) => r.unitCode === unit)!.unitId;
      await auditAdmin(ctx.deps.db, { actor: actorOf(ctx.account), unitId, action: 'schedule.set', subject: `unit/${unit}`, details: { month: b.month, dayOfMonth: b.dayOfMonth, hour: b.hour, dueInWorkingDays: b.dueInWorkingDays ?? null } });
      return result;
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/evaluation', tag: 'evaluation', summary: 'The evaluation: stage, each task with its state and due date, findings, score, report version',
    access: UNIT_OR_ORG_READERS, schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const id = evaluationId(unit, year);
      const temporalUi = workflowUiUrl({ temporal: { uiUrl: ctx.deps.temporalUiUrl, namespace: ctx.deps.temporal.options.namespace } }, id);
      try {
        // Ask the workflow, but never hang a page on it: a worker may be down.
        // …and how its latest run stands: a failed or terminated run no longer advances and is restarted.
        const [status, run] = await ctx.deps.temporal.connection.withDeadline(Date.now() + 3_000, () =>
          Promise.all([ctx.deps.temporal.workflow.getHandle(id).query(evaluationStatusQuery), evaluationRun(ctx.deps.temporal, unit, year)]),
        );
        // Why a stopped run stopped, as it recorded (evaluations since the stop-record patch).
        const reason = run && restartable(run.state) ? ((await stoppedRuns(ctx.deps.db, year, [unit])).get(unit)?.reason ?? null) : null;
        return { ...status, source: 'workflow', temporalUi, ...(run ? { run: { state: run.state, closedAt: run.closedAt, restartable: restartable(run.state), reason } } : {}) };
      } catch (e) {
        const keys = await unitYearOrThrow(ctx, unit, year);
        const summary = await evaluationSummary(ctx.deps.db, keys.unitYearId);
        if (!summary) throw new AppError('not_found', '尚未开始本年度评价', 'the evaluation has not been started');
        ctx.request.log.warn({ err: e }, 'evaluation status from the database: the workflow did not answer');
        const ev = summary.evaluation;
        return {
          workflowId: id, unitCode: unit, year, stage: ev.stage, source: 'database', temporalUi,
          sections: summary.tasks.map((t) => ({ ...t, dueAt: t.dueAt.toISOString() })),
          selfAssessment: summary.selfAssessment ? { ...summary.selfAssessment, dueAt: summary.selfAssessment.dueAt.toISOString() } : null,
          findings: { sha256: ev.findings_sha256, acknowledged: ev.acknowledged_at !== null },
          reportVersion: ev.report_version,
          // A run that recorded its stop: still known after Temporal forgot it (its retention), and restartable.
          ...(ev.stopped_state ? { run: { state: ev.stopped_state, closedAt: ev.stopped_at?.toISOString() ?? null, restartable: true, reason: ev.stopped_reason } } : {}),
        };
      }
    },
  },
  ...(
    [
      ['proceed-without', proceedWithoutUpdate, z.object({ section: z.string().min(1), reason: z.string().trim().min(1).max(2000) }), 'Proceed without a section (with the reason)', ['finance_officer']],
      ['return', returnSubmissionUpdate, z.object({ section: z.string().min(1), reason: z.string().trim().min(1).max(2000) }), 'Return a section submission for revision', ['finance_officer']],
      ['acknowledge', acknowledgeFindingsUpdate, z.object({ findingsSha256: z.string().min(1), note: z.string().max(2000).optional() }), 'Acknowledge the reconciliation findings', ['finance_officer']],
      ['recheck', recheckUpdate, z.object({}), 'Reconcile again after correcting the ledger', ['finance_officer']],
      ['approve', approveUpdate, z.object({ reportVersion: z.number().int().positive() }), 'Approve the draft report (the unit head)', ['unit_head']],
      ['send-back', sendBackUpdate, z.object({ reason: z.string().trim().min(1).max(2000) }), 'Send the draft back to the finance officer (the unit head)', ['unit_head']],
      ['resubmit', resubmitUpdate, z.object({ note: z.string().trim().min(1).max(2000) }), 'The correction of a returned evaluation is done: reconcile, score and draft a new version (the finance officer)', ['finance_officer']],
    ] as const
  ).map(([name, definition, schema, summary, roles]): RouteDef => ({
    method: 'POST', url: `/api/units/:unit/years/:year/evaluation/${name}`, tag: 'evaluation', summary, access: unitRoles(...roles),
    schema: { params: unitYearParams, body: schema },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const handle = ctx.deps.temporal.workflow.getHandle(evaluationId(unit, year));
      const args = { ...(body<Record<string, unknown>>(ctx.request) ?? {}), actor: actorOf(ctx.account) };
      return update(() => handle.executeUpdate(definition as typeof approveUpdate, { args: [args as never] }));
    },
  })),
  {
    method: 'POST', url: '/api/units/:unit/years/:year/evaluation/restart', tag: 'evaluation',
    summary: 'Restart an evaluation whose last run failed (or was terminated): a new run, its tasks as their next run; audited with the reason',
    access: unitRoles('finance_officer'),
    schema: { params: unitYearParams, body: z.object({ reason: z.string().trim().min(1).max(2000), dueDate: z.string().optional() }) },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ reason: string; dueDate?: string }>(ctx.request);
      if (b.dueDate !== undefined && !isCivilDate(b.dueDate)) throw AppError.invalid([{ path: 'body.dueDate', code: 'invalid_format', zh: '日期格式应为 YYYY-MM-DD', en: 'date must be YYYY-MM-DD' }]);
      forgetStoppedEvaluations();
      const restarted = await restartEvaluation(ctx.deps.temporal, ctx.deps.db, { unitCode: unit, year, actor: actorOf(ctx.account), reason: b.reason, ...(b.dueDate ? { options: { dueDate: b.dueDate } } : {}), ...(ctx.deps.taskQueue ? { taskQueue: ctx.deps.taskQueue } : {}) });
      ctx.reply.status(201);
      return { ...restarted, temporalUi: workflowUiUrl({ temporal: { uiUrl: ctx.deps.temporalUiUrl, namespace: ctx.deps.temporal.options.namespace } }, restarted.workflowId) };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/evaluation/extend', tag: 'evaluation', summary: 'Extend a section task’s due date (civil date; the reminders move with it)',
    access: unitRoles('finance_officer'),
    schema: { params: unitYearParams, body: z.object({ section: z.string().min(1), dueDate: z.string(), reason: z.string().trim().max(2000).optional() }) },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ section: string; dueDate: string; reason?: string }>(ctx.request);
      const dueAt = dueInstant(ctx, b.dueDate);
      await ctx.deps.temporal.workflow.getHandle(evaluationId(unit, year)).signal(extendSectionDueSignal, { actor: actorOf(ctx.account), section: b.section, dueAt, ...(b.reason ? { reason: b.reason } : {}) });
      return { ok: true, dueAt };
    },
  },

  // ── Withheld payments ─────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units/:unit/holdbacks', tag: 'holdbacks', summary: 'Every open withheld amount of the unit and when it falls due (what falls due when)',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitParams },
    async handler(ctx) {
      return { holdbacks: await openHoldbacksOfUnit(ctx.deps.db, params<{ unit: string }>(ctx.request).unit) };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/holdbacks/export', tag: 'holdbacks', summary: 'Every open withheld amount of the unit as an Excel sheet (暂缓支付台账: by due date, amounts in 元, a total row, whether each is still tracked)',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitParams },
    async handler(ctx) {
      const { unit } = params<{ unit: string }>(ctx.request);
      const row = await ctx.deps.db.selectFrom('units').select('name').where('code', '=', unit).executeTakeFirst();
      if (!row) throw new AppError('not_found', `没有单位 ${unit}`, `no unit ${unit}`);
      const now = Date.now() + (ctx.deps.clockShiftMs ?? 0);
      const bytes = await holdbacksWorkbook({ unitName: row.name, unitCode: unit, holdbacks: await openHoldbacksOfUnit(ctx.deps.db, unit), today: civilDateOf(now), generatedAt: new Date(now).toISOString() });
      return ctx.reply.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet').header('content-disposition', `attachment; filename="holdbacks-${unit}.xlsx"`).send(bytes);
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/holdbacks/:code', tag: 'holdbacks', summary: 'A withheld amount: state, amounts, next due date, reminders sent, events',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams.extend({ code: z.string().min(1).max(100) }) },
    async handler(ctx) {
      const { unit, year, code } = params<{ unit: string; year: number; code: string }>(ctx.request);
      const id = holdbackWorkflowId(unit, year, code);
      const [events, stopped] = await Promise.all([holdbackEvents(ctx.deps.db, id), holdbackStop(ctx.deps.db, id)]);
      try {
        const status = await ctx.deps.temporal.connection.withDeadline(Date.now() + 3_000, () => ctx.deps.temporal.workflow.getHandle(id).query(holdbackStatusQuery));
        // stopped: its workflow stopped while money is still withheld (no more reminders until it is restarted).
        return { status, events, stopped: stopped ?? null, temporalUi: workflowUiUrl({ temporal: { uiUrl: ctx.deps.temporalUiUrl, namespace: ctx.deps.temporal.options.namespace } }, id) };
      } catch (e) {
        if (e instanceof WorkflowNotFoundError) throw new AppError('not_found', `没有暂缓支付 ${code}`, `no withheld amount ${code}`);
        throw e;
      }
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/holdbacks/:code/restart', tag: 'holdbacks',
    summary: 'Restart the tracking of a withheld amount whose workflow stopped while money is still withheld: a new run with the stopped run’s state; audited with the reason',
    access: unitRoles('finance_officer'),
    schema: { params: unitYearParams.extend({ code: z.string().min(1).max(100) }), body: z.object({ reason: z.string().trim().min(1).max(2000) }) },
    async handler(ctx) {
      const { unit, year, code } = params<{ unit: string; year: number; code: string }>(ctx.request);
      const restarted = await restartHoldback(ctx.deps.temporal, ctx.deps.db, { unitCode: unit, year, holdbackCode: code, actor: actorOf(ctx.account), reason: body<{ reason: string }>(ctx.request).reason, ...(ctx.deps.taskQueue ? { taskQueue: ctx.deps.taskQueue } : {}) });
      ctx.reply.status(201);
      return restarted;
    },
  },
  ...(
    [
      ['assessment', recordAssessmentUpdate, recordAssessmentSchema, 'Record an O&M assessment result (pass → payable, × coefficient when the contract says so; fail → stays withheld)'],
      ['acceptance', recordAcceptanceUpdate, recordAcceptanceSchema, 'Record acceptance (the final payment falls due; a retention opens when the contract has a rate)'],
      ['defect', reportDefectUpdate, reportDefectSchema, 'Report a defect: the warranty is extended and the due date moves'],
      ['milestone', recordMilestoneUpdate, recordMilestoneSchema, 'Record the milestone the amount waits for'],
      ['release', recordReleaseUpdate, recordReleaseSchema, 'Record a (partial) payment of the withheld amount'],
    ] as const
  ).map(([name, definition, schema, summary]): RouteDef => ({
    method: 'POST', url: `/api/units/:unit/years/:year/holdbacks/:code/${name}`, tag: 'holdbacks', summary, access: unitRoles('finance_officer'),
    schema: { params: unitYearParams.extend({ code: z.string().min(1).max(100) }), body: (schema as z.ZodObject<z.ZodRawShape>).omit({ actor: true }) },
    async handler(ctx) {
      const { unit, year, code } = params<{ unit: string; year: number; code: string }>(ctx.request);
      const handle = ctx.deps.temporal.workflow.getHandle(holdbackWorkflowId(unit, year, code));
      const args = { ...body<Record<string, unknown>>(ctx.request), actor: actorOf(ctx.account) };
      return update(() => handle.executeUpdate(definition as typeof recordReleaseUpdate, { args: [args as never] }));
    },
  })),

  // ── Tasks ─────────────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/tasks', tag: 'tasks', summary: 'My tasks (a section head: own sections; finance, unit head, admin: all of their units)', access: SIGNED_IN,
    schema: { querystring: z.object({ unit: z.string().optional(), year: z.coerce.number().int().optional(), open: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }) },
    async handler(ctx) {
      const q = ctx.request.query as { unit?: string; year?: number; open?: string; limit?: number };
      const tasks = await tasksFor(ctx.deps.db, ctx.account!, { ...(q.unit ? { unitCode: q.unit } : {}), ...(q.year !== undefined ? { year: q.year } : {}), openOnly: q.open === 'true', ...(q.limit ? { limit: q.limit } : {}) });
      return { tasks };
    },
  },
  {
    method: 'GET', url: '/api/tasks/:task', tag: 'tasks', summary: 'A task with its draft', access: taskAccess(true, 'finance_officer', 'unit_head', 'admin'), schema: { params: taskParams },
    async handler(ctx) {
      const task = await taskById(ctx.deps.db, Number(params<{ task: string }>(ctx.request).task));
      return { task };
    },
  },
  {
    method: 'PUT', url: '/api/tasks/:task/draft', tag: 'tasks', summary: 'Save a draft without submitting (a section’s material, or the finance officer’s self-assessment `{ entries }`)', access: taskAccess(true),
    // A draft is work in progress: fields may be blank or half typed, but it has the submission's
    // shape and bounded size; it is checked in full when submitted.
    // One shape for both kinds (so every problem keeps its path); the task's kind says which part it may have.
    schema: { params: taskParams, body: draftSubmissionSchema.extend({ entries: selfAssessmentDraftSchema.shape.entries }).strict() },
    async handler(ctx) {
      const task = (await taskById(ctx.deps.db, Number(params<{ task: string }>(ctx.request).task)))!;
      const draft = body<Record<string, unknown>>(ctx.request);
      const isAssessmentDraft = 'entries' in draft && Object.keys(draft).every((k) => k === 'entries');
      if ((task.kind === 'self_assessment') !== isAssessmentDraft) {
        throw AppError.invalid([{ path: 'body', code: 'wrong_draft_kind', zh: task.kind === 'self_assessment' ? '自评草稿应为 { entries: [...] }' : '科室材料草稿不能包含 entries', en: task.kind === 'self_assessment' ? 'a self-assessment draft is { entries: [...] }' : 'a section draft has no entries' }]);
      }
      const saved = await saveDraft(ctx.deps.db, task.workflowId, task.kind === 'section' ? { ...draft, section: task.section } : draft, actorOf(ctx.account));
      if (!saved) throw new AppError('conflict', '任务已提交或已关闭，不能保存草稿', 'the task is submitted or closed; drafts cannot be saved');
      return { ok: true };
    },
  },
  {
    method: 'POST', url: '/api/tasks/:task/submit', tag: 'tasks', summary: 'Submit the section material, or the self-assessment `{ entries }` (validated; a rejected submission leaves no trace)', access: taskAccess(true),
    schema: { params: taskParams, body: z.object({ achievements: z.unknown(), outputIndicators: z.unknown(), problems: z.unknown(), nextSteps: z.unknown(), entries: z.unknown() }).partial().passthrough() },
    async handler(ctx) {
      const task = (await taskById(ctx.deps.db, Number(params<{ task: string }>(ctx.request).task)))!;
      const raw = body<Record<string, unknown>>(ctx.request);
      const known = new Set((await listEvidence(ctx.deps.db, task.unitYearId)).map((e) => e.id));
      if (task.kind === 'self_assessment') {
        // Evidence is checked here (the workflow's validator cannot read the database); the rule set in the validator.
        const parsed = z.object({ entries: z.array(z.object({ evidence: z.array(z.number()).optional() }).passthrough()) }).passthrough().safeParse(raw);
        if (parsed.success) {
          const problems = parsed.data.entries.flatMap((e, i) => (e.evidence ?? []).flatMap((id, k) => (known.has(id) ? [] : [{ path: `entries[${i}].evidence[${k}]`, code: 'unknown_evidence', zh: `没有编号为 ${id} 的佐证材料`, en: `no evidence file ${id}` }])));
          if (problems.length) throw AppError.invalid(problems);
        }
        const handle = ctx.deps.temporal.workflow.getHandle(selfAssessmentTaskId(task.unitCode, task.year));
        return update(() => handle.executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: actorOf(ctx.account), entries: raw['entries'] as never }] }));
      }
      const submission = { ...raw, section: task.section };
      const parsed = z.object({ selfAssessments: z.array(z.object({ evidence: z.array(z.number()).optional() }).passthrough()) }).passthrough().safeParse(submission);
      if (parsed.success) {
        const problems = parsed.data.selfAssessments.flatMap((e, i) => (e.evidence ?? []).flatMap((id, k) => (known.has(id) ? [] : [{ path: `submission.selfAssessments[${i}].evidence[${k}]`, code: 'unknown_evidence', zh: `没有编号为 ${id} 的佐证材料`, en: `no evidence file ${id}` }])));
        if (problems.length) throw AppError.invalid(problems);
      }
      const handle = ctx.deps.temporal.workflow.getHandle(sectionTaskId(task.unitCode, task.year, task.section!));
      const result = await update(() => handle.executeUpdate(submitUpdate, { args: [{ actor: actorOf(ctx.account), submission: submission as never }] }));
      return result;
    },
  },

  // ── Reports ───────────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units/:unit/years/:year/reports', tag: 'reports', summary: 'Report versions (section heads and the officers above the unit see the issued ones only)', access: UNIT_OR_ORG_READERS, schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const all = await listReports(ctx.deps.db, keys.unitYearId);
      const seesDrafts = hasUnitRole(ctx.account!, unit, ['finance_officer', 'unit_head', 'admin']);
      return { reports: all.filter((r) => seesDrafts || r.kind === 'issued') };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/reports/:version/:format', tag: 'reports',
    summary: 'Download a report version (pdf or docx), verified against its sha256; a draft’s DOCX is rendered by the worker on its first download',
    access: UNIT_OR_ORG_READERS, schema: { params: unitYearParams.extend({ version: z.coerce.number().int().positive(), format: z.enum(['pdf', 'docx']) }) },
    async handler(ctx) {
      const { unit, year, version, format } = params<{ unit: string; year: number; version: number; format: 'pdf' | 'docx' }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      // Section heads and the officers above the unit: issued versions only (every one of them: after a
      // reviewer's return the revision is issued as a new version and the earlier one stays).
      if (!hasUnitRole(ctx.account!, unit, ['finance_officer', 'unit_head', 'admin']) && (await reportVersion(ctx.deps.db, keys.unitYearId, version))?.kind !== 'issued') {
        throw new AppError('forbidden', '只能下载已签发的报告', 'only the issued report may be downloaded');
      }
      // A draft stores its PDF only: the worker renders its DOCX from the same document on the first request (requests at once share one render).
      if (format === 'docx' && (await reportVersion(ctx.deps.db, keys.unitYearId, version))?.docxSha256 === null) {
        const input: DraftDocxInput = { unitCode: unit, year, version, actor: actorOf(ctx.account) };
        await renderOnWorker(ctx, { workflowType: draftDocxWorkflowType, workflowId: draftDocxId(unit, year, version), args: [input], what: { zh: '该版报告的 DOCX', en: `the DOCX of version ${version}` } });
      }
      const file = await reportFile(ctx.deps.db, keys.unitYearId, version, format);
      const type = format === 'pdf' ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
      return ctx.reply
        .header('content-type', type)
        .header('x-content-sha256', file.sha256)
        .header('content-disposition', `attachment; filename="${unit}-${year}-v${version}.${format}"`)
        .send(file.bytes);
    },
  },

  // ── Notifications ─────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/notifications', tag: 'notifications', summary: 'My in-app notifications', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      return { notifications: await inbox(ctx.deps.db, ctx.account!.id) };
    },
  },
  {
    method: 'POST', url: '/api/notifications/:id/read', tag: 'notifications', summary: 'Mark a notification read', access: SIGNED_IN,
    schema: { params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: okSchema } },
    async handler(ctx) {
      await markRead(ctx.deps.db, ctx.account!.id, params<{ id: number }>(ctx.request).id);
      return { ok: true as const };
    },
  },
];

