/**
 * Holdbacks that wait on a fact — an O&M assessment, an acceptance, a milestone — on the
 * time-skipping server, with hand-checked dates (domain/calendar/cn-holidays.json), and the rules
 * for recorded facts: a retried request changes nothing, an invalid one is rejected with its
 * problems and changes nothing (neither the workflow nor Postgres, and never reaches history).
 *
 * 雪亮工程 O&M fee (83.69万元, period 2020, failed in the ledger → awaits 2021):
 *   2021 result expected by 2021-12-31 + 30 d = 2022-01-30, a Sunday that is a 调休 working day
 *   (春节 2022) → reminded 2022-01-30 09:00; weekly: 2022-02-06 is in 春节 (01-31…02-06) → Monday
 *   2022-02-07. 2021 fails (recorded 2022-02-10) → awaits 2022, expected by 2023-01-30 (Monday).
 *   2022 passes on 2022-12-20 → payable, due 2022-12-20 + 30 d = 2023-01-19 (Thursday):
 *   before-7 2023-01-12 (Thu), due 2023-01-19, after-1 2023-01-26 is in 春节 (01-21…27) →
 *   Saturday 2023-01-28, a 调休 working day.
 *   With the contract's coefficient (variant): passed 2021-01-15 at 95% → 79.5055万元 payable,
 *   4.1845万元 forfeited; due 2021-01-15 + 30 d = 2021-02-14, in 春节 (02-11…17) → Thursday
 *   2021-02-18; before-7 = 2021-02-11 is in 春节 → previous working day Wednesday 2021-02-10.
 * 财税平台 balance (45.94万元; variant contract with a 5% retention rate, 12-month warranty):
 *   accepted 2021-09-01 → retention 5% × (46.52 paid + 45.94 withheld = 92.46万元) = 4.623万元
 *   opens its own holdback; 41.317万元 payable, due 2021-09-01 + 30 d = 2021-10-01 (国庆节) →
 *   Friday 2021-10-08; before-7 = 2021-10-01 (holiday) → Thursday 2021-09-30. The retention is due
 *   2022-09-01 (Thursday), first reminded 2022-08-02 (Tuesday).
 * 外网平台 balance (98.51万元): milestone reached 2021-06-10 → due 2021-07-10 (Saturday) → Monday
 *   2021-07-12; before-7 2021-07-05 (Monday).
 */
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdbackEvents, holdbackProgress, holdbackReminders, openHoldbacksOfUnit } from '../../db/holdbacks.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { parseUnitYear } from '../../domain/ledger/unit-year.schema';
import type { Problem } from '../../domain/validation';
import {
  holdbackStatusQuery, type HoldbackStatusView, holdbackWorkflowId, holdbackWorkflowType, recordAcceptanceUpdate, recordAssessmentUpdate, recordMilestoneUpdate,
  recordReleaseUpdate,
} from '../../workflows/holdback/contract';
import type { holdback } from '../../workflows/holdback/holdback.workflow';
import type { TestDatabase } from '../helpers/database';
import { uniqueTaskQueue } from '../helpers/temporal';
import { startTimeSkippingStack, type TimeSkippingStack } from '../helpers/timeskip-stack';
import { seedDocument } from '../fixtures/seed';

const YEAR = 2020;
const WAN = 1_000_000; // 分 per 万元

describe('holdbacks waiting on an assessment, an acceptance or a milestone', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let stack: TimeSkippingStack | undefined;
  const taskQueue = uniqueTaskQueue('holdback-conditions');

  beforeAll(async () => {
    stack = await startTimeSkippingStack(taskQueue, 'hbc');
    ({ env, database } = stack);
  });

  afterAll(async () => stack?.stop());

  async function importSeedAs(unitCode: string, change: (doc: Record<string, any>) => void = () => undefined): Promise<void> {
    const doc = seedDocument();
    doc['unit'].code = unitCode;
    change(doc);
    const parsed = parseUnitYear(doc);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    await importUnitYear(database.db, parsed.value, { actor: 'test' });
  }

  const project = (doc: Record<string, any>, code: string) => (doc['projects'] as Array<Record<string, any>>).find((p) => p['code'] === code)!;

  /** Starts one holdback with the business clock reading `asOf`; returns its handle and a way to move the clock. */
  async function start(unit: string, code: string, asOf: string) {
    const offset = Date.parse(asOf) - (await env.currentTimeMs());
    const workflowId = holdbackWorkflowId(unit, YEAR, code);
    const handle = await env.client.workflow.start<typeof holdback>(holdbackWorkflowType, { workflowId, taskQueue, args: [{ unitCode: unit, year: YEAR, holdbackCode: code, clockOffsetMs: offset }] });
    const until = async (iso: string) => {
      const ms = Date.parse(iso) - offset - (await env.currentTimeMs());
      if (ms > 0) await env.sleep(ms);
    };
    await statusWhen(workflowId, () => true, 'started');
    return { workflowId, handle, until };
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
  /** The problems of a rejected update. */
  const problemsOf = (p: Promise<unknown>): Promise<Problem[]> =>
    p.then(
      () => {
        throw new Error('the update was accepted');
      },
      (e: unknown) => {
        expect(e).toBeInstanceOf(WorkflowUpdateFailedError);
        return ((e as WorkflowUpdateFailedError).cause as { details?: unknown[] }).details?.[0] as Problem[];
      },
    );
  /** The view without its clock, to compare states. */
  const stateOf = async (workflowId: string) => {
    const { asOf: _asOf, ...rest } = await status(workflowId);
    return rest;
  };

  it('雪亮工程 O&M fee stays withheld after a failed assessment, is reminded when a result is missing, and becomes payable after a pass', async () => {
    const unit = 'yiyang-om';
    await importSeedAs(unit);
    const { workflowId, handle, until } = await start(unit, 'xueliang-om-2020', '2021-01-04T09:00:00+08:00');
    // The ledger's failed 2020 assessment is applied at start: the 2021 result is awaited.
    const s0 = await statusWhen(workflowId, (s) => s.period === '2021', 'awaiting 2021');
    expect(s0).toMatchObject({
      kind: 'om_assessment', status: 'waiting', phase: 'awaiting_assessment', awaiting: 'assessment', period: '2021', dueOn: '2022-01-30',
      amounts: { amountFen: 83.69 * WAN, heldFen: 83.69 * WAN, payableFen: 0 },
      nextReminder: { key: 'assessment-due', date: '2022-01-30', at: '2022-01-30T01:00:00.000Z' },
    });
    expect(s0.events).toEqual([expect.objectContaining({ requestId: 'ledger:assessment:2020', type: 'assessment', source: 'ledger' })]);

    await until('2022-01-30T00:59:00Z');
    expect(await remindersOf(workflowId)).toEqual([]);
    await until('2022-02-07T01:01:00Z');
    expect(await remindersReach(workflowId, 2)).toEqual(['2021|assessment-due@2022-01-30', '2021|assessment-after-1@2022-02-07']);

    await until('2022-02-10T02:00:00Z');
    // Invalid periods: rejected with their problems.
    expect(await problemsOf(handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'a-2020', period: '2020', assessedOn: '2022-02-10', passed: true }] }))).toEqual([
      expect.objectContaining({ path: 'period', code: 'period_already_assessed' }),
    ]);
    expect(await problemsOf(handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'a-2023', period: '2023', assessedOn: '2022-02-10', passed: true }] }))).toEqual([
      expect.objectContaining({ path: 'period', code: 'period_not_awaited' }),
    ]);
    expect(await problemsOf(handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'a-x', period: '二〇二一', assessedOn: '2022-02-10', passed: true }] }))).toEqual([
      expect.objectContaining({ path: 'period', code: 'unknown_period' }),
    ]);
    const failed = await handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'a-2021', period: '2021', assessedOn: '2022-02-10', passed: false, score: 72 }] });
    expect(failed).toMatchObject({ status: 'waiting', phase: 'awaiting_assessment', dueOn: '2023-01-30', amounts: { heldFen: 83.69 * WAN, payableFen: 0 } });
    expect(await status(workflowId)).toMatchObject({ period: '2022', nextReminder: { key: 'assessment-due', date: '2023-01-30' } });
    // The 2021 reminders stop (2022-02-14 would have been the next).
    await until('2022-02-14T01:01:00Z');
    expect(await remindersOf(workflowId)).toHaveLength(2);

    await until('2022-12-20T02:00:00Z');
    const passed = await handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'a-2022', period: '2022', assessedOn: '2022-12-20', passed: true, score: 91 }] });
    expect(passed).toMatchObject({ status: 'payable', phase: 'payable', dueOn: '2023-01-19', amounts: { heldFen: 0, payableFen: 83.69 * WAN, forfeitedFen: 0 } });
    expect((await status(workflowId)).nextReminder).toEqual({ key: 'before-7', date: '2023-01-12', at: '2023-01-12T01:00:00.000Z' });
    await until('2023-01-28T01:01:00Z');
    expect((await remindersReach(workflowId, 5)).slice(2)).toEqual(['2023-01-19|before-7@2023-01-12', '2023-01-19|due@2023-01-19', '2023-01-19|after-1@2023-01-28']);

    await until('2023-01-30T02:00:00Z');
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-om', paidOn: '2023-01-30', amountFen: 83.69 * WAN }] });
    expect(await resultOf(workflowId)).toMatchObject({ status: 'released', remindersSentCount: 5 });
    // No reminder about a missing 2022 result was ever sent.
    expect((await remindersOf(workflowId)).filter((k) => k.startsWith('2022|'))).toEqual([]);
    expect((await holdbackEvents(database.db, workflowId)).map((e) => `${e.type}:${e.requestId}`)).toEqual([
      'assessment:ledger:assessment:2020', 'assessment:a-2021', 'assessment:a-2022', 'release:pay-om',
    ]);
  });

  it('an O&M pass is scaled by the coefficient when the contract says so; the rest is forfeited with its reason', async () => {
    const unit = 'yiyang-om-coef';
    await importSeedAs(unit, (doc) => {
      const p = project(doc, 'smart-city');
      (p['contracts'] as Array<Record<string, any>>).find((c) => c['code'] === 'xueliang-om')!['omCoefficientApplies'] = true;
      p['assessments'] = [];
    });
    const { workflowId, handle, until } = await start(unit, 'xueliang-om-2020', '2021-01-04T09:00:00+08:00');
    expect((await statusWhen(workflowId, (s) => s.dueOn !== undefined, 'schedule')).period).toBe('2020');
    // The 2020 result is expected by 2021-01-30 (Saturday) → reminded Monday 2021-02-01.
    expect((await status(workflowId)).nextReminder).toEqual({ key: 'assessment-due', date: '2021-02-01', at: '2021-02-01T01:00:00.000Z' });
    await until('2021-01-15T08:00:00Z');
    expect(await problemsOf(handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'c-1', period: '2020', assessedOn: '2021-01-15', passed: true }] }))).toEqual([
      expect.objectContaining({ path: 'coefficientBp', code: 'coefficient_required' }),
    ]);
    const passed = await handle.executeUpdate(recordAssessmentUpdate, { args: [{ requestId: 'c-2', period: '2020', assessedOn: '2021-01-15', passed: true, score: 95, coefficientBp: 9500 }] });
    expect(passed).toMatchObject({ status: 'payable', dueOn: '2021-02-18', amounts: { amountFen: 83.69 * WAN, heldFen: 0, payableFen: 79_505_500, forfeitedFen: 4_184_500 } });
    const s = await status(workflowId);
    expect(s.forfeitReason).toContain('95.00%');
    expect(s.nextReminder).toEqual({ key: 'before-7', date: '2021-02-10', at: '2021-02-10T01:00:00.000Z' });
    // More than is outstanding (the forfeited part is not owed).
    expect(await problemsOf(handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'p-too-much', paidOn: '2021-01-15', amountFen: 83.69 * WAN }] }))).toEqual([
      expect.objectContaining({ path: 'amountFen', code: 'release_exceeds_held' }),
    ]);
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'p-1', paidOn: '2021-01-15', amountFen: 79_505_500 }] });
    expect(await resultOf(workflowId)).toEqual({
      status: 'released',
      amounts: { amountFen: 83.69 * WAN, heldFen: 0, payableFen: 0, releasedFen: 79_505_500, forfeitedFen: 4_184_500, transferredFen: 0 },
      remindersSentCount: 0,
    });
    expect((await holdbackProgress(database.db, workflowId))).toMatchObject({ status: 'released', phase: 'closed', forfeited_fen: 4_184_500, released_fen: 79_505_500 });
  });

  it('财税平台 balance falls due on acceptance and opens its retention when the contract has a rate', async () => {
    const unit = 'yiyang-acc';
    await importSeedAs(unit, (doc) => {
      const c = (project(doc, 'fiscal-platform')['contracts'] as Array<Record<string, any>>)[0]!;
      c['retentionRate'] = '5%';
      c['warrantyMonths'] = 12;
    });
    const { workflowId, handle, until } = await start(unit, 'fiscal-platform-acceptance', '2021-03-01T09:00:00+08:00');
    const s0 = await status(workflowId);
    expect(s0).toMatchObject({ status: 'waiting', phase: 'awaiting_acceptance', awaiting: 'acceptance', amounts: { heldFen: 45.94 * WAN } });
    expect(s0.dueOn).toBeUndefined();
    expect(s0.nextReminder).toBeUndefined();
    // Nothing is payable before acceptance.
    expect(await problemsOf(handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'early', paidOn: '2021-03-01', amountFen: 1 }] }))).toEqual([
      expect.objectContaining({ path: 'amountFen', code: 'release_not_due' }),
    ]);

    await until('2021-09-02T02:00:00Z');
    const accept = { requestId: 'acc-1', acceptedOn: '2021-09-01', note: '验收合格' };
    const accepted = await handle.executeUpdate(recordAcceptanceUpdate, { args: [accept] });
    const retentionCode = 'fiscal-platform-acceptance-retention';
    const retentionId = holdbackWorkflowId(unit, YEAR, retentionCode);
    expect(accepted).toMatchObject({
      status: 'payable',
      dueOn: '2021-10-08',
      amounts: { amountFen: 45.94 * WAN, heldFen: 0, payableFen: 41_317_000, transferredFen: 4_623_000 },
      retention: { holdbackCode: retentionCode, workflowId: retentionId, amountFen: 4_623_000, warrantyStartOn: '2021-09-01', warrantyMonths: 12 },
    });
    // A retried request: the same answer, nothing new.
    expect(await handle.executeUpdate(recordAcceptanceUpdate, { args: [accept] })).toEqual(accepted);
    // The same fact under another request id: acknowledged, nothing changes.
    expect(await handle.executeUpdate(recordAcceptanceUpdate, { args: [{ requestId: 'acc-2', acceptedOn: '2021-09-01' }] })).toMatchObject({ changed: false, amounts: accepted.amounts });
    // Acceptance twice with a different date: rejected.
    expect(await problemsOf(handle.executeUpdate(recordAcceptanceUpdate, { args: [{ requestId: 'acc-3', acceptedOn: '2021-08-30' }] }))).toEqual([
      expect.objectContaining({ path: 'acceptedOn', code: 'already_accepted' }),
    ]);
    expect((await holdbackEvents(database.db, workflowId)).map((e) => e.requestId)).toEqual(['acc-1']);
    expect((await status(workflowId)).nextReminder).toEqual({ key: 'before-7', date: '2021-09-30', at: '2021-09-30T01:00:00.000Z' });

    // The retention: its own ledger row and workflow, due at the end of its warranty.
    const r = await statusWhen(retentionId, (s) => s.dueOn !== undefined, 'retention schedule');
    expect(r).toMatchObject({
      kind: 'retention', origin: 'derived', status: 'waiting', dueOn: '2022-09-01', amounts: { amountFen: 4_623_000, heldFen: 4_623_000 },
      nextReminder: { key: 'before-30', date: '2022-08-02', at: '2022-08-02T01:00:00.000Z' },
    });
    const row = await database.db.selectFrom('holdbacks').select(['kind', 'amount_fen', 'due_on', 'status']).where('code', '=', retentionCode).executeTakeFirst();
    expect(row).toEqual({ kind: 'retention', amount_fen: 4_623_000, due_on: '2022-09-01', status: 'waiting' });

    await until('2021-10-08T01:01:00Z');
    expect(await remindersReach(workflowId, 2)).toEqual(['2021-10-08|before-7@2021-09-30', '2021-10-08|due@2021-10-08']);
    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-final', paidOn: '2021-10-08', amountFen: 41_317_000 }] });
    expect(await resultOf(workflowId)).toMatchObject({ status: 'released', amounts: { releasedFen: 41_317_000, transferredFen: 4_623_000 } });
    const open = await eventually(() => openHoldbacksOfUnit(database.db, unit), (o) => !o.some((h) => h.holdbackCode === 'fiscal-platform-acceptance'), 'acceptance closed');
    expect(open.find((h) => h.holdbackCode === retentionCode)).toMatchObject({ kind: 'retention', origin: 'derived', nextDueOn: '2022-09-01', heldFen: 4_623_000, tracked: true });
    expect(await remindersOf(retentionId)).toEqual([]);
  });

  it('外网平台 balance becomes payable when its upgrade milestone is recorded; retries and invalid events change nothing', async () => {
    const unit = 'yiyang-ms';
    await importSeedAs(unit);
    const { workflowId, handle, until } = await start(unit, 'extranet-upgrade', '2021-03-01T09:00:00+08:00');
    expect(await status(workflowId)).toMatchObject({ status: 'waiting', phase: 'awaiting_milestone', milestone: '系统升级改造项目完成', amounts: { heldFen: 98.51 * WAN } });

    await until('2021-06-10T02:00:00Z');
    const before = await stateOf(workflowId);
    const progressBefore = await holdbackProgress(database.db, workflowId);
    const updatesInHistory = async () => ((await handle.fetchHistory()).events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes).length;
    expect(await updatesInHistory()).toBe(0);
    expect(await problemsOf(handle.executeUpdate(recordMilestoneUpdate, { args: [{ requestId: 'm-0', milestone: '系统上线', reachedOn: '2021-06-10' }] }))).toEqual([
      expect.objectContaining({ path: 'milestone', code: 'unknown_milestone' }),
    ]);
    expect(await problemsOf(handle.executeUpdate(recordMilestoneUpdate, { args: [{ requestId: 'm-0', milestone: '系统升级改造项目完成', reachedOn: '2021-06-11' }] }))).toEqual([
      expect.objectContaining({ path: 'reachedOn', code: 'date_in_future' }),
    ]);
    expect(await problemsOf(handle.executeUpdate(recordMilestoneUpdate, { args: [{ requestId: '', milestone: '', reachedOn: '2021-13-01' }] }))).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'requestId' }), expect.objectContaining({ path: 'milestone' }), expect.objectContaining({ path: 'reachedOn', code: 'invalid_date' })]),
    );
    // Rejected updates changed nothing and never reached history.
    expect(await stateOf(workflowId)).toEqual(before);
    expect(await holdbackProgress(database.db, workflowId)).toEqual(progressBefore);
    expect(await holdbackEvents(database.db, workflowId)).toEqual([]);
    expect(await updatesInHistory()).toBe(0);

    const reached = await handle.executeUpdate(recordMilestoneUpdate, { args: [{ requestId: 'm-1', milestone: '系统升级改造项目完成', reachedOn: '2021-06-10' }] });
    expect(reached).toMatchObject({ status: 'payable', dueOn: '2021-07-12', amounts: { heldFen: 0, payableFen: 98.51 * WAN } });
    expect(await updatesInHistory()).toBe(2); // accepted + completed: the one that was valid
    expect((await status(workflowId)).nextReminder).toEqual({ key: 'before-7', date: '2021-07-05', at: '2021-07-05T01:00:00.000Z' });
    expect(await problemsOf(handle.executeUpdate(recordMilestoneUpdate, { args: [{ requestId: 'm-2', milestone: '系统升级改造项目完成', reachedOn: '2021-06-10' }] }))).toEqual([
      expect.objectContaining({ code: 'milestone_already_recorded' }),
    ]);

    await until('2021-07-05T01:01:00Z');
    expect(await remindersReach(workflowId, 1)).toEqual(['2021-07-12|before-7@2021-07-05']);

    // A partial release, then the same request again (a retry): same answer, nothing changes.
    const pay = { requestId: 'pay-ms-1', paidOn: '2021-07-05', amountFen: 50 * WAN };
    const first = await handle.executeUpdate(recordReleaseUpdate, { args: [pay] });
    expect(first).toMatchObject({ status: 'partially_released', amounts: { payableFen: 48.51 * WAN, releasedFen: 50 * WAN }, paymentCode: 'extranet-upgrade-release-1' });
    const afterFirst = await stateOf(workflowId);
    const eventsAfterFirst = await holdbackEvents(database.db, workflowId);
    expect(await handle.executeUpdate(recordReleaseUpdate, { args: [pay] })).toEqual(first);
    expect(await stateOf(workflowId)).toEqual(afterFirst);
    expect(await holdbackEvents(database.db, workflowId)).toEqual(eventsAfterFirst);
    // The same request id with different content is refused.
    expect(await problemsOf(handle.executeUpdate(recordReleaseUpdate, { args: [{ ...pay, amountFen: 1 * WAN }] }))).toEqual([expect.objectContaining({ code: 'request_id_reused' })]);
    // A release larger than what is held: rejected with its problem; nothing changes.
    expect(await problemsOf(handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-ms-2', paidOn: '2021-07-05', amountFen: 48.51 * WAN + 1 }] }))).toEqual([
      expect.objectContaining({ path: 'amountFen', code: 'release_exceeds_held' }),
    ]);
    expect(await stateOf(workflowId)).toEqual(afterFirst);
    expect(await holdbackEvents(database.db, workflowId)).toEqual(eventsAfterFirst);
    expect((await holdbackProgress(database.db, workflowId))?.released_fen).toBe(50 * WAN);

    await handle.executeUpdate(recordReleaseUpdate, { args: [{ requestId: 'pay-ms-2', paidOn: '2021-07-05', amountFen: 48.51 * WAN }] });
    expect(await resultOf(workflowId)).toMatchObject({ status: 'released', amounts: { releasedFen: 98.51 * WAN } });
    expect((await holdbackEvents(database.db, workflowId)).map((e) => [e.requestId, e.paymentCode])).toEqual([
      ['m-1', null], ['pay-ms-1', 'extranet-upgrade-release-1'], ['pay-ms-2', 'extranet-upgrade-release-2'],
    ]);
  });
});
