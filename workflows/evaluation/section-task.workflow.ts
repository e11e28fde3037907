/**
 * One section's task in the annual evaluation: the section head is told, reminded 3 and 1
 * working days before the due date, at the due date and every 2 working days after it; the
 * finance officer is alerted when it is overdue by the configured delay. It ends when the section
 * submits (a validated Update) or the evaluation closes it. Due dates and reminder instants are
 * computed by an activity on the working-day calendar; this code only waits for them.
 */
import { ApplicationFailure, allHandlersFinished, condition, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { problemsFromZod } from '../../domain/validation';
import {
  closeTaskSignal, extendDueArgsSchema, extendDueSignal, INVALID_MESSAGE, LOCAL_PROJECTIONS_PATCH, type SectionTaskInput, type SectionTaskResult, type SubmitArgs,
  submitArgsSchema, submitUpdate, type TaskView, taskViewQuery,
} from './contract';

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
  let dueAt = input.dueAt;
  let submitted: { by: string; at: string } | undefined;
  let closed: { by: string; reason: string } | undefined;
  let dueMoved: { dueAt: string; actor: string; reason?: string } | undefined;
  const remindersSent: string[] = [];
  let escalated = false;
  let overdue = false;
  let nextReminderAt: string | null = null;

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
        if (!parsed.success) {
          const problems = problemsFromZod(parsed.error, args);
          throw ApplicationFailure.nonRetryable(`提交内容有误 / invalid submission: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
        }
      },
    },
  );
  setHandler(extendDueSignal, (args) => {
    // Signals cannot be rejected; an invalid one is ignored (the API validates before sending).
    if (!extendDueArgsSchema.safeParse(args).success || submitted || closed) return;
    dueMoved = { dueAt: args.dueAt, actor: args.actor, ...(args.reason ? { reason: args.reason } : {}) };
  });
  setHandler(closeTaskSignal, (args) => {
    if (!submitted && !closed) closed = { by: args.actor, reason: args.reason };
  });
  setHandler(taskViewQuery, (): TaskView => ({
    section: input.section,
    run: input.run,
    state: submitted ? 'submitted' : closed ? 'closed' : overdue ? 'overdue' : 'open',
    dueAt,
    remindersSent: [...remindersSent],
    escalated,
    nextReminderAt,
  }));

  await acts.openTask({ taskWorkflowId: workflowId, evaluationWorkflowId: input.evaluationWorkflowId, unitCode: input.unitCode, year: input.year, section: input.section, run: input.run, dueAt, ...(input.returnedReason ? { returnedReason: input.returnedReason } : {}) });

  const planFrom = () =>
    acts.planTaskReminders({ dueAt, now: new Date().toISOString(), escalateAfterWorkingDays: input.escalateAfterWorkingDays, reminderTime: input.reminderTime });
  const stopped = () => submitted !== undefined || closed !== undefined;
  let plan = await planFrom();
  const pending = () => plan.events.find((e) => !remindersSent.includes(e.key));

  for (;;) {
    if (stopped()) break;
    if (dueMoved) {
      const moved: { dueAt: string; actor: string; reason?: string } = dueMoved;
      dueMoved = undefined;
      dueAt = moved.dueAt;
      overdue = false;
      await acts.updateTaskDue({ taskWorkflowId: workflowId, unitCode: input.unitCode, section: input.section, sectionName: input.sectionName, run: input.run, dueAt, actor: moved.actor, ...(moved.reason ? { reason: moved.reason } : {}) });
      // A fresh schedule; reminder keys carry the due date, so none is confused with an old one.
      plan = await planFrom();
      continue;
    }
    const next = pending();
    if (!next) {
      // Past the planned stretch: plan the next one; if nothing is left, wait quietly.
      plan = await planFrom();
      if (!pending()) await condition(() => stopped() || dueMoved !== undefined);
      continue;
    }
    nextReminderAt = next.at;
    await condition(() => stopped() || dueMoved !== undefined, Math.max(Date.parse(next.at) - Date.now(), 0));
    if (stopped() || dueMoved) continue;
    if (next.kind === 'escalation') {
      await notify.escalateTask({ taskWorkflowId: workflowId, unitCode: input.unitCode, section: input.section, sectionName: input.sectionName, run: input.run, dueAt, key: next.key });
      escalated = true;
    } else {
      if (next.kind === 'after') overdue = true;
      await notify.sendTaskReminder({ taskWorkflowId: workflowId, unitCode: input.unitCode, section: input.section, sectionName: input.sectionName, run: input.run, dueAt, key: next.key, kind: next.kind });
    }
    remindersSent.push(next.key);
  }
  nextReminderAt = null;
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
