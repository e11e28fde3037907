/**
 * The yearly Schedule's starter workflow on the time-skipping server (a server of its own: time
 * is global to one). The Java test server has no Schedule RPCs, so the test starts the workflow
 * the Schedule would start (`yearlyEvaluationStarter`) directly; the Schedule itself is tested on
 * the dev server (tests/integration/yearly-schedule.integration.test.ts).
 *
 * Business time is pinned through the activities' clock shift: the starter fires on Thursday
 * 2026-01-15 at 10:00 (Asia/Shanghai) and evaluates 2025, the year just closed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { importUnitYear } from '../../db/ledger.repository';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { evaluationId, selfAssessmentTaskId, yearlyEvaluationStarterWorkflowType } from '../../workflows/evaluation/contract';
import type { yearlyEvaluationStarter } from '../../workflows/evaluation/yearly-starter.workflow';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase } from '../helpers/database';
import { at, type Harness } from '../helpers/evaluation-scenario';
import { timeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

/** Writes a replay fixture once: an existing fixture proves that old runs replay and is never re-recorded. */
function recordFixture(name: string, json: string): void {
  const file = path.join(__dirname, '../replay/histories', `${name}.json`);
  if (!fs.existsSync(file)) fs.writeFileSync(file, `${json}\n`);
}

describe('the yearly starter (time-skipping)', () => {
  const h = {} as Harness;

  beforeAll(async () => {
    [h.env, h.database, h.bundle] = await Promise.all([timeSkippingEnv(), createTestDatabase(), bundleWorkflows()]);
  });
  afterAll(async () => {
    await h.env?.teardown();
    await h.database?.drop();
  });

  /** The seed unit under its own code, with the given years imported; a worker whose business clock starts at `start`. */
  async function starterScenario(unitCode: string, start: string, years: number[]) {
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
    const until = async (local: string) => {
      const ms = at(local) - shift - (await h.env.currentTimeMs());
      if (ms > 0) await h.env.sleep(ms);
    };
    // A plain client: the time-skipping client's result() would skip time to other workflows' timers.
    const result = () => new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle<typeof yearlyEvaluationStarter>(starterId).result();
    const stop = async (year: number) => {
      const seed = seedUnitYear();
      const ids = [starterId, evaluationId(unitCode, year), selfAssessmentTaskId(unitCode, year), ...seed.projects.flatMap((p) => p.holdbacks.map((hb) => holdbackWorkflowId(unitCode, year, hb.code)))];
      for (const id of ids) await h.env.client.workflow.getHandle(id).terminate('scenario finished').catch(() => undefined);
      worker.shutdown();
      await running;
    };
    return { starter, until, result, stop, unitYear, shift };
  }

  it('starts the evaluation of the year just closed when its ledger is there', async () => {
    const s = await starterScenario('starter-present', '2026-01-15T10:00:00', [2025]);
    try {
      expect(await s.result()).toEqual({ year: 2025, workflowId: evaluationId('starter-present', 2025), started: true });
      const evaluation = await h.env.client.workflow.getHandle(evaluationId('starter-present', 2025)).describe();
      expect(evaluation.status.name).toBe('RUNNING');
      if (process.env['RECORD_HISTORIES'] === '1') recordFixture('yearly-starter-ledger-present', historyToJSON(await s.starter.fetchHistory()));
    } finally {
      await s.stop(2025);
    }
  });
});
