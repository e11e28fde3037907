/**
 * The year's self-evaluation of one unit, as one durable process:
 *
 *   open (snapshot, tasks, holdbacks) → collect the sections' submissions (child tasks; the finance
 *   officer may return one, extend a due date, or proceed without a section) → reconcile → the
 *   finance officer acknowledges blocking findings or corrects the ledger and asks for a recheck →
 *   score → render the draft → the unit head approves (or sends it back) → issue.
 *
 * Since APPROVAL_PATCH: a send-back returns the evaluation to the finance officer (stage
 * `returned`) until they resubmit, then it reconciles, scores and drafts a new version; issuing
 * composes the report again and issues it only if it is what the approved draft was made of —
 * otherwise the issue stops, says what changed and the evaluation is returned; the unit head
 * (approval) and the finance officer (acknowledgement, correction) are reminded while the
 * evaluation waits for them, on the working-day calendar.
 *
 * Every side effect is an idempotent activity; every human decision is a validated Update whose
 * rejection leaves no trace in history.
 */
import {
  ApplicationFailure, CancellationScope, type ChildWorkflowHandle, TemporalFailure, allHandlersFinished, condition, getExternalWorkflowHandle, isCancellation, patched,
  proxyActivities, proxyLocalActivities, setHandler, startChild, workflowInfo,
} from '@temporalio/workflow';
import type { ZodType } from 'zod';
import type { Activities } from '../../activities';
import type { CalendarWarning } from '../../domain/calendar/working-days';
import type { ApprovalBasis } from '../../domain/report/approval-basis';
import { problemsFromZod } from '../../domain/validation';
import {
  type AnnualEvaluationInput, type AnnualEvaluationResult, acknowledgeArgsSchema, acknowledgeFindingsUpdate, APPROVAL_PATCH, approveArgsSchema, approveUpdate, closeTaskSignal,
  type DraftOutcome, type EvaluationReminderTopic, type EvaluationStage, type EvaluationStatus, evaluationStatusQuery, extendDueSignal, extendSectionDueArgsSchema,
  extendSectionDueSignal, INVALID_MESSAGE, proceedWithoutArgsSchema, proceedWithoutUpdate, recheckArgsSchema, recheckUpdate, resubmitArgsSchema, resubmitUpdate,
  returnArgsSchema, type ReturnedReason, returnSubmissionUpdate, type SectionStatus, type SectionTaskResult, sectionTaskId, sendBackArgsSchema, sendBackUpdate,
  LOCAL_PROJECTIONS_PATCH, SELF_ASSESSMENT_PATCH, SELF_ASSESSMENT_TASK, type SelfAssessmentStatus, selfAssessmentTaskId,
  CAMPAIGN_REVIEW_PATCH, type ReviewReturn, reviewReturnedSignal, STOP_RECORD_PATCH,
} from './contract';
import type { sectionTask } from './section-task.workflow';
import type { selfAssessmentTask } from './self-assessment-task.workflow';
import { reportReissuedSignal, reviewId, unitReviewWorkflowType } from '../review/contract';
import type { unitReview } from '../review/review.workflow';

const remoteActs = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
/**
 * The evaluation's own rows (snapshot, stage, findings, score, decisions): short idempotent
 * database work, run as local activities in the workflow task that needs them — no task queue
 * round trip and one history event each. Sending, rendering and starting workflows stay ordinary
 * activities (their own timeouts, retries and visibility).
 */
const localActs = proxyLocalActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const render = proxyActivities<Activities>({
  startToCloseTimeout: '5 minutes',
  // The render heartbeats: one lost with a crashed worker is retried after this, not 5 minutes.
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute' },
});
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

function check<T>(schema: ZodType<T>, args: unknown): T {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const problems = problemsFromZod(parsed.error, args);
    throw ApplicationFailure.nonRetryable(`输入有误 / invalid input: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
  }
  return parsed.data;
}

function refuse(zh: string, en: string, type = 'not_allowed'): never {
  throw ApplicationFailure.nonRetryable(`${zh} / ${en}`, type);
}

export async function annualEvaluation(input: AnnualEvaluationInput): Promise<AnnualEvaluationResult> {
  try {
    return await evaluate(input);
  } catch (e) {
    // A failure that ends the run (an activity or child that failed for good, a cancellation) is
    // recorded where people look before the run ends. A bug in this code is no TemporalFailure: it
    // fails only the workflow task, which is retried with fixed code.
    if (e instanceof TemporalFailure && patched(STOP_RECORD_PATCH)) {
      const cancelled = isCancellation(e);
      const { workflowId, runId } = workflowInfo();
      await CancellationScope.nonCancellable(() =>
        remoteActs.recordEvaluationStopped({ workflowId, unitCode: input.unitCode, year: input.year, runId, state: cancelled ? 'cancelled' : 'failed', reason: cancelled ? '评价被取消 / the evaluation was cancelled' : innermostMessage(e) }),
      );
    }
    throw e;
  }
}

/** What went wrong, from the failure's innermost cause (an activity's own error rather than "activity task failed"). */
function innermostMessage(e: Error): string {
  let f: Error = e;
  while (f.cause instanceof Error) f = f.cause;
  return f.message || e.message;
}

async function evaluate(input: AnnualEvaluationInput): Promise<AnnualEvaluationResult> {
  const workflowId = workflowInfo().workflowId;
  // Runs started before the patch keep their ordinary activities (their histories say so).
  const acts = patched(LOCAL_PROJECTIONS_PATCH) ? localActs : remoteActs;
  // Runs started before the approval patch keep the old approval loop (their histories say so).
  const v2 = patched(APPROVAL_PATCH);
  // Dedupe keys that must differ between a failed run and its restart (same workflow id) carry the run.
  const runTag = workflowInfo().runId.slice(0, 8);
  let stage: EvaluationStage = 'opening';
  const sections = new Map<string, SectionStatus>();
  const children = new Map<string, ChildWorkflowHandle<typeof sectionTask>>();
  let selfAssessment: SelfAssessmentStatus | null = null;
  let ruleSetId: string | null = null;
  let escalateAfterWorkingDays = 3;
  let reminderTime = '09:00';
  let findings: EvaluationStatus['findings'] = { total: 0, blocking: 0, sha256: null, acknowledged: false };
  let score: EvaluationStatus['score'] = null;
  let reportVersion: number | null = null;
  let issued: EvaluationStatus['issued'] = null;
  let recheckRequested = false;
  let approvedBy: string | undefined;
  let approvedAt: string | undefined;
  let sentBack: { by: string; reason: string; at: string } | undefined;
  const returns: Array<{ section: string; reason: string; actor: string }> = [];
  // Since APPROVAL_PATCH:
  let returned: ReturnedReason | null = null;
  let resubmitted: { by: string; note: string } | undefined;
  let round = 1;
  let draftBasis: ApprovalBasis | undefined;
  const drafts: DraftOutcome[] = [];
  const acknowledged = new Set<string>();
  let waiting: EvaluationStatus['waiting'] = null;
  let calendarWarnings: CalendarWarning[] = [];
  // Since CAMPAIGN_REVIEW_PATCH (campaign evaluations): the review above the unit after the issue.
  let review: NonNullable<EvaluationStatus['review']> | null = null;
  let reviewReturned: ReviewReturn | undefined;
  let reviewAccepted = false;
  let reviewFailed: string | undefined;
  let assessmentReturn: ReviewReturn['selfAssessment'] = null;
  const addWarnings = (list: readonly CalendarWarning[] | undefined) => {
    const byYear = new Map(calendarWarnings.map((w) => [w.year, w]));
    for (const w of list ?? []) if (!byYear.has(w.year)) byYear.set(w.year, w);
    calendarWarnings = [...byYear.values()].sort((a, b) => a.year - b.year);
  };

  // ── Handlers, registered before anything awaits ─────────────────────────────────────────
  setHandler(evaluationStatusQuery, (): EvaluationStatus => ({
    workflowId,
    unitCode: input.unitCode,
    year: input.year,
    stage,
    sections: [...sections.values()].map((s) => ({ ...s })),
    selfAssessment: selfAssessment && { ...selfAssessment },
    ruleSetId,
    findings: { ...findings },
    score,
    reportVersion,
    issued,
    ...(v2 ? { returned: returned && { ...returned }, drafts: drafts.map((d) => ({ ...d })), waiting: waiting && { ...waiting } } : {}),
    calendarWarnings: [...calendarWarnings],
    ...(review ? { review: { ...review } } : {}),
  }));

  // A reviewer above the unit returned the issued report (sent by the review, which validated it).
  setHandler(reviewReturnedSignal, (r) => {
    if (review?.state === 'in_review' && reviewReturned === undefined) reviewReturned = r;
  });

  setHandler(
    proceedWithoutUpdate,
    async (args) => {
      const s = sections.get(args.section)!;
      s.state = 'skipped';
      s.skippedReason = args.reason;
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.proceed_without', actor: args.actor, subject: args.section, details: { reason: args.reason }, dedupeKey: `${workflowId}|proceed-without|${args.section}|run${s.run}` });
      await getExternalWorkflowHandle(s.workflowId).signal(closeTaskSignal, { actor: args.actor, reason: args.reason });
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(proceedWithoutArgsSchema, args);
        if (stage !== 'collecting') refuse('只有在收集材料阶段才能跳过科室', 'sections can be skipped only while collecting');
        const s = sections.get(args.section);
        if (!s) refuse(`没有科室 ${args.section}`, `no section ${args.section}`, 'not_found');
        if (s.state === 'submitted' || s.state === 'skipped') refuse(`科室 ${s.name} 已${s.state === 'submitted' ? '提交' : '跳过'}`, `section ${s.name} is already ${s.state}`);
      },
    },
  );

  setHandler(
    returnSubmissionUpdate,
    async (args) => {
      const s = sections.get(args.section)!;
      s.state = 'returned';
      s.run += 1;
      returns.push({ section: args.section, reason: args.reason, actor: args.actor });
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.return_submission', actor: args.actor, subject: args.section, details: { reason: args.reason, run: s.run }, dedupeKey: `${workflowId}|return|${args.section}|run${s.run}` });
      return { ok: true as const, run: s.run };
    },
    {
      validator: (args) => {
        check(returnArgsSchema, args);
        if (stage !== 'collecting' && stage !== 'reviewing' && !(v2 && stage === 'returned')) refuse('只有在评分之前或报告退回修改期间才能退回科室材料', 'a submission can be returned only before scoring, or while the report is returned');
        const s = sections.get(args.section);
        if (!s) refuse(`没有科室 ${args.section}`, `no section ${args.section}`, 'not_found');
        if (s.state !== 'submitted') refuse(`科室 ${s.name} 尚未提交，无需退回`, `section ${s.name} has not submitted`);
      },
    },
  );

  setHandler(extendSectionDueSignal, async (args) => {
    if (!extendSectionDueArgsSchema.safeParse(args).success) return;
    // A moved due date may fall in a year without holiday data: the dashboard says so.
    if (v2) addWarnings((await acts.calendarWarningsFor({ instants: [args.dueAt] })).calendarWarnings);
    if (args.section === SELF_ASSESSMENT_TASK) {
      if (!selfAssessment || selfAssessment.state === 'submitted') return;
      selfAssessment.dueAt = args.dueAt;
      selfAssessment.state = 'open';
      await getExternalWorkflowHandle(selfAssessment.workflowId).signal(extendDueSignal, { actor: args.actor, dueAt: args.dueAt, ...(args.reason ? { reason: args.reason } : {}) });
      return;
    }
    const s = sections.get(args.section);
    if (!s || (s.state !== 'open' && s.state !== 'overdue' && s.state !== 'returned')) return;
    s.dueAt = args.dueAt;
    if (s.state === 'overdue') s.state = 'open';
    await getExternalWorkflowHandle(s.workflowId).signal(extendDueSignal, { actor: args.actor, dueAt: args.dueAt, ...(args.reason ? { reason: args.reason } : {}) });
  });

  setHandler(
    acknowledgeFindingsUpdate,
    async (args) => {
      await acts.recordDecision({
        workflowId, unitCode: input.unitCode, action: 'evaluation.acknowledge_findings', actor: args.actor, subject: workflowId, details: { note: args.note ?? null, findingsSha256: args.findingsSha256 },
        dedupeKey: v2 ? `${workflowId}|acknowledge|${args.findingsSha256}|${runTag}` : `${workflowId}|acknowledge|${args.findingsSha256}`,
      });
      findings.acknowledged = true;
      // The same findings found again after a send-back stay acknowledged (since APPROVAL_PATCH).
      acknowledged.add(args.findingsSha256);
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(acknowledgeArgsSchema, args);
        if (stage !== 'reviewing') refuse('当前不在对账复核阶段', 'not reviewing findings now');
        if (args.findingsSha256 !== findings.sha256) refuse('对账结果已更新，请刷新后再确认', 'the findings have changed; reload them before acknowledging', 'stale');
      },
    },
  );

  setHandler(
    recheckUpdate,
    async (args) => {
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.recheck', actor: args.actor, subject: workflowId, details: {}, dedupeKey: null });
      recheckRequested = true;
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(recheckArgsSchema, args);
        if (stage !== 'reviewing') refuse('当前不在对账复核阶段', 'not reviewing findings now');
      },
    },
  );

  setHandler(
    approveUpdate,
    async (args) => {
      // What the approval is an approval of: the draft's content as it would be issued (since APPROVAL_PATCH).
      const details = v2 && draftBasis ? { reportVersion: args.reportVersion, contentFingerprint: draftBasis.fingerprint } : { reportVersion: args.reportVersion };
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.approve', actor: args.actor, subject: workflowId, details, dedupeKey: `${workflowId}|approve|${args.reportVersion}` });
      approvedBy = args.actor;
      approvedAt = new Date().toISOString();
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(approveArgsSchema, args);
        if (stage !== 'approving') refuse('报告尚未提交审批', 'the report is not awaiting approval');
        if (args.reportVersion !== reportVersion) refuse(`待审批的是第${reportVersion}版`, `version ${reportVersion} is awaiting approval`, 'stale');
      },
    },
  );

  setHandler(
    sendBackUpdate,
    async (args) => {
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.send_back', actor: args.actor, subject: workflowId, details: { reason: args.reason, reportVersion }, dedupeKey: `${workflowId}|send-back|${reportVersion}` });
      sentBack = { by: args.actor, reason: args.reason, at: new Date().toISOString() };
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(sendBackArgsSchema, args);
        if (stage !== 'approving') refuse('报告尚未提交审批', 'the report is not awaiting approval');
      },
    },
  );

  setHandler(
    resubmitUpdate,
    async (args) => {
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.resubmit', actor: args.actor, subject: workflowId, details: { note: args.note, round, reportVersion }, dedupeKey: `${workflowId}|resubmit|${runTag}|r${round}` });
      resubmitted = { by: args.actor, note: args.note };
      return { ok: true as const, round: round + 1 };
    },
    {
      validator: (args) => {
        check(resubmitArgsSchema, args);
        if (!v2 || stage !== 'returned') refuse('报告没有退回修改，无需重新提交', 'the report has not been returned; nothing to resubmit');
        if (resubmitted) refuse('已重新提交', 'already resubmitted', 'stale');
      },
    },
  );

  // ── Open ──────────────────────────────────────────────────────────────────────────────────
  const opened = await acts.openEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, startedBy: input.startedBy, now: new Date().toISOString(), options: input.options ?? {} });
  escalateAfterWorkingDays = opened.escalateAfterWorkingDays;
  reminderTime = opened.reminderTime;
  ruleSetId = opened.ruleSet?.id ?? null;
  addWarnings(opened.calendarWarnings);
  // A restarted evaluation (since APPROVAL_PATCH) opens each task as its next run: new rows, new notices.
  const firstRun = (taskWorkflowId: string) => (v2 ? (opened.priorRuns?.[taskWorkflowId] ?? 0) + 1 : 1);
  for (const s of opened.sections) {
    const id = sectionTaskId(input.unitCode, input.year, s.code);
    sections.set(s.code, { section: s.code, name: s.name, state: 'open', run: firstRun(id), dueAt: opened.dueAt, workflowId: id });
  }
  // The rule set pinned at the start: the sections that assess indicators get their scope.
  const assessmentOf = (code: string) => {
    const scope = opened.sections.find((x) => x.code === code)?.assesses ?? [];
    return opened.ruleSet && scope.length ? { assessment: { ruleSet: opened.ruleSet, scope } } : {};
  };
  await remoteActs.ensureHoldbackWorkflows({ unitCode: input.unitCode, year: input.year });
  // A unit-year a campaign covers is reviewed above the unit after its issue (runs from before the patch, and other evaluations, never ask).
  const reviewed = v2 && Boolean(opened.campaign) && patched(CAMPAIGN_REVIEW_PATCH);

  const results = new Map<string, SectionTaskResult>();
  const startTask = async (s: SectionStatus, returnedReason?: string, restarted = false) => {
    const handle = await startChild<typeof sectionTask>('sectionTask', {
      workflowId: s.workflowId,
      args: [{
        evaluationWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, section: s.section, sectionName: s.name, run: s.run, dueAt: s.dueAt,
        escalateAfterWorkingDays, reminderTime, ...(returnedReason ? { returnedReason } : {}), ...(restarted ? { restarted } : {}), ...assessmentOf(s.section),
      }],
    });
    children.set(s.section, handle);
    const run = s.run;
    void handle.result().then((r) => {
      // A result of an older run (returned meanwhile) is not this run's.
      if (sections.get(s.section)?.run !== run) return;
      results.set(s.section, r);
      const status = sections.get(s.section)!;
      if (r.outcome.kind === 'submitted') {
        status.state = 'submitted';
        status.submittedBy = r.outcome.by;
      } else if (status.state !== 'skipped') {
        status.state = 'skipped';
        status.skippedReason = r.outcome.reason;
      }
    });
  };
  const collect = async () => {
    stage = 'collecting';
    await acts.setEvaluationStage({ workflowId, stage: 'collecting' });
    for (;;) {
      // Returned sections get a new task run (the previous run has completed).
      while (returns.length) {
        const r = returns.shift()!;
        const s = sections.get(r.section)!;
        results.delete(r.section);
        await startTask(s, r.reason);
      }
      // Indicators a reviewer above the unit returned: the self-assessment opens again for those (campaign evaluations).
      if (assessmentReturn && opened.ruleSet && opened.financeScope) {
        const back = assessmentReturn;
        assessmentReturn = null;
        await startSelfAssessment(opened.ruleSet, opened.financeScope, back.dueAt, { reason: back.reason, indicators: back.indicators });
      }
      await condition(() => returns.length > 0 || ([...sections.values()].every((s) => s.state === 'submitted' || s.state === 'skipped') && (selfAssessment === null || selfAssessment.state === 'submitted')));
      if (returns.length === 0) return;
    }
  };

  // The finance officer's self-assessment task: its first run beside the sections, and (campaign
  // evaluations) a later run for the indicators a reviewer returned.
  let assessmentRun = 0;
  const startSelfAssessment = async (ruleSet: NonNullable<typeof opened.ruleSet>, scope: string[], dueAt: string, returned?: { reason: string; indicators: string[] }) => {
    const status: SelfAssessmentStatus = { state: 'open', dueAt, workflowId: selfAssessmentTaskId(input.unitCode, input.year) };
    selfAssessment = status;
    assessmentRun = assessmentRun === 0 ? firstRun(status.workflowId) : assessmentRun + 1;
    const run = assessmentRun;
    const handle = await startChild<typeof selfAssessmentTask>('selfAssessmentTask', {
      workflowId: status.workflowId,
      args: [{
        evaluationWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, run, dueAt, escalateAfterWorkingDays, reminderTime,
        assessment: { ruleSet, scope },
        ...(run > 1 && !returned ? { restarted: true } : {}),
        ...(returned ? { returned } : {}),
      }],
    });
    void handle.result().then((r) => {
      if (r.outcome.kind === 'submitted' && assessmentRun === run) {
        status.state = 'submitted';
        status.submittedBy = r.outcome.by;
      }
    });
  };
  // A task whose first run here is not its first (a restarted evaluation) opens afresh, not as returned.
  for (const s of sections.values()) await startTask(s, undefined, s.run > 1);
  // The finance officer's self-assessment, beside the sections (evaluations started before it have none).
  if (patched(SELF_ASSESSMENT_PATCH) && opened.ruleSet && opened.financeScope && opened.financeMustAssess) {
    await startSelfAssessment(opened.ruleSet, opened.financeScope, opened.dueAt);
  }
  await collect();

  // ── Reconcile, review, score, draft, approve ──────────────────────────────────────────────
  if (!v2) {
    // Runs from before APPROVAL_PATCH: a send-back re-drafts at once (kept as it was: their histories replay it).
    for (;;) {
      stage = 'reviewing';
      await acts.setEvaluationStage({ workflowId, stage: 'reviewing' });
      const rec = await acts.runReconciliation({ workflowId, unitCode: input.unitCode, year: input.year });
      findings = { total: rec.total, blocking: rec.blocking, sha256: rec.sha256, acknowledged: false };
      recheckRequested = false;
      if (rec.blocking > 0) {
        await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'findings', key: rec.sha256, blocking: rec.blocking });
        await condition(() => findings.acknowledged || recheckRequested || returns.length > 0);
      }
      if (returns.length > 0) {
        await collect();
        continue;
      }
      if (recheckRequested) continue;

      stage = 'scoring';
      await acts.setEvaluationStage({ workflowId, stage: 'scoring' });
      score = await acts.scoreEvaluation({ workflowId, unitCode: input.unitCode, year: input.year });

      stage = 'drafting';
      await acts.setEvaluationStage({ workflowId, stage: 'drafting' });
      const draft = await render.renderReport({ workflowId, unitCode: input.unitCode, year: input.year, kind: 'draft', actor: 'selfeval', now: new Date().toISOString() });
      reportVersion = draft.version;

      stage = 'approving';
      approvedBy = undefined;
      sentBack = undefined;
      await acts.setEvaluationStage({ workflowId, stage: 'approving' });
      await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'approval', key: String(draft.version), blocking: 0 });
      await condition(() => approvedBy !== undefined || sentBack !== undefined);
      if (approvedBy) break;
      // Sent back: the finance officer reviews again (and may correct the ledger, then recheck).
    }

    stage = 'issuing';
    await acts.setEvaluationStage({ workflowId, stage: 'issuing' });
    const final = await render.renderReport({ workflowId, unitCode: input.unitCode, year: input.year, kind: 'issued', actor: approvedBy, now: new Date().toISOString() });
    reportVersion = final.version;
    issued = { version: final.version, pdfSha256: final.pdfSha256, at: new Date().toISOString() };
    stage = 'issued';
    await acts.setEvaluationStage({ workflowId, stage: 'issued' });
    await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'issued', key: final.pdfSha256, blocking: 0 });
    await condition(allHandlersFinished);
    return { reportVersion: final.version, pdfSha256: final.pdfSha256, issuedAt: issued.at };
  }

  /**
   * Waits until `done`, reminding whoever it waits for every 2 working days (planned by an
   * activity on the working-day calendar). Each wait has its own reminder keys.
   */
  let waits = 0;
  const waitFor = async (topic: EvaluationReminderTopic, done: () => boolean, about: { reportVersion?: number; blocking?: number } = {}) => {
    if (done()) return;
    waits += 1;
    const key = `${runTag}|w${waits}`;
    const since = new Date().toISOString();
    const status = { topic, since, remindersSent: 0, nextReminderAt: null as string | null };
    waiting = status;
    const sent = new Set<string>();
    try {
      let plan = await acts.planWaitReminders({ since, now: since, reminderTime });
      addWarnings(plan.calendarWarnings);
      for (;;) {
        if (done()) return;
        let next = plan.events.find((e) => !sent.has(e.key));
        if (!next) {
          plan = await acts.planWaitReminders({ since, now: new Date().toISOString(), reminderTime });
          addWarnings(plan.calendarWarnings);
          next = plan.events.find((e) => !sent.has(e.key));
          if (!next) {
            status.nextReminderAt = null;
            await condition(done);
            return;
          }
        }
        status.nextReminderAt = next.at;
        if (await condition(done, Math.max(Date.parse(next.at) - Date.now(), 0))) return;
        await notify.remindEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, topic, key: `${key}|${next.key}`, since, ...about });
        sent.add(next.key);
        status.remindersSent += 1;
      }
    } finally {
      waiting = null;
    }
  };

  /**
   * Campaign evaluations: the issued version goes to review above the unit (the review is started
   * at the first issue, and told of each revision), and the evaluation waits for its outcome. A
   * return reopens exactly what the reviewer named — the sections (a new task run with the comment)
   * and the indicators the finance officer values (a new self-assessment run for those) — with
   * the revision's due date, and answers true: the evaluation collects, reconciles, scores, drafts
   * and issues again. The last level's acceptance answers false: the evaluation ends.
   */
  let reviewHandle: ChildWorkflowHandle<typeof unitReview> | undefined;
  const underReview = async (version: number): Promise<boolean> => {
    if (!reviewHandle) {
      review = { workflowId: reviewId(input.unitCode, input.year), state: 'in_review', returns: 0, lastReturn: null };
      reviewHandle = await startChild<typeof unitReview>(unitReviewWorkflowType, {
        workflowId: review.workflowId,
        args: [{ unitCode: input.unitCode, year: input.year, evaluationWorkflowId: workflowId, reportVersion: version }],
      });
      reviewHandle.result().then(
        () => void (reviewAccepted = true),
        (e: unknown) => void (reviewFailed = e instanceof Error ? e.message : String(e)),
      );
    } else {
      review!.state = 'in_review';
      await reviewHandle.signal(reportReissuedSignal, { reportVersion: version });
    }
    await condition(() => reviewReturned !== undefined || reviewAccepted || reviewFailed !== undefined);
    if (reviewReturned) {
      const back = reviewReturned;
      reviewReturned = undefined;
      review = { ...review!, state: 'returned', returns: review!.returns + 1, lastReturn: back };
      for (const r of back.sections) {
        const s = sections.get(r.section);
        if (!s) continue;
        s.state = 'returned';
        s.run += 1;
        s.dueAt = back.dueAt;
        returns.push({ section: r.section, reason: r.reason, actor: back.by });
      }
      if (back.selfAssessment) assessmentReturn = back.selfAssessment;
      await collect();
      return true;
    }
    if (reviewFailed !== undefined) throw ApplicationFailure.nonRetryable(`复核流程失败 / the review failed: ${reviewFailed}`, 'review_failed');
    review = { ...review!, state: 'accepted' };
    return false;
  };

  for (;;) {
    stage = 'reviewing';
    await acts.setEvaluationStage({ workflowId, stage: 'reviewing' });
    const rec = await acts.runReconciliation({ workflowId, unitCode: input.unitCode, year: input.year });
    findings = { total: rec.total, blocking: rec.blocking, sha256: rec.sha256, acknowledged: acknowledged.has(rec.sha256) };
    recheckRequested = false;
    if (rec.blocking > 0 && !findings.acknowledged) {
      await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'findings', key: `${rec.sha256}|${runTag}|r${round}`, blocking: rec.blocking });
      await waitFor('acknowledgement', () => findings.acknowledged || recheckRequested || returns.length > 0, { blocking: rec.blocking });
    }
    if (returns.length > 0) {
      await collect();
      continue;
    }
    if (recheckRequested) continue;

    stage = 'scoring';
    await acts.setEvaluationStage({ workflowId, stage: 'scoring' });
    score = await acts.scoreEvaluation({ workflowId, unitCode: input.unitCode, year: input.year });

    stage = 'drafting';
    await acts.setEvaluationStage({ workflowId, stage: 'drafting' });
    // After a send-back the draft is a new version, even with the same content: the head is asked about a new draft.
    const previous = drafts.at(-1)?.version;
    const previousBasis = draftBasis;
    const draft = await render.renderReport({ workflowId, unitCode: input.unitCode, year: input.year, kind: 'draft', actor: 'selfeval', now: new Date().toISOString(), ...(previous !== undefined ? { supersedes: previous } : {}) });
    reportVersion = draft.version;
    draftBasis = draft.basis;
    // Made again without changes (the date aside): the same content as the draft it replaces, and the head is told so.
    const sameContentAs = previous !== undefined && previousBasis?.fingerprint === draft.basis?.fingerprint ? previous : null;
    const outcome: DraftOutcome = { version: draft.version, state: 'awaiting_approval', sameContentAs };
    drafts.push(outcome);

    stage = 'approving';
    approvedBy = undefined;
    approvedAt = undefined;
    sentBack = undefined;
    await acts.setEvaluationStage({ workflowId, stage: 'approving' });
    const note = previous === undefined ? '' : sameContentAs ? `（退回后重新生成，内容与第${sameContentAs}版相同。）` : `（按退回意见修改后重新生成，替代第${previous}版。）`;
    await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'approval', key: String(draft.version), blocking: 0, ...(note ? { note } : {}) });
    await waitFor('approval', () => approvedBy !== undefined || sentBack !== undefined, { reportVersion: draft.version });

    if (approvedBy) {
      outcome.state = 'approved';
      outcome.by = approvedBy;
      outcome.at = approvedAt!;
      stage = 'issuing';
      await acts.setEvaluationStage({ workflowId, stage: 'issuing' });
      // Issued only if the report still reads what the approved draft was made of.
      const result = await render.issueReport({ workflowId, unitCode: input.unitCode, year: input.year, actor: approvedBy, approvedAt: approvedAt!, approved: { version: draft.version, basis: draftBasis! } });
      if (result.kind === 'issued') {
        reportVersion = result.version;
        issued = { version: result.version, pdfSha256: result.pdfSha256, at: new Date().toISOString(), approvedVersion: result.approvedVersion };
        stage = 'issued';
        await acts.setEvaluationStage({ workflowId, stage: 'issued' });
        await notify.notifyEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, event: 'issued', key: result.pdfSha256, blocking: 0 });
        // A campaign's unit-year: the issued report goes to review above the unit; a return reopens what it names.
        if (reviewed && (await underReview(result.version))) {
          round += 1;
          continue;
        }
        await condition(allHandlersFinished);
        return { reportVersion: result.version, pdfSha256: result.pdfSha256, issuedAt: issued.at };
      }
      outcome.state = 'changed_after_approval';
      returned = { kind: 'changed_after_approval', by: approvedBy, reason: result.summaryZh, at: new Date().toISOString(), reportVersion: draft.version, changes: result.changes };
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.issue_stopped', actor: 'selfeval', subject: workflowId, details: { reportVersion: draft.version, approvedBy, changes: result.changes }, dedupeKey: `${workflowId}|issue-stopped|v${draft.version}` });
    } else {
      outcome.state = 'sent_back';
      outcome.by = sentBack!.by;
      outcome.at = sentBack!.at;
      returned = { kind: 'sent_back', by: sentBack!.by, reason: sentBack!.reason, at: sentBack!.at, reportVersion: draft.version };
    }

    // With the finance officer until they resubmit; meanwhile they may correct the ledger, the
    // 基础数据表 or the self-assessment (the inputs are open again), or return a section's material.
    stage = 'returned';
    resubmitted = undefined;
    await acts.setEvaluationStage({ workflowId, stage: 'returned' });
    await notify.notifyReturned({ workflowId, unitCode: input.unitCode, year: input.year, returned });
    for (;;) {
      await waitFor('correction', () => resubmitted !== undefined || returns.length > 0, { reportVersion: draft.version });
      if (resubmitted) break;
      await collect();
      stage = 'returned';
      await acts.setEvaluationStage({ workflowId, stage: 'returned' });
    }
    returned = null;
    round += 1;
  }
}
