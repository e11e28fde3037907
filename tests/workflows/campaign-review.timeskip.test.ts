/**
 * A bureau's campaign and the review above the unit, on the time-skipping server (a server of its
 * own), with the real activities and Postgres. Business time starts on Monday 2026-05-18 at 10:00
 * (Asia/Shanghai). The bureau (ts-finance) has one department (ts-dept); three units:
 *
 *   ts-a  under ts-dept, ledger imported (the seed without blocking findings)
 *   ts-b  under ts-dept, no ledger yet (imported on 05-19 at 11:30)
 *   ts-c  directly under the bureau, ledger imported; nobody ever works on it
 *
 * The campaign for 2020: deadline Friday 2026-06-05, the sections' due date 05-29, rule set
 * hunan-department-2020 version 1, outline hunan-department-8 (not the unit-years' own yiyang-2020).
 *
 *   - ts-a and ts-c start at once under the campaign's rule set and outline; ts-b waits for its
 *     ledger (its finance officer, named in the bureau's list, is asked to import it) and starts
 *     within the hour after the import.
 *   - ts-a issues version 2; the department returns it: a comment on 项目建设科, one on 资产管理安全性
 *     (which 综合科 assesses) and one on 预决算信息公开性 (the finance officer's). Exactly those reopen
 *     (projects and general as task run 2, the self-assessment as run 2 for that one indicator);
 *     the other four sections stay submitted. The revision is approved and issued as version 4 —
 *     version 2 stays, frozen. The department accepts version 4, the bureau adjusts 预决算信息公开性
 *     with a reason and (last of all) accepts: the evaluation ends, the campaign counts ts-a accepted.
 *   - The reminders about the late units (ts-b, ts-c), by hand on the 2026 calendar (no holiday
 *     between 06-01 and 06-15): before-3 Tuesday 06-02, before-1 Thursday 06-04, due Friday 06-05,
 *     after-1 Tuesday 06-09 (each to the unit's finance officer and head); the department's
 *     officer on Wednesday 06-10 (due + 3 working days: 06-08, 06-09, 06-10) about ts-b only; the
 *     bureau's officer on Monday 06-15 (due + 6: …06-11, 06-12, 06-15) about both.
 */
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { importUnitListRows } from '../../client/bureau/unit-list';
import { campaignOfUnitYear } from '../../db/campaigns.repository';
import { importUnitYear } from '../../db/ledger.repository';
import { ensureOrganisation, grantOrganisationRole } from '../../db/organisations.repository';
import { reviewedScoreOf } from '../../db/reviews.repository';
import { reconcile } from '../../domain/ledger/reconcile';
import { parseWanYuan as wan } from '../../domain/money';
import { createWorker, bundleWorkflows } from '../../worker/create-worker';
import { type CampaignInput, campaignId, campaignStatusQuery, campaignWorkflowType } from '../../workflows/campaign/contract';
import type { campaign } from '../../workflows/campaign/campaign.workflow';
import {
  approveUpdate, evaluationId, evaluationStatusQuery, sectionTaskId, selfAssessmentTaskId, submitSelfAssessmentUpdate, submitUpdate, taskViewQuery, yearlyStarterStatusQuery,
} from '../../workflows/evaluation/contract';
import { holdbackWorkflowId } from '../../workflows/holdback/contract';
import { acceptReviewUpdate, adjustReviewUpdate, returnReviewUpdate, reviewId, reviewStatusQuery } from '../../workflows/review/contract';
import { testActivityDeps } from '../helpers/activities';
import { createTestDatabase } from '../helpers/database';
import { at, type Harness, infosecSubmission } from '../helpers/evaluation-scenario';
import { timeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { seedUnitYear } from '../fixtures/seed';
import { recordFixture } from '../replay/fixtures';

/** The seed with its blocking gaps closed (as in the send-back test), so the cycle needs no acknowledgement. */
function withoutBlockingFindings(y: ReturnType<typeof seedUnitYear>): void {
  y.stated.expenditure.project.amount = wan('2503.61');
  y.stated.expenditure.total.amount = wan('2689.90');
  y.stated.carryOver.amount = wan('721.06');
  y.projects.find((p) => p.code === 'brain-gov-service')!.allocations[0]!.amount = wan('917.65');
  y.basicData!.projects.find((r) => r.project === 'brain-gov-service')!.budget = wan('917.65');
  const itemised = reconcile(y).computed.balances.filter((b) => b.balance > 0).reduce((sum, b) => sum + b.balance, 0);
  y.stated.income.total.amount = itemised + y.stated.expenditure.total.amount - y.stated.carryOver.amount;
}

const unitYearOf = (code: string) => {
  const y = structuredClone(seedUnitYear());
  withoutBlockingFindings(y);
  y.unit.code = code;
  y.unit.name = `${y.unit.name}（${code}）`;
  y.people = y.people.map((p) => ({ ...p, email: p.email.replace('@', `+${code}@`) }));
  return y;
};

describe('a campaign and the review above the unit (time-skipping)', () => {
  const h = {} as Harness;
  let worker: Worker;
  let running: Promise<void>;
  let shift = 0;
  const taskQueue = uniqueTaskQueue('campaign');

  beforeAll(async () => {
    [h.env, h.database, h.bundle] = await Promise.all([timeSkippingEnv(), createTestDatabase(), bundleWorkflows()]);
    const db = h.database.db;
    await ensureOrganisation(db, { code: 'ts-finance', name: '测试市财政局', kind: 'bureau', actor: 'test' });
    for (const code of ['ts-a', 'ts-c']) await importUnitYear(db, unitYearOf(code), { actor: 'test' });
    await importUnitListRows(db, {
      bureauCode: 'ts-finance', actor: 'test',
      rows: [
        { departmentCode: 'ts-dept', departmentName: '测试市行政审批服务局', unitCode: 'ts-a', unitName: '单位甲' },
        { departmentCode: 'ts-dept', departmentName: '测试市行政审批服务局', unitCode: 'ts-b', unitName: '单位乙', financeName: '乙财务', financeEmail: 'finance+ts-b@yiyang-smart-city.example.invalid' },
        { unitCode: 'ts-c', unitName: '单位丙' },
      ],
    });
    await grantOrganisationRole(db, { email: 'dept@ts.test', name: '主管部门复核人', organisationCode: 'ts-dept', role: 'department_officer', actor: 'test' });
    await grantOrganisationRole(db, { email: 'bureau@ts.test', name: '财政局复核人', organisationCode: 'ts-finance', role: 'bureau_officer', actor: 'test' });
    shift = at('2026-05-18T10:00:00') - (await h.env.currentTimeMs());
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

  it('starts every unit under the campaign’s rule set, reviews a report through a return and a revision to acceptance, and escalates late units up the tree', async () => {
    const db = h.database.db;
    const client = h.env.client;
    /** Advance the server until the business clock shows `local` (Asia/Shanghai). */
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
    const retry = async <T>(fn: () => Promise<T>): Promise<T> => eventually(() => fn(), () => true, 'an update');
    const messages = async (kind: string) =>
      (await db.selectFrom('notifications').innerJoin('users', 'users.id', 'notifications.recipient_user_id').leftJoin('units', 'units.id', 'notifications.unit_id')
        .select(['notifications.subject', 'notifications.body', 'notifications.link', 'notifications.created_at', 'users.email', 'units.code as unit'])
        .where('notifications.kind', '=', kind).where('notifications.channel', '=', 'in_app').orderBy('notifications.id').execute())
        .map((m) => ({ ...m, to: m.email.split('@')[0]! }));
    const unitState = async (code: string) => (await campaignOfUnitYear(db, code, 2020))?.unitState;
    const evaluation = (code: string) => client.workflow.getHandle(evaluationId(code, 2020));
    const status = (code: string) => evaluation(code).query(evaluationStatusQuery);
    const a = unitYearOf('ts-a');

    // ── The notice ───────────────────────────────────────────────────────────────────────────
    const id = campaignId('ts-finance', 2020);
    const input: CampaignInput = {
      organisationCode: 'ts-finance', year: 2020, issuedBy: 'bureau@ts.test', dueDate: '2026-06-05', taskDueDate: '2026-05-29',
      ruleSet: { id: 'hunan-department-2020', version: 1 }, outline: 'hunan-department-8', notice: '请各单位按照附件要求开展2020年度部门整体支出绩效自评。', fanOut: { batchSize: 2 },
    };
    const camp = await client.workflow.start<typeof campaign>(campaignWorkflowType, { workflowId: id, taskQueue, args: [input] });
    await eventually(() => camp.query(campaignStatusQuery), (s) => s.started === 3, 'the fan-out');
    await eventually(() => status('ts-a'), (s) => s.stage === 'collecting' && s.sections.length === 6, 'ts-a collecting');
    await eventually(() => status('ts-c'), (s) => s.stage === 'collecting', 'ts-c collecting');
    // Pinned to the campaign's rule set and outline, not the unit-years' own outline.
    for (const code of ['ts-a', 'ts-c']) {
      expect(await db.selectFrom('evaluations').select(['rule_set_id', 'rule_set_version', 'outline']).where('workflow_id', '=', evaluationId(code, 2020)).executeTakeFirstOrThrow()).toEqual({ rule_set_id: 'hunan-department-2020', rule_set_version: 1, outline: 'hunan-department-8' });
      expect(await unitState(code)).toBe('started');
    }
    expect(await unitState('ts-b')).toBe('waiting_ledger');
    const starterB = client.workflow.getHandle(`${id}/start/ts-b`);
    expect((await eventually(() => starterB.query(yearlyStarterStatusQuery), (s) => s.waitingForLedger !== null, 'ts-b waiting')).year).toBe(2020);
    const notices = await eventually(() => messages('campaign_notice'), (m) => m.length === 5, 'the notices');
    expect(notices.map((m) => [m.unit, m.to]).sort()).toEqual([['ts-a', 'finance+ts-a'], ['ts-a', 'head+ts-a'], ['ts-b', 'finance+ts-b'], ['ts-c', 'finance+ts-c'], ['ts-c', 'head+ts-c']]);
    expect(notices[0]!.subject).toBe('测试市财政局关于开展2020年度部门整体支出绩效自评工作的通知');
    expect(notices.find((m) => m.unit === 'ts-a')!.body).toContain('自评报告报送截止日期：2026年6月5日；各科室材料及单位自评打分截止日期：2026年5月29日。评分规则：');
    expect(notices.find((m) => m.unit === 'ts-b')!.body).toContain('系统中还没有本单位2020年度的账套，请尽快导入');
    expect((await eventually(() => messages('evaluation_ledger_missing'), (m) => m.length === 1, 'ts-b asked for its ledger')).map((m) => m.unit)).toEqual(['ts-b']);

    // ── ts-a's cycle to its first issue ─────────────────────────────────────────────────────
    for (const s of [...a.submissions, infosecSubmission]) {
      await eventually(() => client.workflow.getHandle(sectionTaskId('ts-a', 2020, s.section)).query(taskViewQuery), Boolean, `task ${s.section}`);
      await client.workflow.getHandle(sectionTaskId('ts-a', 2020, s.section)).executeUpdate(submitUpdate, { args: [{ actor: `${s.section}-head`, submission: s }] });
    }
    await retry(() => client.workflow.getHandle(selfAssessmentTaskId('ts-a', 2020)).executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries: a.selfAssessment!.entries.map((e) => ({ ...e, evidence: [] })) }] }));
    let st = await eventually(() => status('ts-a'), (s) => s.stage === 'approving', 'ts-a draft 1');
    await evaluation('ts-a').executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: st.reportVersion! }] });
    st = await eventually(() => status('ts-a'), (s) => s.review?.state === 'in_review', 'ts-a under review');
    expect(st).toMatchObject({ stage: 'issued', issued: { version: 2 }, review: { workflowId: reviewId('ts-a', 2020), returns: 0 } });
    const review = client.workflow.getHandle(reviewId('ts-a', 2020));
    let rv = await eventually(() => review.query(reviewStatusQuery), (s) => s.state === 'awaiting' && s.level === 'department', 'the department’s review');
    expect(rv.levels.map((l) => l.organisationCode)).toEqual(['ts-dept', 'ts-finance']);
    expect(await unitState('ts-a')).toBe('issued');
    expect((await eventually(() => messages('review_arrived'), (m) => m.length === 1, 'the department told')).map((m) => [m.to, m.subject])).toEqual([['dept', '待复核：益阳市智慧城市和大数据中心（ts-a）2020年度部门整体支出绩效自评报告（第2版）']]);

    // Refused without a trace: the bureau before the department, a stale version, a comment on nothing.
    const refusal = async (p: Promise<unknown>) => ((await p.then(() => undefined, (e: unknown) => e)) as WorkflowUpdateFailedError).cause as { type?: string };
    expect(await refusal(review.executeUpdate(acceptReviewUpdate, { args: [{ actor: 'bureau@ts.test', level: 'bureau', reportVersion: 2 }] }))).toMatchObject({ type: 'wrong_level' });
    expect(await refusal(review.executeUpdate(acceptReviewUpdate, { args: [{ actor: 'dept@ts.test', level: 'department', reportVersion: 1 }] }))).toMatchObject({ type: 'stale' });
    expect(await refusal(review.executeUpdate(returnReviewUpdate, { args: [{ actor: 'dept@ts.test', level: 'department', reportVersion: 2, comments: [{ section: 'nope', text: 'x' }] }] }))).toMatchObject({ type: 'invalid_message' });
    expect(await db.selectFrom('review_decisions').select('id').execute()).toEqual([]);

    // ── The department returns it: exactly what it names reopens ─────────────────────────────
    await until('2026-05-19T10:00:00');
    await review.executeUpdate(returnReviewUpdate, {
      args: [{
        actor: 'dept@ts.test', level: 'department', reportVersion: 2,
        comments: [
          { section: 'projects', text: '请补充新建信息化项目未按期开标的原因及整改措施' },
          { indicator: 'asset_safety', text: '资产卡片未及时更新，请说明扣分依据' },
          { indicator: 'budget_disclosure', text: '请附部门决算公开的网址截图' },
        ],
      }],
    });
    st = await eventually(() => status('ts-a'), (s) => s.stage === 'collecting' && s.review?.state === 'returned', 'ts-a reopened');
    expect(st.review).toMatchObject({ returns: 1, lastReturn: { level: 'department', by: 'dept@ts.test', reportVersion: 2 } });
    expect(st.sections.filter((s) => s.state !== 'submitted').map((s) => [s.section, s.state, s.run]).sort()).toEqual([['general', 'returned', 2], ['projects', 'returned', 2]]);
    expect(st.sections.filter((s) => s.state === 'submitted').map((s) => s.run)).toEqual([1, 1, 1, 1]);
    // Reopened until 5 working days after the return: Tuesday 05-19 → Tuesday 05-26.
    expect(st.sections.find((s) => s.section === 'projects')!.dueAt).toBe(new Date(at('2026-05-26T18:00:00') - shift).toISOString());
    const assessment = client.workflow.getHandle(selfAssessmentTaskId('ts-a', 2020));
    expect(await eventually(() => assessment.query(taskViewQuery), (v) => v.run === 2, 'the self-assessment reopened')).toMatchObject({ run: 2, state: 'open' });
    expect(await unitState('ts-a')).toBe('returned');
    const tasks = await db.selectFrom('tasks').innerJoin('units', 'units.id', 'tasks.unit_id').select(['tasks.workflow_id', 'tasks.run', 'tasks.state', 'tasks.returned_reason']).where('units.code', '=', 'ts-a').orderBy('tasks.workflow_id').execute();
    expect(tasks.filter((t) => t.run === 2).map((t) => [t.workflow_id.split('/').at(-1), t.state, t.returned_reason])).toEqual([
      ['self-assessment', 'returned', '主管部门（dept@ts.test）复核退回：指标“预决算信息公开性”：请附部门决算公开的网址截图'],
      ['general', 'returned', '主管部门（dept@ts.test）复核退回：指标“资产管理安全性”：资产卡片未及时更新，请说明扣分依据'],
      ['projects', 'returned', '主管部门（dept@ts.test）复核退回：请补充新建信息化项目未按期开标的原因及整改措施'],
    ]);
    const returnedMsg = await eventually(() => messages('review_returned'), (m) => m.length === 2, 'the unit told of the return');
    expect(returnedMsg.map((m) => m.to)).toEqual(['finance+ts-a', 'head+ts-a']);
    expect(returnedMsg[0]!.body).toContain('1. 科室“项目建设科”：请补充新建信息化项目未按期开标的原因及整改措施');
    expect(returnedMsg[0]!.body).toContain('请于2026年5月26日前修改后提交');

    // The self-assessment run wants the returned indicator, and keeps the others.
    expect(await refusal(assessment.executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries: [] }] }))).toMatchObject({ type: 'invalid_message' });
    await assessment.executeUpdate(submitSelfAssessmentUpdate, { args: [{ actor: 'finance', entries: [{ indicator: 'budget_disclosure', tier: 'achieved', points: '3', reason: '部门决算已于2021年6月在门户网站公开（附截图）', evidence: [] }] }] });
    const projects = a.submissions.find((s) => s.section === 'projects')!;
    const general = a.submissions.find((s) => s.section === 'general')!;
    await retry(() => client.workflow.getHandle(sectionTaskId('ts-a', 2020, 'projects')).executeUpdate(submitUpdate, {
      args: [{ actor: 'projects-head', submission: { ...projects, problems: [...projects.problems, { title: '项目开标延期', detail: '两个项目立项审批推迟至次年，已调整年度计划。' }] } }],
    }));
    await retry(() => client.workflow.getHandle(sectionTaskId('ts-a', 2020, 'general')).executeUpdate(submitUpdate, {
      args: [{ actor: 'general-head', submission: { ...general, selfAssessments: general.selfAssessments.map((e) => (e.indicator === 'asset_safety' ? { ...e, reason: '2020年新购设备12台的资产卡片至年底未录入' } : e)) } }],
    }));
    st = await eventually(() => status('ts-a'), (s) => s.stage === 'approving' && s.reportVersion === 3, 'the revision’s draft');
    await evaluation('ts-a').executeUpdate(approveUpdate, { args: [{ actor: 'head', reportVersion: 3 }] });
    st = await eventually(() => status('ts-a'), (s) => s.review?.state === 'in_review' && s.issued?.version === 4, 'the revision issued');
    const versions = await db.selectFrom('reports').innerJoin('unit_years', 'unit_years.id', 'reports.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['reports.version', 'reports.kind']).where('units.code', '=', 'ts-a').orderBy('reports.version').execute();
    expect(versions).toEqual([{ version: 1, kind: 'draft' }, { version: 2, kind: 'issued' }, { version: 3, kind: 'draft' }, { version: 4, kind: 'issued' }]);
    // The stored self-assessment: the returned indicator replaced, the others as submitted.
    const stored = await db.selectFrom('self_assessments').innerJoin('unit_years', 'unit_years.id', 'self_assessments.unit_year_id').innerJoin('units', 'units.id', 'unit_years.unit_id')
      .select(['indicator', 'entry']).where('units.code', '=', 'ts-a').orderBy('indicator').execute();
    expect(stored.map((r) => r.indicator)).toEqual([...a.selfAssessment!.entries.map((e) => e.indicator)].sort());
    expect(stored.find((r) => r.indicator === 'budget_disclosure')!.entry).toMatchObject({ points: '3' });

    // ── Version 4: the department accepts, the bureau adjusts (and accepts at the end) ─────────
    rv = await eventually(() => review.query(reviewStatusQuery), (s) => s.state === 'awaiting' && s.reportVersion === 4, 'version 4 under review');
    expect(rv).toMatchObject({ level: 'department', round: 2 });
    expect(await review.executeUpdate(acceptReviewUpdate, { args: [{ actor: 'dept@ts.test', level: 'department', reportVersion: 4 }] })).toEqual({ ok: true, state: 'awaiting', level: 'bureau' });
    expect(await unitState('ts-a')).toBe('in_review');
    expect((await eventually(() => messages('review_arrived'), (m) => m.length === 3, 'the bureau told')).map((m) => m.to)).toEqual(['dept', 'dept', 'bureau']);
    await review.executeUpdate(adjustReviewUpdate, { args: [{ actor: 'bureau@ts.test', level: 'bureau', reportVersion: 4, adjustments: [{ indicator: 'budget_disclosure', points: '2', reason: '决算公开晚于规定时限' }] }] });

    // ── ts-b's ledger arrives; it starts within the hour ────────────────────────────────────
    await until('2026-05-19T11:30:00');
    await importUnitYear(db, unitYearOf('ts-b'), { actor: 'finance' });
    await until('2026-05-19T12:31:00');
    await eventually(() => status('ts-b'), (s) => s.stage === 'collecting', 'ts-b collecting');
    expect(await unitState('ts-b')).toBe('started');

    // ── Late units: reminders, then the department, then the bureau ─────────────────────────
    const lateMessages = async () => (await messages('campaign_reminder')).concat(await messages('campaign_overdue')).concat(await messages('campaign_escalated'));
    const seen = async (n: number, what: string) => eventually(lateMessages, (m) => m.length >= n, what);
    await until('2026-06-02T09:01:00');
    let late = await seen(4, 'before-3');
    expect(late.map((m) => [m.unit, m.to, m.subject]).sort()).toEqual([
      ['ts-b', 'finance+ts-b', '提醒：2020年度绩效自评报告须于2026年6月5日前报送'],
      ['ts-b', 'head+ts-b', '提醒：2020年度绩效自评报告须于2026年6月5日前报送'],
      ['ts-c', 'finance+ts-c', '提醒：2020年度绩效自评报告须于2026年6月5日前报送'],
      ['ts-c', 'head+ts-c', '提醒：2020年度绩效自评报告须于2026年6月5日前报送'],
    ]);
    await until('2026-06-09T09:01:00');
    late = await seen(16, 'after-1');
    expect(late.filter((m) => m.to.startsWith('finance+ts-c')).map((m) => m.subject)).toEqual([
      '提醒：2020年度绩效自评报告须于2026年6月5日前报送', '提醒：2020年度绩效自评报告须于2026年6月5日前报送', '提醒：2020年度绩效自评报告今日（2026年6月5日）截止报送', '催办：2020年度绩效自评报告已逾期（应于2026年6月5日前报送）',
    ]);
    expect(late.some((m) => m.to === 'dept' || m.to === 'bureau')).toBe(false);
    await until('2026-06-10T09:01:00');
    let escalated = await eventually(() => messages('campaign_escalated'), (m) => m.length === 1, 'the department');
    expect(escalated.map((m) => [m.to, m.unit, m.subject])).toEqual([['dept', null, '督办：所属1个单位的2020年度绩效自评报告逾期未报']]);
    expect(escalated[0]!.body).toContain('1. 益阳市智慧城市和大数据中心（ts-b）（ts-b）：自评进行中（收集科室材料）');
    expect(escalated[0]!.link).toBe('/orgs/ts-dept/years/2020/campaign');
    await until('2026-06-12T18:00:00');
    expect((await messages('campaign_escalated')).length).toBe(1);
    await until('2026-06-15T09:01:00');
    escalated = await eventually(() => messages('campaign_escalated'), (m) => m.length === 2, 'the bureau');
    expect(escalated[1]!.to).toBe('bureau');
    expect(escalated[1]!.subject).toBe('督办：2个单位的2020年度绩效自评报告逾期未报');
    expect(escalated[1]!.body).toContain('1. 益阳市智慧城市和大数据中心（ts-b）（ts-b）：自评进行中（收集科室材料）\n2. 益阳市智慧城市和大数据中心（ts-c）（ts-c）：自评进行中（收集科室材料）');
    const cs = await camp.query(campaignStatusQuery);
    expect(cs).toMatchObject({ units: 3, started: 3, accepted: 0, closed: false });
    expect(cs.remindersSent).toEqual(['before-3', 'before-1', 'due', 'after-1', 'escalate-department', 'after-2', 'after-3', 'escalate-bureau']);

    // ── Last (the Java test server stops skipping time once a child workflow that exchanged
    // signals with its parent has completed — sdk-java#1618 — so no time passes after this):
    // the bureau accepts version 4; the evaluation ends, the campaign counts ts-a accepted.
    expect(await review.executeUpdate(acceptReviewUpdate, { args: [{ actor: 'bureau@ts.test', level: 'bureau', reportVersion: 4, note: '同意' }] })).toEqual({ ok: true, state: 'accepted', level: null });
    const result = await new Client({ connection: h.env.connection, namespace: 'default' }).workflow.getHandle(evaluationId('ts-a', 2020)).result();
    expect(result).toMatchObject({ reportVersion: 4 });
    expect(await unitState('ts-a')).toBe('accepted');
    await eventually(() => camp.query(campaignStatusQuery), (s) => s.accepted === 1, 'the campaign told');
    const uy = await db.selectFrom('unit_years').innerJoin('units', 'units.id', 'unit_years.unit_id').select('unit_years.id').where('units.code', '=', 'ts-a').executeTakeFirstOrThrow();
    const score = (await reviewedScoreOf(db, uy.id))!;
    // The self-score has 预决算信息公开性 at 3.00 (resubmitted); the bureau's 2.00 takes 1.00 off.
    expect(score.adjusted).toEqual([expect.objectContaining({ id: 'budget_disclosure', selfCp: 300, reviewedCp: 200, reason: '决算公开晚于规定时限' })]);
    expect(score.reviewed.totalCp).toBe(score.self.totalCp - 100);
    const decisions = await db.selectFrom('review_decisions').select(['report_version', 'level', 'decision', 'actor']).where('unit_year_id', '=', uy.id).orderBy('id').execute();
    expect(decisions.map((d) => [d.report_version, d.level, d.decision, d.actor])).toEqual([
      [2, 'department', 'return', 'dept@ts.test'], [4, 'department', 'accept', 'dept@ts.test'], [4, 'bureau', 'adjust', 'bureau@ts.test'], [4, 'bureau', 'accept', 'bureau@ts.test'],
    ]);
    const audit = await db.selectFrom('audit_log').select(['action', 'actor']).where('action', 'like', 'review.%').orderBy('id').execute();
    expect(audit.map((r) => `${r.action} ${r.actor}`)).toEqual(['review.return dept@ts.test', 'review.accept dept@ts.test', 'review.adjust bureau@ts.test', 'review.accept bureau@ts.test']);
    expect((await eventually(() => messages('review_accepted'), (m) => m.length === 2, 'the unit told')).map((m) => m.to)).toEqual(['finance+ts-a', 'head+ts-a']);

    await recordFixture('annual-evaluation-seed-cycle-campaign-review', evaluation('ts-a'));
    await recordFixture('unit-review-tolerant-campaign-signal', review);
    await recordFixture('campaign-escalated-accepted-from-db', camp);
    await recordFixture('yearly-starter-campaign-year', starterB);

    // Nothing of this scenario may be left running: the test server's time is shared by the file.
    const ids = [id, ...['ts-b', 'ts-c'].flatMap((u) => [evaluationId(u, 2020), selfAssessmentTaskId(u, 2020)]), ...['ts-a', 'ts-b', 'ts-c'].flatMap((u) => a.projects.flatMap((p) => p.holdbacks.map((hb) => holdbackWorkflowId(u, 2020, hb.code))))];
    for (const wid of ids) await client.workflow.getHandle(wid).terminate('scenario finished').catch(() => undefined);
  });
});
