/**
 * The yearly Schedule's starter workflow on the time-skipping server: the seed unit under a code
 * of its own with the given years imported, a worker whose business clock starts at `start`, and
 * the starter started directly (the Java test server has no Schedule RPCs).
 */
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { importUnitYear } from '../../db/ledger.repository';
import { createWorker } from '../../worker/create-worker';
import { evaluationId, selfAssessmentTaskId, yearlyEvaluationStarterWorkflowType } from '../../workflows/evaluation/contract';
import type { yearlyEvaluationStarter } from '../../workflows/evaluation/yearly-starter.workflow';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { seedUnitYear } from '../fixtures/seed';
import { testActivityDeps } from './activities';
import { at, type Harness } from './evaluation-scenario';
import { uniqueTaskQueue } from './temporal';

export async function starterScenario(h: Harness, unitCode: string, start: string, years: number[]) {
  const unitYear = (year: number) => {
    const y = structuredClone(seedUnitYear());
    y.unit.code = unitCode;
    y.year = year;
    y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${unitCode}@`) }));
    return y;
  };
  for (const year of years) await importUnitYear(h.database.db, unitYear(year), { actor: 'test' });
  const shift = at(start) - (await h.env.currentTimeMs());
  const taskQueue = uniqueTaskQueue(unitCode);
  const worker: Worker = await createWorker({
    connection: h.env.nativeConnection,
    namespace: 'default',
    taskQueue,
    activities: createActivities({ ...testActivityDeps(h.database.db, { temporal: h.env.client }), clockShiftMs: shift }),
    workflowBundle: h.bundle,
  });
  const running = worker.run();
  const starterId = `evaluation-schedule/${unitCode}-test`;
  const starter = await h.env.client.workflow.start<typeof yearlyEvaluationStarter>(yearlyEvaluationStarterWorkflowType, {
    workflowId: starterId,
    taskQueue,
    args: [{ unitCode, startedBy: 'schedule' }],
  });
  /** Advance the server until the business clock shows `local` (Asia/Shanghai). */
  const until = async (local: string) => {
    const ms = at(local) - shift - (await h.env.currentTimeMs());
    if (ms > 0) await h.env.sleep(ms);
  };
  // A plain client: the time-skipping client's result() would skip time to other workflows' timers.
  const result = () => new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle<typeof yearlyEvaluationStarter>(starterId).result();
  /** Nothing of this scenario may be left running: the test server's time is shared by the file. */
  const stop = async (year: number) => {
    const ids = [starterId, evaluationId(unitCode, year), selfAssessmentTaskId(unitCode, year), ...seedUnitYear().projects.flatMap((p) => p.holdbacks.map((hb) => holdbackWorkflowId(unitCode, year, hb.code)))];
    for (const id of ids) await h.env.client.workflow.getHandle(id).terminate('scenario finished').catch(() => undefined);
    worker.shutdown();
    await running;
  };
  const eventually = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + 20_000;
    let last: T = await probe();
    while (!ok(last)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 100));
      last = await probe();
    }
    return last;
  };
  return { starter, until, result, stop, unitYear, shift, eventually, starterId };
}
