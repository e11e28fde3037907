/**
 * A run that stopped without finishing, as the rows that record one keep it — an evaluation, a
 * holdback's progress, a campaign: `stopped_state`, `stopped_at`, `stopped_reason`,
 * `stopped_run_id`. The columns to set and to clear, the condition that a row does not hold this
 * run's stop already, the key that makes its audit entry and its message once per run, and the
 * record read back.
 */
import { sql } from 'kysely';
import type { StoppedState } from './schema';

export interface StopInput {
  workflowId: string;
  runId: string;
  state: StoppedState;
  reason: string;
}

export interface StopRecord {
  state: StoppedState;
  at: string;
  reason: string | null;
  runId: string | null;
}

/** The columns that record the stop. */
export const stopColumns = (input: StopInput) => ({ stopped_state: input.state, stopped_at: new Date(), stopped_reason: input.reason.slice(0, 2000), stopped_run_id: input.runId });

/** The columns that clear it (a new run is under way). */
export const NO_STOP = { stopped_state: null, stopped_at: null, stopped_reason: null, stopped_run_id: null } as const;

/** The row does not hold this run's stop yet. */
export const notRecordedFor = (runId: string) => sql<boolean>`stopped_run_id is distinct from ${runId}`;

/** The audit entry's and the message's key: one per stopped run. */
export const stopKey = (workflowId: string, runId: string) => `${workflowId}|stopped|${runId}`;

export function stopRecordOf(r: { stopped_state: StoppedState | null; stopped_at: Date | null; stopped_reason: string | null; stopped_run_id: string | null }): StopRecord | null {
  return r.stopped_state ? { state: r.stopped_state, at: new Date(r.stopped_at!).toISOString(), reason: r.stopped_reason, runId: r.stopped_run_id } : null;
}
