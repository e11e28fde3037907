/**
 * A time-skipping Temporal server, a Postgres database and the real worker (real activities) on a
 * task queue of the test file's own — the setup every time-skipping workflow suite needs.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { testActivityDeps } from './activities';
import { createTestDatabase, type TestDatabase } from './database';
import { timeSkippingEnv } from './temporal';

export interface TimeSkippingStack {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  /** Stops the worker, then the server, then drops the database. */
  stop(): Promise<void>;
}

export async function startTimeSkippingStack(taskQueue: string, databasePrefix?: string): Promise<TimeSkippingStack> {
  const [env, database, workflowBundle] = await Promise.all([timeSkippingEnv(), createTestDatabase(databasePrefix), bundleWorkflows()]);
  const worker = await createWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle,
    activities: createActivities(testActivityDeps(database.db, { temporal: env.client })),
  });
  const running = worker.run();
  return {
    env,
    database,
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
      await database.drop();
    },
  };
}
