/**
 * Contract of the annual evaluation and its section tasks: ids, every message, payload types and
 * the zod schemas their validators use. The workflow, the API, the CLI and the tests import this;
 * no id, message name or task queue is written anywhere else.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import type { CalendarWarning } from '../../domain/calendar/working-days';
import type { ContentChange } from '../../domain/report/approval-basis';
import type { ScoringRuleSet } from '../../domain/scoring';
import { type SelfAssessmentEntry, selfAssessmentEntrySchema } from '../../domain/self-assessment';
import { finalSubmissionSchema, type SectionSubmission } from '../../domain/submission';
import { bi } from '../../domain/validation';

export { taskQueue } from '../task-queue';

export const annualEvaluationWorkflowType = 'annualEvaluation';
export const sectionTaskWorkflowType = 'sectionTask';
export const selfAssessmentTaskWorkflowType = 'selfAssessmentTask';
export const yearlyEvaluationStarterWorkflowType = 'yearlyEvaluationStarter';

export const evaluationId = (unitCode: string, year: number): string => `evaluation/${unitCode}/${year}`;
/** The unit and year an evaluation's workflow id names, or undefined for another id. */
export function evaluationOfId(workflowId: string): { unitCode: string; year: number } | undefined {
  const m = /^evaluation\/(.+)\/(\d{4})$/.exec(workflowId);
  return m ? { unitCode: m[1]!, year: Number(m[2]) } : undefined;
}
export const sectionTaskId = (unitCode: string, year: number, section: string): string => `evaluation/${unitCode}/${year}/task/${section}`;
export const yearlyScheduleId = (unitCode: string): string => `evaluation-schedule/${unitCode}`;
/** The finance officer's self-assessment (自评) task of an evaluation. */
export const selfAssessmentTaskId = (unitCode: string, year: number): string => `evaluation/${unitCode}/${year}/self-assessment`;
/**
 * How the evaluation's messages name the self-assessment task where they name a section (extend
 * its due date; the task view). Section codes start with a letter or digit, so it cannot clash.
 */
export const SELF_ASSESSMENT_TASK = '@self-assessment';

/**
 * Workflow code version (a `patched()` id): the evaluation's and the tasks' database work runs as
 * local activities (2026-11). Each patch names a change to the commands a workflow issues; runs
 * started before it replay the old branch. Remove a branch only when no run that predates it is
 * open (and its replay fixture is retired).
 */
export const LOCAL_PROJECTIONS_PATCH = 'evaluation-local-projections';
/**
 * The evaluation starts the finance officer's self-assessment task beside the section tasks and
 * waits for it before reconciling (2026-12). Runs from before it have no such task.
 */
export const SELF_ASSESSMENT_PATCH = 'evaluation-self-assessment-task';
/**
 * Approval that means what it says (2026-12): a send-back returns the evaluation to the finance
 * officer (stage `returned`, notified each time) until they resubmit, then a new draft version is
 * made; the approved draft's content is checked again before issuing, and a change stops the issue
 * and returns the evaluation; pending approvals, acknowledgements and corrections are reminded on
 * the working-day calendar; a restarted evaluation opens its tasks as their next run. Runs from
 * before it keep the old loop (a send-back re-drafts at once).
 */
export const APPROVAL_PATCH = 'evaluation-approval-v2';
/**
 * The yearly starter waits for the year's ledger (2026-12): with none imported it reminds the
 * finance officer on the working-day calendar and starts the evaluation once the ledger is there.
 * Runs from before it start at once (and the evaluation fails without a ledger).
 */
export const STARTER_WAITS_PATCH = 'starter-waits-for-ledger';
/**
 * Review above the unit (2026-12): an evaluation whose unit-year a bureau's campaign covers does
 * not end when its report is issued. It starts the report's review (`review/<unit>/<year>`, a child)
 * and waits: a reviewer's return reopens exactly what was returned — the returned sections get a
 * new task run with the comment, returned indicators reopen the self-assessment for those only —
 * and the revision is drafted, approved and issued as a new frozen version, which goes back to
 * review; the bureau's acceptance ends the evaluation. Evaluations of no campaign, and every run
 * from before it, end at the issue as before (they never reach the patch).
 */
export const CAMPAIGN_REVIEW_PATCH = 'evaluation-campaign-review';
/**
 * Since this patch a run that stops without issuing (an activity or child that failed for good,
 * a cancellation) records it on the evaluation's row, audited, and tells the finance officer and
 * the unit head, before it ends. Runs from before it end without that (their histories say so).
 */
export const STOP_RECORD_PATCH = 'evaluation-stop-record';

// ── Inputs and results ────────────────────────────────────────────────────────────────────

export interface EvaluationOptions {
  /** Civil due date of the section tasks (YYYY-MM-DD); default: 10 working days after the start. */
  dueDate?: string;
  dueInWorkingDays?: number;
  /** Escalate to the finance officer this many working days after the due date (default 3). */
  escalateAfterWorkingDays?: number;
  /** Time of day reminders go out, Asia/Shanghai (default 09:00). */
  reminderTime?: string;
}

export interface AnnualEvaluationInput {
  unitCode: string;
  year: number;
  startedBy: string;
  options?: EvaluationOptions;
}

export interface AnnualEvaluationResult {
  reportVersion: number;
  pdfSha256: string;
  issuedAt: string;
}

export interface SectionTaskInput {
  evaluationWorkflowId: string;
  unitCode: string;
  year: number;
  section: string;
  sectionName: string;
  /** 1 for the first task; +1 for each return for revision. */
  run: number;
  /** Due instant (ISO), computed on the working-day calendar by an activity. */
  dueAt: string;
  escalateAfterWorkingDays: number;
  reminderTime: string;
  returnedReason?: string;
  /** The first run of a restarted evaluation (its earlier run failed): the task opens afresh, not as returned. */
  restarted?: boolean;
  /**
   * The indicators the unit has this section assess (`unit.sections[].assesses`), with the rule
   * set the evaluation was started under: the submit validator checks the section's
   * self-assessment entries against them. Absent: the section assesses nothing.
   */
  assessment?: AssessmentScope;
}

/** A rule set pinned at the evaluation's start and the indicators one assessor values. */
export interface AssessmentScope {
  ruleSet: ScoringRuleSet;
  scope: string[];
}

export interface SelfAssessmentTaskInput {
  evaluationWorkflowId: string;
  unitCode: string;
  year: number;
  run: number;
  dueAt: string;
  escalateAfterWorkingDays: number;
  reminderTime: string;
  assessment: AssessmentScope;
  /** The first run of a restarted evaluation (its earlier run failed). */
  restarted?: boolean;
  /**
   * A run reopened by a reviewer above the unit (campaign evaluations): only these indicators
   * must be valued again (entries for the others may be given and replace the stored ones), with
   * the reviewer's comment as the reason.
   */
  returned?: { reason: string; indicators: string[] };
}

export type SectionTaskOutcome = { kind: 'submitted'; by: string; at: string } | { kind: 'closed'; reason: string; by: string };

export interface SectionTaskResult {
  section: string;
  run: number;
  outcome: SectionTaskOutcome;
}

// ── Messages: section task ─────────────────────────────────────────────────────────────────

const actor = z.string().trim().min(1).max(200);
const reason = z.string().trim().min(1, { message: bi('请说明原因', 'give a reason') }).max(2000);

export const submitArgsSchema = z.object({ actor, submission: finalSubmissionSchema }).strict();
export type SubmitArgs = { actor: string; submission: SectionSubmission };
export interface SubmitResult {
  accepted: true;
  submittedAt: string;
}
/** Submit a section's final material (validated; a rejected submission leaves no trace). */
export const submitUpdate = defineUpdate<SubmitResult, [SubmitArgs]>('sectionTask.submit');

export const extendDueArgsSchema = z.object({ actor, dueAt: z.iso.datetime({ offset: true }), reason: reason.optional() }).strict();
export type ExtendDueArgs = z.infer<typeof extendDueArgsSchema>;
/** Move a task's due date (the finance officer); the reminders move with it. */
export const extendDueSignal = defineSignal<[ExtendDueArgs]>('sectionTask.extendDue');

export interface CloseArgs {
  actor: string;
  reason: string;
}
/** Stop a task without a submission (the evaluation proceeds without the section). */
export const closeTaskSignal = defineSignal<[CloseArgs]>('sectionTask.close');

export interface TaskView {
  section: string;
  run: number;
  state: 'open' | 'overdue' | 'submitted' | 'closed';
  dueAt: string;
  remindersSent: string[];
  escalated: boolean;
  nextReminderAt: string | null;
}
export const taskViewQuery = defineQuery<TaskView>('sectionTask.view');

// ── Messages: the self-assessment task ───────────────────────────────────────────────────

export const submitSelfAssessmentArgsSchema = z
  .object({ actor, entries: z.array(selfAssessmentEntrySchema).max(500, { message: bi('最多 500 项', 'at most 500 entries') }) })
  .strict();
export type SubmitSelfAssessmentArgs = { actor: string; entries: SelfAssessmentEntry[] };
/**
 * Submit the finance officer's self-assessment: every indicator of their scope valued (tier and
 * points within the tier, survey figures, or 不适用 with a reason), checked against the pinned rule set.
 */
export const submitSelfAssessmentUpdate = defineUpdate<SubmitResult, [SubmitSelfAssessmentArgs]>('selfAssessmentTask.submit');

// ── Messages: evaluation ───────────────────────────────────────────────────────────────────

export const proceedWithoutArgsSchema = z.object({ actor, section: z.string().min(1), reason }).strict();
export type ProceedWithoutArgs = z.infer<typeof proceedWithoutArgsSchema>;
export const proceedWithoutUpdate = defineUpdate<{ ok: true }, [ProceedWithoutArgs]>('evaluation.proceedWithout');

export const returnArgsSchema = z.object({ actor, section: z.string().min(1), reason }).strict();
export type ReturnArgs = z.infer<typeof returnArgsSchema>;
export const returnSubmissionUpdate = defineUpdate<{ ok: true; run: number }, [ReturnArgs]>('evaluation.returnSubmission');

export const extendSectionDueArgsSchema = z.object({ actor, section: z.string().min(1), dueAt: z.iso.datetime({ offset: true }), reason: reason.optional() }).strict();
export type ExtendSectionDueArgs = z.infer<typeof extendSectionDueArgsSchema>;
export const extendSectionDueSignal = defineSignal<[ExtendSectionDueArgs]>('evaluation.extendDue');

export const acknowledgeArgsSchema = z.object({ actor, note: z.string().trim().max(2000).optional(), findingsSha256: z.string().min(1) }).strict();
export type AcknowledgeArgs = z.infer<typeof acknowledgeArgsSchema>;
export const acknowledgeFindingsUpdate = defineUpdate<{ ok: true }, [AcknowledgeArgs]>('evaluation.acknowledgeFindings');

export const recheckArgsSchema = z.object({ actor }).strict();
export type RecheckArgs = z.infer<typeof recheckArgsSchema>;
/** After correcting the ledger: reconcile again. */
export const recheckUpdate = defineUpdate<{ ok: true }, [RecheckArgs]>('evaluation.recheck');

export const approveArgsSchema = z.object({ actor, reportVersion: z.number().int().positive() }).strict();
export type ApproveArgs = z.infer<typeof approveArgsSchema>;
export const approveUpdate = defineUpdate<{ ok: true }, [ApproveArgs]>('evaluation.approve');

export const sendBackArgsSchema = z.object({ actor, reason }).strict();
export type SendBackArgs = z.infer<typeof sendBackArgsSchema>;
/** The unit head sends the draft back to the finance officer. */
export const sendBackUpdate = defineUpdate<{ ok: true }, [SendBackArgs]>('evaluation.sendBack');

export const resubmitArgsSchema = z.object({ actor, note: z.string().trim().min(1, { message: bi('请说明更正了什么', 'say what was corrected') }).max(2000) }).strict();
export type ResubmitArgs = z.infer<typeof resubmitArgsSchema>;
/**
 * The finance officer has corrected what the evaluation was returned for (stage `returned`): it
 * reconciles, scores and drafts again — a new version — and asks the unit head again.
 */
export const resubmitUpdate = defineUpdate<{ ok: true; round: number }, [ResubmitArgs]>('evaluation.resubmit');

/** A comment of a reviewer above the unit on one section or one indicator. */
export interface ReviewComment {
  section?: string;
  indicator?: string;
  text: string;
}

/**
 * A reviewer above the unit returned the issued report (campaign evaluations, since
 * CAMPAIGN_REVIEW_PATCH): what reopens, worked out by the review from the comments — each returned
 * section (a section's own comments and those on indicators it assesses) and the indicators the
 * finance officer values again. Sent by the review workflow, which validated it.
 */
export interface ReviewReturn {
  level: 'department' | 'bureau';
  by: string;
  at: string;
  reportVersion: number;
  comments: ReviewComment[];
  /** The reopened tasks' due date (the revision's), as the workflow's instant. */
  dueAt: string;
  sections: Array<{ section: string; reason: string }>;
  selfAssessment: { indicators: string[]; reason: string; dueAt: string } | null;
}
export const reviewReturnedSignal = defineSignal<[ReviewReturn]>('evaluation.reviewReturned');

export type EvaluationStage = 'opening' | 'collecting' | 'reviewing' | 'returned' | 'scoring' | 'drafting' | 'approving' | 'issuing' | 'issued';

/** Whom a waiting evaluation reminds: the unit head to approve, the finance officer to acknowledge findings or to correct a returned draft. */
export type EvaluationReminderTopic = 'approval' | 'acknowledgement' | 'correction';

/** Why the evaluation is with the finance officer (stage `returned`). */
export interface ReturnedReason {
  /** The unit head sent the draft back; or the approved draft no longer matched what the report reads when it was to be issued. */
  kind: 'sent_back' | 'changed_after_approval';
  /** Who sent it back, or who had approved it. */
  by: string;
  /** The head's reason, or what changed (one sentence). */
  reason: string;
  at: string;
  /** The draft version concerned. */
  reportVersion: number | null;
  /** What changed, item by item (`changed_after_approval`). */
  changes?: ContentChange[];
}

/** One draft of the evaluation and what became of it. */
export interface DraftOutcome {
  version: number;
  state: 'awaiting_approval' | 'approved' | 'sent_back' | 'changed_after_approval' | 'issued';
  /** The version it repeats word for word (made again after a send-back without changes). */
  sameContentAs?: number | null;
  by?: string;
  at?: string;
}

export interface SectionStatus {
  section: string;
  name: string;
  state: 'open' | 'overdue' | 'submitted' | 'returned' | 'skipped';
  run: number;
  dueAt: string;
  workflowId: string;
  submittedBy?: string;
  skippedReason?: string;
}

export interface SelfAssessmentStatus {
  state: 'open' | 'overdue' | 'submitted';
  dueAt: string;
  workflowId: string;
  submittedBy?: string;
}

export interface EvaluationStatus {
  workflowId: string;
  unitCode: string;
  year: number;
  stage: EvaluationStage;
  sections: SectionStatus[];
  /** The finance officer's self-assessment task; `null` in evaluations started before it existed. */
  selfAssessment?: SelfAssessmentStatus | null;
  /** The rule set the evaluation was started under (pinned), when it records one. */
  ruleSetId?: string | null;
  findings: { total: number; blocking: number; sha256: string | null; acknowledged: boolean };
  score: { totalCp: number; grade: string | null; final: boolean } | null;
  reportVersion: number | null;
  issued: { version: number; pdfSha256: string; at: string; approvedVersion?: number } | null;
  /** Evaluations after APPROVAL_PATCH: why it is back with the finance officer (stage `returned`), else null. */
  returned?: ReturnedReason | null;
  /** Evaluations after APPROVAL_PATCH: each draft and what became of it, oldest first. */
  drafts?: DraftOutcome[];
  /** Evaluations after APPROVAL_PATCH: whom the evaluation waits for now, since when, and the reminders sent. */
  waiting?: { topic: EvaluationReminderTopic; since: string; remindersSent: number; nextReminderAt: string | null } | null;
  /**
   * Years without holiday data that a due date or a reminder of this evaluation falls in: those
   * dates were counted with the weekday rule (shown on the dashboard with how to add the data).
   */
  calendarWarnings?: CalendarWarning[];
  /**
   * Campaign evaluations (since CAMPAIGN_REVIEW_PATCH), once issued: the review above the unit —
   * its workflow, whether the issued report is with the reviewers, returned to the unit or
   * accepted, how often it was returned, and the last return.
   */
  review?: { workflowId: string; state: 'in_review' | 'returned' | 'accepted'; returns: number; lastReturn: ReviewReturn | null } | null;
}
export const evaluationStatusQuery = defineQuery<EvaluationStatus>('evaluation.status');

// ── The yearly starter ─────────────────────────────────────────────────────────────────────

export interface YearlyStarterStatus {
  /** The year it evaluates, once worked out. */
  year: number | null;
  /** Waiting for the year's ledger to be imported (since STARTER_WAITS_PATCH): since when, reminders sent, the next one. */
  waitingForLedger: { since: string; remindersSent: number; nextReminderAt: string | null } | null;
}
export const yearlyStarterStatusQuery = defineQuery<YearlyStarterStatus>('yearlyStarter.status');

// ── Problems from a rejected update ────────────────────────────────────────────────────────

/** ApplicationFailure type of a rejected message; its details carry the problems. */
export const INVALID_MESSAGE = 'invalid_message';
