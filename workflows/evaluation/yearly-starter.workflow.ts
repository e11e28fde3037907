/**
 * Started by each unit's yearly Schedule, or by a bureau's campaign for a year it names: works out
 * which year to evaluate (the year given, else the year just closed, by the Asia/Shanghai calendar —
 * in an activity) and starts that year's evaluation,
 * unless it already runs or ran. The evaluation outlives this short workflow.
 *
 * Since STARTER_WAITS_PATCH: when the year's ledger has not been imported yet, the starter waits
 * for it — durably, checking every hour — and asks the finance officer to import it at once and
 * then every 2 working days (on the working-day calendar, in an activity); it starts the
 * evaluation as soon as the ledger is there. A long wait continues as new with what it has sent.
 */
import {
  continueAsNew, ParentClosePolicy, WorkflowIdReusePolicy, patched, proxyActivities, proxyLocalActivities, setHandler, sleep, startChild, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { annualEvaluationWorkflowType, type EvaluationOptions, evaluationId, STARTER_WAITS_PATCH, type YearlyStarterStatus, yearlyStarterStatusQuery } from './contract';
import type { annualEvaluation } from './annual-evaluation.workflow';

const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
/** The ledger check and the reminder plan: short reads, one marker event each. */
const localActs = proxyLocalActivities<Activities>({ startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '1 minute' } });
const notify = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { initialInterval: '5 seconds', maximumInterval: '5 minutes', maximumAttempts: 10 } });

/** How often a waiting starter looks for the ledger (an import through the CLI does not tell it). */
const LEDGER_POLL_MS = 60 * 60 * 1000;

export interface YearlyStarterInput {
  unitCode: string;
  /**
   * The year to evaluate (a campaign names it); absent: the year just closed, worked out when the
   * starter runs (a yearly Schedule). Deciding on the input, which the history records, keeps runs
   * started without it replaying as before.
   */
  year?: number;
  startedBy: string;
  options?: EvaluationOptions;
  /** Carried over when a long wait for the ledger continues as new. */
  waiting?: { year: number; since: string; remindersSent: string[] };
}

export async function yearlyEvaluationStarter(input: YearlyStarterInput): Promise<{ year: number; workflowId: string; started: boolean }> {
  const status: YearlyStarterStatus = { year: input.waiting?.year ?? input.year ?? null, waitingForLedger: null };
  setHandler(yearlyStarterStatusQuery, () => ({ ...status, waitingForLedger: status.waitingForLedger && { ...status.waitingForLedger } }));

  const { year } = input.waiting ? { year: input.waiting.year } : input.year !== undefined ? { year: input.year } : await acts.evaluationYear({ now: new Date().toISOString() });
  status.year = year;
  // Runs from before the patch start at once (their histories say so).
  if (input.waiting || patched(STARTER_WAITS_PATCH)) await waitForLedger(input, year, status);

  const workflowId = evaluationId(input.unitCode, year);
  try {
    await startChild<typeof annualEvaluation>(annualEvaluationWorkflowType, {
      workflowId,
      args: [{ unitCode: input.unitCode, year, startedBy: input.startedBy, ...(input.options ? { options: input.options } : {}) }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return { year, workflowId, started: true };
  } catch (e) {
    if (e instanceof Error && e.name === 'WorkflowExecutionAlreadyStartedError') return { year, workflowId, started: false };
    throw e;
  }
}

/** Until the unit-year's ledger is imported: ask for it at once, remind every 2 working days, look every hour. */
async function waitForLedger(input: YearlyStarterInput, year: number, status: YearlyStarterStatus): Promise<void> {
  if ((await localActs.unitYearPresent({ unitCode: input.unitCode, year })).present) return;
  const since = input.waiting?.since ?? new Date().toISOString();
  const sent = new Set(input.waiting?.remindersSent ?? []);
  const wait = { since, remindersSent: sent.size, nextReminderAt: null as string | null };
  status.waitingForLedger = wait;
  if (!sent.has('started')) {
    await notify.remindLedgerImport({ unitCode: input.unitCode, year, key: 'started', since });
    sent.add('started');
    wait.remindersSent = sent.size;
  }
  let plan = await localActs.planWaitReminders({ since, now: new Date().toISOString(), reminderTime: input.options?.reminderTime ?? '09:00' });
  for (;;) {
    let next = plan.events.find((e) => !sent.has(e.key));
    if (!next) {
      plan = await localActs.planWaitReminders({ since, now: new Date().toISOString(), reminderTime: input.options?.reminderTime ?? '09:00' });
      next = plan.events.find((e) => !sent.has(e.key));
    }
    wait.nextReminderAt = next?.at ?? null;
    const untilReminder = next ? Math.max(Date.parse(next.at) - Date.now(), 0) : LEDGER_POLL_MS;
    await sleep(Math.min(untilReminder, LEDGER_POLL_MS));
    if ((await localActs.unitYearPresent({ unitCode: input.unitCode, year })).present) break;
    if (next && Date.now() >= Date.parse(next.at)) {
      await notify.remindLedgerImport({ unitCode: input.unitCode, year, key: next.key, since });
      sent.add(next.key);
      wait.remindersSent = sent.size;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof yearlyEvaluationStarter>({ ...input, waiting: { year, since, remindersSent: [...sent] } });
    }
  }
  status.waitingForLedger = null;
}
