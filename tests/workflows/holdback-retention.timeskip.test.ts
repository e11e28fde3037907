/**
 * Retentions (质保金) of the seed on the time-skipping server, with exact, hand-checked dates.
 *
 * The server's clock starts at today's real time (late 2026), so each test runs its holdbacks on
 * a business clock of its own (`clockOffsetMs` = the chosen "as of" instant − server time): the
 * 2021 due dates are then in the future and every reminder instant is exact. All dates below were
 * worked out by hand from domain/calendar/cn-holidays.json (not copied from output):
 *
 *   Both retentions: accepted 2020-08-31, 12-month warranty → nominal 2021-08-31, a Tuesday and a
 *   working day → due 2021-08-31. Reminders at 09:00 Shanghai (01:00Z):
 *     before-30  2021-08-01 is a Sunday → previous working day Friday 2021-07-30
 *     before-7   2021-08-24 (Tuesday)
 *     due        2021-08-31 (Tuesday) — the amount becomes payable
 *     after-1    2021-09-07 (Tuesday)          after-2  2021-09-14 (Tuesday)
 *     after-3    2021-09-21 is 中秋节 (09-19…21) → next working day Wednesday 2021-09-22
 *     after-4    2021-09-28 (Tuesday)
 *     after-5    2021-10-05 is 国庆节 (10-01…07) → next working day Friday 2021-10-08
 *
 *   Defect reported 2021-08-20, warranty extended by 1 month → nominal 2021-09-30 (Thursday):
 *     before-30  2021-08-31 (Tuesday)   before-7  2021-09-23 (Thursday)   due  2021-09-30
 *     after-1    2021-10-07 is 国庆节 → Friday 2021-10-08
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoldbackActivities } from '../../activities/holdbacks.activities';
import { holdbackEvents, holdbackReleasesOfUnit, holdbackReminders, openHoldbacksOfUnit } from '../../db/holdbacks.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import type { Problem } from '../../domain/validation';
import {
  holdbackStatusQuery, type HoldbackStatusView, holdbackWorkflowId, holdbackWorkflowType, recordReleaseUpdate, reportDefectUpdate,
} from '../../workflows/holdback/contract';
import type { holdback } from '../../workflows/holdback/holdback.workflow';
import { testActivityDeps } from '../helpers/activities';
import type { TestDatabase } from '../helpers/database';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/timeskip-stack';
import { seedDocument } from '../fixtures/seed';

const YEAR = 2020;
const ONE_THING = 'one-thing-once-retention';
const ONE_CITY = 'one-city-one-platform-retention';
const WAN = 1_000_000; // 分 per 万元

describe('retention holdbacks on the time-skipping server', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let stack: TimeSkippingStack | undefined;
  const taskQueue = uniqueTaskQueue('holdback-retention');

  beforeAll(async () => {
    stack = await startTimeSkippingStack(taskQueue, 'hbr');
    ({ env, database } = stack);
  });

  afterAll(async () => stack?.stop());

  /** The seed under another unit code (each test has workflow ids of its own on the shared server). */
  async function importSeedAs(unitCode: string): Promise<void> {
    const doc = seedDocument();
    doc['unit'].code = unitCode;
    const parsed = parseUnitYear(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    await importUnitYear(database.db, parsed.value, { actor: 'test' });
  }

  /** Business clock for a test: `asOf` is "now" for the workflows started right after. */
  async function clockAt(asOf: string) {
    const offset = Date.parse(asOf) - (await env.currentTimeMs());
    return {
      offset,
      /** Moves the server until the business clock reads `iso`. */
      async until(iso: string) {
        const ms = Date.parse(iso) - offset - (await env.currentTimeMs());
        if (ms > 0) await env.sleep(ms);
      },
    };
  }

  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T = await read();
    while (!ok(last)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, 50));
      last = await read();
    }
    return last;
  }

  const status = (workflowId: string) => env.client.workflow.getHandle(workflowId).query(holdbackStatusQuery);
  /**
   * A workflow's result through a plain client: the time-skipping client's result() unlocks time
   * skipping while it waits, which would jump the clock to another holdback's next timer.
   */
  const resultOf = (workflowId: string) =>
    new Client({ connection: env.connection, namespace: env.namespace ?? 'default' }).workflow.getHandle<typeof holdback>(workflowId).result();
  const statusWhen = (workflowId: string, ok: (s: HoldbackStatusView) => boolean, what: string) =>
    eventually(() => status(workflowId).catch(() => undefined as unknown as HoldbackStatusView), (s) => s !== undefined && ok(s), what);
  const remindersOf = async (workflowId: string) => (await holdbackReminders(database.db, { workflowId })).map((r) => `${r.basis}|${r.key}@${r.date}`);
  const remindersReach = (workflowId: string, n: number) => eventually(() => remindersOf(workflowId), (r) => r.length >= n, `${n} reminders of ${workflowId}`);

  async function inAppCount(dedupePrefix: string): Promise<number> {
    const r = await sql<{ n: number }>`select count(*)::int as n from notifications where dedupe_key like ${`${dedupePrefix}|%`} and channel = 'in_app'`.execute(database.db);
    return r.rows[0]!.n;
  }

  it('the seed retentions remind on the right working days in 2021 and close when the release is recorded', async () => {
    const unit = 'yiyang-ret';
    await importSeedAs(unit);
    const clock = await clockAt('2021-07-01T09:00:00+08:00');
    const started = await createHoldbackActivities(testActivityDeps(database.db, { temporal: env.client })).ensureHoldbackWorkflows({
      unitCode: unit, year: YEAR, clockOffsetMs: clock.offset, taskQueue,
    });
    const oneThing = holdbackWorkflowId(unit, YEAR, ONE_THING);
    const oneCity = holdbackWorkflowId(unit, YEAR, ONE_CITY);
    // The five seed holdbacks, each with its workflow; starting again is a no-op.
    expect(started.workflowIds).toHaveLength(5);
    expect(started.workflowIds).toEqual(expect.arrayContaining([oneThing, oneCity]));
    const again = await createHoldbackActivities(testActivityDeps(database.db, { temporal: env.client })).ensureHoldbackWorkflows({ unitCode: unit, year: YEAR, clockOffsetMs: clock.offset, taskQueue });
    expect(again).toEqual(started);

    const s0 = await statusWhen(oneThing, (s) => s.nextReminder !== undefined, 'the first schedule');
    expect(s0).toMatchObject({
      kind: 'retention',
      status: 'waiting',
      phase: 'warranty',
      awaiting: 'warranty_end',
      dueOn: '2021-08-31',
      nominalDueOn: '2021-08-31',
      nextReminder: { key: 'before-30', date: '2021-07-30', at: '2021-07-30T01:00:00.000Z' },
      amounts: { amountFen: 10.92 * WAN, heldFen: 10.92 * WAN, payableFen: 0, releasedFen: 0 },
      remindersSentCount: 0,
    });
    expect((await statusWhen(oneCity, (s) => s.dueOn !== undefined, 'schedule')).amounts.heldFen).toBe(7.62 * WAN);

    // "What falls due when": both retentions listed with their due date.
    const open = await eventually(() => openHoldbacksOfUnit(database.db, unit), (o) => o.filter((h) => h.tracked).length === 5, 'progress rows');
    expect(open.filter((h) => h.kind === 'retention').map((h) => [h.holdbackCode, h.nextDueOn, h.heldFen, h.status])).toEqual([
      [ONE_THING, '2021-08-31', 10.92 * WAN, 'waiting'],
      [ONE_CITY, '2021-08-31', 7.62 * WAN, 'waiting'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));

    // One minute before 09:00 on Friday 2021-07-30: nothing yet.
    await clock.until('2021-07-30T00:59:00Z');
    expect(await remindersOf(oneThing)).toEqual([]);
    await clock.until('2021-07-30T01:01:00Z');
    expect(await remindersReach(oneThing, 1)).toEqual(['2021-08-31|before-30@2021-07-30']);
    expect(await remindersReach(oneCity, 1)).toEqual(['2021-08-31|before-30@2021-07-30']);
    // Exactly one in-app message to the one finance officer, under the reminder's dedupe key.
    expect(await inAppCount(`${oneThing}|2021-08-31|before-30`)).toBe(1);

    await clock.until('2021-08-24T01:01:00Z');
    await remindersReach(oneThing, 2);
    await clock.until('2021-08-31T00:59:00Z');
    expect((await status(oneThing)).status).toBe('waiting');
    await clock.until('2021-08-31T01:01:00Z');
    await remindersReach(oneThing, 3);
    const due = await statusWhen(oneThing, (s) => s.status === 'payable', 'payable');
    expect(due.amounts).toMatchObject({ heldFen: 0, payableFen: 10.92 * WAN });

    await clock.until('2021-09-14T01:01:00Z');
    await remindersReach(oneThing, 5);
    // 2021-09-21 is 中秋节: no reminder that day.
    await clock.until('2021-09-21T23:00:00Z');
    expect(await remindersOf(oneThing)).toHaveLength(5);
    await clock.until('2021-09-22T01:01:00Z');
    expect(await remindersReach(oneThing, 6)).toEqual([
      '2021-08-31|before-30@2021-07-30',
      '2021-08-31|before-7@2021-08-24',
      '2021-08-31|due@2021-08-31',
      '2021-08-31|after-1@2021-09-07',
      '2021-08-31|after-2@2021-09-14',
      '2021-08-31|after-3@2021-09-22',
    ]);
    // Each fired at its instant, 09:00 Shanghai (within the time a workflow task takes to run).
    for (const r of await holdbackReminders(database.db, { workflowId: oneThing })) {
      expect(r.firedAt.getTime() - r.scheduledAt.getTime()).toBeGreaterThanOrEqual(0);
      expect(r.firedAt.getTime() - r.scheduledAt.getTime()).toBeLessThan(2_000);
    }
    expect((await holdbackReminders(database.db, { workflowId: oneThing })).map((r) => r.scheduledAt.toISOString())).toContain('2021-09-22T01:00:00.000Z');

    // 2021-09-23: 一件事一次办 paid in full; 一市一平台 partly (5万元 of 7.62万元).
    await clock.until('2021-09-23T02:00:00Z');
    const full = await env.client.workflow.getHandle(oneThing).executeUpdate(recordReleaseUpdate, {
      args: [{ requestId: 'pay-2021-09-23-a', paidOn: '2021-09-23', amountFen: 10.92 * WAN }],
    });
    expect(full).toMatchObject({ status: 'released', phase: 'closed', paymentCode: `${ONE_THING}-release-1`, amounts: { releasedFen: 10.92 * WAN, payableFen: 0, heldFen: 0 } });
    const result = await resultOf(oneThing);
    expect(result).toEqual({ status: 'released', amounts: { amountFen: 10.92 * WAN, heldFen: 0, payableFen: 0, releasedFen: 10.92 * WAN, forfeitedFen: 0, transferredFen: 0 }, remindersSentCount: 6 });

    const partial = await env.client.workflow.getHandle(oneCity).executeUpdate(recordReleaseUpdate, {
      args: [{ requestId: 'pay-2021-09-23-b', paidOn: '2021-09-23', amountFen: 5 * WAN }],
    });
    expect(partial).toMatchObject({ status: 'partially_released', phase: 'payable', amounts: { payableFen: 2.62 * WAN, releasedFen: 5 * WAN } });

    // The rest keeps being reminded: 09-28, and 10-08 (10-05 is 国庆节); the closed one is silent.
    await clock.until('2021-10-08T01:01:00Z');
    expect((await remindersReach(oneCity, 8)).slice(6)).toEqual(['2021-08-31|after-4@2021-09-28', '2021-08-31|after-5@2021-10-08']);
    expect(await remindersOf(oneThing)).toHaveLength(6);

    await clock.until('2021-10-09T02:00:00Z');
    await env.client.workflow.getHandle(oneCity).executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-2021-10-09', paidOn: '2021-10-09', amountFen: 2.62 * WAN }] });
    expect(await resultOf(oneCity)).toMatchObject({ status: 'released', remindersSentCount: 8 });

    // The ledger follows: statuses, release events with deterministic payment codes, nothing left open.
    const rows = await database.db
      .selectFrom('holdbacks')
      .innerJoin('unit_years', 'unit_years.id', 'holdbacks.unit_year_id')
      .innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['holdbacks.code', 'holdbacks.status'])
      .where('holdbacks.code', 'in', [ONE_THING, ONE_CITY])
      .where('units.code', '=', unit)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['released', 'released']);
    expect((await holdbackEvents(database.db, oneCity)).map((e) => [e.type, e.paymentCode, e.amountFen, e.occurredOn])).toEqual([
      ['release', `${ONE_CITY}-release-1`, 5 * WAN, '2021-09-23'],
      ['release', `${ONE_CITY}-release-2`, 2.62 * WAN, '2021-10-09'],
    ]);
    // What the 2021 report/ledger must show as paid out of the 2020 retentions.
    expect((await holdbackReleasesOfUnit(database.db, unit, { paidIn: 2021 })).map((r) => [r.paymentCode, r.paidOn, r.amountFen])).toEqual([
      [`${ONE_THING}-release-1`, '2021-09-23', 10.92 * WAN],
      [`${ONE_CITY}-release-1`, '2021-09-23', 5 * WAN],
      [`${ONE_CITY}-release-2`, '2021-10-09', 2.62 * WAN],
    ]);
    expect(await holdbackReleasesOfUnit(database.db, unit, { paidIn: 2020 })).toEqual([]);
    const stillOpen = await eventually(() => openHoldbacksOfUnit(database.db, unit), (o) => !o.some((h) => h.kind === 'retention'), 'retentions closed');
    expect(stillOpen.map((h) => h.holdbackCode).sort()).toEqual(['extranet-upgrade', 'fiscal-platform-acceptance', 'xueliang-om-2020']);
    // Closed workflows are not started again.
    const third = await createHoldbackActivities(testActivityDeps(database.db, { temporal: env.client })).ensureHoldbackWorkflows({ unitCode: unit, year: YEAR, clockOffsetMs: clock.offset, taskQueue });
    expect(third.workflowIds).not.toContain(oneThing);
    expect(third.workflowIds).toHaveLength(3);
  });

  it('a defect report pushes the due date and the reminders with it', async () => {
    const unit = 'yiyang-defect';
    await importSeedAs(unit);
    const clock = await clockAt('2021-07-01T09:00:00+08:00');
    const workflowId = holdbackWorkflowId(unit, YEAR, ONE_THING);
    const handle = await env.client.workflow.start<typeof holdback>(holdbackWorkflowType, {
      workflowId, taskQueue, args: [{ unitCode: unit, year: YEAR, holdbackCode: ONE_THING, clockOffsetMs: clock.offset }],
    });
    await statusWhen(workflowId, (s) => s.dueOn === '2021-08-31', 'schedule');
    await clock.until('2021-07-30T01:01:00Z');
    await remindersReach(workflowId, 1);

    await clock.until('2021-08-20T02:00:00Z');
    // Invalid: reported in the future; nothing changes.
    const rejected = await handle.executeUpdate(reportDefectUpdate, { args: [{ requestId: 'defect-bad', reportedOn: '2021-08-21', extendMonths: 12, description: '数据同步故障' }] }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    const problems = ((rejected as WorkflowUpdateFailedError).cause as { details?: unknown[] }).details?.[0] as Problem[];
    expect(problems).toEqual([expect.objectContaining({ path: 'reportedOn', code: 'date_in_future' })]);

    const extended = await handle.executeUpdate(reportDefectUpdate, { args: [{ requestId: 'defect-1', reportedOn: '2021-08-20', extendMonths: 1, description: '接口偶发超时，需整改' }] });
    expect(extended).toMatchObject({ type: 'defect', status: 'waiting', phase: 'warranty', dueOn: '2021-09-30' });
    expect(await status(workflowId)).toMatchObject({ dueOn: '2021-09-30', nominalDueOn: '2021-09-30', nextReminder: { key: 'before-30', date: '2021-08-31', at: '2021-08-31T01:00:00.000Z' } });
    expect((await holdbackEvents(database.db, workflowId)).map((e) => e.type)).toEqual(['defect']);
    // 12 + 1 + 12 months would exceed the 24-month limit: rejected, nothing changes.
    const tooLong = await handle
      .executeUpdate(reportDefectUpdate, { args: [{ requestId: 'defect-bad-2', reportedOn: '2021-08-20', extendMonths: 12, description: '数据同步故障' }] })
      .catch((e: unknown) => ((e as WorkflowUpdateFailedError).cause as { details?: unknown[] }).details?.[0] as Problem[]);
    expect(tooLong).toEqual([expect.objectContaining({ path: 'extendMonths', code: 'warranty_too_long' })]);
    expect((await status(workflowId)).dueOn).toBe('2021-09-30');

    // The old before-7 (08-24) and due (08-31) never fire; the new schedule does, with new keys.
    await clock.until('2021-08-31T01:01:00Z');
    expect(await remindersReach(workflowId, 2)).toEqual(['2021-08-31|before-30@2021-07-30', '2021-09-30|before-30@2021-08-31']);
    expect((await status(workflowId)).status).toBe('waiting');
    await clock.until('2021-09-30T00:59:00Z');
    expect(await remindersOf(workflowId)).toEqual(['2021-08-31|before-30@2021-07-30', '2021-09-30|before-30@2021-08-31', '2021-09-30|before-7@2021-09-23']);
    expect((await status(workflowId)).status).toBe('waiting');
    await clock.until('2021-10-08T01:01:00Z');
    expect((await remindersReach(workflowId, 5)).slice(3)).toEqual(['2021-09-30|due@2021-09-30', '2021-09-30|after-1@2021-10-08']);
    expect(await status(workflowId)).toMatchObject({ status: 'payable', amounts: { payableFen: 10.92 * WAN } });
    // A defect after the (extended) warranty ended does not extend it.
    const late = await handle
      .executeUpdate(reportDefectUpdate, { args: [{ requestId: 'defect-late', reportedOn: '2021-10-08', extendMonths: 1, description: '又发现问题' }] })
      .catch((e: unknown) => ((e as WorkflowUpdateFailedError).cause as { details?: unknown[] }).details?.[0] as Problem[]);
    expect(late).toEqual([expect.objectContaining({ code: 'defect_after_warranty' })]);
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-1', paidOn: '2021-10-08', amountFen: 10.92 * WAN }] });
    expect(await resultOf(workflowId)).toMatchObject({ status: 'released', remindersSentCount: 5 });
  });

  it('continues as new before its history grows large and carries its state', async () => {
    const unit = 'yiyang-can';
    await importSeedAs(unit);
    const clock = await clockAt('2021-08-30T09:00:00+08:00');
    const workflowId = holdbackWorkflowId(unit, YEAR, ONE_CITY);
    const handle = await env.client.workflow.start<typeof holdback>(holdbackWorkflowType, {
      workflowId, taskQueue, args: [{ unitCode: unit, year: YEAR, holdbackCode: ONE_CITY, clockOffsetMs: clock.offset, continueAsNewAfterEvents: 40 }],
    });
    const first = (await handle.describe()).runId;
    await statusWhen(workflowId, (s) => s.dueOn === '2021-08-31', 'schedule');
    // 2021-08-31 due, then weekly: 16 reminders after due up to 2021-12-21 (all Tuesdays; none in a holiday
    // after 10-05 → 10-08). Crossing 2021-12-31 would go on; we stop before.
    await clock.until('2021-12-21T01:01:00Z');
    const keys = await remindersReach(workflowId, 17);
    expect(keys[0]).toBe('2021-08-31|due@2021-08-31');
    expect(keys.slice(1).map((k) => k.split('|')[1]!.split('@')[0])).toEqual(Array.from({ length: 16 }, (_, i) => `after-${i + 1}`));
    expect(keys).toContain('2021-08-31|after-3@2021-09-22');
    expect(keys).toContain('2021-08-31|after-5@2021-10-08');
    const now = await statusWhen(workflowId, (s) => s.remindersSentCount === 17, 'carried count');
    expect(now.status).toBe('payable');
    expect((await handle.describe()).runId).not.toBe(first);
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-can', paidOn: '2021-12-21', amountFen: 7.62 * WAN }] });
    expect(await resultOf(workflowId)).toMatchObject({ status: 'released', remindersSentCount: 17 });
    // No reminder twice across runs.
    expect(new Set(keys).size).toBe(keys.length);
  });
});
