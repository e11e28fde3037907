/**
 * A year's campaign of a bureau (`campaign/<org>/<year>`), as one durable process:
 *
 *   open (the campaign row, its units, the deadline and the sections' due date on the working-day
 *   calendar) → start every unit's evaluation, in batches (each unit through the yearly starter,
 *   which starts the evaluation under the campaign's rule set and outline — or waits for a missing
 *   ledger and reminds the finance officer) → until every unit's report is accepted: units added
 *   later join and start; units whose report is not issued are reminded before, on and after the
 *   deadline, then escalated to their department's officers, then to the bureau's.
 *
 * Idempotent by business keys: the workflow id is the organisation and year (issuing twice finds
 * the running campaign), each unit's start is a workflow id of the campaign and unit (a batch
 * retried after a lost worker starts nothing twice), and every row and message has its key.
 * Where each unit stands is a Postgres projection (`campaign_units`) the unit's own workflows keep
 * current; this workflow's query says how far the fan-out and the reminders are. A long campaign
 * continues as new with what it has done.
 */
import {
  ApplicationFailure, allHandlersFinished, condition, continueAsNew, proxyActivities, proxyLocalActivities, setHandler, sleep, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { CalendarWarning } from '../../domain/calendar/working-days';
import { problemsFromZod } from '../../domain/validation';
import { INVALID_MESSAGE } from '../evaluation/contract';
import {
  type AddUnitsArgs, addUnitsArgsSchema, addUnitsUpdate, type CampaignInput, type CampaignResult, type CampaignStatus, campaignStatusQuery,
  DEFAULT_FAN_OUT_BATCH, type OpenedCampaign, unitAcceptedSignal,
} from './contract';

/** The campaign's rows: short idempotent database work, one marker event each. */
const local = proxyLocalActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
/** A batch of starts: heartbeats per unit, so one lost with its worker is retried within seconds. */
const fanOut = proxyActivities<Activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '15 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' } });
const notify = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 } });

export async function campaign(input: CampaignInput): Promise<CampaignResult> {
  const workflowId = workflowInfo().workflowId;
  const carried = input.carried;
  let opened: OpenedCampaign | undefined = carried?.opened;
  const units: string[] = [...(carried?.units ?? [])];
  let startedCount = carried?.startedCount ?? 0;
  const sent = new Set(carried?.remindersSent ?? []);
  const accepted = new Set(carried?.accepted ?? []);
  let nextReminder: CampaignStatus['nextReminder'] = null;
  let calendarWarnings: CalendarWarning[] = opened?.calendarWarnings ?? [];
  let closed = false;
  /** Additions (Updates) being joined now, and how many there were (each one's key). */
  let joining = 0;
  let additions = 0;

  setHandler(campaignStatusQuery, (): CampaignStatus => ({
    workflowId, organisationCode: input.organisationCode, year: input.year, dueDate: input.dueDate, taskDueDate: opened?.taskDueDate ?? null,
    units: units.length, started: startedCount, accepted: accepted.size, remindersSent: [...sent], nextReminder: nextReminder && { ...nextReminder }, calendarWarnings: [...calendarWarnings], closed,
  }));

  setHandler(unitAcceptedSignal, ({ unitCode }) => {
    accepted.add(unitCode);
  });

  setHandler(
    addUnitsUpdate,
    async (args: AddUnitsArgs) => {
      joining += 1;
      additions += 1;
      const key = `${workflowInfo().runId.slice(0, 8)}|${additions}`;
      try {
        await condition(() => opened !== undefined);
        const { joined } = await local.joinCampaign({ workflowId, units: args.units, actor: args.actor, key });
        for (const u of joined) if (!units.includes(u)) units.push(u);
        return { ok: true as const, joined };
      } finally {
        joining -= 1;
      }
    },
    {
      validator: (args: AddUnitsArgs) => {
        const parsed = addUnitsArgsSchema.safeParse(args);
        if (!parsed.success) {
          const problems = problemsFromZod(parsed.error, args);
          throw ApplicationFailure.nonRetryable(`输入有误 / invalid input: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}`, INVALID_MESSAGE, ...problems);
        }
        if (closed) throw ApplicationFailure.nonRetryable('本年度自评工作已结束 / the campaign has ended', 'not_allowed');
      },
    },
  );

  if (!opened) {
    const o = await local.openCampaign({
      workflowId, organisationCode: input.organisationCode, year: input.year, issuedBy: input.issuedBy, dueDate: input.dueDate,
      ...(input.taskDueDate ? { taskDueDate: input.taskDueDate } : {}), ruleSet: input.ruleSet, outline: input.outline, notice: input.notice,
      ...(input.units ? { units: input.units } : {}), now: new Date().toISOString(),
    });
    opened = o.opened;
    calendarWarnings = o.opened.calendarWarnings;
    for (const u of o.units) if (!units.includes(u)) units.push(u);
    // A restarted campaign (its earlier run stopped): what was accepted meanwhile is not waited for again.
    for (const u of o.accepted ?? []) accepted.add(u);
  }
  const dueAt = opened.dueAt;

  const batchSize = Math.max(1, input.fanOut?.batchSize ?? DEFAULT_FAN_OUT_BATCH);
  const longHistory = () => workflowInfo().continueAsNewSuggested || (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);
  const reminderTime = input.reminderTime ?? '09:00';
  const carry = async (): Promise<never> => {
    await condition(() => joining === 0 && allHandlersFinished());
    return continueAsNew<typeof campaign>({ ...input, carried: { opened: opened, units, startedCount, remindersSent: [...sent], accepted: [...accepted] } });
  };
  /** Starts the units not started yet, a batch at a time. */
  const startPending = async () => {
    while (startedCount < units.length) {
      const batch = units.slice(startedCount, startedCount + batchSize);
      await fanOut.startCampaignUnits({ campaignWorkflowId: workflowId, units: batch, startedBy: input.issuedBy, ...(input.reminderTime ? { reminderTime: input.reminderTime } : {}) });
      startedCount += batch.length;
      if (longHistory()) await carry();
      if (input.fanOut?.pauseMs && startedCount < units.length) await sleep(input.fanOut.pauseMs);
    }
  };
  await startPending();

  const done = () => units.length > 0 && units.every((u) => accepted.has(u));
  let plan = await local.planCampaignReminders({
    dueAt, now: new Date().toISOString(), reminderTime,
    departmentAfterWorkingDays: input.escalation?.departmentAfterWorkingDays ?? 3, bureauAfterWorkingDays: input.escalation?.bureauAfterWorkingDays ?? 6,
  });
  calendarWarnings = mergeWarnings(calendarWarnings, plan.calendarWarnings);
  for (;;) {
    if (done()) break;
    await startPending();
    let next = plan.events.find((e) => !sent.has(e.key));
    if (!next) {
      plan = await local.planCampaignReminders({
        dueAt, now: new Date().toISOString(), reminderTime,
        departmentAfterWorkingDays: input.escalation?.departmentAfterWorkingDays ?? 3, bureauAfterWorkingDays: input.escalation?.bureauAfterWorkingDays ?? 6,
      });
      next = plan.events.find((e) => !sent.has(e.key));
    }
    nextReminder = next ? { key: next.key, kind: next.kind, at: next.at } : null;
    const woken = () => done() || startedCount < units.length;
    const fired = next ? !(await condition(woken, Math.max(Date.parse(next.at) - Date.now(), 0))) : (await condition(woken), false);
    if (fired && next) {
      await notify.remindCampaign({ campaignWorkflowId: workflowId, kind: next.kind, key: next.key });
      sent.add(next.key);
    }
    if (longHistory()) await carry();
  }

  closed = true;
  nextReminder = null;
  await local.closeCampaign({ workflowId });
  await condition(() => joining === 0 && allHandlersFinished());
  return { units: units.length, accepted: accepted.size };
}

/** Years without holiday data, once each (the domain's own merge lives with the calendar data, which workflow code does not load). */
function mergeWarnings(a: readonly CalendarWarning[], b: readonly CalendarWarning[]): CalendarWarning[] {
  const byYear = new Map(a.map((w) => [w.year, w]));
  for (const w of b) if (!byYear.has(w.year)) byYear.set(w.year, w);
  return [...byYear.values()].sort((x, y) => x.year - y.year);
}
