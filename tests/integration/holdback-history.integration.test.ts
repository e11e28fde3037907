/**
 * A representative holdback run on the real dev server: an acceptance that opens its retention,
 * a retried and a rejected request, the due reminder on its timer, a partial then a final release.
 * Its history replays against today's workflow code; with SELFEVAL_RECORD_HISTORY=1 it is written
 * to tests/replay/histories/holdback-acceptance.json (the replay suite replays every file there).
 *
 * Business clock: 2021-10-08T00:59:55Z (5 s before the final payment's due reminder, 09:00
 * Shanghai on Friday 2021-10-08 — see holdback-conditions.timeskip.test.ts for the dates).
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker, Worker as TemporalWorker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { holdbackReminders } from '../../db/holdbacks.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import {
  holdbackStatusQuery, holdbackWorkflowId, holdbackWorkflowType, recordAcceptanceUpdate, recordReleaseUpdate,
} from '../../workflows/holdback/contract';
import type { holdback } from '../../workflows/holdback/holdback.workflow';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { devServerEnv, uniqueTaskQueue } from '../helpers/temporal';
import { seedDocument } from '../fixtures/seed';

const UNIT = `yiyang-hist-${Date.now().toString(36)}`;
const CODE = 'fiscal-platform-acceptance';

describe('a representative holdback history', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueTaskQueue('holdback-history');

  beforeAll(async () => {
    [env, database] = await Promise.all([devServerEnv('holdback-history'), createTestDatabase('hbh')]);
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      activities: createActivities(testActivityDeps(database.db, { temporal: env.client })),
    });
    running = worker.run();
    const doc = seedDocument();
    doc['unit'].code = UNIT;
    const c = (doc['projects'] as Array<Record<string, any>>).find((p) => p['code'] === 'fiscal-platform')!['contracts'][0];
    c.retentionRate = '5%';
    c.warrantyMonths = 12;
    const parsed = parseUnitYear(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    await importUnitYear(database.db, parsed.value, { actor: 'test' });
  });

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  it('runs, and its history replays against the current code', async () => {
    const workflowId = holdbackWorkflowId(UNIT, 2020, CODE);
    const clockOffsetMs = Date.parse('2021-10-08T00:59:55Z') - Date.now();
    const handle = await env.client.workflow.start<typeof holdback>(holdbackWorkflowType, { workflowId, taskQueue, args: [{ unitCode: UNIT, year: 2020, holdbackCode: CODE, clockOffsetMs }] });
    const accept = { requestId: 'acc-1', acceptedOn: '2021-09-01', actor: 'finance@yiyang-smart-city.example.invalid' };
    const accepted = await handle.executeUpdate(recordAcceptanceUpdate, { args: [accept] });
    expect(accepted).toMatchObject({ dueOn: '2021-10-08', amounts: { payableFen: 41_317_000, transferredFen: 4_623_000 } });
    expect(await handle.executeUpdate(recordAcceptanceUpdate, { args: [accept] })).toEqual(accepted);
    await expect(handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'too-much', paidOn: '2021-10-08', amountFen: 45_940_000 }] })).rejects.toThrow();

    // The due reminder fires on its timer (the 09-30 one was past at start and is not sent).
    const deadline = Date.now() + 30_000;
    while ((await holdbackReminders(database.db, { workflowId })).length === 0) {
      if (Date.now() > deadline) throw new Error('no reminder');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect((await holdbackReminders(database.db, { workflowId })).map((r) => `${r.basis}|${r.key}`)).toEqual(['2021-10-08|due']);
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-1', paidOn: '2021-10-08', amountFen: 40_000_000 }] });
    expect((await handle.query(holdbackStatusQuery)).status).toBe('partially_released');
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-2', paidOn: '2021-10-08', amountFen: 1_317_000 }] });
    expect(await handle.result()).toMatchObject({ status: 'released', remindersSentCount: 1 });
    await env.client.workflow.getHandle(holdbackWorkflowId(UNIT, 2020, `${CODE}-retention`)).terminate('test done');

    const history = await handle.fetchHistory();
    await expect(TemporalWorker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, workflowId)).resolves.toBeUndefined();
    if (process.env['SELFEVAL_RECORD_HISTORY'] === '1') {
      fs.writeFileSync(path.join(__dirname, '../replay/histories/holdback-acceptance.json'), `${historyToJSON(history)}\n`);
    }
  });
});
