/**
 * One section's task in the annual evaluation: the section head is told, reminded 3 and 1
 * working days before the due date, at the due date and every 2 working days after it; the
 * finance officer is alerted when it is overdue by the configured delay. It ends when the section
 * submits (a validated Update) or the evaluation closes it. Due dates and reminder instants are
 * computed by an activity on the working-day calendar; this code only waits for them.
 */
import { ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { checkSelfAssessment } from '../../domain/self-assessment';
import { problemsFromZod } from '../../domain/validation';
import {
  closeTaskSignal, extendDueArgsSchema, extendDueSignal, INVALID_MESSAGE, LOCAL_PROJECTIONS_PATCH, type SectionTaskInput, type SectionTaskResult, type SubmitArgs,
  submitArgsSchema, submitUpdate, type TaskView, taskViewQuery,
} from './contract';
import { type ReminderState, runReminders } from './task-reminders';

const remoteActs = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
/** The task's projection rows and its reminder plan: short and idempotent, so local activities. */
const localActs = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// Notifications: bounded retries; a reminder that cannot be delivered is not worth blocking the task.
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 },
});

export async function sectionTask(input: SectionTaskInput): Promise<SectionTaskResult> {
  const workflowId = workflowInfo().workflowId;
  // Runs started before the patch keep their ordinary activities (their histories say so).
  const acts = patched(LOCAL_PROJECTIONS_PATCH) ? localActs : remoteActs;
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
    submitUpdate,
    async (args: SubmitArgs) => {
      const at = new Date().toISOString();
      await acts.recordSubmission({ taskWorkflowId: workflowId, unitCode: input.unitCode, year: input.year, section: input.section, run: input.run, actor: args.actor, submission: args.submission, at });
      submitted = { by: args.actor, at };
      return { accepted: true as const, submittedAt: at };
    },
    {
      validator: (args: SubmitArgs) => {
        if (submitted) throw ApplicationFailure.nonRetryable('已提交，不能重复提交 / already submitted', 'already_submitted');
        if (closed) throw ApplicationFailure.nonRetryable('任务已关闭 / the task is closed', 'task_closed');
        const parsed = submitArgsSchema.safeParse(args);
        const problems = parsed.success ? [] : problemsFromZod(parsed.error, args);
        // The section's own self-assessment entries, against the rule set the evaluation pinned.
        if (parsed.success) {
          const entries = parsed.data.submission.selfAssessments;
          const a = input.assessment;
          if (a) problems.push(...checkSelfAssessment(a.ruleSet, entries, { path: 'submission.selfAssessments', scope: a.scope, complete: true }));
          else if (entries.length) problems.push({ path: 'submission.selfAssessments', code: 'not_an_assessor', zh: '本科室没有需要自评的指标', en: 'this section assesses no indicators' });
        }
        if (problems.length) {
          throw ApplicationFailure.nonRetryable(`提交内容有误 / invalid submission: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
        }
      },
    },
  );
  setHandler(extendDueSignal, (args) => {
    // Signals cannot be rejected; an invalid one is ignored (the API validates before sending).
    if (!extendDueArgsSchema.safeParse(args).success || submitted || closed) return;
    state.dueMoved = { dueAt: args.dueAt, actor: args.actor, ...(args.reason ? { reason: args.reason } : {}) };
  });
  setHandler(closeTaskSignal, (args) => {
    if (!submitted && !closed) closed = { by: args.actor, reason: args.reason };
  });
  setHandler(taskViewQuery, (): TaskView => ({
    section: input.section,
    run: input.run,
    state: submitted ? 'submitted' : closed ? 'closed' : state.overdue ? 'overdue' : 'open',
    dueAt: state.dueAt,
    remindersSent: [...state.remindersSent],
    escalated: state.escalated,
    nextReminderAt: state.nextReminderAt,
  }));

  await acts.openTask({ taskWorkflowId: workflowId, evaluationWorkflowId: input.evaluationWorkflowId, unitCode: input.unitCode, year: input.year, section: input.section, run: input.run, dueAt: state.dueAt, ...(input.returnedReason ? { returnedReason: input.returnedReason } : {}), ...(input.restarted ? { restarted: true } : {}) });

  const task = { taskWorkflowId: workflowId, unitCode: input.unitCode, section: input.section, sectionName: input.sectionName, run: input.run };
  await runReminders(state, {
    plan: (dueAt) => acts.planTaskReminders({ dueAt, now: new Date().toISOString(), escalateAfterWorkingDays: input.escalateAfterWorkingDays, reminderTime: input.reminderTime }),
    moveDue: (moved) => acts.updateTaskDue({ ...task, dueAt: moved.dueAt, actor: moved.actor, ...(moved.reason ? { reason: moved.reason } : {}) }),
    remind: async (next, dueAt) => {
      await notify.sendTaskReminder({ ...task, dueAt, key: next.key, kind: next.kind });
    },
    escalate: async (next, dueAt) => {
      await notify.escalateTask({ ...task, dueAt, key: next.key });
    },
  });
  if (closed) {
    await acts.closeTask({ taskWorkflowId: workflowId, unitCode: input.unitCode, section: input.section, actor: closed.by, reason: closed.reason });
  }
  await condition(allHandlersFinished);
  return {
    section: input.section,
    run: input.run,
    outcome: submitted ? { kind: 'submitted', by: submitted.by, at: submitted.at } : { kind: 'closed', by: closed!.by, reason: closed!.reason },
  };
}
