/**
 * Activities of a year's campaign: open it (the campaign row, the units that join, the deadline
 * and the sections' due date on the working-day calendar), start the units' evaluations in
 * batches (each through the yearly starter, which waits for a missing ledger; started by workflow
 * id, so a retried batch starts nothing twice), plan the reminders and escalation around the
 * deadline and send them to whoever is next up the tree. Idempotent throughout.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { addDays, type CivilDate, civilDateOf, instantAt, toEpochMs } from '../domain/calendar/civil-date';
import { addWorkingDays, type CalendarWarning, mergeWarnings, reminderSchedule, warningsForDates } from '../domain/calendar/working-days';
import { outlineById } from '../domain/report/outlines';
import {
  acceptedCampaignUnits, campaignByWorkflow, campaignLaggards, campaignUnitCodes, closeCampaign, ensureCampaign, joinCampaignUnits, recordCampaignStopped as recordCampaignStoppedRow,
  setCampaignUnitStarter,
} from '../db/campaigns.repository';
import { unitYearKeys } from '../db/evaluations.repository';
import { officersOf, unitsUnder, organisationByCode } from '../db/organisations.repository';
import { ruleSetCatalog } from '../db/rule-sets.repository';
import type { CampaignUnitState } from '../db/schema';
import { yearlyEvaluationStarterWorkflowType } from '../workflows/evaluation/contract';
import type { yearlyEvaluationStarter } from '../workflows/evaluation/yearly-starter.workflow';
import { type CampaignReminderKind, campaignStarterId, type OpenedCampaign, taskQueue as defaultTaskQueue } from '../workflows/campaign/contract';
import type { FloorShape } from '../workflows/bench/floor.workflow';
import { type StopInput, stopKey } from '../db/stops';
import type { ActivityDeps } from '.';
import { dashboardLink } from './evaluation.activities';

/** The campaign's page of an organisation (a bureau, or a department: its units only). */
export const campaignLink = (organisationCode: string, year: number) => `/orgs/${encodeURIComponent(organisationCode)}/years/${year}/campaign`;

/** The task queue of the running activity (so the starters run where this worker listens), else the default. */
function currentTaskQueue(): string {
  try {
    return Context.current().info.taskQueue;
  } catch {
    return defaultTaskQueue;
  }
}

const heartbeat = (details?: unknown) => {
  try {
    Context.current().heartbeat(details);
  } catch {
    // called outside an activity (tests)
  }
};

/** Where a late unit stands, in words. */
const stateZh = (state: CampaignUnitState, stage: string | null): string =>
  ({
    joined: '尚未开始',
    waiting_ledger: '尚未导入年度账套，评价未能开始',
    started: `自评进行中${stage ? `（${({ collecting: '收集科室材料', reviewing: '对账复核', returned: '退回修改', scoring: '评分', drafting: '生成草稿', approving: '待单位负责人审批', issuing: '签发中' } as Record<string, string>)[stage] ?? stage}）` : ''}`,
    returned: '复核退回，正在修改',
    issued: '已签发',
    in_review: '复核中',
    accepted: '已通过复核',
  })[state];

/** Runs `fn` over the items, at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export function createCampaignActivities(deps: ActivityDeps) {
  const { db, calendar } = deps;
  const shift = deps.clockShiftMs ?? 0;
  const business = (iso: string) => toEpochMs(iso) + shift;
  const server = (iso: string) => new Date(toEpochMs(iso) - shift).toISOString();
  const dateText = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return `${y}年${m}月${d}日`;
  };

  return {
    /**
     * Opens the campaign: records it (once), lets its units join (the notice's list, or every unit
     * under the organisation), and works out the deadline's instant and the sections' due date —
     * 10 working days before the deadline unless the notice gives one, at the earliest 5 working
     * days after today and never after the deadline. Returns every unit of the campaign in order.
     */
    async openCampaign(input: {
      workflowId: string; organisationCode: string; year: number; issuedBy: string; dueDate: string; taskDueDate?: string;
      ruleSet: { id: string; version: number }; outline: string; notice: string; units?: string[]; now: string;
    }): Promise<{ opened: OpenedCampaign; units: string[]; accepted: string[] }> {
      const org = await organisationByCode(db, input.organisationCode);
      if (!org) throw ApplicationFailure.nonRetryable(`没有机构 ${input.organisationCode} / no organisation ${input.organisationCode}`, 'not_found');
      if (!(await ruleSetCatalog(db))(input.ruleSet.id, input.ruleSet.version)) {
        throw ApplicationFailure.nonRetryable(`没有评分规则 ${input.ruleSet.id} 第${input.ruleSet.version}版 / no rule set ${input.ruleSet.id} version ${input.ruleSet.version}`, 'not_found');
      }
      if (!outlineById(input.outline)) throw ApplicationFailure.nonRetryable(`没有报告提纲 ${input.outline} / no report outline ${input.outline}`, 'not_found');
      const today = civilDateOf(business(input.now));
      const due = input.dueDate as CivilDate;
      let taskDue = input.taskDueDate as CivilDate | undefined;
      const warnings: CalendarWarning[][] = [warningsForDates(calendar, [today, due])];
      if (!taskDue) {
        const before = addWorkingDays(calendar, due, -10);
        const earliest = addWorkingDays(calendar, today, 5);
        warnings.push(before.warnings, earliest.warnings);
        taskDue = before.date >= earliest.date ? before.date : earliest.date <= due ? earliest.date : due;
      }
      const { campaign } = await ensureCampaign(db, {
        workflowId: input.workflowId, organisationCode: input.organisationCode, year: input.year, dueDate: input.dueDate, taskDueDate: taskDue,
        ruleSet: input.ruleSet, outline: input.outline, notice: input.notice, actor: input.issuedBy,
      });
      const wanted = input.units ?? (await unitsUnder(db, org.id)).map((u) => u.code);
      await joinCampaignUnits(db, { campaignId: campaign.id, unitCodes: wanted, actor: input.issuedBy, dedupeKey: `${input.workflowId}|join|notice` });
      return {
        opened: { campaignId: campaign.id, dueAt: server(instantAt(due, '18:00')), taskDueDate: campaign.taskDueDate ?? taskDue, calendarWarnings: mergeWarnings(...warnings) },
        units: await campaignUnitCodes(db, campaign.id),
        // Units whose report was accepted already: a restarted campaign does not wait for them again.
        accepted: await acceptedCampaignUnits(db, campaign.id),
      };
    },

    /**
     * The campaign's workflow stopped (run `runId`) before every report was accepted: recorded on
     * its row and audited (once per run), and the bureau's officers are told that reminders,
     * escalations and joining have stopped, with the campaign page where they restart it. Called
     * by the worker's stop sweeper.
     */
    async recordCampaignStopped(input: StopInput): Promise<{ recorded: boolean; notified: number }> {
      const campaign = await recordCampaignStoppedRow(db, input);
      if (!campaign) return { recorded: false, notified: 0 };
      const userIds = await officersOf(db, campaign.organisationId, 'bureau_officer');
      if (!userIds.length) return { recorded: true, notified: 0 };
      const sent = await deps.notifier.notify({
        dedupeKey: stopKey(input.workflowId, input.runId), kind: 'campaign_stopped', audience: { userIds }, workflowId: input.workflowId, link: campaignLink(campaign.organisationCode, campaign.year),
        subject: `${campaign.year}年度绩效自评工作的督办流程已停止`,
        body: `${campaign.organisationName}${campaign.year}年度部门整体支出绩效自评工作的督办流程已停止：${input.reason}\n此后不会再提醒、督办逾期单位，也不能追加单位。各单位的评价不受影响。请在自评工作页面重新启动，原因未消除时请先联系系统管理员。`,
      });
      return { recorded: true, notified: sent.recipients };
    },

    /** Units added to a running campaign join it; returns those that joined now (not there before). */
    async joinCampaign(input: { workflowId: string; units: string[]; actor: string; key: string }): Promise<{ joined: string[] }> {
      const campaign = await campaignByWorkflow(db, input.workflowId);
      if (!campaign) throw ApplicationFailure.nonRetryable(`no campaign ${input.workflowId}`, 'not_found');
      return joinCampaignUnits(db, { campaignId: campaign.id, unitCodes: input.units, actor: input.actor, dedupeKey: `${input.workflowId}|join|${input.key}` });
    },

    /**
     * Starts a batch of the campaign's units: for each, the yearly starter for the campaign's
     * year (workflow id `<campaign>/start/<unit>`; it starts the evaluation at once, or waits for
     * the ledger and reminds the finance officer), and the notice to the unit's finance officer
     * and head. A start that finds its starter already there (a retried batch, a second issue)
     * starts nothing; the notice goes once. Heartbeats per unit.
     */
    async startCampaignUnits(input: { campaignWorkflowId: string; units: string[]; startedBy: string; reminderTime?: string }): Promise<{ started: number; existing: number }> {
      const campaign = await campaignByWorkflow(db, input.campaignWorkflowId);
      if (!campaign) throw ApplicationFailure.nonRetryable(`no campaign ${input.campaignWorkflowId}`, 'not_found');
      const temporal = deps.temporal;
      if (!temporal) throw new Error('startCampaignUnits needs a Temporal client');
      const queue = currentTaskQueue();
      let started = 0;
      let existing = 0;
      const catalog = await ruleSetCatalog(db);
      const ruleSetName = catalog(campaign.ruleSet.id, campaign.ruleSet.version)?.name ?? campaign.ruleSet.id;
      const outlineName = outlineById(campaign.outline)?.name ?? campaign.outline;
      await pool(input.units, 8, async (unitCode) => {
        const workflowId = campaignStarterId(campaign.workflowId, unitCode);
        try {
          await temporal.workflow.start<typeof yearlyEvaluationStarter>(yearlyEvaluationStarterWorkflowType, {
            workflowId,
            taskQueue: queue,
            args: [{ unitCode, year: campaign.year, startedBy: input.startedBy, options: { ...(campaign.taskDueDate ? { dueDate: campaign.taskDueDate } : {}), ...(input.reminderTime ? { reminderTime: input.reminderTime } : {}) } }],
            // A unit's start for a campaign, running or done, is never started again.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
          });
          started++;
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
          existing++;
        }
        const present = (await unitYearKeys(db, unitCode, campaign.year)) !== undefined;
        await setCampaignUnitStarter(db, { campaignId: campaign.id, unitCode, starterWorkflowId: workflowId, waitingLedger: !present });
        await deps.notifier.notify({
          dedupeKey: `${campaign.workflowId}|notice|${unitCode}`,
          unitCode,
          kind: 'campaign_notice',
          audience: { roles: ['finance_officer', 'unit_head'] },
          subject: `${campaign.organisationName}关于开展${campaign.year}年度部门整体支出绩效自评工作的通知`,
          body:
            `${campaign.notice.trim()}\n\n自评报告报送截止日期：${dateText(campaign.dueDate)}${campaign.taskDueDate ? `；各科室材料及单位自评打分截止日期：${dateText(campaign.taskDueDate)}` : ''}。` +
            `评分规则：${ruleSetName}（${campaign.ruleSet.id} 第${campaign.ruleSet.version}版）；报告提纲：${outlineName}。` +
            (present ? '本单位的年度自评已自动开始，各科室将收到填报任务。' : `系统中还没有本单位${campaign.year}年度的账套，请尽快导入；导入后自评将自动开始。`),
          link: dashboardLink(unitCode, campaign.year),
          workflowId: campaign.workflowId,
          robots: false,
        });
        heartbeat({ unitCode });
      });
      return { started, existing };
    },

    /**
     * The campaign's reminders around its deadline, on the working-day calendar: to the finance
     * officers of units whose report is not issued 3 and 1 working days before the deadline, on
     * it and every 2 working days after; to the department officers `departmentAfter` working
     * days after it, to the bureau officers `bureauAfter` days after. The next ~3 months from `now`
     * (the workflow asks again when they run out); keys are stable across plans.
     */
    async planCampaignReminders(input: { dueAt: string; now: string; reminderTime: string; departmentAfterWorkingDays: number; bureauAfterWorkingDays: number }) {
      const due = civilDateOf(business(input.dueAt));
      const now = business(input.now);
      const schedule = reminderSchedule(calendar, {
        due, timeOfDay: input.reminderTime, unit: 'working_days', before: [3, 1], every: 2, moveDueToWorkingDay: true, afterUntil: addDays(civilDateOf(Math.max(now, business(input.dueAt))), 90),
      });
      const department = addWorkingDays(calendar, schedule.due, input.departmentAfterWorkingDays);
      const bureau = addWorkingDays(calendar, schedule.due, input.bureauAfterWorkingDays);
      const events: Array<{ key: string; kind: CampaignReminderKind; at: string }> = [
        ...schedule.reminders.map((r) => ({ key: r.key, kind: r.kind, at: r.at })),
        { key: 'escalate-department', kind: 'escalate_department' as const, at: instantAt(department.date, input.reminderTime) },
        { key: 'escalate-bureau', kind: 'escalate_bureau' as const, at: instantAt(bureau.date, input.reminderTime) },
      ]
        .filter((e) => toEpochMs(e.at) > now)
        // The same instant: the finance officers' reminder first, then the department, then the bureau.
        .sort((a, b) => toEpochMs(a.at) - toEpochMs(b.at) || order(a.kind) - order(b.kind))
        .map((e) => ({ ...e, at: server(e.at) }));
      return { events, calendarWarnings: mergeWarnings(schedule.warnings, department.warnings, bureau.warnings) };
    },

    /**
     * Reminds or escalates about the campaign's units whose report is not issued yet: each unit's
     * finance officer and head (before, on and after the deadline), or — escalation — one message
     * per department to its officers listing its late units, and one to the bureau's officers
     * listing every late unit. Nothing when no unit is late. Once per key.
     */
    async remindCampaign(input: { campaignWorkflowId: string; kind: CampaignReminderKind; key: string }): Promise<{ late: number; messages: number }> {
      const campaign = await campaignByWorkflow(db, input.campaignWorkflowId);
      if (!campaign) throw ApplicationFailure.nonRetryable(`no campaign ${input.campaignWorkflowId}`, 'not_found');
      const late = await campaignLaggards(db, campaign.id);
      if (!late.length) return { late: 0, messages: 0 };
      const deadline = dateText(campaign.dueDate);
      let messages = 0;
      if (input.kind === 'before' || input.kind === 'due' || input.kind === 'after') {
        const subject =
          input.kind === 'before' ? `提醒：${campaign.year}年度绩效自评报告须于${deadline}前报送` : input.kind === 'due' ? `提醒：${campaign.year}年度绩效自评报告今日（${deadline}）截止报送` : `催办：${campaign.year}年度绩效自评报告已逾期（应于${deadline}前报送）`;
        await pool(late, 4, async (u) => {
          await deps.notifier.notify({
            dedupeKey: `${campaign.workflowId}|${input.key}|${u.unitCode}`, unitCode: u.unitCode, kind: input.kind === 'after' ? 'campaign_overdue' : 'campaign_reminder',
            audience: { roles: ['finance_officer', 'unit_head'] }, subject, body: `${subject}。本单位目前：${stateZh(u.state, u.stage)}。`, link: dashboardLink(u.unitCode, campaign.year),
            workflowId: campaign.workflowId, robots: input.kind === 'after',
          });
          messages++;
        });
        return { late: late.length, messages };
      }
      const list = (units: typeof late) => units.map((u, i) => `${i + 1}. ${u.unitName}（${u.unitCode}）：${stateZh(u.state, u.stage)}`).join('\n');
      if (input.kind === 'escalate_department') {
        const byDepartment = new Map<number, typeof late>();
        for (const u of late) if (u.departmentId !== null) byDepartment.set(u.departmentId, [...(byDepartment.get(u.departmentId) ?? []), u]);
        for (const [departmentId, units] of byDepartment) {
          const userIds = await officersOf(db, departmentId, 'department_officer');
          if (!userIds.length) continue;
          const dept = await db.selectFrom('organisations').select('code').where('id', '=', departmentId).executeTakeFirstOrThrow();
          await deps.notifier.notify({
            dedupeKey: `${campaign.workflowId}|${input.key}|${dept.code}`, kind: 'campaign_escalated', audience: { userIds }, workflowId: campaign.workflowId, link: campaignLink(dept.code, campaign.year),
            subject: `督办：所属${units.length}个单位的${campaign.year}年度绩效自评报告逾期未报`,
            body: `${campaign.organisationName}要求于${deadline}前报送的${campaign.year}年度部门整体支出绩效自评报告，以下所属单位至今未报：\n${list(units)}\n\n请督促上述单位尽快完成。`,
          });
          messages++;
        }
        return { late: late.length, messages };
      }
      const userIds = await officersOf(db, campaign.organisationId, 'bureau_officer');
      if (userIds.length) {
        await deps.notifier.notify({
          dedupeKey: `${campaign.workflowId}|${input.key}|${campaign.organisationCode}`, kind: 'campaign_escalated', audience: { userIds }, workflowId: campaign.workflowId, link: campaignLink(campaign.organisationCode, campaign.year),
          subject: `督办：${late.length}个单位的${campaign.year}年度绩效自评报告逾期未报`,
          body: `要求于${deadline}前报送的${campaign.year}年度部门整体支出绩效自评报告，以下单位至今未报（已提醒单位财务人员和负责人${late.some((u) => u.departmentId !== null) ? '及主管部门' : ''}）：\n${list(late)}`,
        });
        messages++;
      }
      return { late: late.length, messages };
    },

    /** Every unit was accepted: the campaign closes (once). */
    async closeCampaign(input: { workflowId: string }) {
      await closeCampaign(db, input.workflowId);
    },

    /**
     * The benchmark floor's fan-out (workflows/campaign/bench-floor.workflow.ts): starts each unit's
     * floor starter by workflow id through the client, as `startCampaignUnits` starts the real ones,
     * with nothing else — no rows, no notices.
     */
    async benchFloorStartUnits(input: { prefix: string; units: string[]; shape: FloorShape }): Promise<{ started: number }> {
      const temporal = deps.temporal;
      if (!temporal) throw new Error('benchFloorStartUnits needs a Temporal client');
      const queue = currentTaskQueue();
      let started = 0;
      await pool(input.units, 8, async (unit) => {
        try {
          await temporal.workflow.start('benchFloorStarter', {
            workflowId: `${input.prefix}/start/${unit}`, taskQueue: queue, workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [{ evaluationId: `${input.prefix}/evaluation/${unit}`, shape: input.shape }],
          });
          started++;
        } catch (e) {
          if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
        }
        heartbeat({ unit });
      });
      return { started };
    },
  };
}

const order = (kind: CampaignReminderKind) => (kind === 'escalate_department' ? 1 : kind === 'escalate_bureau' ? 2 : 0);
