/**
 * A workflow that waits 400 days on a durable timer, then runs an activity that writes to a real
 * Postgres: on the time-skipping server the whole run takes seconds of wall time.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSmokeCheck } from '../../db/smoke.repository';
import { smokeCheckId, smokeCheckStateQuery, smokeCheckWorkflowType } from '../../workflows/smoke/contract';
import type { smokeCheck } from '../../workflows/smoke/smoke-check.workflow';
import type { TestDatabase } from '../helpers/database';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/timeskip-stack';

const DAY = 24 * 60 * 60 * 1000;

describe('smoke check on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let stack: TimeSkippingStack | undefined;
  const taskQueue = uniqueTaskQueue('timeskip');

  beforeAll(async () => {
    stack = await startTimeSkippingStack(taskQueue);
    ({ env, database } = stack);
  });

  afterAll(async () => stack?.stop());

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
