/**
 * The finance bureau's side through the API: a bureau officer issues the year's campaign (the
 * notice that starts every unit's evaluation), follows it and adds units; the review above the
 * unit — the department's and the bureau's decisions on an issued report (accept, return with
 * comments per section or indicator, adjust an indicator's points with a reason), each at the
 * actor's own level; and publishing an accepted report, or withdrawing it with a reason.
 *
 * Access follows the tree (client/http/access.ts): a department officer reaches the units it
 * supervises and decides at the department level only; a bureau officer reaches every unit under
 * the bureau and decides at the bureau level; a unit's own people read their review and nothing
 * above the unit.
 */
import { restartCampaign } from '../bureau/campaign-restart';
import { sendReviewResult } from './review-result';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { campaignOf, campaignProgress } from '../../db/campaigns.repository';
import { organisationByCode, reviewLevelsOf, unitsNotUnder } from '../../db/organisations.repository';
import { listReports } from '../../db/reports.repository';
import { publicationOf, publishReport, reviewDecisionsOf, reviewedScoreOf, withdrawPublication } from '../../db/reviews.repository';
import { ruleSetCatalog } from '../../db/rule-sets.repository';
import { isCivilDate } from '../../domain/calendar/civil-date';
import { AppError } from '../../domain/errors';
import { outlineFor } from '../../domain/report/compose';
import { outlineById, outlineIds } from '../../domain/report/outlines';
import type { Problem } from '../../domain/validation';
import { addUnitsUpdate, type CampaignInput, campaignId, campaignStatusQuery, campaignWorkflowType, taskQueue } from '../../workflows/campaign/contract';
import type { campaign as campaignWorkflow } from '../../workflows/campaign/campaign.workflow';
import {
  acceptReviewUpdate, adjustmentSchema, adjustReviewUpdate, returnReviewUpdate, type ReviewLevel, reviewCommentSchema, reviewId, type ReviewStatus, reviewStatusQuery,
} from '../../workflows/review/contract';
import { ORG_OFFICERS, orgRoles, unitOrOrgRoles } from './access';
import { actorOf, body, type HandlerContext, params, type RouteDef, unitYearOrThrow, unitYearParams, update } from './route-kit';

const orgParams = z.object({ org: z.string().min(1).max(64) });
const orgYearParams = orgParams.extend({ year: z.coerce.number().int().min(2000).max(2100) });
const civilDate = z.string().max(10);
const UNIT_READERS = ['finance_officer', 'unit_head', 'admin'] as const;

const issueBody = z
  .object({
    year: z.number().int().min(2000).max(2100),
    dueDate: civilDate,
    taskDueDate: civilDate.optional(),
    ruleSetId: z.string().trim().min(1).max(100),
    ruleSetVersion: z.number().int().positive().optional(),
    outline: z.string().trim().min(1).max(100).optional(),
    notice: z.string().trim().min(1).max(20_000),
    units: z.array(z.string().trim().min(1).max(64)).min(1).max(5000).optional(),
    escalation: z.object({ departmentAfterWorkingDays: z.number().int().min(0).max(60).optional(), bureauAfterWorkingDays: z.number().int().min(0).max(120).optional() }).strict().optional(),
    fanOut: z.object({ batchSize: z.number().int().min(1).max(200).optional(), pauseMs: z.number().int().min(0).max(60_000).optional() }).strict().optional(),
  })
  .strict();
type IssueBody = z.infer<typeof issueBody>;

const levelBody = { level: z.enum(['department', 'bureau']).optional(), reportVersion: z.number().int().positive() };

/** The review's status from its workflow, or null when it has none (never reviewed) or does not answer in 3 s. */
async function reviewStatus(ctx: HandlerContext, unit: string, year: number): Promise<ReviewStatus | null> {
  try {
    return await ctx.deps.temporal.connection.withDeadline(Date.now() + 3_000, () => ctx.deps.temporal.workflow.getHandle(reviewId(unit, year)).query(reviewStatusQuery));
  } catch (e) {
    if (!(e instanceof WorkflowNotFoundError)) ctx.request.log.warn({ err: e }, 'review status: the workflow did not answer');
    return null;
  }
}

/**
 * The level the account decides at for this unit: the one named (if the account holds it), else
 * the one the review waits for (if the account holds it), else the account's own. Refused when the
 * account decides at no level (a unit's own people).
 */
async function actingLevel(ctx: HandlerContext, unit: string, year: number, named: ReviewLevel | undefined): Promise<ReviewLevel> {
  const mine = await reviewLevelsOf(ctx.deps.db, ctx.account!.orgRoles ?? [], unit);
  if (!mine.length) throw new AppError('forbidden', '只有主管部门或财政局的复核人员可以作出复核决定', 'only the department’s or the bureau’s reviewers decide on a report');
  if (named) {
    if (!mine.includes(named)) throw new AppError('forbidden', `你不能以${named === 'bureau' ? '财政局' : '主管部门'}的身份复核`, `you do not review at the ${named} level`);
    return named;
  }
  const waiting = (await reviewStatus(ctx, unit, year))?.level;
  return waiting && mine.includes(waiting) ? waiting : mine[0]!;
}

const reviewHandle = (ctx: HandlerContext, unit: string, year: number) => ctx.deps.temporal.workflow.getHandle(reviewId(unit, year));

export const bureauRoutes: RouteDef[] = [
  // ── Campaigns ────────────────────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/organisations/:org/campaigns', tag: 'bureau',
    summary: 'Issue the year’s campaign (notice, deadline, rule set version, outline, units — default every unit under the bureau): starts every unit’s evaluation; issuing it again starts nothing',
    access: orgRoles('bureau_officer'), schema: { params: orgParams, body: issueBody },
    async handler(ctx) {
      const { org } = params<{ org: string }>(ctx.request);
      const b = body<IssueBody>(ctx.request);
      const organisation = (await organisationByCode(ctx.deps.db, org))!;
      const problems: Problem[] = [];
      if (organisation.kind !== 'bureau') problems.push({ path: 'params.org', code: 'not_a_bureau', zh: '年度自评工作由财政局部署', en: 'a campaign is issued by a bureau' });
      for (const [path, value] of [['body.dueDate', b.dueDate], ['body.taskDueDate', b.taskDueDate]] as const) {
        if (value !== undefined && !isCivilDate(value)) problems.push({ path, code: 'invalid_format', zh: '日期格式应为 YYYY-MM-DD', en: 'date must be YYYY-MM-DD' });
      }
      if (b.taskDueDate && isCivilDate(b.taskDueDate) && isCivilDate(b.dueDate) && b.taskDueDate > b.dueDate) {
        problems.push({ path: 'body.taskDueDate', code: 'after_deadline', zh: '科室材料截止日期不能晚于报告截止日期', en: 'the sections’ due date cannot be after the report’s deadline' });
      }
      const ruleSet = (await ruleSetCatalog(ctx.deps.db))(b.ruleSetId, b.ruleSetVersion);
      if (!ruleSet) {
        problems.push({ path: b.ruleSetVersion ? 'body.ruleSetVersion' : 'body.ruleSetId', code: 'unknown_rule_set', zh: `没有评分规则 ${b.ruleSetId}${b.ruleSetVersion ? ` 第${b.ruleSetVersion}版` : ''}`, en: `no rule set ${b.ruleSetId}${b.ruleSetVersion ? ` version ${b.ruleSetVersion}` : ''}` });
      } else {
        if (ruleSet.scope !== 'department') problems.push({ path: 'body.ruleSetId', code: 'not_department_scope', zh: '部门整体支出绩效自评须使用部门整体评分规则', en: 'a department-wide self-evaluation needs a department-scope rule set' });
        if (ruleSet.fiscalYears && (b.year < ruleSet.fiscalYears.from || b.year > ruleSet.fiscalYears.to)) {
          problems.push({ path: 'body.year', code: 'rule_set_years', zh: `评分规则 ${ruleSet.id} 适用于 ${ruleSet.fiscalYears.from}–${ruleSet.fiscalYears.to} 年度`, en: `rule set ${ruleSet.id} applies to ${ruleSet.fiscalYears.from}–${ruleSet.fiscalYears.to}` });
        }
      }
      if (b.outline !== undefined && !outlineById(b.outline)) problems.push({ path: 'body.outline', code: 'unknown_outline', zh: `没有报告提纲 ${b.outline}（可用：${outlineIds().join('、')}）`, en: `no report outline ${b.outline} (known: ${outlineIds().join(', ')})` });
      if (b.units) {
        const outside = await unitsNotUnder(ctx.deps.db, organisation.id, b.units);
        for (const code of outside) problems.push({ path: `body.units[${b.units.indexOf(code)}]`, code: 'unit_not_under', zh: `单位 ${code} 不属于${organisation.name}`, en: `unit ${code} is not under ${organisation.code}` });
        const dup = b.units.filter((c, i) => b.units!.indexOf(c) !== i);
        for (const code of new Set(dup)) problems.push({ path: `body.units[${b.units.lastIndexOf(code)}]`, code: 'duplicate_unit', zh: `单位 ${code} 重复`, en: `unit ${code} is listed twice` });
      }
      if (problems.length) throw AppError.invalid(problems);
      const workflowId = campaignId(org, b.year);
      const input: CampaignInput = {
        organisationCode: org, year: b.year, issuedBy: actorOf(ctx.account), dueDate: b.dueDate, ruleSet: { id: ruleSet!.id, version: ruleSet!.version }, outline: b.outline ?? outlineFor().id, notice: b.notice,
        ...(b.taskDueDate ? { taskDueDate: b.taskDueDate } : {}), ...(b.units ? { units: b.units } : {}), ...(b.escalation ? { escalation: b.escalation } : {}), ...(b.fanOut ? { fanOut: b.fanOut } : {}),
      };
      try {
        await ctx.deps.temporal.workflow.start<typeof campaignWorkflow>(campaignWorkflowType, {
          workflowId, taskQueue: ctx.deps.taskQueue ?? taskQueue, args: [input],
          // A year's campaign of a bureau is issued once.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        const existing = await campaignOf(ctx.deps.db, org, b.year);
        return { workflowId, alreadyIssued: true, campaign: existing ?? null };
      }
      ctx.reply.status(201);
      return { workflowId, alreadyIssued: false, campaign: { organisationCode: org, year: b.year, dueDate: b.dueDate, ruleSet: input.ruleSet, outline: input.outline } };
    },
  },
  {
    method: 'GET', url: '/api/organisations/:org/campaigns/:year', tag: 'bureau',
    summary: 'A year’s campaign and where each unit stands (a department: its own units only); counts per state; the workflow’s fan-out and reminders when it answers',
    access: orgRoles('bureau_officer', 'department_officer'), schema: { params: orgYearParams },
    async handler(ctx) {
      const { org, year } = params<{ org: string; year: number }>(ctx.request);
      const organisation = (await organisationByCode(ctx.deps.db, org))!;
      const bureauCode = organisation.kind === 'bureau' ? organisation.code : (await ctx.deps.db.selectFrom('organisations').select('code').where('id', '=', organisation.parentId!).executeTakeFirstOrThrow()).code;
      const campaign = await campaignOf(ctx.deps.db, bureauCode, year);
      if (!campaign) throw new AppError('not_found', `${year}年度自评工作尚未部署`, `no campaign for ${year}`);
      const progress = await campaignProgress(ctx.deps.db, campaign.id, organisation.kind === 'department' ? { underOrganisationId: organisation.id } : {});
      let status = null;
      if (organisation.kind === 'bureau') {
        try {
          status = await ctx.deps.temporal.connection.withDeadline(Date.now() + 3_000, () => ctx.deps.temporal.workflow.getHandle(campaign.workflowId).query(campaignStatusQuery));
        } catch (e) {
          ctx.request.log.warn({ err: e }, 'campaign status: the workflow did not answer');
        }
      }
      return { campaign, organisation: { code: organisation.code, name: organisation.name, kind: organisation.kind }, ...progress, status };
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/campaigns/:year/restart', tag: 'bureau',
    summary: 'Restart a campaign whose workflow stopped before every report was accepted: a new run of its notice goes on reminding and lets units join; nothing is started or sent twice; audited with the reason',
    access: orgRoles('bureau_officer'), schema: { params: orgYearParams, body: z.object({ reason: z.string().trim().min(1).max(2000) }).strict() },
    async handler(ctx) {
      const { org, year } = params<{ org: string; year: number }>(ctx.request);
      const restarted = await restartCampaign(ctx.deps.temporal, ctx.deps.db, { organisationCode: org, year, actor: actorOf(ctx.account), reason: body<{ reason: string }>(ctx.request).reason, ...(ctx.deps.taskQueue ? { taskQueue: ctx.deps.taskQueue } : {}) });
      ctx.reply.status(201);
      return restarted;
    },
  },
  {
    method: 'POST', url: '/api/organisations/:org/campaigns/:year/units', tag: 'bureau', summary: 'Add units (under the bureau) to the year’s running campaign: each joins and its evaluation starts',
    access: orgRoles('bureau_officer'), schema: { params: orgYearParams, body: z.object({ units: z.array(z.string().trim().min(1).max(64)).min(1).max(5000) }).strict() },
    async handler(ctx) {
      const { org, year } = params<{ org: string; year: number }>(ctx.request);
      const { units } = body<{ units: string[] }>(ctx.request);
      const organisation = (await organisationByCode(ctx.deps.db, org))!;
      const campaign = organisation.kind === 'bureau' ? await campaignOf(ctx.deps.db, org, year) : undefined;
      if (!campaign) throw new AppError('not_found', `${year}年度自评工作尚未部署`, `no campaign for ${year}`);
      const outside = await unitsNotUnder(ctx.deps.db, organisation.id, units);
      if (outside.length) throw AppError.invalid(outside.map((code) => ({ path: `body.units[${units.indexOf(code)}]`, code: 'unit_not_under', zh: `单位 ${code} 不属于${organisation.name}`, en: `unit ${code} is not under ${organisation.code}` })));
      return update(() => ctx.deps.temporal.workflow.getHandle(campaign.workflowId).executeUpdate(addUnitsUpdate, { args: [{ actor: actorOf(ctx.account), units }] }));
    },
  },

  // ── Review above the unit ─────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units/:unit/years/:year/review', tag: 'bureau',
    summary: 'The review of the unit-year’s issued report: where it is (level, version, round), every decision with its actor, the self-score and the reviewed score, the issued versions, the publication; the levels the account decides at',
    access: unitOrOrgRoles(UNIT_READERS, ORG_OFFICERS), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const [status, decisions, score, publication, reports, myLevels, campaignUnit] = await Promise.all([
        reviewStatus(ctx, unit, year),
        reviewDecisionsOf(ctx.deps.db, keys.unitYearId),
        reviewedScoreOf(ctx.deps.db, keys.unitYearId),
        publicationOf(ctx.deps.db, keys.unitYearId),
        listReports(ctx.deps.db, keys.unitYearId),
        reviewLevelsOf(ctx.deps.db, ctx.account!.orgRoles ?? [], unit),
        ctx.deps.db
          .selectFrom('campaign_units as cu')
          .innerJoin('campaigns as c', 'c.id', 'cu.campaign_id')
          .select(['cu.state', 'cu.review_level', 'cu.report_version', 'c.workflow_id'])
          .where('cu.unit_id', '=', keys.unitId)
          .where('c.year', '=', year)
          .executeTakeFirst(),
      ]);
      return {
        workflowId: reviewId(unit, year), status, decisions, score, publication: publication ?? null,
        issuedVersions: reports.filter((r) => r.kind === 'issued').map((r) => ({ version: r.version, pdfSha256: r.pdfSha256, createdAt: r.createdAt.toISOString() })),
        campaign: campaignUnit ? { workflowId: campaignUnit.workflow_id, state: campaignUnit.state, reviewLevel: campaignUnit.review_level, reportVersion: campaignUnit.report_version } : null,
        decidesAt: myLevels,
      };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/review/result.pdf', tag: 'bureau',
    summary: 'The 复核结果 of the accepted version (PDF): the self-score and the reviewed score side by side, every adjusted indicator with its reason, every step of the review; rendered once on the first request, then frozen (sha256 in x-content-sha256)',
    access: unitOrOrgRoles(UNIT_READERS, ORG_OFFICERS), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      return sendReviewResult(ctx, { unitCode: unit, year, unitYearId: keys.unitYearId, actor: actorOf(ctx.account) });
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/review/accept', tag: 'bureau', summary: 'Accept the issued version at the account’s level (department → the bureau reviews next; bureau → accepted)',
    access: unitOrOrgRoles([], ORG_OFFICERS), schema: { params: unitYearParams, body: z.object({ ...levelBody, note: z.string().trim().max(2000).optional() }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ level?: ReviewLevel; reportVersion: number; note?: string }>(ctx.request);
      const level = await actingLevel(ctx, unit, year, b.level);
      return update(() => reviewHandle(ctx, unit, year).executeUpdate(acceptReviewUpdate, { args: [{ actor: actorOf(ctx.account), level, reportVersion: b.reportVersion, ...(b.note ? { note: b.note } : {}) }] }));
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/review/return', tag: 'bureau',
    summary: 'Return the issued version with comments, each on one section or one indicator: the unit’s evaluation reopens exactly those, and its next issue is a new version',
    access: unitOrOrgRoles([], ORG_OFFICERS), schema: { params: unitYearParams, body: z.object({ ...levelBody, comments: z.array(reviewCommentSchema).min(1).max(100) }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ level?: ReviewLevel; reportVersion: number; comments: Array<{ section?: string; indicator?: string; text: string }> }>(ctx.request);
      const level = await actingLevel(ctx, unit, year, b.level);
      return update(() => reviewHandle(ctx, unit, year).executeUpdate(returnReviewUpdate, { args: [{ actor: actorOf(ctx.account), level, reportVersion: b.reportVersion, comments: b.comments }] }));
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/review/adjust', tag: 'bureau', summary: 'Adjust indicators’ points of the issued version, each with its reason: the reviewed score beside the self-score',
    access: unitOrOrgRoles([], ORG_OFFICERS), schema: { params: unitYearParams, body: z.object({ ...levelBody, adjustments: z.array(adjustmentSchema).min(1).max(100) }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ level?: ReviewLevel; reportVersion: number; adjustments: Array<{ indicator: string; points: string; reason: string }> }>(ctx.request);
      const level = await actingLevel(ctx, unit, year, b.level);
      await update(() => reviewHandle(ctx, unit, year).executeUpdate(adjustReviewUpdate, { args: [{ actor: actorOf(ctx.account), level, reportVersion: b.reportVersion, adjustments: b.adjustments }] }));
      const keys = await unitYearOrThrow(ctx, unit, year);
      return { ok: true, score: await reviewedScoreOf(ctx.deps.db, keys.unitYearId) };
    },
  },

  // ── Publication (预决算公开) ──────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/units/:unit/years/:year/publication', tag: 'bureau', summary: 'Publish the accepted report (the bureau): its public page shows the PDF, the 基础数据表, the score and the reviewed score',
    access: unitOrOrgRoles([], ['bureau_officer']), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const result = await publishReport(ctx.deps.db, { unitYearId: keys.unitYearId, unitId: keys.unitId, actor: actorOf(ctx.account), subject: `publication/${unit}/${year}` });
      if (result.published) ctx.reply.status(201);
      return result;
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/publication/withdraw', tag: 'bureau', summary: 'Withdraw a publication, with the reason (audited)',
    access: unitOrOrgRoles([], ['bureau_officer']), schema: { params: unitYearParams, body: z.object({ reason: z.string().trim().min(1).max(2000) }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      return { publication: await withdrawPublication(ctx.deps.db, { unitYearId: keys.unitYearId, unitId: keys.unitId, actor: actorOf(ctx.account), reason: body<{ reason: string }>(ctx.request).reason, subject: `publication/${unit}/${year}` }) };
    },
  },
];
