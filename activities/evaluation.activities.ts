/**
 * Activities of the annual evaluation: open it (snapshot, due date on the working-day calendar),
 * keep the tasks projection and the evaluation row current, plan and send reminders, record
 * submissions and decisions, reconcile and score. All idempotent: a retried or replayed call
 * writes the same rows once and sends nothing twice.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { canonicalJson } from '../domain/canonical-json';
import { type CivilDate, addDays, civilDateOf, instantAt, toEpochMs } from '../domain/calendar/civil-date';
import { addWorkingDays, type CalendarWarning, calendarNotice, mergeWarnings, reminderSchedule, sectionTaskReminderSchedule, warningsForDates } from '../domain/calendar/working-days';
import { analyseUnitYear } from '../domain/ledger/analysis';
import { analyseStored, saveSelfAssessment } from '../db/scoring.repository';
import { ruleSetOf } from '../domain/rule-sets';
import { outlineFor } from '../domain/report/compose';
import { pinEvaluationChoices, ruleSetCatalog } from '../db/rule-sets.repository';
import { type SelfAssessmentEntry, assessmentScope, valueKindOf } from '../domain/self-assessment';
import type { SectionSubmission } from '../domain/submission';
import { loadUnitYear, unitYearContentHash } from '../db/ledger.repository';
import { unitIdOf } from '../db/notifications.repository';
import {
  audit, auditStop, ensureEvaluation, evaluationByWorkflow, openTaskRow, recordStopped, saveDecision, saveFindings, saveScore, saveTaskSubmission, sectionOf, evaluationIdOf, setStage,
  taskRow, taskRunsOfEvaluation, unitYearKeys, updateTaskRow,
} from '../db/evaluations.repository';
import type { EvaluationStage, StoppedState } from '../db/schema';
import { campaignOfUnitYear, setCampaignUnitState } from '../db/campaigns.repository';
import { type EvaluationOptions, type EvaluationReminderTopic, evaluationId, type ReturnedReason } from '../workflows/evaluation/contract';
import { type StopInput, stopKey } from '../db/stops';
import type { ActivityDeps } from '.';
import { createHash } from 'node:crypto';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** A person's words as a sentence: ends with a full stop unless it already ends a sentence. */
const sentence = (text: string) => (/[。！？.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}。`);

/** The page where the finance officer values the indicators (the self-assessment task's link). */
export const assessmentLink = (unitCode: string, year: number) => `/units/${encodeURIComponent(unitCode)}/years/${year}/self-assessment`;
/** The unit-year's dashboard (stage, tasks, findings to acknowledge). */
export const dashboardLink = (unitCode: string, year: number) => `/units/${encodeURIComponent(unitCode)}/years/${year}`;
/** The unit-year's report page (drafts to approve, the issued report). */
export const reportLink = (unitCode: string, year: number) => `/units/${encodeURIComponent(unitCode)}/years/${year}/report`;

/** How the stopped run's message puts it. */
const STOPPED_WORDS: Record<StoppedState, string> = { failed: '因故中止', cancelled: '已被取消', terminated: '已被终止', timed_out: '超过运行时限而中止' };

/** Dedupe-key prefix of the "import the ledger" messages of one unit-year's scheduled start. */
const yearlyLedgerKey = (unitCode: string, year: number) => `evaluation-schedule/${unitCode}/${year}|ledger-missing`;

/** Working-day reminder events, in workflow (server) time. */
export interface ReminderEvent {
  key: string;
  kind: 'before' | 'due' | 'after' | 'escalation';
  at: string;
}

export function createEvaluationActivities(deps: ActivityDeps) {
  const { db, calendar } = deps;
  const shift = deps.clockShiftMs ?? 0;
  /** Workflow time → business time (they differ only in tests that pin the calendar). */
  const business = (iso: string) => toEpochMs(iso) + shift;
  const server = (iso: string) => new Date(toEpochMs(iso) - shift).toISOString();
  const dateText = (iso: string) => {
    const [y, m, d] = civilDateOf(business(iso)).split('-').map(Number) as [number, number, number];
    return `${y}年${m}月${d}日`;
  };
  /** Business "today" of the worker (the day a message goes out). */
  const today = () => civilDateOf(Date.now() + shift);
  /**
   * A message that names dates: the calendar notice for every year among them (and today) that has
   * no holiday data, as a paragraph to append — never silence about a guessed working day.
   */
  const calendarParagraph = (...instants: string[]) => {
    const n = calendarNotice(warningsForDates(calendar, [today(), ...instants.map((i) => civilDateOf(business(i)))]));
    return n ? `\n\n${n.zh}` : '';
  };

  /** The failure when the unit-year is not in the database (it ends the evaluation's run; its message is the reason people are told). */
  const noUnitYear = (unitCode: string, year: number) =>
    ApplicationFailure.nonRetryable(`账套中没有 ${unitCode} ${year} 年度，请先导入账套 / no unit-year ${unitCode} ${year} in the ledger: import it first`, 'not_found');

  async function keys(unitCode: string, year: number) {
    const k = await unitYearKeys(db, unitCode, year);
    if (!k) throw noUnitYear(unitCode, year);
    return k;
  }

  return {
    /** The year a yearly start evaluates: the one that ended before today (Asia/Shanghai). */
    async evaluationYear(input: { now: string }): Promise<{ year: number }> {
      return { year: Number(civilDateOf(business(input.now)).slice(0, 4)) - 1 };
    },

    async openEvaluation(input: { workflowId: string; unitCode: string; year: number; startedBy: string; now: string; options: EvaluationOptions }) {
      const k = await keys(input.unitCode, input.year);
      const unitYear = await loadUnitYear(db, { unitCode: input.unitCode, year: input.year });
      if (!unitYear) throw noUnitYear(input.unitCode, input.year);
      const reminderTime = input.options.reminderTime ?? '09:00';
      const startDate = civilDateOf(business(input.now));
      const counted = input.options.dueDate ? undefined : addWorkingDays(calendar, startDate, input.options.dueInWorkingDays ?? 10);
      const dueDate: CivilDate = counted ? counted.date : (input.options.dueDate as CivilDate);
      // Years among the start, the due date and the days counted between them without holiday data.
      const calendarWarnings = mergeWarnings(counted?.warnings ?? [], warningsForDates(calendar, [startDate, dueDate]));
      // Due at the end of the working day.
      const dueAt = server(instantAt(dueDate, '18:00'));
      const snapshotSha256 = unitYearContentHash(unitYear);
      const evaluation = await ensureEvaluation(db, { unitYearId: k.unitYearId, workflowId: input.workflowId, startedBy: input.startedBy, dueAt, snapshotSha256, snapshot: unitYear });
      // The rule set (latest version of the unit-year's choice) and report outline the evaluation is
      // scored and reported under, recorded here once: adding a newer version later changes neither.
      const catalog = await ruleSetCatalog(db);
      // A unit-year a bureau's campaign covers is evaluated under the campaign's rule set version and outline.
      const campaign = await campaignOfUnitYear(db, input.unitCode, input.year);
      const pinned = await pinEvaluationChoices(db, {
        workflowId: input.workflowId, unitId: k.unitId, actor: input.startedBy,
        ruleSet: campaign ? campaign.ruleSet : (({ id, version }) => ({ id, version }))(ruleSetOf(unitYear, catalog)), outline: campaign?.outline || outlineFor(unitYear.outline).id,
      });
      if (campaign) await setCampaignUnitState(db, { unitCode: input.unitCode, year: input.year, state: 'started' });
      const ruleSet = catalog(pinned.ruleSet.id, pinned.ruleSet.version) ?? ruleSetOf(unitYear, catalog);
      const sections = unitYear.unit.sections;
      const financeScope = assessmentScope(ruleSet, sections, { kind: 'finance_officer' });
      await audit(db, { actor: input.startedBy, unitId: k.unitId, action: 'evaluation.start', subject: input.workflowId, details: { dueAt, snapshotSha256, ruleSet: ruleSet.id }, dedupeKey: `${input.workflowId}|start` });
      // A restarted evaluation (its earlier run failed) finds its tasks' rows: its tasks open as their next run.
      const priorRuns = evaluation.created ? {} : Object.fromEntries((await taskRunsOfEvaluation(db, evaluation.id)).map((t) => [t.workflowId, t.run]));
      return {
        evaluationId: evaluation.id,
        unitYearId: k.unitYearId,
        dueAt,
        escalateAfterWorkingDays: input.options.escalateAfterWorkingDays ?? 3,
        reminderTime,
        sections: sections.map((s) => ({ code: s.code, name: s.name, assesses: assessmentScope(ruleSet, sections, { kind: 'section', section: s.code }).map((i) => i.id) })),
        ruleSet,
        /** The indicators the finance officer may value (qualitative ones, surveys; explanations and 不适用 of computed ones). */
        financeScope: financeScope.map((i) => i.id),
        /** Whether some of them only a person can value (a tier or a survey): then the finance officer has a task. */
        financeMustAssess: financeScope.some((i) => valueKindOf(i) !== 'computed'),
        /** Years without holiday data the due date was counted across (shown on the dashboard). */
        calendarWarnings,
        /** Task workflow id → the last run an earlier (failed) run of this evaluation gave it. */
        priorRuns,
        /** The campaign covering the unit-year (its report is reviewed above the unit after the issue), or null. */
        campaign: campaign ? { workflowId: campaign.workflowId } : null,
      };
    },

    /**
     * A run of the evaluation stopped without issuing: recorded on its row and audited (once per
     * run), and the finance officer and the unit head are told why, with the dashboard where they
     * restart it. What was submitted, acknowledged and drafted stays.
     */
    async recordEvaluationStopped(input: StopInput & { unitCode: string; year: number }) {
      // The unit, even when the run stopped for want of its unit-year.
      const unitId = await unitIdOf(db, input.unitCode);
      if (unitId === undefined) return { recorded: false, notified: 0 };
      const recorded = await recordStopped(db, { workflowId: input.workflowId, unitId, runId: input.runId, state: input.state, reason: input.reason });
      const what = STOPPED_WORDS[input.state];
      const sent = await deps.notifier.notify({
        dedupeKey: stopKey(input.workflowId, input.runId),
        unitCode: input.unitCode,
        kind: 'evaluation_stopped',
        audience: { roles: ['finance_officer', 'unit_head'] },
        subject: `${input.year}年度绩效自评${what}，需要重新启动`,
        body: `${input.year}年度绩效自评${what}：${input.reason}\n已提交的材料、已确认的差异和已生成的草稿都已保存。请财务人员在本年度页面查看原因后重新启动评价；原因未消除时请先联系系统管理员。`,
        link: dashboardLink(input.unitCode, input.year),
        workflowId: input.workflowId,
      });
      return { recorded, notified: sent.recipients };
    },

    /**
     * A yearly starter (a unit's Schedule, or a bureau's campaign) stopped before it started the
     * year's evaluation — typically while it waited for the ledger, after telling the finance
     * officer that the evaluation would begin by itself once the ledger is imported. That is no
     * longer so: audited once per run, and the finance officers are told to start it themselves.
     * Nothing to record when the evaluation has its row (started by hand, or by another starter;
     * the sweeper also asks Temporal when it knows the year).
     * `year` is the starter's (given, or carried by a long wait); absent, the year just closed
     * when the run started, as the starter works it out. Called by the worker's stop sweeper.
     */
    async recordStarterStopped(input: StopInput & { unitCode: string; year?: number; startedAt: string }): Promise<{ recorded: boolean; notified: number }> {
      const unitId = await unitIdOf(db, input.unitCode);
      if (unitId === undefined) return { recorded: false, notified: 0 };
      const year = input.year ?? Number(civilDateOf(business(input.startedAt)).slice(0, 4)) - 1;
      const evaluation = evaluationId(input.unitCode, year);
      if (await evaluationByWorkflow(db, evaluation)) return { recorded: false, notified: 0 };
      const present = (await unitYearKeys(db, input.unitCode, year)) !== undefined;
      await auditStop(db, 'evaluation_start', input, unitId);
      const sent = await deps.notifier.notify({
        dedupeKey: stopKey(input.workflowId, input.runId),
        unitCode: input.unitCode,
        kind: 'evaluation_start_stopped',
        audience: { roles: ['finance_officer'] },
        subject: `${year}年度绩效自评没有自动开始，请手动启动`,
        body:
          `按计划启动本单位${year}年度部门整体支出绩效自评的流程${STOPPED_WORDS[input.state]}：${input.reason}\n` +
          (present
            ? `${year}年度账套已导入，但评价没有开始。请在本年度页面启动评价。`
            : `此前“导入账套后评价会自动开始”的通知不再适用：导入${year}年度账套后，请在本年度页面启动评价（或用命令 selfeval start）。`),
        link: present ? dashboardLink(input.unitCode, year) : `/units/${encodeURIComponent(input.unitCode)}`,
        workflowId: input.workflowId,
      });
      return { recorded: true, notified: sent.recipients };
    },

    async setEvaluationStage(input: { workflowId: string; stage: EvaluationStage }) {
      await setStage(db, input.workflowId, input.stage);
    },

    async openTask(input: { taskWorkflowId: string; evaluationWorkflowId: string; unitCode: string; year: number; section: string; run: number; dueAt: string; returnedReason?: string; restarted?: boolean }) {
      const k = await keys(input.unitCode, input.year);
      const evaluationRowId = await evaluationIdOf(db, input.evaluationWorkflowId);
      if (evaluationRowId === undefined) throw new Error(`evaluation ${input.evaluationWorkflowId} has no row yet`);
      const section = await sectionOf(db, k.unitId, input.section);
      await openTaskRow(db, { evaluationId: evaluationRowId, unitId: k.unitId, sectionId: section.id, kind: 'section', workflowId: input.taskWorkflowId, run: input.run, dueAt: input.dueAt, ...(input.returnedReason ? { returnedReason: input.returnedReason } : {}), ...(input.restarted ? { restarted: true } : {}) });
      const returned = input.run > 1 && !input.restarted;
      await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|assigned`,
        unitCode: input.unitCode,
        kind: returned ? 'task_returned' : 'task_assigned',
        audience: { roles: ['section_head'], section: input.section },
        subject: returned ? `${input.year}年度绩效自评：${section.name}材料被退回修改` : `${input.year}年度绩效自评：请填报${section.name}材料`,
        body: (returned
          ? `${section.name}的自评材料已被退回修改，原因：${input.returnedReason ?? '（未说明）'}。请于${dateText(input.dueAt)}前重新提交。`
          : `${input.restarted ? '本年度绩效自评已重新启动。' : ''}请于${dateText(input.dueAt)}前提交${section.name}的工作成效、产出指标、存在问题和改进措施。`) + calendarParagraph(input.dueAt),
        link: `/tasks/${encodeURIComponent(input.taskWorkflowId)}`,
        workflowId: input.taskWorkflowId,
        robots: false,
      });
    },

    /**
     * Opens the finance officer's self-assessment task row and tells them. Idempotent per (workflow, run).
     * A run a reviewer above the unit reopened says which indicators and why.
     */
    async openAssessmentTask(input: { taskWorkflowId: string; evaluationWorkflowId: string; unitCode: string; year: number; run: number; dueAt: string; restarted?: boolean; returned?: { reason: string; indicators: string[] } }) {
      const k = await keys(input.unitCode, input.year);
      const evaluationRowId = await evaluationIdOf(db, input.evaluationWorkflowId);
      if (evaluationRowId === undefined) throw new Error(`evaluation ${input.evaluationWorkflowId} has no row yet`);
      await openTaskRow(db, {
        evaluationId: evaluationRowId, unitId: k.unitId, sectionId: null, kind: 'self_assessment', workflowId: input.taskWorkflowId, run: input.run, dueAt: input.dueAt,
        ...(input.restarted ? { restarted: true } : {}), ...(input.returned ? { returnedReason: input.returned.reason } : {}),
      });
      await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|assigned`,
        unitCode: input.unitCode,
        kind: input.returned ? 'task_returned' : 'task_assigned',
        audience: { roles: ['finance_officer'] },
        subject: input.returned ? `${input.year}年度绩效自评：复核退回，请重新评价${input.returned.indicators.length}项指标` : `${input.year}年度绩效自评：请完成单位自评打分`,
        body: input.returned
          ? `复核意见：${sentence(input.returned.reason)}请于${dateText(input.dueAt)}前重新评价（或说明）退回的指标后提交，其他指标保持原自评不变。${calendarParagraph(input.dueAt)}`
          : `${input.restarted ? '本年度绩效自评已重新启动。' : ''}请于${dateText(input.dueAt)}前完成定性指标的自评（评价档次、得分、扣分原因和佐证材料）及满意度调查数据，可在各科室填报期间同时进行。${calendarParagraph(input.dueAt)}`,
        link: assessmentLink(input.unitCode, input.year),
        workflowId: input.taskWorkflowId,
        robots: false,
      });
    },

    async sendAssessmentReminder(input: { taskWorkflowId: string; unitCode: string; year: number; run: number; dueAt: string; key: string; kind: 'before' | 'due' | 'after' }) {
      const due = dateText(input.dueAt);
      const subject = input.kind === 'before' ? `提醒：单位自评打分将于${due}到期` : input.kind === 'due' ? `提醒：单位自评打分今日（${due}）到期` : `催办：单位自评打分已逾期（应于${due}完成）`;
      const result = await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'task_reminder',
        audience: { roles: ['finance_officer'] },
        subject,
        body: `${subject}。请登录系统完成自评并提交。${calendarParagraph(input.dueAt)}`,
        link: assessmentLink(input.unitCode, input.year),
        workflowId: input.taskWorkflowId,
        robots: input.kind === 'after',
      });
      if (result.created > 0) await updateTaskRow(db, input.taskWorkflowId, input.run, input.kind === 'after' ? { state: 'overdue' } : {}, { countReminder: true });
      return result;
    },

    /** The self-assessment is overdue: the unit head is told (the finance officer is the one reminded). */
    async escalateAssessmentTask(input: { taskWorkflowId: string; unitCode: string; year: number; run: number; dueAt: string; key: string }) {
      const result = await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'task_escalated',
        audience: { roles: ['unit_head'] },
        subject: `督办：${input.year}年度单位自评打分逾期未完成`,
        body: `财务人员的单位自评打分应于${dateText(input.dueAt)}完成，至今未提交；未完成前评价不能进入对账和评分。${calendarParagraph(input.dueAt)}`,
        link: assessmentLink(input.unitCode, input.year),
        workflowId: input.taskWorkflowId,
      });
      if (result.created > 0) await updateTaskRow(db, input.taskWorkflowId, input.run, { escalated_at: new Date() });
      return result;
    },

    async updateAssessmentTaskDue(input: { taskWorkflowId: string; unitCode: string; year: number; run: number; dueAt: string; actor: string; reason?: string }) {
      await updateTaskRow(db, input.taskWorkflowId, input.run, { due_at: input.dueAt, state: 'open' });
      const task = await taskRow(db, input.taskWorkflowId);
      await audit(db, { actor: input.actor, unitId: task?.unit_id ?? null, action: 'task.extend_due', subject: input.taskWorkflowId, details: { dueAt: input.dueAt, reason: input.reason ?? null }, dedupeKey: `${input.taskWorkflowId}|run${input.run}|due|${input.dueAt}` });
      await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|due-moved|${input.dueAt}`,
        unitCode: input.unitCode,
        kind: 'task_due_changed',
        audience: { roles: ['finance_officer'] },
        subject: `单位自评打分期限调整为${dateText(input.dueAt)}`,
        body: `单位自评打分的完成期限已调整为${dateText(input.dueAt)}${input.reason ? `（${input.reason}）` : ''}。${calendarParagraph(input.dueAt)}`,
        link: assessmentLink(input.unitCode, input.year),
        workflowId: input.taskWorkflowId,
        robots: false,
      });
    },

    /** The submitted self-assessment replaces the stored one (already checked by the task's validator). */
    /** Stores the submitted self-assessment (all of it; or, `replaceOnly`, the entries given — a run a reviewer reopened). */
    async recordSelfAssessment(input: { taskWorkflowId: string; unitCode: string; year: number; run: number; actor: string; entries: SelfAssessmentEntry[]; at: string; replaceOnly?: boolean }) {
      const k = await keys(input.unitCode, input.year);
      const user = await db.selectFrom('users').select('id').where('email', '=', input.actor).executeTakeFirst();
      await saveSelfAssessment(db, { unitYearId: k.unitYearId, unitId: k.unitId, entries: input.entries, userId: user?.id ?? null, actor: input.actor, dedupeKey: `${input.taskWorkflowId}|run${input.run}|save`, ...(input.replaceOnly ? { replaceOnly: true } : {}) });
      await updateTaskRow(db, input.taskWorkflowId, input.run, { state: 'submitted', submitted_by: input.actor, submitted_at: input.at });
      await audit(db, { actor: input.actor, unitId: k.unitId, action: 'task.submit', subject: input.taskWorkflowId, details: { run: input.run, indicators: input.entries.map((e) => e.indicator) }, dedupeKey: `${input.taskWorkflowId}|run${input.run}|submit` });
    },

    /** Reminder instants for a due date: 3 and 1 working days before, at due, every 2 after; escalation N working days after due. */
    async planTaskReminders(input: { dueAt: string; now: string; escalateAfterWorkingDays: number; reminderTime: string }): Promise<{ events: ReminderEvent[]; calendarWarnings: CalendarWarning[] }> {
      const due = civilDateOf(business(input.dueAt));
      const now = business(input.now);
      // Plan the next ~3 months of "every 2 working days"; the workflow asks again when they run out.
      const until = addDays(civilDateOf(Math.max(now, business(input.dueAt))), 90);
      const schedule = sectionTaskReminderSchedule(calendar, { due, timeOfDay: input.reminderTime, afterUntil: until });
      const escalation = addWorkingDays(calendar, schedule.due, input.escalateAfterWorkingDays);
      const events: ReminderEvent[] = [
        ...schedule.reminders.map((r) => ({ key: `${due}:${r.key}`, kind: r.kind, at: r.at })),
        { key: `${due}:escalate`, kind: 'escalation' as const, at: instantAt(escalation.date, input.reminderTime) },
      ]
        .filter((e) => toEpochMs(e.at) > now)
        // Same instant: the section head's reminder first, then the escalation.
        .sort((a, b) => toEpochMs(a.at) - toEpochMs(b.at) || (a.kind === 'escalation' ? 1 : 0) - (b.kind === 'escalation' ? 1 : 0))
        .map((e) => ({ ...e, at: server(e.at) }));
      return { events, calendarWarnings: mergeWarnings(schedule.warnings, escalation.warnings) };
    },

    async sendTaskReminder(input: { taskWorkflowId: string; unitCode: string; section: string; sectionName: string; run: number; dueAt: string; key: string; kind: 'before' | 'due' | 'after' }) {
      const due = dateText(input.dueAt);
      const subject =
        input.kind === 'before' ? `提醒：${input.sectionName}自评材料将于${due}到期` : input.kind === 'due' ? `提醒：${input.sectionName}自评材料今日（${due}）到期` : `催办：${input.sectionName}自评材料已逾期（应于${due}提交）`;
      const result = await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'task_reminder',
        audience: { roles: ['section_head'], section: input.section },
        subject,
        body: `${subject}。请登录系统填报并提交。${calendarParagraph(input.dueAt)}`,
        link: `/tasks/${encodeURIComponent(input.taskWorkflowId)}`,
        workflowId: input.taskWorkflowId,
        robots: input.kind === 'after',
      });
      if (result.created > 0) {
        await updateTaskRow(db, input.taskWorkflowId, input.run, input.kind === 'after' ? { state: 'overdue' } : {}, { countReminder: true });
      }
      return result;
    },

    async escalateTask(input: { taskWorkflowId: string; unitCode: string; section: string; sectionName: string; run: number; dueAt: string; key: string }) {
      const result = await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'task_escalated',
        audience: { roles: ['finance_officer'] },
        subject: `督办：${input.sectionName}自评材料逾期未交`,
        body: `${input.sectionName}的自评材料应于${dateText(input.dueAt)}提交，至今未交。可延长期限、催办，或在说明原因后不待该科室材料继续评价。${calendarParagraph(input.dueAt)}`,
        // The task's id names its year (`evaluation/<unit>/<year>/task/<section>`): the dashboard where the finance officer can act.
        link: dashboardLink(input.unitCode, Number(/\/(\d{4})\/task\//.exec(input.taskWorkflowId)?.[1] ?? 0)),
        workflowId: input.taskWorkflowId,
      });
      if (result.created > 0) await updateTaskRow(db, input.taskWorkflowId, input.run, { escalated_at: new Date() });
      return result;
    },

    async recordSubmission(input: { taskWorkflowId: string; unitCode: string; year: number; section: string; run: number; actor: string; submission: SectionSubmission; at: string }) {
      const k = await keys(input.unitCode, input.year);
      const section = await sectionOf(db, k.unitId, input.section);
      await saveTaskSubmission(db, { unitYearId: k.unitYearId, sectionId: section.id, position: section.position, content: { ...input.submission, section: input.section } });
      await updateTaskRow(db, input.taskWorkflowId, input.run, { state: 'submitted', submitted_by: input.actor, submitted_at: input.at });
      await audit(db, { actor: input.actor, unitId: k.unitId, action: 'task.submit', subject: input.taskWorkflowId, details: { run: input.run }, dedupeKey: `${input.taskWorkflowId}|run${input.run}|submit` });
    },

    async updateTaskDue(input: { taskWorkflowId: string; unitCode: string; section: string; sectionName: string; run: number; dueAt: string; actor: string; reason?: string }) {
      await updateTaskRow(db, input.taskWorkflowId, input.run, { due_at: input.dueAt, state: 'open' });
      const task = await taskRow(db, input.taskWorkflowId);
      await audit(db, { actor: input.actor, unitId: task?.unit_id ?? null, action: 'task.extend_due', subject: input.taskWorkflowId, details: { dueAt: input.dueAt, reason: input.reason ?? null }, dedupeKey: `${input.taskWorkflowId}|run${input.run}|due|${input.dueAt}` });
      await deps.notifier.notify({
        dedupeKey: `${input.taskWorkflowId}|run${input.run}|due-moved|${input.dueAt}`,
        unitCode: input.unitCode,
        kind: 'task_due_changed',
        audience: { roles: ['section_head'], section: input.section },
        subject: `${input.sectionName}自评材料提交期限调整为${dateText(input.dueAt)}`,
        body: `${input.sectionName}自评材料的提交期限已调整为${dateText(input.dueAt)}${input.reason ? `（${input.reason}）` : ''}。${calendarParagraph(input.dueAt)}`,
        link: `/tasks/${encodeURIComponent(input.taskWorkflowId)}`,
        workflowId: input.taskWorkflowId,
        robots: false,
      });
    },

    async closeTask(input: { taskWorkflowId: string; unitCode: string; section: string; actor: string; reason: string }) {
      const task = await taskRow(db, input.taskWorkflowId);
      if (!task) return;
      await updateTaskRow(db, input.taskWorkflowId, task.run, { state: 'cancelled', cancelled_reason: input.reason });
    },

    async recordDecision(input: { workflowId: string; unitCode: string; action: string; actor: string; subject: string; details: Record<string, unknown>; dedupeKey: string | null }) {
      const unitId = (await unitIdOf(db, input.unitCode)) ?? null;
      await audit(db, { actor: input.actor, unitId, action: input.action, subject: input.subject, details: input.details, dedupeKey: input.dedupeKey });
      if (input.action === 'evaluation.acknowledge_findings') await saveDecision(db, input.workflowId, { acknowledgedBy: input.actor });
      if (input.action === 'evaluation.approve') await saveDecision(db, input.workflowId, { approvedBy: input.actor });
      // The approved draft was not issued (what it reads changed): the approval no longer stands.
      if (input.action === 'evaluation.issue_stopped') await saveDecision(db, input.workflowId, { approvalWithdrawn: true });
    },

    /** Reconciles the ledger as it is now (it may have been corrected since the start). */
    async runReconciliation(input: { workflowId: string; unitCode: string; year: number }) {
      const unitYear = await loadUnitYear(db, { unitCode: input.unitCode, year: input.year });
      if (!unitYear) throw noUnitYear(input.unitCode, input.year);
      const analysis = analyseUnitYear(unitYear);
      const findings = analysis.reconciliation.findings;
      const findingsSha = sha256(canonicalJson(findings));
      await saveFindings(db, input.workflowId, { findings, ageing: analysis.ageing }, findingsSha, { sha256: unitYearContentHash(unitYear), content: unitYear });
      return { total: findings.length, blocking: findings.filter((f) => f.blocking).length, sha256: findingsSha };
    },

    async scoreEvaluation(input: { workflowId: string; unitCode: string; year: number }) {
      const stored = await analyseStored(db, input.unitCode, input.year);
      if (!stored) throw noUnitYear(input.unitCode, input.year);
      const { analysis } = stored;
      await saveScore(db, input.workflowId, analysis.score);
      return { totalCp: analysis.score.totalCp, grade: analysis.score.grade?.zh ?? null, final: analysis.score.final };
    },

    async notifyEvaluation(input: { workflowId: string; unitCode: string; year: number; event: 'findings' | 'approval' | 'issued'; key: string; blocking: number; note?: string }) {
      const dashboard = dashboardLink(input.unitCode, input.year);
      const report = reportLink(input.unitCode, input.year);
      const messages = {
        findings: { roles: ['finance_officer' as const], subject: `${input.year}年度绩效自评：对账发现${input.blocking}项需确认`, body: `对账发现${input.blocking}项需要确认或更正的差异。请核对后确认，或更正账目后重新对账。`, link: dashboard },
        // The key of an approval is the draft's version (evaluations after the approval patch say so in `note` too).
        approval: { roles: ['unit_head' as const], subject: `${input.year}年度绩效自评报告待审批`, body: `第${input.key}版自评报告（草稿）已生成，请审阅后批准签发或退回。`, link: report },
        issued: { roles: ['finance_officer' as const, 'unit_head' as const, 'section_head' as const], subject: `${input.year}年度绩效自评报告已签发`, body: `自评报告已签发（sha256 ${input.key.slice(0, 16)}…），可在系统中下载。`, link: report },
      }[input.event];
      return deps.notifier.notify({
        dedupeKey: `${input.workflowId}|${input.event}|${input.key}`,
        unitCode: input.unitCode,
        kind: `evaluation_${input.event}`,
        audience: { roles: messages.roles },
        subject: messages.subject,
        body: input.note ? `${messages.body}${input.note}` : messages.body,
        link: messages.link,
        workflowId: input.workflowId,
      });
    },

    /**
     * Reminder instants while the evaluation waits for a person (the unit head's approval, the
     * finance officer's acknowledgement or correction): every `everyWorkingDays` working days after
     * the wait began, at the reminder time, for the next ~3 months from `now` (the workflow asks
     * again when they run out). Keys (`after-<i>`) count from the start of the wait, so a re-plan
     * gives the same keys.
     */
    async planWaitReminders(input: { since: string; now: string; reminderTime: string; everyWorkingDays?: number }): Promise<{ events: ReminderEvent[]; calendarWarnings: CalendarWarning[] }> {
      const since = civilDateOf(business(input.since));
      const now = business(input.now);
      const schedule = reminderSchedule(calendar, {
        due: since, timeOfDay: input.reminderTime, unit: 'working_days', before: [], every: input.everyWorkingDays ?? 2, moveDueToWorkingDay: false,
        afterUntil: addDays(civilDateOf(Math.max(now, business(input.since))), 90),
      });
      const events = schedule.reminders
        .filter((r) => r.kind === 'after' && toEpochMs(r.at) > now)
        .map((r) => ({ key: r.key, kind: 'after' as const, at: server(r.at) }));
      return { events, calendarWarnings: schedule.warnings };
    },

    /** Reminds whoever the evaluation waits for. Idempotent per key (the workflow gives one per wait and reminder). */
    async remindEvaluation(input: { workflowId: string; unitCode: string; year: number; topic: EvaluationReminderTopic; key: string; since: string; reportVersion?: number | null; blocking?: number }) {
      const since = dateText(input.since);
      const messages = {
        approval: {
          roles: ['unit_head' as const],
          subject: `提醒：${input.year}年度绩效自评报告（第${input.reportVersion ?? ''}版草稿）待您审批`,
          body: `第${input.reportVersion ?? ''}版自评报告草稿自${since}起等待审批。请审阅后批准签发，或说明原因退回财务人员修改。`,
          link: reportLink(input.unitCode, input.year),
        },
        acknowledgement: {
          roles: ['finance_officer' as const],
          subject: `提醒：${input.year}年度绩效自评对账发现${input.blocking ?? ''}项差异待确认`,
          body: `对账发现的${input.blocking ?? ''}项差异自${since}起等待确认。请核对后确认，或更正账目后重新对账；确认前评价不能进入评分和出具报告。`,
          link: dashboardLink(input.unitCode, input.year),
        },
        correction: {
          roles: ['finance_officer' as const],
          subject: `提醒：${input.year}年度绩效自评报告退回修改，待您更正后重新提交`,
          body: `自评报告自${since}起退回修改。请按退回意见更正账目、基础数据表或单位自评后，在系统中提交“已更正”，系统将重新对账、评分并生成新的草稿报请审批。`,
          link: dashboardLink(input.unitCode, input.year),
        },
      }[input.topic];
      return deps.notifier.notify({
        dedupeKey: `${input.workflowId}|remind|${input.topic}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'evaluation_reminder',
        audience: { roles: messages.roles },
        subject: messages.subject,
        body: `${messages.subject.replace(/^提醒：/, '')}。${messages.body}${calendarParagraph(input.since)}`,
        link: messages.link,
        workflowId: input.workflowId,
      });
    },

    /**
     * The evaluation is back with the finance officer: sent back by the unit head with a reason, or
     * stopped before issuing because what the report reads changed after the draft was approved
     * (then the unit head is told too: their approval was not used). One message per occasion.
     */
    async notifyReturned(input: { workflowId: string; unitCode: string; year: number; returned: ReturnedReason }) {
      const r = input.returned;
      const version = r.reportVersion ?? 0;
      const changed = r.kind === 'changed_after_approval';
      const subject = changed
        ? `${input.year}年度绩效自评报告未签发：批准后报告内容有变化`
        : `${input.year}年度绩效自评报告第${version}版被退回修改`;
      const body = changed
        ? `第${version}版草稿已经${r.by}批准，但签发前重新核对发现，报告所依据的内容在批准后发生了变化：${sentence(r.reason)}报告没有签发。请核实（如属误操作请恢复原数据）后在系统中提交“已更正”，系统将生成新的草稿并再次报请审批。`
        : `单位负责人${r.by}退回了第${version}版自评报告草稿，原因：${sentence(r.reason)}请更正账目、基础数据表或单位自评（也可退回科室材料）后，在系统中提交“已更正”，系统将重新对账、评分并生成新版草稿报请审批。`;
      return deps.notifier.notify({
        dedupeKey: `${input.workflowId}|returned|${r.kind}|v${version}`,
        unitCode: input.unitCode,
        kind: changed ? 'evaluation_issue_stopped' : 'evaluation_sent_back',
        audience: { roles: changed ? ['finance_officer', 'unit_head'] : ['finance_officer'] },
        subject,
        body,
        link: dashboardLink(input.unitCode, input.year),
        workflowId: input.workflowId,
      });
    },

    /** Years without holiday data among the given instants (a moved due date, for the dashboard). */
    async calendarWarningsFor(input: { instants: string[] }): Promise<{ calendarWarnings: CalendarWarning[] }> {
      return { calendarWarnings: warningsForDates(calendar, input.instants.map((i) => civilDateOf(business(i)))) };
    },

    /** Whether the unit-year's ledger has been imported (the yearly starter waits for it). */
    async unitYearPresent(input: { unitCode: string; year: number }): Promise<{ present: boolean }> {
      return { present: (await unitYearKeys(db, input.unitCode, input.year)) !== undefined };
    },

    /** The yearly start found no ledger for the year: the finance officer is asked to import it (once per key). */
    async remindLedgerImport(input: { unitCode: string; year: number; key: string; since: string }) {
      const first = input.key === 'started';
      const subject = first ? `请导入${input.year}年度账套：年度绩效自评已按计划启动` : `提醒：${input.year}年度账套尚未导入，年度绩效自评在等待`;
      return deps.notifier.notify({
        dedupeKey: `${yearlyLedgerKey(input.unitCode, input.year)}|${input.key}`,
        unitCode: input.unitCode,
        kind: 'evaluation_ledger_missing',
        audience: { roles: ['finance_officer'] },
        subject,
        body: `本单位${input.year}年度部门整体支出绩效自评已于${dateText(input.since)}按计划启动，但系统中还没有${input.year}年度的账套（收支、项目、合同和支付数据）。请在单位页面导入账套（或用命令 selfeval import）；导入后评价会自动开始，无需再次启动。${calendarParagraph(input.since)}`,
        link: `/units/${encodeURIComponent(input.unitCode)}`,
      });
    },
  };
}
