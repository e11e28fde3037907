/**
 * A campaign whose history grows long continues as new with what it has done, on the time-skipping
 * server (a server of its own): told to continue after 25 events, the campaign of two units (the
 * seed under codes of their own, directly under the bureau; business time from Monday 2026-06-01
 * 10:00, deadline Friday 06-05) starts both, reminds them on Tuesday 06-02 (3 working days before)
 * and Thursday 06-04 (1 before) — each reminder once, across runs — and a unit added to the new run
 * joins and starts. Nothing is started or sent twice.
 */
import type { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { importUnitListRows } from '../../client/bureau/unit-list';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation } from '../../db/organisations.repository';
import { bundleWorkflows, createWorker } from '../../worker/create-worker';
import { addUnitsUpdate, campaignId, campaignStatusQuery, campaignWorkflowType } from '../../workflows/campaign/contract';
import type { campaign } from '../../workflows/campaign/campaign.workflow';
import { evaluationId, selfAssessmentTaskId } from '../../workflows/evaluation/contract';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase } from '../helpers/database';
import { at, type Harness } from '../helpers/evaluation-scenario';
import { timeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';

const unitYearOf = (code: string) => {
  const y = structuredClone(seedUnitYear());
  y.unit.code = code;
  y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${code}@`) }));
  return y;
};

describe('a long campaign continues as new (time-skipping)', () => {
  const h = {} as Harness;
  let worker: Worker;
  let running: Promise<void>;
  let shift = 0;
  const taskQueue = uniqueTaskQueue('campaign-can');
  const units = ['can-a', 'can-b', 'can-c'];

  beforeAll(async () => {
    [h.env, h.database, h.bundle] = await Promise.all([timeSkippingEnv(), createTestDatabase(), bundleWorkflows()]);
    const db = h.database.db;
    await ensureOrganisation(db, { code: 'can-finance', name: '测试市财政局', kind: 'bureau', actor: 'test' });
    for (const code of units) await importUnitYear(db, unitYearOf(code), { actor: 'test' });
    await importUnitListRows(db, { bureauCode: 'can-finance', actor: 'test', rows: units.map((u) => ({ unitCode: u, unitName: u })) });
    shift = at('2026-06-01T10:00:00') - (await h.env.currentTimeMs());
    worker = await createWorker({
      connection: h.env.nativeConnection, namespace: 'default', taskQueue, workflowBundle: h.bundle,
      activities: createActivities({ ...testActivityDeps(db, { temporal: h.env.client }), clockShiftMs: shift }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await h.env?.teardown();
    await h.database?.drop();
  });

  it('carries its units, fan-out and reminders into the new run; a unit added there joins once', async () => {
    const db = h.database.db;
    const client = h.env.client;
    const until = async (local: string) => {
      const ms = at(local) - shift - (await h.env.currentTimeMs());
      if (ms > 0) await h.env.sleep(ms);
    };
    const eventually = async <T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> => {
      const deadline = Date.now() + 30_000;
      let last: T | undefined;
      for (;;) {
        last = await probe().catch(() => undefined);
        if (last !== undefined && ok(last)) return last;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const count = async (kind: string) =>
      (await db.selectFrom('notifications').select(sql<number>`count(*)::int`.as('n')).where('kind', '=', kind).where('channel', '=', 'in_app').executeTakeFirstOrThrow()).n;

    const id = campaignId('can-finance', 2020);
    const camp = await client.workflow.start<typeof campaign>(campaignWorkflowType, {
      workflowId: id, taskQueue,
      args: [{
        organisationCode: 'can-finance', year: 2020, issuedBy: 'bureau@test', dueDate: '2026-06-05', taskDueDate: '2026-06-04', ruleSet: { id: 'hunan-department-2020', version: 1 },
        outline: 'yiyang-2020', notice: '请开展自评。', units: ['can-a', 'can-b'], fanOut: { batchSize: 1 }, continueAsNewAfterEvents: 25,
      }],
    });
    const firstRun = camp.firstExecutionRunId;
    await eventually(() => camp.query(campaignStatusQuery), (s) => s.started === 2, 'both started');
    await until('2026-06-02T09:01:00');
    await eventually(() => count('campaign_reminder'), (n) => n === 4, 'before-3: finance officer and head of each unit');
    await until('2026-06-04T09:01:00');
    await eventually(() => count('campaign_reminder'), (n) => n === 8, 'before-1');
    const status = await eventually(() => camp.query(campaignStatusQuery), (s) => s.remindersSent.includes('before-1'), 'the status');
    expect(status).toMatchObject({ units: 2, started: 2, accepted: 0, remindersSent: ['before-3', 'before-1'], nextReminder: { key: 'due' } });
    const run = (await camp.describe()).runId;
    expect(run).not.toBe(firstRun);

    // A unit added to the new run joins and starts; adding it again joins nothing.
    expect(await camp.executeUpdate(addUnitsUpdate, { args: [{ actor: 'bureau@test', units: ['can-c'] }] })).toEqual({ ok: true, joined: ['can-c'] });
    expect(await camp.executeUpdate(addUnitsUpdate, { args: [{ actor: 'bureau@test', units: ['can-c', 'can-a'] }] })).toEqual({ ok: true, joined: [] });
    await eventually(
      () => db.selectFrom('campaign_units').innerJoin('units', 'units.id', 'campaign_units.unit_id').select(['units.code', 'campaign_units.state']).orderBy('units.code').execute(),
      (rows) => rows.length === 3 && rows.every((r) => r.state === 'started'),
      'every unit started',
    );
    // Asked only now: on the time-skipping test server a query sent while the Update's workflow task
    // and the start's activity are still in flight waited ~88 s for an answer (the test took 90 s).
    await eventually(() => camp.query(campaignStatusQuery), (s) => s.units === 3 && s.started === 3, 'can-c started');

    // Once each: the notice per person, the issue, each unit's start.
    expect(await count('campaign_notice')).toBe(6);
    expect((await db.selectFrom('audit_log').select(sql<number>`count(*)::int`.as('n')).where('action', '=', 'campaign.issue').executeTakeFirstOrThrow()).n).toBe(1);
    expect((await db.selectFrom('evaluations').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n).toBe(3);
    expect((await db.selectFrom('audit_log').select('details').where('action', '=', 'campaign.join_units').orderBy('id').execute()).map((r) => (r.details as { units: string[] }).units)).toEqual([['can-a', 'can-b'], ['can-c']]);

    const ids = [id, ...units.flatMap((u) => [evaluationId(u, 2020), selfAssessmentTaskId(u, 2020), ...seedUnitYear().projects.flatMap((p) => p.holdbacks.map((hb) => holdbackWorkflowId(u, 2020, hb.code)))])];
    for (const wid of ids) await client.workflow.getHandle(wid).terminate('scenario finished').catch(() => undefined);
  });
});
