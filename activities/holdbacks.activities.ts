/**
 * Activities of the holdback workflows: read the facts from the ledger, plan due dates and
 * reminders on the working-day calendar, write progress and recorded facts back (idempotent
 * upserts / unique keys), send reminders through the notification outbox (dedupe key
 * `<workflow id>|<due date or period>|<reminder key>`, so a rescheduled due date gets fresh
 * reminders and a retry or replay never sends one twice), and start holdback workflows
 * idempotently — for every open holdback of a unit-year (`ensureHoldbackWorkflows`, called by the
 * annual evaluation) and for the retention an acceptance opens.
 *
 * Release payments are recorded as `holdback_events` rows with a deterministic payment code
 * (`<holdback>-release-<n>`), NOT as rows of the ledger's `payments`: a payment belongs to the
 * unit-year of the year it is paid in (the 2020 holdbacks are released in 2021 and later), the
 * unit-year file refuses payments dated after its year (`payment_after_year`), and the import
 * deletes `payments` rows its file does not have. The next year's report and import read them
 * with `holdbackReleasesOfUnit(db, unit, { paidIn: year })`.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { addMonths, daysBetween, isCivilDate } from '../domain/calendar/civil-date';
import { calendarNotice, warningsForDates, workingDayOnOrAfter } from '../domain/calendar/working-days';
import type {
  HoldbackEventRow, HoldbackFacts, HoldbackProgress, HoldbackRef, OpenRetentionRequest, PlannedSchedule, PlanRequest, ReminderRequest,
} from '../domain/holdbacks/model';
import { hasLedgerEvents, initialState, openedState, planFor, progressOf } from '../domain/holdbacks/machine';
import { planHoldbackSchedule, SchedulePlanError } from '../domain/holdbacks/schedule';
import { formatYuan } from '../domain/money';
import {
  claimReminder, createDerivedHoldback, holdbacksOfUnitYear, insertHoldbackEvent, loadHoldbackFacts, recordHoldbackStopped as recordHoldbackStoppedRow, writeHoldbackProgress,
} from '../db/holdbacks.repository';
// The holdback contract is the one place its workflow id, type and task queue are written;
// activities that start holdback workflows read them from there (values only, no workflow code).
import { holdbackWorkflowId, holdbackWorkflowType, type HoldbackInput, taskQueue as defaultTaskQueue } from '../workflows/holdback/contract';
import { type StopInput, stopKey } from '../db/stops';
import type { ActivityDeps } from '.';

const yuan = (fen: number) => `${formatYuan(fen, { grouping: true })}元`;
const kindZh = { retention: '质保金', om_assessment: '运维服务费（考核后支付）', acceptance: '验收后支付的尾款', milestone: '里程碑后支付的款项' } as const;
/** Each kind's short name, as the pages name it (kind.* in client/web/i18n.ts). */
const kindNameZh = { retention: '质保金', om_assessment: '运维考核款', acceptance: '验收尾款', milestone: '里程碑款' } as const;

/** The task queue of the running activity (so workflows start where this worker listens), else the default. */
function currentTaskQueue(): string {
  try {
    return Context.current().info.taskQueue;
  } catch {
    return defaultTaskQueue;
  }
}

function reminderText(r: ReminderRequest): { subject: string; body: string } {
  const what = `${r.projectName} ${kindZh[r.kind]}`;
  const amount = r.plan === 'assessment' ? yuan(r.outstandingFen) : yuan(r.payableFen > 0 ? r.payableFen : r.outstandingFen);
  const late = daysBetween(r.dueOn as never, r.reminder.date as never);
  const footer = `\n条件：${r.condition}\n（${r.ref.unitCode} / ${r.ref.year} / ${r.ref.holdbackCode}）`;
  if (r.plan === 'assessment') {
    return {
      subject: `运维考核结果未录入：${r.projectName}（${r.period ?? r.basis} 期间）`,
      body: `${what} ${amount} 正在等待 ${r.period ?? r.basis} 期间的运维考核结果，应于 ${r.dueOn} 前录入，${late > 0 ? `已超过 ${late} 天` : '今日到期'}。请录入考核结果（通过 / 未通过及系数）。\nThe O&M assessment result for ${r.period ?? r.basis} has not been recorded (expected by ${r.dueOn}).${footer}`,
    };
  }
  const head = r.plan === 'retention' ? '质保金' : '应付款项';
  if (r.reminder.kind === 'before') {
    return {
      subject: `${head}将于 ${r.dueOn} 到期：${r.projectName} ${amount}`,
      body: `${what} ${amount} 将于 ${r.dueOn} 到期应付（还有 ${-late} 天）。请提前准备支付审批。\nFalls due on ${r.dueOn}.${footer}`,
    };
  }
  if (r.reminder.kind === 'due' && !r.reminder.catchUp) {
    return { subject: `${head}今日到期：${r.projectName} ${amount}`, body: `${what} ${amount} 今日（${r.dueOn}）到期应付，请安排支付并在系统中登记支付。\nFalls due today.${footer}` };
  }
  return {
    subject: `${head}已逾期 ${late} 天未支付：${r.projectName} ${amount}`,
    body: `${what} ${amount} 已于 ${r.dueOn} 到期，至今未登记支付（逾期 ${late} 天）。请尽快支付并登记；如已支付，请登记支付以停止提醒。\nOverdue since ${r.dueOn}.${footer}`,
  };
}

export function createHoldbackActivities(deps: ActivityDeps) {
  const { db, calendar } = deps;

  async function startHoldbackWorkflow(input: HoldbackInput, queue = currentTaskQueue()): Promise<{ workflowId: string; closed: boolean }> {
    const client = deps.temporal;
    if (!client) throw ApplicationFailure.nonRetryable('未配置 Temporal 客户端，无法启动暂缓支付流程 / no Temporal client configured to start holdback workflows', 'config');
    const workflowId = holdbackWorkflowId(input.unitCode, input.year, input.holdbackCode);
    try {
      await client.workflow.start(holdbackWorkflowType, {
        workflowId,
        taskQueue: queue,
        args: [input],
        // Running: use it (idempotent start). Closed: never run it again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      return { workflowId, closed: false };
    } catch (e) {
      if (e instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, closed: true };
      throw e;
    }
  }

  function plan(req: PlanRequest): PlannedSchedule {
    try {
      return planHoldbackSchedule(calendar, req);
    } catch (e) {
      if (e instanceof SchedulePlanError) throw ApplicationFailure.nonRetryable(`${e.zh} / ${e.en}`, 'invalid_input');
      throw e;
    }
  }

  return {
    /**
     * A holdback's first start in one step: its facts from the ledger and — when the ledger holds
     * no fact to record first (an assessment, an acceptance date) — its first schedule, with the
     * progress row written (`machine.openedState`, the same state the workflow then takes).
     */
    async openHoldback(input: { ref: HoldbackRef; workflowId: string; clockOffsetMs: number; now: string }): Promise<{ facts: HoldbackFacts; opened?: { planned?: PlannedSchedule } }> {
      const facts = await loadHoldbackFacts(db, input.ref, input.workflowId);
      if (!facts) {
        throw ApplicationFailure.nonRetryable(
          `台账中没有暂缓支付 ${input.ref.unitCode}/${input.ref.year}/${input.ref.holdbackCode} / no holdback ${input.ref.unitCode}/${input.ref.year}/${input.ref.holdbackCode} in the ledger`,
          'not_found',
        );
      }
      if (hasLedgerEvents(facts)) return { facts };
      const req = planFor(initialState(facts, input.clockOffsetMs), input.now);
      const planned = req ? plan(req) : undefined;
      await writeHoldbackProgress(db, progressOf(openedState(facts, input.clockOffsetMs, planned), input.now));
      return { facts, opened: planned ? { planned } : {} };
    },

    /** Due date and reminder instants on the working-day calendar, from the workflow's (business) `now`. */
    async planHoldbackSchedule(req: PlanRequest): Promise<PlannedSchedule> {
      return plan(req);
    },

    async recordHoldbackEvent(row: HoldbackEventRow): Promise<{ inserted: boolean }> {
      return insertHoldbackEvent(db, row);
    },

    async writeHoldbackProgress(progress: HoldbackProgress): Promise<{ written: boolean }> {
      return writeHoldbackProgress(db, progress);
    },

    /**
     * The holdback's workflow stopped (run `runId`) while money is still withheld: recorded on its
     * progress and audited (once per run), and the unit's finance officers are told that its
     * reminders have stopped, with the page where they restart it. Called by the worker's stop sweeper.
     */
    async recordHoldbackStopped(input: StopInput): Promise<{ recorded: boolean; notified: number }> {
      const h = await recordHoldbackStoppedRow(db, input);
      if (!h) return { recorded: false, notified: 0 };
      const what = kindNameZh[h.kind];
      const sent = await deps.notifier.notify({
        dedupeKey: stopKey(input.workflowId, input.runId),
        unitCode: h.unitCode,
        kind: 'holdback_stopped',
        audience: { roles: ['finance_officer'] },
        subject: `暂缓支付提醒已停止：${h.projectName}${what}`,
        body: `“${h.projectName}”的${what}（尚暂缓 ${formatYuan(h.heldFen, { grouping: true })} 元）的跟踪流程已停止：${input.reason}\n此后到期和逾期都不会再提醒。已记录的考核、验收、缺陷和支付都已保存；请在该款项页面重新启动跟踪，原因未消除时请先联系系统管理员。`,
        link: `/holdbacks/${encodeURIComponent(h.unitCode)}/${h.year}/${encodeURIComponent(h.holdbackCode)}`,
        workflowId: input.workflowId,
      });
      return { recorded: true, notified: sent.recipients };
    },

    /** Claims the reminder (once per dedupe key) and hands it to the notifier (which sends each message once). */
    async sendHoldbackReminder(r: ReminderRequest): Promise<{ claimed: boolean; created: number }> {
      const { claimed, dedupeKey } = await claimReminder(db, r);
      const text = reminderText(r);
      // A due date or reminder day in a year without holiday data was counted by the weekday rule: say so, and how to fix it.
      const notice = calendarNotice(warningsForDates(calendar, [r.dueOn, r.reminder.date].filter(isCivilDate)));
      const result = await deps.notifier.notify({
        dedupeKey,
        unitCode: r.ref.unitCode,
        kind: `holdback.${r.plan}.${r.reminder.kind}`,
        audience: { roles: ['finance_officer'] },
        subject: text.subject,
        body: notice ? `${text.body}\n\n${notice.zh}` : text.body,
        link: `/holdbacks/${encodeURIComponent(r.ref.unitCode)}/${r.ref.year}/${encodeURIComponent(r.ref.holdbackCode)}`,
        workflowId: r.workflowId,
      });
      return { claimed, created: result.created };
    },

    /**
     * The retention part of an acceptance becomes a holdback of its own: a ledger row with a
     * deterministic code and its own workflow, started idempotently.
     */
    async openRetentionHoldback(req: OpenRetentionRequest & { parentFacts: HoldbackFacts; now: string }): Promise<{ workflowId: string; dueOn: string }> {
      const r = req.retention;
      if (!isCivilDate(r.warrantyStartOn)) throw ApplicationFailure.nonRetryable(`invalid warranty start ${r.warrantyStartOn}`, 'invalid_input');
      const dueOn = workingDayOnOrAfter(calendar, addMonths(r.warrantyStartOn, r.warrantyMonths)).date;
      const ref: HoldbackRef = { unitCode: req.parent.unitCode, year: req.parent.year, holdbackCode: r.holdbackCode };
      const workflowId = holdbackWorkflowId(ref.unitCode, ref.year, ref.holdbackCode);
      const f = req.parentFacts;
      await createDerivedHoldback(db, {
        workflowId,
        ref,
        kind: 'retention',
        origin: 'derived',
        parentCode: req.parent.holdbackCode,
        projectCode: f.projectCode,
        projectName: f.projectName,
        allocationCode: f.allocationCode,
        ...(f.contractCode ? { contractCode: f.contractCode } : {}),
        condition: `质保金：${r.warrantyStartOn} 验收后质保期 ${r.warrantyMonths} 个月届满支付（由 ${req.parent.holdbackCode} 转入）`,
        warrantyStartOn: r.warrantyStartOn,
        warrantyMonths: r.warrantyMonths,
        status: 'waiting',
        phase: 'warranty',
        awaiting: 'warranty_end',
        amounts: { amountFen: r.amountFen, heldFen: r.amountFen, payableFen: 0, releasedFen: 0, forfeitedFen: 0, transferredFen: 0 },
        nextDueOn: dueOn,
        remindersSent: 0,
        version: 0,
        at: req.now,
      });
      await startHoldbackWorkflow({
        ...ref,
        ...(req.clockOffsetMs ? { clockOffsetMs: req.clockOffsetMs } : {}),
        ...(req.continueAsNewAfterEvents ? { continueAsNewAfterEvents: req.continueAsNewAfterEvents } : {}),
      });
      return { workflowId, dueOn };
    },

    /**
     * Starts (or finds running) one holdback workflow per open holdback of the unit-year —
     * idempotent: a running one is used as is, a closed one is never started again.
     */
    async ensureHoldbackWorkflows(input: {
      unitCode: string;
      year: number;
      /** Business clock offset of the workflows (tests, back-fills); defaults to the worker's `clockShiftMs`. */
      clockOffsetMs?: number;
      /** Where to run them; defaults to this activity's task queue (or `selfeval` outside an activity). */
      taskQueue?: string;
    }): Promise<{ workflowIds: string[]; closed: string[] }> {
      const holdbacks = (await holdbacksOfUnitYear(db, input.unitCode, input.year)).filter((h) => h.open);
      const offset = input.clockOffsetMs ?? deps.clockShiftMs ?? 0;
      const workflowIds: string[] = [];
      const closed: string[] = [];
      const queue = [...holdbacks];
      const worker = async () => {
        for (let h = queue.shift(); h; h = queue.shift()) {
          const started = await startHoldbackWorkflow(
            { unitCode: input.unitCode, year: input.year, holdbackCode: h.holdbackCode, ...(offset ? { clockOffsetMs: offset } : {}) },
            input.taskQueue ?? currentTaskQueue(),
          );
          (started.closed ? closed : workflowIds).push(started.workflowId);
          try {
            Context.current().heartbeat();
          } catch {
            // not in an activity (a script calling this directly)
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(16, holdbacks.length) }, worker));
      return { workflowIds: workflowIds.sort(), closed: closed.sort() };
    },
  };
}
