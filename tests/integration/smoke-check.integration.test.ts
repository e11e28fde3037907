/**
 * The stack end to end on real servers: the Temporal dev server (with its web UI) and Postgres.
 * A workflow's activity writes a row; we read it back, and find the run listed by the web UI.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities';
import { findSmokeCheck, recordSmokeCheck } from '../../db/smoke.repository';
import { createWorker } from '../../worker/create-worker';
import { smokeCheckId, smokeCheckWorkflowType } from '../../workflows/smoke/contract';
import type { smokeCheck } from '../../workflows/smoke/smoke-check.workflow';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerEnv, uniqueTaskQueue } from '../helpers/temporal';

describe('smoke check on the dev server and Postgres', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('integration');

  beforeAll(async () => {
    [env, database] = await Promise.all([devServerEnv('smoke'), createTestDatabase()]);
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

  it('runs a workflow whose activity writes a row, and the row reads back', async () => {
    const workflowId = smokeCheckId(`integration-${Date.now()}`);
    const result = await env.client.workflow.execute<typeof smokeCheck>(smokeCheckWorkflowType, {
      workflowId,
      taskQueue,
      args: [{ waitMs: 200, note: '集成测试 integration' }],
    });
    expect(result.inserted).toBe(true);
    const row = await findSmokeCheck(database.db, workflowId);
    expect(row).toMatchObject({ workflowId, note: '集成测试 integration' });
    expect(row?.firedAt.toISOString()).toBe(result.firedAt);

    // The web UI (its HTTP API, which the pages call) lists the run.
    const ui = `http://127.0.0.1:${inject('temporalUiPort')}/api/v1/namespaces/${env.namespace}/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}"`)}`;
    const deadline = Date.now() + 15_000;
    let listed: Array<{ execution: { workflowId: string }; status: string }> = [];
    while (Date.now() < deadline) {
      const response = await fetch(ui);
      listed = ((await response.json()) as { executions?: typeof listed }).executions ?? [];
      if (listed.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(listed).toEqual([expect.objectContaining({ execution: expect.objectContaining({ workflowId }), status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED' })]);
  });

  it('writes once when the activity is retried', async () => {
    const input = { workflowId: smokeCheckId(`retry-${Date.now()}`), note: 'first', firedAt: new Date().toISOString() };
    expect(await recordSmokeCheck(database.db, input)).toEqual({ inserted: true });
    expect(await recordSmokeCheck(database.db, { ...input, note: 'second' })).toEqual({ inserted: false });
    expect((await findSmokeCheck(database.db, input.workflowId))?.note).toBe('first');
  });
});
