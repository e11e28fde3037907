/**
 * Restarting the tracking of a withheld amount whose workflow stopped (failed, terminated,
 * cancelled, timed out) while money is still withheld, for the API and the CLI. The new run takes
 * the stopped run's whole state (`holdbackStateQuery`, answered by a worker replaying the closed
 * run, as continue-as-new carries it): every recorded assessment, acceptance, defect and payment
 * stays, the version goes on (its progress writes land), and the reminders missed while it was
 * stopped go out as catch-ups. When the stopped run cannot be read any more (Temporal has
 * forgotten it) the new run starts from the ledger — refused when facts were recorded through
 * selfeval, which that would lose.
 */
import type { Client } from '@temporalio/client';
import type { Db } from '../db/connection';
import { audit } from '../db/evaluations.repository';
import { unitIdOf } from '../db/notifications.repository';
import { NO_STOP } from '../db/stops';
import { AppError } from '../domain/errors';
import type { HoldbackState } from '../domain/holdbacks/model';
import { latestRun, type RunState, startOverStoppedRun } from './temporal';
import { type HoldbackInput, holdbackStateQuery, holdbackWorkflowId, holdbackWorkflowType, taskQueue } from '../workflows/holdback/contract';

export async function restartHoldback(
  client: Client,
  db: Db,
  input: { unitCode: string; year: number; holdbackCode: string; actor: string; reason: string; taskQueue?: string },
): Promise<{ workflowId: string; runId: string; previous: { runId: string; state: RunState }; carried: boolean }> {
  const workflowId = holdbackWorkflowId(input.unitCode, input.year, input.holdbackCode);
  const progress = await db.selectFrom('holdback_progress').select(['status', 'stopped_run_id']).where('workflow_id', '=', workflowId).executeTakeFirst();
  if (!progress) throw new AppError('not_found', `没有暂缓支付 ${input.holdbackCode}`, `no withheld amount ${input.holdbackCode}`);
  const latest = await latestRun(client, workflowId);
  const previous: { runId: string; state: RunState } = latest ? { runId: latest.runId, state: latest.state } : { runId: progress.stopped_run_id ?? '', state: 'other' };
  if (previous.state === 'running') throw new AppError('conflict', '该款项的跟踪流程仍在运行，无需重新启动', 'the holdback is being tracked; there is nothing to restart');
  if (previous.state === 'completed' || progress.status === 'released' || progress.status === 'forfeited') {
    throw new AppError('conflict', '该款项已结清，跟踪已结束', 'the withheld amount is settled; its tracking has ended');
  }
  // The stopped run's state, read by a worker replaying it.
  let carried: HoldbackState | undefined;
  if (latest) {
    carried = await client.connection
      .withDeadline(Date.now() + 15_000, () => client.workflow.getHandle(workflowId, latest.runId).query(holdbackStateQuery))
      .catch(() => undefined);
  }
  if (!carried) {
    const recorded = await db.selectFrom('holdback_events').select('id').where('workflow_id', '=', workflowId).where('source', '=', 'update').limit(1).executeTakeFirst();
    if (recorded) {
      throw new AppError(
        'conflict',
        '已停止的跟踪流程已无法读取（可能已超过保留期），从台账重新开始会丢失在系统中登记的考核、验收、缺陷或支付记录；请联系系统管理员',
        'the stopped run can no longer be read (past its retention, perhaps); starting again from the ledger would lose the facts recorded through selfeval — ask an administrator',
      );
    }
    // From the ledger: its progress starts over (the new run's first write must land).
    await db.updateTable('holdback_progress').set({ version: 0 }).where('workflow_id', '=', workflowId).execute();
  }
  const args: HoldbackInput = { unitCode: input.unitCode, year: input.year, holdbackCode: input.holdbackCode, ...(carried ? { carried } : {}) };
  // Only over a run that did not complete: a settled holdback is never tracked again.
  const runId = await startOverStoppedRun(client, holdbackWorkflowType, { workflowId, taskQueue: input.taskQueue ?? taskQueue, args: [args] }, {
    zh: '该款项的跟踪流程已被重新启动', en: 'the holdback was restarted meanwhile',
  });
  await db.updateTable('holdback_progress').set(NO_STOP).where('workflow_id', '=', workflowId).execute();
  await audit(db, {
    actor: input.actor, unitId: (await unitIdOf(db, input.unitCode)) ?? null, action: 'holdback.restart', subject: workflowId,
    details: { reason: input.reason, previousRunId: previous.runId, previousState: previous.state, runId, carried: carried !== undefined },
    dedupeKey: `${workflowId}|restart|${previous.runId}`,
  });
  return { workflowId, runId, previous, carried: carried !== undefined };
}
