/**
 * Runs that stopped without saying so. An evaluation terminated (by an operator, or by the server
 * for a history past its limits) or timed out runs no code of its own — unlike a failed or
 * cancelled one, which records its stop before it ends. A holdback's workflow records no stop at
 * all, and once it has stopped nobody is reminded of the money it still withholds, for years. The
 * sweeper of a worker process finds such runs in Temporal's visibility and records them: an
 * evaluation as it records itself (the row, the audit, the message to the finance officer and the
 * unit head), a holdback that still withholds money on its progress row, audited, with a message
 * to the finance officers, a bureau's campaign that had not ended on its row, with a message to
 * the bureau's officers. Each is then shown with its restart. A yearly starter (a Schedule's or
 * a campaign's) that stopped before the year's evaluation existed — usually while it waited for
 * the ledger, having told the finance officer the evaluation would start by itself after the
 * import — is audited, and the finance officers are told to start it themselves.
 *
 * Once per run: a run whose stop is in the audit log already is skipped, and one that is no longer
 * the workflow's latest (restarted since) is not recorded. Several workers may sweep at once (the
 * record and the message are written once per run whoever writes them).
 */
import type { Client } from '@temporalio/client';
import { latestRun, startInputOf } from '../client/temporal';
import { temporal } from '@temporalio/proto';
import type { Db } from '../db/connection';
import type { StoppedState } from '../db/schema';
import { type StopInput, stopKey } from '../db/stops';
import { annualEvaluationWorkflowType, evaluationId, evaluationOfId, yearlyEvaluationStarterWorkflowType } from '../workflows/evaluation/contract';
import type { YearlyStarterInput } from '../workflows/evaluation/yearly-starter.workflow';
import { campaignWorkflowType } from '../workflows/campaign/contract';
import { holdbackWorkflowType } from '../workflows/holdback/contract';
import { type Periodic, startPeriodic } from './periodic';

export interface StopRecorder {
  recordEvaluationStopped(input: StopInput & { unitCode: string; year: number }): Promise<{ recorded: boolean; notified: number }>;
  recordHoldbackStopped(input: StopInput): Promise<{ recorded: boolean; notified: number }>;
  recordCampaignStopped(input: StopInput): Promise<{ recorded: boolean; notified: number }>;
  recordStarterStopped(input: StopInput & { unitCode: string; year?: number; startedAt: string }): Promise<{ recorded: boolean; notified: number }>;
}

export interface StopSweep {
  /** Stopped runs visibility listed in the look-back window. */
  listed: number;
  /** Those recorded by this sweep. */
  recorded: number;
}

/** How far back a sweep looks (a worker down for longer misses older stops; the bureau's overview still lists evaluations). */
export const STOP_LOOKBACK_MS = 14 * 86_400_000;
const MAX_LISTED = 1_000;

const stateOf: Record<string, StoppedState> = { FAILED: 'failed', TERMINATED: 'terminated', CANCELLED: 'cancelled', TIMED_OUT: 'timed_out' };

/**
 * One sweep. `handled`, kept by the periodic sweeper across sweeps: runs already looked at (a run
 * whose stop there was nothing to record for — no progress row, a campaign that had ended — is
 * not described and read again every minute).
 */
export async function sweepStoppedRuns(deps: { client: Client; db: Db; recorder: StopRecorder }, now = new Date(), handled = new Set<string>()): Promise<StopSweep> {
  const since = new Date(now.getTime() - STOP_LOOKBACK_MS).toISOString();
  // Evaluations: failed and cancelled runs record themselves. Holdbacks, campaigns and yearly starters: none does.
  const query = `CloseTime > '${since}' AND ((WorkflowType = '${annualEvaluationWorkflowType}' AND (ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut'))`
    + ` OR ((WorkflowType = '${holdbackWorkflowType}' OR WorkflowType = '${campaignWorkflowType}' OR WorkflowType = '${yearlyEvaluationStarterWorkflowType}')`
    + ` AND (ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'Canceled' OR ExecutionStatus = 'TimedOut')))`;
  const runs: Run[] = [];
  for await (const w of deps.client.workflow.list({ query })) {
    const state = stateOf[w.status.name];
    if (state) runs.push({ workflowId: w.workflowId, runId: w.runId, type: w.type, state, startedAt: w.startTime.toISOString() });
    if (runs.length >= MAX_LISTED) break;
  }
  if (runs.length === 0) return { listed: 0, recorded: 0 };
  const known = new Set(
    (await deps.db.selectFrom('audit_log').select('dedupe_key').where('dedupe_key', 'in', runs.map((r) => stopKey(r.workflowId, r.runId))).execute()).map((r) => r.dedupe_key),
  );
  let recorded = 0;
  for (const run of runs) {
    const key = stopKey(run.workflowId, run.runId);
    if (known.has(key) || handled.has(key)) continue;
    // Restarted since: the stop is history, the workflow runs again.
    const latest = await latestRun(deps.client, run.workflowId);
    if (latest?.runId === run.runId) {
      const r = await record(deps, run);
      if (r.recorded || r.notified > 0) recorded += 1;
    }
    handled.add(key);
  }
  return { listed: runs.length, recorded };
}

interface Run {
  workflowId: string;
  runId: string;
  type: string;
  state: StoppedState;
  startedAt: string;
}

const NOTHING = { recorded: false, notified: 0 };

async function record(deps: { client: Client; recorder: StopRecorder }, run: Run): Promise<{ recorded: boolean; notified: number }> {
  const { recorder } = deps;
  if (run.type === yearlyEvaluationStarterWorkflowType) {
    // Which unit and year it was to start: its input (a campaign's names the year; a long wait carries it).
    const input = await startInputOf<YearlyStarterInput>(deps.client, run.workflowId, run.runId);
    if (!input?.unitCode) return NOTHING;
    const year = input.year ?? input.waiting?.year;
    // The evaluation runs or ran (started by hand, or the starter got that far): nothing was missed.
    if (year !== undefined && (await latestRun(deps.client, evaluationId(input.unitCode, year)))) return NOTHING;
    return recorder.recordStarterStopped({ ...(await stopInput(deps.client, run)), unitCode: input.unitCode, ...(year !== undefined ? { year } : {}), startedAt: run.startedAt });
  }
  if (run.type === campaignWorkflowType) return recorder.recordCampaignStopped(await stopInput(deps.client, run));
  if (run.type === holdbackWorkflowType) return recorder.recordHoldbackStopped(await stopInput(deps.client, run));
  const evaluation = evaluationOfId(run.workflowId);
  return evaluation ? recorder.recordEvaluationStopped({ ...(await stopInput(deps.client, run)), ...evaluation }) : NOTHING;
}

async function stopInput(client: Client, run: Run): Promise<StopInput> {
  return { workflowId: run.workflowId, runId: run.runId, state: run.state, reason: await stopReason(client, run) };
}

/** Why the run stopped, from its close event. */
async function stopReason(client: Client, run: { workflowId: string; runId: string; state: StoppedState }): Promise<string> {
  if (run.state === 'timed_out' || run.state === 'cancelled') return reasonOf(run.state, undefined);
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId: run.workflowId, runId: run.runId },
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  return reasonOf(run.state, history.history?.events?.at(-1) ?? undefined);
}

/** The reason in both languages: who terminated the run and why, or its innermost failure's message. */
export function reasonOf(state: StoppedState, close: temporal.api.history.v1.IHistoryEvent | undefined): string {
  if (state === 'timed_out') return '流程超过了为其设定的运行时限 / the workflow ran past its execution timeout';
  if (state === 'cancelled') return '流程被取消 / the workflow was cancelled';
  if (state === 'failed') {
    let failure = close?.workflowExecutionFailedEventAttributes?.failure;
    while (failure?.cause) failure = failure.cause;
    return failure?.message?.trim() || '流程失败，未说明原因 / the workflow failed without a message';
  }
  const attributes = close?.workflowExecutionTerminatedEventAttributes;
  const identity = attributes?.identity?.trim();
  const [whoZh, whoEn] = identity ? [identity, identity] : ['未知操作方', 'an unknown party'];
  const why = attributes?.reason?.trim();
  return why ? `由 ${whoZh} 终止：${why} / terminated by ${whoEn}: ${why}` : `由 ${whoZh} 终止，未说明原因 / terminated by ${whoEn}, no reason given`;
}

/** Sweeps every `everyMs` (the first soon after the worker starts: stops while it was down are told at once). */
export function startStopSweeper(deps: { client: Client; db: Db; recorder: StopRecorder }, logger: { info(obj: object, msg: string): void; warn(msg: string): void }, everyMs = 60_000): Periodic {
  const handled = new Set<string>();
  return startPeriodic(
    async () => {
      try {
        const r = await deps.client.connection.withDeadline(Date.now() + 30_000, () => sweepStoppedRuns(deps, new Date(), handled));
        if (r.recorded) logger.info({ ...r }, 'stopped runs recorded');
      } catch (e) {
        logger.warn(`stopped runs: this sweep failed and the next will try again (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
    },
    everyMs,
    5_000,
  );
}
