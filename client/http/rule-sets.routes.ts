/**
 * Scoring rule sets through the API: every one selfeval knows (built-in and added), a file checked
 * without storing it (problems on their lines), an administrator adding one (a new version, never
 * an edit), a unit-year choosing its rule set, the finance officer re-scoring a running evaluation
 * under another version (audited, before approval), and a score preview under a candidate —
 * without starting or changing anything.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { audit } from '../../db/evaluations.repository';
import { addRuleSet, listRuleSets, pinRuleSet, ruleSetCatalog, ruleSetSource } from '../../db/rule-sets.repository';
import { previewFile } from '../../db/reports.repository';
import { analyseStored } from '../../db/scoring.repository';
import { outlineById, outlineIds } from '../../domain/report/outlines';
import { type ReportPreviewInput, type ReportPreviewResult, reportPreviewId, reportPreviewWorkflowType, taskQueue } from '../../workflows/preview/contract';
import { AppError } from '../../domain/errors';
import type { ScoringRuleSet } from '../../domain/scoring';
import { readRuleSetText } from '../rule-sets/files';
import { roleAnywhere, SIGNED_IN, unitRoles } from './access';
import { actorOf, body, type HandlerContext, params, type RouteDef, unitYearOrThrow, unitYearParams } from './route-kit';

const fileBody = z.object({ fileName: z.string().trim().max(200).optional(), content: z.string().min(1).max(512 * 1024) }).strict();
const ruleSetRef = z.object({ ruleSetId: z.string().trim().min(1).max(100), version: z.number().int().positive().optional() }).strict();

/** The stages in which an evaluation may still be re-scored (before the draft goes to the unit head). */
const RESCORABLE = new Set(['reviewing', 'returned']);

function checked(content: string) {
  const read = readRuleSetText(content);
  if (!read.ok) throw AppError.invalid(read.problems, `评分规则文件有 ${read.problems.length} 处问题`, `the rule-set file has ${read.problems.length} problem(s)`);
  return read;
}

async function resolve(ctx: HandlerContext, ref: { ruleSetId: string; version?: number | undefined }): Promise<ScoringRuleSet> {
  const catalog = await ruleSetCatalog(ctx.deps.db);
  const found = catalog(ref.ruleSetId, ref.version);
  if (!found) {
    throw AppError.invalid([{ path: ref.version === undefined ? 'body.ruleSetId' : 'body.version', code: 'unknown_rule_set', zh: `没有评分规则 ${ref.ruleSetId}${ref.version ? ` 第${ref.version}版` : ''}`, en: `no rule set ${ref.ruleSetId}${ref.version ? ` version ${ref.version}` : ''}` }]);
  }
  return found;
}

const previewBody = z
  .object({
    ruleSetId: z.string().trim().min(1).max(100).optional(),
    version: z.number().int().positive().optional(),
    content: z.string().min(1).max(512 * 1024).optional(),
    outline: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

const summary = (s: ScoringRuleSet) => ({ id: s.id, version: s.version, name: s.name ?? s.id, region: s.region, scope: s.scope, totalCp: s.totalCp, notApplicable: s.notApplicable });

export const ruleSetRoutes: RouteDef[] = [
  {
    method: 'GET', url: '/api/rule-sets', tag: 'rule-sets', summary: 'Every scoring rule set, built-in and added, each version', access: SIGNED_IN, schema: {},
    async handler(ctx) {
      return { ruleSets: await listRuleSets(ctx.deps.db) };
    },
  },
  {
    method: 'GET', url: '/api/rule-sets/:id/:version', tag: 'rule-sets', summary: 'One version of a rule set: its indicators, weights and rules (and the file it was added as)', access: SIGNED_IN,
    schema: { params: z.object({ id: z.string().min(1).max(100), version: z.coerce.number().int().positive().max(1_000_000) }) },
    async handler(ctx) {
      const { id, version } = params<{ id: string; version: number }>(ctx.request);
      const ruleSet = (await ruleSetCatalog(ctx.deps.db))(id, version);
      if (!ruleSet) throw new AppError('not_found', `没有评分规则 ${id} 第${version}版`, `no rule set ${id} version ${version}`);
      return { ruleSet, source: (await ruleSetSource(ctx.deps.db, id, version)) ?? null };
    },
  },
  {
    method: 'POST', url: '/api/rule-sets/check', tag: 'rule-sets', summary: 'Check a rule-set file without storing it: every problem with its line, or what it would add', access: SIGNED_IN,
    schema: { body: fileBody },
    async handler(ctx) {
      const read = readRuleSetText(body<{ content: string }>(ctx.request).content);
      if (!read.ok) return { ok: false, problems: read.problems };
      return { ok: true, problems: [], ruleSet: summary(read.ruleSet) };
    },
  },
  {
    method: 'POST', url: '/api/rule-sets', tag: 'rule-sets',
    summary: 'Add a rule-set file (an administrator): checked, stored as the next version of its id with its sha256, never edited in place; the same file again adds nothing',
    // Rule sets serve every unit: an administrator of any unit adds them.
    access: roleAnywhere('admin'), schema: { body: fileBody },
    async handler(ctx) {
      const read = checked(body<{ content: string }>(ctx.request).content);
      const stored = await addRuleSet(ctx.deps.db, { ruleSet: read.ruleSet, source: read.text, sha256: read.sha256, actor: actorOf(ctx.account) });
      ctx.reply.status(stored.created ? 201 : 200);
      return { ...stored, sha256: read.sha256, name: read.ruleSet.name ?? read.ruleSet.id };
    },
  },
  {
    method: 'PUT', url: '/api/units/:unit/years/:year/rule-set', tag: 'rule-sets',
    summary: 'Choose the rule set a unit-year is scored under (before its evaluation starts; a running one is re-scored instead)',
    access: unitRoles('finance_officer', 'admin'), schema: { params: unitYearParams, body: z.object({ ruleSetId: z.string().trim().min(1).max(100) }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const ruleSet = await resolve(ctx, { ruleSetId: body<{ ruleSetId: string }>(ctx.request).ruleSetId });
      const ev = await ctx.deps.db.selectFrom('evaluations').select('stage').where('unit_year_id', '=', keys.unitYearId).executeTakeFirst();
      if (ev) throw new AppError('conflict', '本年度评价已开始：请在评价中“按其他版本重新评分”', 'the evaluation has started: re-score it under another version instead');
      await ctx.deps.db.transaction().execute(async (trx) => {
        await trx.updateTable('unit_years').set({ rule_set: ruleSet.id, updated_at: new Date() }).where('id', '=', keys.unitYearId).execute();
        await audit(trx, { actor: actorOf(ctx.account), unitId: keys.unitId, action: 'unit_year.rule_set', subject: `unit-year/${keys.unitYearId}`, details: { ruleSet: ruleSet.id } });
      });
      return { ok: true, ruleSet: summary(ruleSet) };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/evaluation/rule-set', tag: 'rule-sets',
    summary: 'Re-score the running evaluation under another rule set or version (the finance officer, with a reason, before the draft goes for approval; audited)',
    access: unitRoles('finance_officer'), schema: { params: unitYearParams, body: ruleSetRef.extend({ reason: z.string().trim().min(1).max(2000) }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const b = body<{ ruleSetId: string; version?: number; reason: string }>(ctx.request);
      const ruleSet = await resolve(ctx, b);
      const ev = await ctx.deps.db.selectFrom('evaluations').select(['stage', 'workflow_id']).where('unit_year_id', '=', keys.unitYearId).executeTakeFirst();
      if (!ev) throw new AppError('not_found', '尚未开始本年度评价', 'the evaluation has not been started');
      if (!RESCORABLE.has(ev.stage)) {
        throw new AppError('conflict', '只能在对账复核阶段或报告退回后重新评分（已提交审批的草稿须先由单位负责人退回）', 'an evaluation can be re-scored only while reviewing findings or after a send-back');
      }
      await pinRuleSet(ctx.deps.db, { workflowId: ev.workflow_id, id: ruleSet.id, version: ruleSet.version, actor: actorOf(ctx.account), reason: b.reason, unitId: keys.unitId });
      const stored = (await analyseStored(ctx.deps.db, unit, year))!;
      return { ok: true, ruleSet: summary(ruleSet), score: stored.analysis.score };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/rule-set-preview', tag: 'rule-sets',
    summary: 'Score preview under a candidate rule set — an added one (id, version) or a file not yet added — changing nothing',
    access: unitRoles('finance_officer', 'unit_head', 'admin'),
    schema: { params: unitYearParams, body: z.union([ruleSetRef, fileBody]) },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ ruleSetId?: string; version?: number; content?: string }>(ctx.request);
      const ruleSet = b.content !== undefined ? checked(b.content).ruleSet : await resolve(ctx, { ruleSetId: b.ruleSetId!, ...(b.version ? { version: b.version } : {}) });
      const stored = await analyseStored(ctx.deps.db, unit, year, { ruleSet });
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      return { ruleSet: summary(ruleSet), score: stored.analysis.score };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/report-preview', tag: 'rule-sets',
    summary: 'A draft PDF of the unit-year under a candidate rule set (added, or a file not yet added) and report outline, rendered by the worker and kept a day — no report version, nothing started',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams, body: previewBody },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      await unitYearOrThrow(ctx, unit, year);
      const b = body<z.infer<typeof previewBody>>(ctx.request);
      const ruleSet = b.content !== undefined ? checked(b.content).ruleSet : b.ruleSetId ? await resolve(ctx, { ruleSetId: b.ruleSetId, ...(b.version ? { version: b.version } : {}) }) : undefined;
      if (b.outline !== undefined && !outlineById(b.outline)) {
        throw AppError.invalid([{ path: 'body.outline', code: 'unknown_outline', zh: `没有报告提纲“${b.outline}”（可用：${outlineIds().join('、')}）`, en: `no report outline "${b.outline}" (known: ${outlineIds().join(', ')})` }]);
      }
      const input: ReportPreviewInput = { previewId: randomUUID(), unitCode: unit, year, actor: actorOf(ctx.account), ...(ruleSet ? { ruleSet } : {}), ...(b.outline ? { outline: b.outline } : {}) };
      const result = await ctx.deps.temporal.connection.withDeadline(Date.now() + 120_000, () =>
        ctx.deps.temporal.workflow.execute(reportPreviewWorkflowType, { workflowId: reportPreviewId(input.previewId), taskQueue: ctx.deps.taskQueue ?? taskQueue, args: [input] }),
      ) as ReportPreviewResult;
      ctx.reply.status(201);
      return { ...result, url: `/api/units/${encodeURIComponent(unit)}/years/${year}/report-preview/${result.previewId}` };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/report-preview/:preview', tag: 'rule-sets', summary: 'Download a preview PDF (kept a day)',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams.extend({ preview: z.string().uuid() }) },
    async handler(ctx) {
      const { unit, year, preview } = params<{ unit: string; year: number; preview: string }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const file = await previewFile(ctx.deps.db, preview);
      if (!file || file.unitYearId !== keys.unitYearId) throw new AppError('not_found', '预览不存在或已过期（保留一天）', 'no such preview (previews are kept a day)');
      return ctx.reply
        .header('content-type', 'application/pdf')
        .header('x-content-sha256', file.pdfSha256)
        .header('content-disposition', `inline; filename="${unit}-${year}-preview-${file.ruleSet.id}-v${file.ruleSet.version}-${file.outline}.pdf"`)
        .send(file.pdf);
    },
  },
];
