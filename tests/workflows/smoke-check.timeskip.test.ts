/**
 * A workflow that waits 400 days on a durable timer, then runs an activity that writes to a real
 * Postgres: on the time-skipping server the whole run takes seconds of wall time.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { findSmokeCheck } from '../../db/smoke.repository';
import { createWorker } from '../../worker/create-worker';
import { smokeCheckId, smokeCheckStateQuery, smokeCheckWorkflowType } from '../../workflows/smoke/contract';
import type { smokeCheck } from '../../workflows/smoke/smoke-check.workflow';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { timeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

const DAY = 24 * 60 * 60 * 1000;

describe('smoke check on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('timeskip');

  beforeAll(async () => {
    [env, database] = await Promise.all([timeSkippingEnv(), createTestDatabase()]);
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: createActivities(testActivityDeps(database.db)),
    });
    running = worker.run();
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  it('waits 400 days on a timer, then writes its row once', async () => {
    const workflowId = smokeCheckId('400-days');
    const wallStart = Date.now();
    const startedAt = await env.currentTimeMs();
    const handle = await env.client.workflow.start<typeof smokeCheck>(smokeCheckWorkflowType, {
      workflowId,
      taskQueue,
      args: [{ waitMs: 400 * DAY, note: 'four hundred days' }],
    });

    // 399 days in, the timer has not fired and nothing is written.
    await env.sleep(399 * DAY);
    expect(await handle.query(smokeCheckStateQuery)).toBe('waiting');
    expect(await findSmokeCheck(database.db, workflowId)).toBeUndefined();

    const result = await handle.result();
    const firedAt = Date.parse(result.firedAt);
    expect(firedAt - startedAt).toBeGreaterThanOrEqual(400 * DAY);
    expect(firedAt - startedAt).toBeLessThan(401 * DAY);
    expect(result.inserted).toBe(true);

    const row = await findSmokeCheck(database.db, workflowId);
    expect(row?.note).toBe('four hundred days');
    expect(row?.firedAt.toISOString()).toBe(result.firedAt);
    // 400 days of workflow time in well under a minute of wall time.
    expect(Date.now() - wallStart).toBeLessThan(60_000);
  });
});
