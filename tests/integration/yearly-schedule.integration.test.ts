/**
 * The yearly Schedule on the real dev server (the time-skipping server has no Schedules):
 * created once (a second call updates it), and when it fires it starts the evaluation of the year
 * just closed — once, however often it fires.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { ensureYearlySchedule } from '../../client/evaluations';
import { importUnitYear } from '../../db/ledger.repository';
import { createWorker } from '../../worker/create-worker';
import { evaluationId, yearlyScheduleId } from '../../workflows/evaluation/contract';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerConnections, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

describe('the yearly evaluation Schedule', () => {
  let database: TestDatabase;
  let client: Client;
  let namespace: string;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('schedule');
  const unitCode = `sched-${Math.random().toString(36).slice(2, 8)}`;
  // The year just closed, by the Asia/Shanghai calendar (what the starter computes).
  const lastYear = Number(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 4)) - 1;

  beforeAll(async () => {
    database = await createTestDatabase();
    const y = structuredClone(seedUnitYear());
    y.unit.code = unitCode;
    y.year = lastYear;
    await importUnitYear(database.db, y, { actor: 'test' });
    ({ namespace, client, native } = await devServerConnections('schedule'));
    worker = await createWorker({ connection: native, namespace, taskQueue, activities: createActivities(testActivityDeps(database.db, { temporal: client })) });
    running = worker.run();
  });
  afterAll(async () => {
    await client.schedule.getHandle(yearlyScheduleId(unitCode)).delete().catch(() => undefined);
    await client.workflow.getHandle(evaluationId(unitCode, lastYear)).terminate('test done').catch(() => undefined);
    worker?.shutdown();
    await running;
    await native?.close();
    await client?.connection.close();
    await database?.drop();
  });

  it('is created once, updated after, and starts last year’s evaluation once per firing date', async () => {
    expect(await ensureYearlySchedule(client, { unitCode, month: 1, dayOfMonth: 15, taskQueue })).toEqual({ scheduleId: yearlyScheduleId(unitCode), created: true });
    expect(await ensureYearlySchedule(client, { unitCode, month: 2, dayOfMonth: 1, hour: 8, taskQueue })).toEqual({ scheduleId: yearlyScheduleId(unitCode), created: false });
    const handle = client.schedule.getHandle(yearlyScheduleId(unitCode));
    const described = await handle.describe();
    expect(JSON.stringify(described.spec)).toContain('FEBRUARY');
    expect(described.spec.timezone).toBe('Asia/Shanghai');

    // Fire it now, twice: one evaluation of the year just closed, started once.
    await handle.trigger();
    const evaluation = client.workflow.getHandle(evaluationId(unitCode, lastYear));
    await expect.poll(async () => (await evaluation.describe().catch(() => undefined))?.status.name, { timeout: 30_000 }).toBe('RUNNING');
    // The scheduler names each run `<id>-<time to the second>`: a second trigger within the same
    // second is dropped as a duplicate of the first, so fire again only once that second is over.
    const firstAt = (await handle.describe()).info.recentActions[0]?.takenAt.getTime() ?? Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, Math.ceil(firstAt / 1000) * 1000 + 200 - Date.now())));
    await handle.trigger();
    try {
      await expect.poll(async () => (await handle.describe()).info.recentActions.length, { timeout: 30_000 }).toBe(2);
    } catch (e) {
      const actions = (await handle.describe()).info.recentActions.map((a) => ({ at: a.takenAt, id: a.action.workflow.workflowId }));
      const runs: unknown[] = [];
      for await (const w of client.workflow.list()) runs.push({ id: w.workflowId, type: w.type, status: w.status.name, start: w.startTime });
      throw new Error(`${String(e)}\nactions ${JSON.stringify(actions)}\nworkflows ${JSON.stringify(runs)}`);
    }
    const starters = await Promise.all((await handle.describe()).info.recentActions.map((a) => client.workflow.getHandle(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId).result()));
    expect(starters.map((s) => s.started).sort()).toEqual([false, true]);
    expect(starters.every((s) => s.year === lastYear && s.workflowId === evaluationId(unitCode, lastYear))).toBe(true);
  });
});
