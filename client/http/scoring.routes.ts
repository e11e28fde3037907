/**
 * The score's inputs through the API: the 基础数据表 the finance officer fills and corrects, the
 * finance officer's self-assessment (自评: tiers, points, reasons, surveys, 不适用) with its score
 * preview, and evidence files (佐证材料) — uploaded, listed and downloaded by those who may see them.
 *
 * Every change is checked in full before anything is written (every problem with its path, in
 * Chinese and English) and is refused once the evaluation is past the point where it is scored
 * (the unit head sends the draft back to reopen it).
 */
import { z } from 'zod';
import type { Db } from '../../db/connection';
import { loadUnitYear } from '../../db/ledger.repository';
import { addEvidence, analyseStored, analysisOptions, evidenceFile, listEvidence, mergedSelfAssessment, saveBasicData, saveSelfAssessment, storedSelfAssessment } from '../../db/scoring.repository';
import { AppError } from '../../domain/errors';
import { checkEvidenceFile } from '../../domain/evidence';
import { basicDataProblems, basicDataSchema, type BasicData } from '../../domain/ledger/basic-data';
import { ruleSetOf } from '../../domain/rule-sets';
import { describeRuleZh, type ScoringRuleSet } from '../../domain/scoring';
import { assessmentScope, checkSelfAssessment, selfAssessmentDraftSchema, type SelfAssessmentEntry, selfAssessmentEntrySchema, tierRangeZh, valueKindOf } from '../../domain/self-assessment';
import { type Problem, problemsFromZod } from '../../domain/validation';
import { analyseUnitYear } from '../../domain/ledger/analysis';
import type { UnitYear } from '../../domain/ledger/unit-year.schema';
import { ANY_UNIT_ROLE, hasUnitRole, unitRoles } from './access';
import { actorOf, body, type HandlerContext, LARGE_BODY_LIMIT, params, type RouteDef, unitYearOrThrow, unitYearParams } from './route-kit';

/** Stages in which the score's inputs may still change (before scoring; again after a send-back). */
const OPEN_STAGES = new Set(['opening', 'collecting', 'reviewing', 'returned']);

/** Refuses a change once the evaluation is being scored, approved or issued. */
export async function assertScoringInputsOpen(db: Db, unitYearId: number): Promise<void> {
  const ev = await db.selectFrom('evaluations').select('stage').where('unit_year_id', '=', unitYearId).executeTakeFirst();
  if (ev && !OPEN_STAGES.has(ev.stage)) {
    throw new AppError(
      'conflict',
      '评价已进入评分、审批或签发阶段，评分依据不能再修改；如需修改，请单位负责人退回报告草稿',
      'the evaluation is past scoring (being approved or issued); ask the unit head to send the draft back to change the scoring inputs',
    );
  }
}

async function unitYearDoc(ctx: HandlerContext, unit: string, year: number): Promise<UnitYear> {
  const doc = await loadUnitYear(ctx.deps.db, { unitCode: unit, year });
  if (!doc) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
  return doc;
}

/** The finance officer's indicators of the rule set the unit-year is scored under, as the self-assessment page shows them. */
function financeIndicators(doc: UnitYear, ruleSet: ScoringRuleSet) {
  const scope = assessmentScope(ruleSet, doc.unit.sections, { kind: 'finance_officer' });
  return {
    ruleSet,
    scope,
    view: scope.map((ind) => ({
      id: ind.id,
      level1: ind.level1,
      level2: ind.level2,
      level3: ind.level3,
      weightCp: ind.weightCp,
      kind: valueKindOf(ind),
      criteriaZh: describeRuleZh(ind),
      tiers: ind.rule.kind === 'tiers' ? ind.rule.tiers.map((t) => ({ key: t.key, labelZh: t.labelZh, rangeZh: tierRangeZh(t, ind.weightCp) })) : [],
    })),
  };
}

/** Evidence ids an entry cites must be files of this unit-year the person may see. */
function evidenceProblems(entries: ReadonlyArray<{ evidence?: readonly number[] | undefined }>, known: ReadonlySet<number>, path: string): Problem[] {
  const problems: Problem[] = [];
  entries.forEach((e, i) =>
    (e.evidence ?? []).forEach((id, k) => {
      if (!known.has(id)) problems.push({ path: `${path}[${i}].evidence[${k}]`, code: 'unknown_evidence', zh: `没有编号为 ${id} 的佐证材料`, en: `no evidence file ${id}` });
    }),
  );
  return problems;
}

/** Evidence a person may see: finance office, unit head and admin all of the unit-year's; a section head their section's. */
async function visibleEvidence(ctx: HandlerContext, unit: string, unitYearId: number) {
  const all = await listEvidence(ctx.deps.db, unitYearId);
  if (hasUnitRole(ctx.account!, unit, ['finance_officer', 'unit_head', 'admin'])) return all;
  const mine = new Set(ctx.account!.roles.filter((r) => r.unitCode === unit && r.role === 'section_head' && r.section !== null).map((r) => r.section!));
  return all.filter((e) => e.section !== null && mine.has(e.section));
}

const entriesBody = z.object({ entries: z.array(selfAssessmentEntrySchema).max(500) }).strict();

/** Checks a finance officer's entries against the rule set and the unit-year's evidence; throws with every problem. */
export async function checkFinanceEntries(ctx: HandlerContext, doc: UnitYear, unitYearId: number, entries: readonly SelfAssessmentEntry[], options: { path: string; complete: boolean }): Promise<void> {
  const { ruleSet: chosen } = await analysisOptions(ctx.deps.db, unitYearId, doc);
  const { ruleSet, scope } = financeIndicators(doc, chosen ?? ruleSetOf(doc));
  const known = new Set((await listEvidence(ctx.deps.db, unitYearId)).map((e) => e.id));
  const problems = [
    ...checkSelfAssessment(ruleSet, entries, { path: options.path, scope: scope.map((i) => i.id), complete: options.complete }),
    ...evidenceProblems(entries, known, options.path),
  ];
  if (problems.length) throw AppError.invalid(problems, `自评有 ${problems.length} 处问题`, `the self-assessment has ${problems.length} problem(s)`);
}

export const scoringRoutes: RouteDef[] = [
  // ── 基础数据表 ─────────────────────────────────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units/:unit/years/:year/basic-data', tag: 'scoring',
    summary: 'The 基础数据表 (amounts in 分, rates in basis points) and every finding it gives rise to',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const stored = await analyseStored(ctx.deps.db, unit, year);
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      return {
        basicData: stored.unitYear.basicData ?? null,
        projects: stored.unitYear.projects.map((p) => ({ code: p.code, name: p.name })),
        findings: stored.analysis.reconciliation.findings,
      };
    },
  },
  {
    method: 'PUT', url: '/api/units/:unit/years/:year/basic-data', tag: 'scoring',
    summary: 'Fill or correct the 基础数据表 (refused with every problem when its own columns do not add up; its gaps against the ledger are findings)',
    access: unitRoles('finance_officer'), schema: { params: unitYearParams, body: basicDataSchema },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const basicData = body<BasicData>(ctx.request);
      const doc = await unitYearDoc(ctx, unit, year);
      const codes = new Set(doc.projects.map((p) => p.code));
      const problems: Problem[] = [
        ...basicDataProblems(basicData, 'body'),
        ...basicData.projects.flatMap((p, i): Problem[] =>
          p.project !== undefined && !codes.has(p.project)
            ? [{ path: `body.projects[${i}].project`, code: 'unknown_project', zh: `账套中没有编码为“${p.project}”的项目`, en: `the ledger has no project "${p.project}"` }]
            : [],
        ),
      ];
      if (problems.length) throw AppError.invalid(problems, `基础数据表有 ${problems.length} 处问题`, `the 基础数据表 has ${problems.length} problem(s)`);
      await assertScoringInputsOpen(ctx.deps.db, keys.unitYearId);
      await saveBasicData(ctx.deps.db, { unitYearId: keys.unitYearId, unitId: keys.unitId, basicData, actor: actorOf(ctx.account) });
      const stored = (await analyseStored(ctx.deps.db, unit, year))!;
      return { ok: true, findings: stored.analysis.reconciliation.findings, score: stored.analysis.score };
    },
  },

  // ── The finance officer's self-assessment ───────────────────────────────────────────────────
  {
    method: 'GET', url: '/api/units/:unit/years/:year/self-assessment', tag: 'scoring',
    summary: 'The finance officer’s indicators (tiers and their point ranges), the entries so far (file and browser), evidence, the task and the score preview',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const stored = await analyseStored(ctx.deps.db, unit, year);
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      const { ruleSet, view } = financeIndicators(stored.unitYear, stored.options.ruleSet ?? ruleSetOf(stored.unitYear));
      const saved = await storedSelfAssessment(ctx.deps.db, stored.unitYearId);
      const task = await ctx.deps.db
        .selectFrom('tasks')
        .innerJoin('evaluations', 'evaluations.id', 'tasks.evaluation_id')
        .select(['tasks.id', 'tasks.state', 'tasks.due_at as dueAt', 'tasks.draft', 'tasks.submitted_by as submittedBy', 'tasks.submitted_at as submittedAt', 'evaluations.stage'])
        .where('evaluations.unit_year_id', '=', stored.unitYearId)
        .where('tasks.kind', '=', 'self_assessment')
        .executeTakeFirst();
      const stage = (await ctx.deps.db.selectFrom('evaluations').select('stage').where('unit_year_id', '=', stored.unitYearId).executeTakeFirst())?.stage ?? null;
      return {
        ruleSet: { id: ruleSet.id, version: ruleSet.version, name: ruleSet.name ?? ruleSet.id, region: ruleSet.region, notApplicable: ruleSet.notApplicable },
        indicators: view,
        entries: mergedSelfAssessment(stored.unitYear, saved),
        savedBy: Object.fromEntries(saved.map((s) => [s.entry.indicator, { by: s.enteredBy, at: s.updatedAt }])),
        evidence: await listEvidence(ctx.deps.db, stored.unitYearId),
        task: task ?? null,
        editable: stage === null || OPEN_STAGES.has(stage),
        score: stored.analysis.score,
      };
    },
  },
  {
    method: 'PUT', url: '/api/units/:unit/years/:year/self-assessment', tag: 'scoring',
    summary: 'Save the finance officer’s self-assessment (each entry checked against the rule set; complete once its task was submitted)',
    access: unitRoles('finance_officer'), schema: { params: unitYearParams, body: entriesBody },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const { entries } = body<{ entries: SelfAssessmentEntry[] }>(ctx.request);
      const doc = await unitYearDoc(ctx, unit, year);
      // Once submitted through its task, a correction must stay complete.
      const submitted = await ctx.deps.db
        .selectFrom('tasks').innerJoin('evaluations', 'evaluations.id', 'tasks.evaluation_id').select('tasks.id')
        .where('evaluations.unit_year_id', '=', keys.unitYearId).where('tasks.kind', '=', 'self_assessment').where('tasks.state', '=', 'submitted')
        .executeTakeFirst();
      await checkFinanceEntries(ctx, doc, keys.unitYearId, entries, { path: 'body.entries', complete: submitted !== undefined });
      await assertScoringInputsOpen(ctx.deps.db, keys.unitYearId);
      await saveSelfAssessment(ctx.deps.db, { unitYearId: keys.unitYearId, unitId: keys.unitId, entries, userId: ctx.account!.id, actor: actorOf(ctx.account) });
      const stored = (await analyseStored(ctx.deps.db, unit, year))!;
      return { ok: true, score: stored.analysis.score };
    },
  },
  {
    method: 'POST', url: '/api/units/:unit/years/:year/self-assessment/preview', tag: 'scoring',
    summary: 'Score preview with a self-assessment in progress (half-typed entries allowed): what each lost point costs, what still lacks a value, and each entry’s problems',
    access: unitRoles('finance_officer', 'unit_head', 'admin'), schema: { params: unitYearParams, body: selfAssessmentDraftSchema },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const draft = body<z.infer<typeof selfAssessmentDraftSchema>>(ctx.request);
      const stored = await analyseStored(ctx.deps.db, unit, year);
      if (!stored) throw new AppError('not_found', `没有 ${unit} ${year} 年度的账套`, `no ledger for ${unit} ${year}`);
      const { ruleSet, scope } = financeIndicators(stored.unitYear, stored.options.ruleSet ?? ruleSetOf(stored.unitYear));
      const known = new Set((await listEvidence(ctx.deps.db, stored.unitYearId)).map((e) => e.id));
      // Each entry on its own: the valid ones count in the preview, the others say what is wrong.
      const problems: Problem[] = [];
      const usable: SelfAssessmentEntry[] = [];
      (draft.entries ?? []).forEach((raw, i) => {
        const path = `entries[${i}]`;
        const parsed = selfAssessmentEntrySchema.safeParse(raw);
        if (!parsed.success) {
          problems.push(...problemsFromZod(parsed.error, raw).map((p) => ({ ...p, path: p.path === '(root)' ? path : `${path}.${p.path}` })));
          return;
        }
        const own = [...checkSelfAssessment(ruleSet, [parsed.data], { path: 'entries', scope: scope.map((x) => x.id) }), ...evidenceProblems([parsed.data], known, 'entries')].map((p) => ({ ...p, path: p.path.replace(/^entries\[0\]/, path) }));
        problems.push(...own);
        if (own.length === 0) usable.push(parsed.data);
      });
      const entries = (stored.options.selfAssessment ?? []).filter((e) => !usable.some((u) => u.indicator === e.indicator));
      const analysis = analyseUnitYear(stored.unitYear, { ...stored.options, selfAssessment: [...entries, ...usable] });
      return { score: analysis.score, problems };
    },
  },

  // ── Evidence files (佐证材料) ───────────────────────────────────────────────────────────────
  {
    method: 'POST', url: '/api/units/:unit/years/:year/evidence', tag: 'scoring',
    summary: 'Upload an evidence file (base64; at most 10 MB; PDF, images, Office, OFD or text, its type checked by content); the same bytes again return the stored file',
    access: unitRoles('finance_officer', 'section_head'), bodyLimit: LARGE_BODY_LIMIT,
    schema: { params: unitYearParams, body: z.object({ fileName: z.string().min(1).max(300), contentBase64: z.string().min(1), section: z.string().min(1).max(64).optional() }).strict() },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const b = body<{ fileName: string; contentBase64: string; section?: string }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const isFinance = hasUnitRole(ctx.account!, unit, ['finance_officer']);
      const headOf = ctx.account!.roles.filter((r) => r.unitCode === unit && r.role === 'section_head' && r.section !== null).map((r) => r.section!);
      // A section head's file belongs to their section (they say which when they head several).
      let section: string | null = b.section ?? null;
      if (!isFinance) {
        if (section === null && headOf.length === 1) section = headOf[0]!;
        if (section === null || !headOf.includes(section)) {
          throw AppError.invalid([{ path: 'body.section', code: 'not_your_section', zh: `请选择你负责的科室（${headOf.join('、')}）`, en: `name a section you head (${headOf.join(', ')})` }]);
        }
      }
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b.contentBase64.replace(/\s+/g, ''))) {
        throw AppError.invalid([{ path: 'body.contentBase64', code: 'invalid_base64', zh: '文件内容不是有效的 base64 编码', en: 'the content is not valid base64' }]);
      }
      const content = Buffer.from(b.contentBase64, 'base64');
      const checked = checkEvidenceFile(b.fileName, content);
      if (!checked.ok) throw AppError.invalid(checked.problems.map((p) => ({ ...p, path: `body.${p.path === 'content' ? 'contentBase64' : p.path}` })), '佐证材料不符合要求', 'the evidence file was refused');
      const sectionId = section === null ? null : (await ctx.deps.db.selectFrom('sections').select('id').where('unit_id', '=', keys.unitId).where('code', '=', section).executeTakeFirst())?.id;
      if (sectionId === undefined) throw AppError.invalid([{ path: 'body.section', code: 'unknown_section', zh: `没有科室“${section}”`, en: `no section "${section}"` }]);
      const { item, created } = await addEvidence(ctx.deps.db, { unitYearId: keys.unitYearId, unitId: keys.unitId, sectionId, fileName: checked.fileName, mediaType: checked.mediaType, content, userId: ctx.account!.id, actor: actorOf(ctx.account) });
      ctx.reply.status(created ? 201 : 200);
      return { evidence: item, created };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/evidence', tag: 'scoring', summary: 'Evidence files one may see (a section head: their sections’)',
    access: ANY_UNIT_ROLE, schema: { params: unitYearParams },
    async handler(ctx) {
      const { unit, year } = params<{ unit: string; year: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      return { evidence: await visibleEvidence(ctx, unit, keys.unitYearId) };
    },
  },
  {
    method: 'GET', url: '/api/units/:unit/years/:year/evidence/:id', tag: 'scoring', summary: 'Download an evidence file (checked against its sha256)',
    access: ANY_UNIT_ROLE, schema: { params: unitYearParams.extend({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) }) },
    async handler(ctx) {
      const { unit, year, id } = params<{ unit: string; year: number; id: number }>(ctx.request);
      const keys = await unitYearOrThrow(ctx, unit, year);
      const visible = await visibleEvidence(ctx, unit, keys.unitYearId);
      if (!visible.some((e) => e.id === id)) throw new AppError('not_found', `没有编号为 ${id} 的佐证材料`, `no evidence file ${id}`);
      const file = (await evidenceFile(ctx.deps.db, keys.unitYearId, id))!;
      return ctx.reply
        .header('content-type', file.mediaType)
        .header('x-content-type-options', 'nosniff')
        .header('x-content-sha256', file.sha256)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`)
        .send(file.content);
    },
  },
];
