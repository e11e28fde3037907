/**
 * The reminder loop every human task of the evaluation runs (a section's material, the finance
 * officer's self-assessment): wait for the next planned reminder or escalation unless the task
 * stops or its due date moves; send it; ask for the next stretch of the plan when it runs out.
 * Due dates and reminder instants come from an activity on the working-day calendar; this code
 * only waits for them. The hooks say whom each task reminds and how its rows change.
 */
import { condition } from '@temporalio/workflow';
import type { ReminderEvent } from '../../activities/evaluation.activities';

export interface DueMove {
  dueAt: string;
  actor: string;
  reason?: string;
}

/** The task's state the loop reads and keeps current (the task's query shows it). */
export interface ReminderState {
  dueAt: string;
  remindersSent: string[];
  escalated: boolean;
  overdue: boolean;
  nextReminderAt: string | null;
  /** Set by the task's extend-due signal; the loop consumes it. */
  dueMoved: DueMove | undefined;
  stopped(): boolean;
}

export interface ReminderHooks {
  plan(dueAt: string): Promise<{ events: ReminderEvent[] }>;
  /** The due date moved: update the task's row and tell the assignee. */
  moveDue(moved: DueMove): Promise<void>;
  remind(event: ReminderEvent & { kind: 'before' | 'due' | 'after' }, dueAt: string): Promise<void>;
  escalate(event: ReminderEvent, dueAt: string): Promise<void>;
}

/** Runs until the task stops (submitted or closed). */
export async function runReminders(state: ReminderState, hooks: ReminderHooks): Promise<void> {
  let plan = await hooks.plan(state.dueAt);
  const pending = () => plan.events.find((e) => !state.remindersSent.includes(e.key));
  for (;;) {
    if (state.stopped()) break;
    if (state.dueMoved) {
      const moved: DueMove = state.dueMoved;
      state.dueMoved = undefined;
      state.dueAt = moved.dueAt;
      state.overdue = false;
      await hooks.moveDue(moved);
      // A fresh schedule; reminder keys carry the due date, so none is confused with an old one.
      plan = await hooks.plan(state.dueAt);
      continue;
    }
    const next = pending();
    if (!next) {
      // Past the planned stretch: plan the next one; if nothing is left, wait quietly.
      plan = await hooks.plan(state.dueAt);
      if (!pending()) await condition(() => state.stopped() || state.dueMoved !== undefined);
      continue;
    }
    state.nextReminderAt = next.at;
    await condition(() => state.stopped() || state.dueMoved !== undefined, Math.max(Date.parse(next.at) - Date.now(), 0));
    if (state.stopped() || state.dueMoved) continue;
    if (next.kind === 'escalation') {
      await hooks.escalate(next, state.dueAt);
      state.escalated = true;
    } else {
      if (next.kind === 'after') state.overdue = true;
      await hooks.remind({ ...next, kind: next.kind }, state.dueAt);
    }
    state.remindersSent.push(next.key);
  }
  state.nextReminderAt = null;
}
