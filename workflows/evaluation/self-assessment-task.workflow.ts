/**
 * The finance officer's self-assessment (自评) in the annual evaluation, beside the section tasks:
 * the values of the indicators nobody can compute — the tier and points of each qualitative
 * indicator with its reason and evidence, the satisfaction survey, 不适用 with a reason. The
 * finance officer is told, reminded like a section head (3 and 1 working days before, at due,
 * every 2 after) and the unit head is alerted when it is overdue. It ends when the finance officer
 * submits a complete self-assessment — checked against the rule set the evaluation was started
 * under in the Update's validator, so a rejected one leaves no trace — or the evaluation closes it.
 */
import { ApplicationFailure, allHandlersFinished, condition, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { checkSelfAssessment } from '../../domain/self-assessment';
import { problemsFromZod } from '../../domain/validation';
import {
  closeTaskSignal, extendDueArgsSchema, extendDueSignal, INVALID_MESSAGE, SELF_ASSESSMENT_TASK, type SectionTaskResult, type SelfAssessmentTaskInput, type SubmitSelfAssessmentArgs,
  submitSelfAssessmentArgsSchema, submitSelfAssessmentUpdate, type TaskView, taskViewQuery,
} from './contract';
import { type ReminderState, runReminders } from './task-reminders';

/** The task's projection row, its reminder plan and the stored self-assessment: short and idempotent. */
const acts = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Notifications: bounded retries; a reminder that cannot be delivered is not worth blocking the task.
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function selfAssessmentTask(input: SelfAssessmentTaskInput): Promise<SectionTaskResult> {
  const workflowId = workflowInfo().workflowId;
  let submitted: { by: string; at: string } | undefined;
  let closed: { by: string; reason: string } | undefined;
  const state: ReminderState = {
    dueAt: input.dueAt,
    remindersSent: [],
    escalated: false,
    overdue: false,
    nextReminderAt: null,
    dueMoved: undefined,
    stopped: () => submitted !== undefined || closed !== undefined,
  };

  setHandler(
    submitSelfAssessmentUpdate,
    async (args: SubmitSelfAssessmentArgs) => {
      const at = new Date().toISOString();
      // Stored as the schema reads them (points as text, evidence lists present): the validator accepted exactly this.
      const { entries } = submitSelfAssessmentArgsSchema.parse(args);
      // A run a reviewer reopened replaces the entries it is given and keeps the others.
      await acts.recordSelfAssessment({ taskWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, run: input.run, actor: args.actor, entries, at, ...(input.returned ? { replaceOnly: true } : {}) });
      submitted = { by: args.actor, at };
      return { accepted: true as const, submittedAt: at };
    },
    {
      validator: (args: SubmitSelfAssessmentArgs) => {
        if (submitted) throw ApplicationFailure.nonRetryable('已提交，不能重复提交 / already submitted', 'already_submitted');
        if (closed) throw ApplicationFailure.nonRetryable('任务已关闭 / the task is closed', 'task_closed');
        const parsed = submitSelfAssessmentArgsSchema.safeParse(args);
        const problems = parsed.success
          ? checkSelfAssessment(input.assessment.ruleSet, parsed.data.entries, { path: 'entries', scope: input.assessment.scope, complete: !input.returned })
          : problemsFromZod(parsed.error, args);
        // A run a reviewer reopened: every returned indicator is valued again (the others may be left as they are).
        if (parsed.success && input.returned) {
          for (const id of input.returned.indicators) {
            if (parsed.data.entries.some((e) => e.indicator === id)) continue;
            const name = input.assessment.ruleSet.indicators.find((i) => i.id === id)?.level3 ?? id;
            problems.push({ path: 'entries', code: 'returned_indicator_missing', zh: `复核退回了指标“${name}”，请重新评价或说明`, en: `the reviewer returned the indicator "${name}": value or explain it again` });
          }
        }
        if (problems.length) {
          throw ApplicationFailure.nonRetryable(`自评内容有误 / invalid self-assessment: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
        }
      },
    },
  );
  setHandler(extendDueSignal, (args) => {
    if (!extendDueArgsSchema.safeParse(args).success || submitted || closed) return;
    state.dueMoved = { dueAt: args.dueAt, actor: args.actor, ...(args.reason ? { reason: args.reason } : {}) };
  });
  setHandler(closeTaskSignal, (args) => {
    if (!submitted && !closed) closed = { by: args.actor, reason: args.reason };
  });
  setHandler(taskViewQuery, (): TaskView => ({
    section: SELF_ASSESSMENT_TASK,
    run: input.run,
    state: submitted ? 'submitted' : closed ? 'closed' : state.overdue ? 'overdue' : 'open',
    dueAt: state.dueAt,
    remindersSent: [...state.remindersSent],
    escalated: state.escalated,
    nextReminderAt: state.nextReminderAt,
  }));

  const task = { taskWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, run: input.run };
  await acts.openAssessmentTask({
    ...task, evaluationWorkflowId: input.evaluationWorkflowId, dueAt: state.dueAt, ...(input.restarted ? { restarted: true } : {}),
    ...(input.returned ? { returned: input.returned } : {}),
  });
  await runReminders(state, {
    plan: (dueAt) => acts.planTaskReminders({ dueAt, now: new Date().toISOString(), escalateAfterWorkingDays: input.escalateAfterWorkingDays, reminderTime: input.reminderTime }),
    moveDue: (moved) => acts.updateAssessmentTaskDue({ ...task, dueAt: moved.dueAt, actor: moved.actor, ...(moved.reason ? { reason: moved.reason } : {}) }),
    remind: async (next, dueAt) => {
      await notify.sendAssessmentReminder({ ...task, dueAt, key: next.key, kind: next.kind });
    },
    escalate: async (next, dueAt) => {
      await notify.escalateAssessmentTask({ ...task, dueAt, key: next.key });
    },
  });
  if (closed) await acts.closeTask({ taskWorkflowId: workflowId, unitCode: input.unitCode, section: SELF_ASSESSMENT_TASK, actor: closed.by, reason: closed.reason });
  await condition(allHandlersFinished);
  return {
    section: SELF_ASSESSMENT_TASK,
    run: input.run,
    outcome: submitted ? { kind: 'submitted', by: submitted.by, at: submitted.at } : { kind: 'closed', by: closed!.by, reason: closed!.reason },
  };
}
