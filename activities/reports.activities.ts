/**
 * Rendering and storing the report: gather (ledger, current submissions, holdback state, analysis)
 * → compose (pure) → render PDF and DOCX → store as the next version with its sha256. A render of
 * content identical to the latest version of the same kind stores nothing and returns that version,
 * so a retried activity never creates a second version.
 *
 * Renders run in the render pool's worker threads (`report/render-pool.ts`), never on the event
 * loop; the activity heartbeats while it waits. A draft stores its PDF and the composed document;
 * its DOCX is rendered from that document when someone first asks for it (`renderDraftDocx`, run by
 * the `draftDocx` workflow the download route starts) — most drafts are read as PDF or not at all.
 * The issued version stores both formats at once, frozen.
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure, asyncLocalStorage } from '@temporalio/activity';
import { civilDateOf, toEpochMs } from '../domain/calendar/civil-date';
import { canonicalJson } from '../domain/canonical-json';
import { analyseStored, listEvidence } from '../db/scoring.repository';
import { type ApprovalBasis, approvalBasis, BASIS_REPORT_DATE, type ContentChange, changesSentence, changesSince } from '../domain/report/approval-basis';
import type { ReportDocument } from '../domain/report/content';
import { composeReport, outlineFor } from '../domain/report/compose';
import { gatherReport, type ScheduledHoldback } from '../domain/report/view-model';
import { evaluationReportChoices, saveReportVersion, skippedSections } from '../db/evaluations.repository';
import { openHoldbacksOfUnit } from '../db/holdbacks.repository';
import { unitYearKeys } from '../db/evaluations.repository';
import { draftDocxSource, fillDraftDocx, listReports, previewFile, type ReportKind, storePreview, storeReport } from '../db/reports.repository';
import type { ScoreSheet, ScoringRuleSet } from '../domain/scoring';
import type { ReportPreviewInput, ReportPreviewResult } from '../workflows/preview/contract';
import type { DraftDocxInput, DraftDocxResult } from '../workflows/report-docx/contract';
import type { ReviewResultAnswer, ReviewResultRequest } from '../workflows/review-result/contract';
import { reviewResultFile, reviewResultSource, storeReviewResult } from '../db/reviews.repository';
import { composeReviewResult } from '../domain/report/review-result';
import { createLimiter } from './limit';
import { resolveReportFonts } from './report/fonts';
import { type RenderFormat, sharedRenderPool } from './report/render-pool';
import type { ActivityDeps } from '.';

export interface ReportRequest {
  unitCode: string;
  year: number;
  kind: ReportKind;
  actor: string;
  /** The evaluation it belongs to (sections it proceeded without are named in the report). */
  workflowId?: string;
  /** Workflow time of the request: the report is dated by it, so a retry renders the same content. */
  now?: string;
  /**
   * A draft that replaces this version (sent back, or approved but changed before issuing): a new
   * version even if its content is the same — the head is asked about a new draft, not the old
   * one again. A retry of the same request still finds the version it stored.
   */
  supersedes?: number;
}

/** Rendered and stored, with what it was made of (the approval basis a draft's approval records). */
export interface RenderedReport {
  version: number;
  pdfSha256: string;
  /** Null for a draft: its DOCX is rendered when someone first asks for it (unless the worker renders drafts' DOCX eagerly). */
  docxSha256: string | null;
  created: boolean;
  /** Drafts: what the draft is made of, as an approval would record it. */
  basis?: ApprovalBasis;
}

/** Issued — or not, because what the report reads changed after the draft was approved. */
export type IssueOutcome =
  | { kind: 'issued'; version: number; pdfSha256: string; docxSha256: string | null; approvedVersion: number }
  | { kind: 'changed'; approvedVersion: number; changes: ContentChange[]; summaryZh: string };

export function createReportActivities(deps: ActivityDeps) {
  const { db } = deps;
  const fonts = resolveReportFonts(deps.reportFonts ?? {});
  const shift = deps.clockShiftMs ?? 0;
  // Reports in flight at once (each one's document and output buffers held); the pool's threads do the rendering.
  const rendering = createLimiter(deps.renderConcurrency ?? 2);
  const pool = () => deps.renderPool ?? sharedRenderPool(fonts);
  const eagerDraftDocx = deps.draftDocx === 'eager';

  /** Everything a report is made of, read once per render; `compose` builds it as a given version. */
  async function gather(req: ReportRequest & { preview?: { ruleSet?: ScoringRuleSet; outline?: string } }): Promise<{ unitYearId: number; outline: string; compose: (version: number, as?: { draft: boolean; reportDate?: string }) => ReportDocument; basis: () => ApprovalBasis; score: ScoreSheet }> {
    const stored = await analyseStored(db, req.unitCode, req.year, req.preview?.ruleSet ? { ruleSet: req.preview.ruleSet } : undefined);
    if (!stored) throw ApplicationFailure.nonRetryable(`账套中没有 ${req.unitCode} ${req.year} 年度 / no unit-year ${req.unitCode} ${req.year}`, 'not_found');
    const { unitYear: withSubmissions, analysis } = stored;
    const unitYear = withSubmissions;
    const submissions = withSubmissions.submissions;
    const k = { unitYearId: stored.unitYearId };
    const evaluation = req.workflowId ? await evaluationReportChoices(db, req.workflowId) : undefined;
    // The withheld-payments schedule as the holdback workflows keep it (what is still owed, due dates moved by defects, retentions opened by acceptances).
    const termOf = new Map(unitYear.projects.flatMap((p) => p.holdbacks.map((h) => [h.code, p.contracts.find((c) => c.code === h.contract)?.paymentTermDays] as const)));
    const open = await openHoldbacksOfUnit(db, req.unitCode, { year: req.year, ...(deps.calendar ? { calendar: deps.calendar } : {}) });
    const holdbackSchedule: ScheduledHoldback[] = open.map((h) => {
      const term = termOf.get(h.holdbackCode);
      return {
        code: h.holdbackCode, projectName: h.projectName, kind: h.kind, condition: h.condition, status: h.status, outstanding: h.outstandingFen, released: h.releasedFen,
        ...(h.nextDueOn ? { dueOn: h.nextDueOn } : {}), ...(h.period ? { period: h.period } : {}), ...(h.milestone ? { milestone: h.milestone } : {}), ...(term !== undefined ? { paymentTermDays: term } : {}),
      };
    });
    const proceededWithout = evaluation ? await skippedSections(db, evaluation.id) : [];
    const evidence = await listEvidence(db, stored.unitYearId);
    const reportDate = unitYear.reportDate ? civilDateOf(`${unitYear.reportDate}T12:00:00+08:00`) : civilDateOf(toEpochMs(req.now ?? new Date().toISOString()) + shift);
    // The outline the evaluation recorded when it started (else the unit-year's choice).
    const outline = outlineFor(req.preview?.outline ?? evaluation?.outline ?? unitYear.outline).id;
    const compose = (version: number, as: { draft: boolean; reportDate?: string } = { draft: req.kind === 'draft' }) =>
      composeReport(gatherReport({ unitYear: withSubmissions, analysis, submissions, holdbackSchedule, proceededWithout, reportDate: (as.reportDate ?? reportDate) as typeof reportDate, draft: as.draft, version, calendar: deps.calendar, evidence }), outline);
    // What an approval of this render would be an approval of (see domain/report/approval-basis).
    const { submissions: _submissions, basicData, selfAssessment: _fileAssessment, ...ledger } = withSubmissions;
    const basis = () =>
      approvalBasis(
        compose(0, { draft: false, reportDate: BASIS_REPORT_DATE }),
        { ledger, basicData: basicData ?? null, submissions, selfAssessment: stored.options.selfAssessment, evidence, holdbacks: holdbackSchedule, proceededWithout, score: analysis.score },
        { totalCp: analysis.score.totalCp, grade: analysis.score.grade?.zh ?? null },
        (text) => createHash('sha256').update(text).digest('hex'),
        [
          { title: '单位基本情况', value: { unit: ledger.unit, staff: ledger.staff, narrative: ledger.narrative, dataNote: ledger.dataNote ?? null } },
          { title: '申报的收支数', value: ledger.stated },
          ...ledger.projects.map((p) => ({ title: `项目“${p.name}”`, value: p })),
        ],
      );
    return { unitYearId: k.unitYearId, outline, compose, basis, score: analysis.score };
  }

  /** The document's content hash: the document as version 0 without its label, so it does not depend on what is stored already. */
  const contentHash = (doc: ReportDocument) => createHash('sha256').update(canonicalJson({ ...doc, meta: { ...doc.meta, versionLabel: undefined } })).digest('hex');

  /** A heartbeat when running as an activity (tests also call the function directly). */
  const beat = () => asyncLocalStorage.getStore()?.heartbeat();

  /**
   * Renders the formats in the pool's threads (PDF and DOCX side by side when it has two free),
   * through the limiter, heartbeating every 2 s while it waits for its turn and for the threads.
   */
  async function renderIn<F extends RenderFormat[]>(doc: ReportDocument, formats: F): Promise<{ [K in keyof F]: Buffer }> {
    beat();
    const beating = setInterval(beat, 2_000);
    try {
      return (await rendering.run(() => Promise.all(formats.map((f) => pool().render(f, doc))))) as { [K in keyof F]: Buffer };
    } finally {
      clearInterval(beating);
      beat();
    }
  }
  const renderBoth = (doc: ReportDocument) => renderIn(doc, ['pdf', 'docx'] as [RenderFormat, RenderFormat]);

  return {
    /**
     * Heartbeats while it waits for its turn and between steps, so a render lost with a crashed
     * worker is retried after the heartbeat timeout rather than the whole start-to-close timeout.
     */
    async renderReport(req: ReportRequest): Promise<RenderedReport> {
      const { unitYearId, outline, compose, basis } = await gather(req);
      // Content identical to the latest version of the same kind is that version (unless the request
      // supersedes it: a new draft after a send-back is a new version even with the same content).
      const contentSha256 = contentHash(compose(0));
      const latest = (await listReports(db, unitYearId)).at(-1);
      // Drafts say what they are made of (an approval records it).
      const extra = () => (req.kind === 'draft' ? { basis: basis() } : {});
      if (latest && latest.kind === req.kind && latest.contentSha256 === contentSha256 && (req.supersedes === undefined || latest.version > req.supersedes)) {
        return { version: latest.version, pdfSha256: latest.pdfSha256, docxSha256: latest.docxSha256, created: false, ...extra() };
      }
      const doc = compose((latest?.version ?? 0) + 1);
      // A draft keeps its document; its DOCX waits until someone asks for it.
      const files = req.kind === 'draft' && !eagerDraftDocx ? { pdf: (await renderIn(doc, ['pdf'] as [RenderFormat]))[0], document: doc } : await renderBoth(doc).then(([pdf, docx]) => ({ pdf, docx, ...(req.kind === 'draft' ? { document: doc } : {}) }));
      const stored = await storeReport(db, { unitYearId, kind: req.kind, contentSha256, ...files, template: outline, createdBy: req.actor, ...(req.supersedes !== undefined ? { supersedes: req.supersedes } : {}) });
      if (req.workflowId) await saveReportVersion(db, req.workflowId, stored.version.version, req.kind === 'issued');
      return { version: stored.version.version, pdfSha256: stored.version.pdfSha256, docxSha256: stored.version.docxSha256, created: stored.created, ...extra() };
    },

    /**
     * Issues the approved draft: composes the report again from what it reads now and compares it
     * with what the approved draft was made of. The same → rendered without the watermark, dated
     * the day of the approval (签发日期), stored as the issued version. Anything different → nothing
     * is stored; the changes are returned (the workflow records them and asks for a new draft).
     */
    async issueReport(req: { workflowId: string; unitCode: string; year: number; actor: string; approvedAt: string; approved: { version: number; basis: ApprovalBasis } }): Promise<IssueOutcome> {
      const { unitYearId, outline, compose, basis } = await gather({ ...req, kind: 'issued', now: req.approvedAt });
      const changes = changesSince(req.approved.basis, basis());
      if (changes.length) return { kind: 'changed', approvedVersion: req.approved.version, changes, summaryZh: changesSentence(changes) };
      const latest = (await listReports(db, unitYearId)).at(-1);
      const contentSha256 = contentHash(compose(0));
      if (latest?.kind === 'issued' && latest.contentSha256 === contentSha256) {
        return { kind: 'issued', version: latest.version, pdfSha256: latest.pdfSha256, docxSha256: latest.docxSha256, approvedVersion: req.approved.version };
      }
      const [pdf, docx] = await renderBoth(compose((latest?.version ?? 0) + 1));
      const stored = await storeReport(db, { unitYearId, kind: 'issued', contentSha256, pdf, docx, template: outline, createdBy: req.actor });
      await saveReportVersion(db, req.workflowId, stored.version.version, true);
      return { kind: 'issued', version: stored.version.version, pdfSha256: stored.version.pdfSha256, docxSha256: stored.version.docxSha256, approvedVersion: req.approved.version };
    },

    /**
     * A preview: the unit-year's report as a draft under a candidate rule set and outline, PDF
     * only, stored a day under the preview's id — never a report version, nothing else changes.
     * A retry finds the stored preview.
     */
    async renderPreview(input: ReportPreviewInput): Promise<ReportPreviewResult> {
      const { unitYearId, outline, compose, score } = await gather({
        unitCode: input.unitCode, year: input.year, kind: 'draft', actor: input.actor,
        preview: { ...(input.ruleSet ? { ruleSet: input.ruleSet } : {}), ...(input.outline ? { outline: input.outline } : {}) },
      });
      const result = (pdfSha256: string): ReportPreviewResult => ({ previewId: input.previewId, pdfSha256, ruleSet: { id: score.ruleSetId, version: score.ruleSetVersion }, outline, totalCp: score.totalCp });
      const existing = await previewFile(db, input.previewId);
      if (existing) return result(existing.pdfSha256);
      const [pdf] = await renderIn(compose(0, { draft: true }), ['pdf'] as [RenderFormat]);
      const pdfSha256 = createHash('sha256').update(pdf).digest('hex');
      await storePreview(db, { id: input.previewId, unitYearId, ruleSet: { id: score.ruleSetId, version: score.ruleSetVersion }, outline, pdf, pdfSha256, createdBy: input.actor });
      return result(pdfSha256);
    },

    /**
     * A draft's DOCX, rendered in the pool from the document its PDF was rendered from and stored
     * once (the first download asks for it through the `draftDocx` workflow). Already there (an
     * issued version, a draft rendered eagerly or asked for before, a retry): nothing is rendered.
     */
    async renderDraftDocx(input: DraftDocxInput): Promise<DraftDocxResult> {
      const k = await unitYearKeys(db, input.unitCode, input.year);
      const source = k && (await draftDocxSource(db, k.unitYearId, input.version));
      if (!source) throw ApplicationFailure.nonRetryable(`没有第${input.version}版报告 / no report version ${input.version} of ${input.unitCode} ${input.year}`, 'not_found');
      if (source.docxSha256) return { version: input.version, docxSha256: source.docxSha256, rendered: false };
      // The document the version's PDF was rendered from (the database keeps it unchanged once stored).
      const doc = source.document as ReportDocument | null;
      if (!doc) {
        throw ApplicationFailure.nonRetryable(`第${input.version}版报告没有可用于生成 DOCX 的文档 / report version ${input.version} has no stored document to render its DOCX from`, 'no_document');
      }
      const [docx] = await renderIn(doc, ['docx'] as [RenderFormat]);
      const filled = await fillDraftDocx(db, source.id, docx);
      return { version: input.version, docxSha256: filled.docxSha256, rendered: filled.filled };
    },

    /**
     * The 复核结果 of the version the bureau accepted: composed from the review's decisions and the
     * version's self-score, rendered as a PDF and stored once (frozen). A second call finds it.
     */
    async renderReviewResult(input: ReviewResultRequest): Promise<ReviewResultAnswer> {
      const source = await reviewResultSource(db, input.unitCode, input.year);
      if (!source || source.reportVersion !== input.reportVersion) {
        throw ApplicationFailure.nonRetryable(`${input.unitCode} ${input.year} 第${input.reportVersion}版报告尚未通过财政局复核 / version ${input.reportVersion} of ${input.unitCode} ${input.year} is not the one the bureau accepted`, 'not_accepted');
      }
      const stored = await reviewResultFile(db, source.unitYearId, source.reportVersion);
      if (stored) return { reportVersion: source.reportVersion, pdfSha256: stored.sha256, rendered: false };
      const [pdf] = await renderIn(composeReviewResult(source), ['pdf'] as [RenderFormat]);
      const r = await storeReviewResult(db, { unitYearId: source.unitYearId, reportVersion: source.reportVersion, pdf, actor: input.actor });
      return { reportVersion: source.reportVersion, pdfSha256: r.sha256, rendered: r.stored };
    },

    /**
     * The benchmark floor's stand-in for `renderReport` (`BENCH_FLOOR_RENDERS=1 npm run
     * bench:cycle`): the same reading, composing and rendering, with nothing stored or recorded.
     * `formats` defaults to both; the floor asks for what the cycle renders at that place (a
     * draft's PDF only, unless drafts' DOCX is rendered eagerly).
     */
    async benchRenderReport(req: Pick<ReportRequest, 'unitCode' | 'year' | 'kind'> & { formats?: RenderFormat[] }): Promise<{ pdfBytes: number; docxBytes: number }> {
      const { compose } = await gather({ ...req, actor: 'bench', now: '2021-03-31T12:00:00+08:00' });
      const formats = req.formats ?? ['pdf', 'docx'];
      const files = await renderIn(compose(1), formats);
      const sizeOf = (f: RenderFormat) => files[formats.indexOf(f)]?.length ?? 0;
      return { pdfBytes: sizeOf('pdf'), docxBytes: sizeOf('docx') };
    },
  };
}
