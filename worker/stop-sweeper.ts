/**
 * Runs that stopped without running any code of theirs: an evaluation terminated (by an operator,
 * or by the server for a history past its limits) or timed out records nothing itself — unlike a
 * failed or cancelled one, which records its stop before it ends. The sweeper of a worker process
 * finds such runs in Temporal's visibility and records them the same way (the row, the audit, the
 * message to the finance officer and the unit head), so the stop is known after Temporal has
 * forgotten the run and nobody waits on an evaluation that no longer advances.
 *
 * Once per run: a run whose stop is in the audit log already is skipped, and one that is no longer
 * the workflow's latest (restarted since) is not recorded. Several workers may sweep at once (the
 * record and the message are written once per run whoever writes them).
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Db } from '../db/connection';
import type { StoppedState } from '../db/schema';
import { annualEvaluationWorkflowType } from '../workflows/evaluation/contract';
import { type Periodic, startPeriodic } from './periodic';

export interface StopRecorder {
  recordEvaluationStopped(input: { workflowId: string; unitCode: string; year: number; runId: string; state: StoppedState; reason: string }): Promise<{ recorded: boolean; notified: number }>;
}

export interface StopSweep {
  /** Terminated or timed-out runs visibility listed in the look-back window. */
  listed: number;
  /** Those recorded by this sweep. */
  recorded: number;
}

/** How far back a sweep looks (a worker down for longer misses older stops; the bureau's overview still lists them). */
export const STOP_LOOKBACK_MS = 14 * 86_400_000;
const MAX_LISTED = 1_000;

export async function sweepStoppedEvaluations(deps: { client: Client; db: Db; recorder: StopRecorder }, now = new Date()): Promise<StopSweep> {
  const since = new Date(now.getTime() - STOP_LOOKBACK_MS).toISOString();
  const query = `WorkflowType = '${annualEvaluationWorkflowType}' AND (ExecutionStatus = 'Terminated' OR ExecutionStatus = 'TimedOut') AND CloseTime > '${since}'`;
  const runs: Array<{ workflowId: string; runId: string; state: StoppedState; unitCode: string; year: number }> = [];
  for await (const w of deps.client.workflow.list({ query })) {
    const m = /^evaluation\/(.+)\/(\d{4})$/.exec(w.workflowId);
    if (m) runs.push({ workflowId: w.workflowId, runId: w.runId, state: w.status.name === 'TIMED_OUT' ? 'timed_out' : 'terminated', unitCode: m[1]!, year: Number(m[2]) });
    if (runs.length >= MAX_LISTED) break;
  }
  if (runs.length === 0) return { listed: 0, recorded: 0 };
  const known = new Set(
    (await deps.db.selectFrom('audit_log').select('dedupe_key').where('dedupe_key', 'in', runs.map((r) => `${r.workflowId}|stopped|${r.runId}`)).execute()).map((r) => r.dedupe_key),
  );
  let recorded = 0;
  for (const run of runs) {
    if (known.has(`${run.workflowId}|stopped|${run.runId}`)) continue;
    // Restarted since: the stop is history, the evaluation runs again.
    const latest = await deps.client.workflow.getHandle(run.workflowId).describe().catch((e: unknown) => {
      if (e instanceof WorkflowNotFoundError) return undefined;
      throw e;
    });
    if (!latest || latest.runId !== run.runId) continue;
    const reason = run.state === 'timed_out' ? '评价超过了为其设定的运行时限 / the evaluation ran past its execution timeout' : await terminationReason(deps.client, run.workflowId, run.runId);
    const r = await deps.recorder.recordEvaluationStopped({ workflowId: run.workflowId, unitCode: run.unitCode, year: run.year, runId: run.runId, state: run.state, reason });
    if (r.recorded || r.notified > 0) recorded += 1;
  }
  return { listed: runs.length, recorded };
}

/** Who terminated the run and why, from its close event. */
async function terminationReason(client: Client, workflowId: string, runId: string): Promise<string> {
  const history = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    historyEventFilterType: temporal.api.enums.v1.HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
  });
  const attributes = history.history?.events?.at(-1)?.workflowExecutionTerminatedEventAttributes;
  const who = attributes?.identity?.trim() || '未知操作方';
  const why = attributes?.reason?.trim();
  return why ? `由 ${who} 终止：${why} / terminated by ${who}: ${why}` : `由 ${who} 终止，未说明原因 / terminated by ${who}, no reason given`;
}

/** Sweeps every `everyMs` (the first soon after the worker starts: stops while it was down are told at once). */
export function startStopSweeper(deps: { client: Client; db: Db; recorder: StopRecorder }, logger: { info(obj: object, msg: string): void; warn(msg: string): void }, everyMs = 60_000): Periodic {
  return startPeriodic(
    async () => {
      try {
        const r = await deps.client.connection.withDeadline(Date.now() + 30_000, () => sweepStoppedEvaluations(deps));
        if (r.recorded) logger.info({ ...r }, 'terminated or timed-out evaluations recorded');
      } catch (e) {
        logger.warn(`stopped evaluations: this sweep failed and the next will try again (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
      }
    },
    everyMs,
    5_000,
  );
}
