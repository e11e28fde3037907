/**
 * Starting evaluations and their yearly Schedules, for the API and the CLI. Starting one that
 * already exists returns it (and says how it stands: a failed one can be restarted); creating a
 * Schedule that exists updates it. Restarting a failed evaluation starts a new run of it, audited.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type WorkflowHandle, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { latestRun, type RunState, startOverStoppedRun } from './temporal';
import type { Db } from '../db/connection';
import { audit, stoppedRuns, unitYearKeys } from '../db/evaluations.repository';
import { AppError } from '../domain/errors';
import {
  annualEvaluationWorkflowType, type EvaluationOptions, evaluationId, evaluationOfId, taskQueue, yearlyEvaluationStarterWorkflowType, yearlyScheduleId,
} from '../workflows/evaluation/contract';
import type { annualEvaluation } from '../workflows/evaluation/annual-evaluation.workflow';
import type { yearlyEvaluationStarter } from '../workflows/evaluation/yearly-starter.workflow';

/** How the latest run of an evaluation stands (Temporal's execution status, in our words). */
export type EvaluationRunState = RunState;

/** The latest run of the unit-year's evaluation, or undefined when none was ever started. */
export function evaluationRun(client: Client, unitCode: string, year: number): Promise<{ runId: string; state: EvaluationRunState; closedAt: string | null } | undefined> {
  return latestRun(client, evaluationId(unitCode, year));
}

/** A run that ended without issuing the report: it may be restarted. */
export const restartable = (state: EvaluationRunState) => state === 'failed' || state === 'terminated' || state === 'cancelled' || state === 'timed_out';

/**
 * The evaluations of `year` among `unitCodes` whose latest run stopped without issuing (failed,
 * terminated, cancelled, timed out) — their tasks no longer advance until the finance officer
 * restarts them. Temporal's visibility lists the stopped runs (few: runs are kept only for the
 * namespace's retention); each candidate's latest run is then described, so one restarted since is
 * not counted. Unit code → state and when it stopped.
 */
export async function stoppedEvaluations(client: Client, year: number, unitCodes: ReadonlySet<string>): Promise<Map<string, { state: EvaluationRunState; closedAt: string | null }>> {
  const stopped = new Map<string, { state: EvaluationRunState; closedAt: string | null }>();
  const candidates = new Set<string>();
  const query = `WorkflowType = '${annualEvaluationWorkflowType}' AND (ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated' OR ExecutionStatus = 'Canceled' OR ExecutionStatus = 'TimedOut')`;
  // Bounded: stopped runs of other years and units are listed too (visibility cannot filter by the id's year).
  let listed = 0;
  for await (const w of client.workflow.list({ query })) {
    const e = evaluationOfId(w.workflowId);
    if (e && e.year === year && unitCodes.has(e.unitCode)) candidates.add(e.unitCode);
    if (candidates.size >= 500 || ++listed >= 5_000) break;
  }
  await Promise.all(
    [...candidates].map(async (unitCode) => {
      const run = await evaluationRun(client, unitCode, year);
      if (run && restartable(run.state)) stopped.set(unitCode, { state: run.state, closedAt: run.closedAt });
    }),
  );
  return stopped;
}

export async function startEvaluation(
  client: Client,
  input: { unitCode: string; year: number; startedBy: string; options?: EvaluationOptions; taskQueue?: string },
): Promise<{ handle: WorkflowHandle<typeof annualEvaluation>; workflowId: string; alreadyStarted: boolean; state?: EvaluationRunState }> {
  const workflowId = evaluationId(input.unitCode, input.year);
  try {
    const handle = await client.workflow.start<typeof annualEvaluation>(annualEvaluationWorkflowType, {
      workflowId,
      taskQueue: input.taskQueue ?? taskQueue,
      args: [{ unitCode: input.unitCode, year: input.year, startedBy: input.startedBy, ...(input.options ? { options: input.options } : {}) }],
      // An evaluation, running or finished, is never started a second time for the same unit-year.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, workflowId, alreadyStarted: false };
  } catch (e) {
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    // Say how it stands: a failed evaluation is not "started" for good — the finance officer may restart it.
    const run = await evaluationRun(client, input.unitCode, input.year);
    return { handle: client.workflow.getHandle<typeof annualEvaluation>(workflowId), workflowId, alreadyStarted: true, ...(run ? { state: run.state } : {}) };
  }
}

/**
 * Starts a new run of an evaluation whose last run ended without issuing the report (failed,
 * terminated, cancelled or timed out), audited with the reason and the run it replaces. Its tasks
 * open as their next run (new rows and notices); what was submitted, acknowledged or drafted
 * stays in the database. Refused while it runs, after it issued, or when it never started.
 */
export async function restartEvaluation(
  client: Client,
  db: Db,
  input: { unitCode: string; year: number; actor: string; reason: string; options?: EvaluationOptions; taskQueue?: string },
): Promise<{ workflowId: string; runId: string; previous: { runId: string; state: EvaluationRunState; closedAt: string | null } }> {
  const workflowId = evaluationId(input.unitCode, input.year);
  const keys = await unitYearKeys(db, input.unitCode, input.year);
  if (!keys) throw new AppError('not_found', `没有 ${input.unitCode} ${input.year} 年度的账套，请先导入`, `no ledger for ${input.unitCode} ${input.year}; import it first`);
  // The run as Temporal knows it, or as it recorded its stop (Temporal forgets closed runs after its retention).
  const previous = (await evaluationRun(client, input.unitCode, input.year)) ?? recorded((await stoppedRuns(db, input.year, [input.unitCode])).get(input.unitCode));
  if (!previous) throw new AppError('not_found', '本年度评价尚未开始，请直接开始评价', 'the evaluation has not been started; start it instead');
  if (previous.state === 'running') throw new AppError('conflict', '评价仍在进行，无需重新启动', 'the evaluation is running; there is nothing to restart');
  if (!restartable(previous.state)) throw new AppError('conflict', '评价已完成，报告已签发，不能重新启动', 'the evaluation completed and its report was issued; it cannot be restarted');
  // Only over a run that did not complete: an issued evaluation is never started again.
  const runId = await startOverStoppedRun(
    client,
    annualEvaluationWorkflowType,
    { workflowId, taskQueue: input.taskQueue ?? taskQueue, args: [{ unitCode: input.unitCode, year: input.year, startedBy: input.actor, ...(input.options ? { options: input.options } : {}) } satisfies Parameters<typeof annualEvaluation>[0]] },
    { zh: '评价已被重新启动', en: 'the evaluation was restarted meanwhile' },
  );
  await audit(db, {
    actor: input.actor, unitId: keys.unitId, action: 'evaluation.restart', subject: workflowId,
    details: { reason: input.reason, previousRunId: previous.runId, previousState: previous.state, previousClosedAt: previous.closedAt, runId },
    dedupeKey: `${workflowId}|restart|${previous.runId}`,
  });
  return { workflowId, runId, previous };
}

function recorded(r: { state: EvaluationRunState; closedAt: string; runId: string | null } | undefined) {
  return r && { runId: r.runId ?? '', state: r.state, closedAt: r.closedAt };
}

export interface YearlyScheduleSpec {
  unitCode: string;
  taskQueue?: string;
  /** 1–12 */
  month: number;
  dayOfMonth: number;
  hour?: number;
  startedBy?: string;
  options?: EvaluationOptions;
}

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** Creates (or updates) the unit's yearly Schedule: on the configured date, start last year's evaluation. */
export async function ensureYearlySchedule(client: Client, spec: YearlyScheduleSpec): Promise<{ scheduleId: string; created: boolean }> {
  const scheduleId = yearlyScheduleId(spec.unitCode);
  const options = {
    spec: { calendars: [{ month: MONTHS[spec.month - 1]!, dayOfMonth: spec.dayOfMonth, hour: spec.hour ?? 9, comment: 'yearly self-evaluation' }], timezone: 'Asia/Shanghai' },
    action: {
      type: 'startWorkflow' as const,
      workflowType: yearlyEvaluationStarterWorkflowType,
      taskQueue: spec.taskQueue ?? taskQueue,
      args: [{ unitCode: spec.unitCode, startedBy: spec.startedBy ?? 'schedule', ...(spec.options ? { options: spec.options } : {}) }] as Parameters<typeof yearlyEvaluationStarter>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
  };
  try {
    await client.schedule.create({ scheduleId, ...options });
    return { scheduleId, created: true };
  } catch (e) {
    if (!(e instanceof ScheduleAlreadyRunning)) throw e;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } }));
    return { scheduleId, created: false };
  }
}
