/**
 * The year's self-evaluation of one unit, as one durable process:
 *
 *   open (snapshot, tasks, holdbacks) → collect the sections' submissions (child tasks; the finance
 *   officer may return one, extend a due date, or proceed without a section) → reconcile → the
 *   finance officer acknowledges blocking findings or corrects the ledger and asks for a recheck →
 *   score → render the draft → the unit head approves (or sends it back) → issue.
 *
 * Every side effect is an idempotent activity; every human decision is a validated Update whose
 * rejection leaves no trace in history.
 */
import {
  ApplicationFailure, type ChildWorkflowHandle, allHandlersFinished, condition, getExternalWorkflowHandle, patched, proxyActivities, proxyLocalActivities, setHandler,
  startChild, workflowInfo,
} from '@temporalio/workflow';
import type { ZodType } from 'zod';
import type { Activities } from '../../activities';
import { problemsFromZod } from '../../domain/validation';
import {
  type AnnualEvaluationInput, type AnnualEvaluationResult, acknowledgeArgsSchema, acknowledgeFindingsUpdate, approveArgsSchema, approveUpdate, closeTaskSignal,
  type EvaluationStage, type EvaluationStatus, evaluationStatusQuery, extendDueSignal, extendSectionDueArgsSchema, extendSectionDueSignal, INVALID_MESSAGE,
  proceedWithoutArgsSchema, proceedWithoutUpdate, recheckArgsSchema, recheckUpdate, returnArgsSchema, returnSubmissionUpdate, type SectionStatus,
  type SectionTaskResult, sectionTaskId, sendBackArgsSchema, sendBackUpdate, LOCAL_PROJECTIONS_PATCH, SELF_ASSESSMENT_PATCH, SELF_ASSESSMENT_TASK, type SelfAssessmentStatus,
  selfAssessmentTaskId,
} from './contract';
import type { sectionTask } from './section-task.workflow';
import type { selfAssessmentTask } from './self-assessment-task.workflow';

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
  const workflowId = workflowInfo().workflowId;
  // Runs started before the patch keep their ordinary activities (their histories say so).
  const acts = patched(LOCAL_PROJECTIONS_PATCH) ? localActs : remoteActs;
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
  let sentBack: { by: string; reason: string } | undefined;
  const returns: Array<{ section: string; reason: string; actor: string }> = [];

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
  }));

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
        if (stage !== 'collecting' && stage !== 'reviewing') refuse('只有在评分之前才能退回修改', 'a submission can be returned only before scoring');
        const s = sections.get(args.section);
        if (!s) refuse(`没有科室 ${args.section}`, `no section ${args.section}`, 'not_found');
        if (s.state !== 'submitted') refuse(`科室 ${s.name} 尚未提交，无需退回`, `section ${s.name} has not submitted`);
      },
    },
  );

  setHandler(extendSectionDueSignal, async (args) => {
    if (!extendSectionDueArgsSchema.safeParse(args).success) return;
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
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.acknowledge_findings', actor: args.actor, subject: workflowId, details: { note: args.note ?? null, findingsSha256: args.findingsSha256 }, dedupeKey: `${workflowId}|acknowledge|${args.findingsSha256}` });
      findings.acknowledged = true;
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
      await acts.recordDecision({ workflowId, unitCode: input.unitCode, action: 'evaluation.approve', actor: args.actor, subject: workflowId, details: { reportVersion: args.reportVersion }, dedupeKey: `${workflowId}|approve|${args.reportVersion}` });
      approvedBy = args.actor;
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
      sentBack = { by: args.actor, reason: args.reason };
      return { ok: true as const };
    },
    {
      validator: (args) => {
        check(sendBackArgsSchema, args);
        if (stage !== 'approving') refuse('报告尚未提交审批', 'the report is not awaiting approval');
      },
    },
  );

  // ── Open ──────────────────────────────────────────────────────────────────────────────────
  const opened = await acts.openEvaluation({ workflowId, unitCode: input.unitCode, year: input.year, startedBy: input.startedBy, now: new Date().toISOString(), options: input.options ?? {} });
  escalateAfterWorkingDays = opened.escalateAfterWorkingDays;
  reminderTime = opened.reminderTime;
  ruleSetId = opened.ruleSet?.id ?? null;
  for (const s of opened.sections) {
    sections.set(s.code, { section: s.code, name: s.name, state: 'open', run: 1, dueAt: opened.dueAt, workflowId: sectionTaskId(input.unitCode, input.year, s.code) });
  }
  // The rule set pinned at the start: the sections that assess indicators get their scope.
  const assessmentOf = (code: string) => {
    const scope = opened.sections.find((x) => x.code === code)?.assesses ?? [];
    return opened.ruleSet && scope.length ? { assessment: { ruleSet: opened.ruleSet, scope } } : {};
  };
  await remoteActs.ensureHoldbackWorkflows({ unitCode: input.unitCode, year: input.year });

  const results = new Map<string, SectionTaskResult>();
  const startTask = async (s: SectionStatus, returnedReason?: string) => {
    const handle = await startChild<typeof sectionTask>('sectionTask', {
      workflowId: s.workflowId,
      args: [{
        evaluationWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, section: s.section, sectionName: s.name, run: s.run, dueAt: s.dueAt,
        escalateAfterWorkingDays, reminderTime, ...(returnedReason ? { returnedReason } : {}), ...assessmentOf(s.section),
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
      await condition(() => returns.length > 0 || ([...sections.values()].every((s) => s.state === 'submitted' || s.state === 'skipped') && (selfAssessment === null || selfAssessment.state === 'submitted')));
      if (returns.length === 0) return;
    }
  };

  for (const s of sections.values()) await startTask(s);
  // The finance officer's self-assessment, beside the sections (evaluations started before it have none).
  if (patched(SELF_ASSESSMENT_PATCH) && opened.ruleSet && opened.financeScope && opened.financeMustAssess) {
    const status: SelfAssessmentStatus = { state: 'open', dueAt: opened.dueAt, workflowId: selfAssessmentTaskId(input.unitCode, input.year) };
    selfAssessment = status;
    const handle = await startChild<typeof selfAssessmentTask>('selfAssessmentTask', {
      workflowId: status.workflowId,
      args: [{
        evaluationWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, run: 1, dueAt: opened.dueAt, escalateAfterWorkingDays, reminderTime,
        assessment: { ruleSet: opened.ruleSet, scope: opened.financeScope },
      }],
    });
    void handle.result().then((r) => {
      if (r.outcome.kind === 'submitted') {
        status.state = 'submitted';
        status.submittedBy = r.outcome.by;
      }
    });
  }
  await collect();

  // ── Reconcile, review, score, draft, approve ──────────────────────────────────────────────
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
