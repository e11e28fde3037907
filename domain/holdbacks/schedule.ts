/**
 * When a holdback falls due and when it reminds, on the Chinese working-day calendar. Called by an
 * activity (the calendar and its overrides live outside workflow code); the workflow gets civil
 * dates and ISO instants and only compares instants.
 *
 * - retention: due = warranty start + warranty months (+ defect extensions), moved to the next
 *   working day; reminders 30 and 7 calendar days before (moved back to a working day), at due,
 *   then weekly (moved forward to a working day) until the release is recorded.
 * - payment (a final payment after acceptance, an O&M fee after a passed assessment, a milestone
 *   payment): due = the event's date + the contract's payment term (30 days by default, at most
 *   60: 保障中小企业款项支付条例), moved to the next working day; reminders 7 days before, at due,
 *   then weekly.
 * - assessment: an O&M assessment result is expected at the latest `ASSESSMENT_GRACE_DAYS` (30, machine.ts)
 *   calendar days after its period ends (period 2020 → 2021-01-30, a Saturday → Monday
 *   2021-02-01); from then on the missing result is reminded weekly.
 *
 * All reminders fire at 09:00 Asia/Shanghai. Weekly reminders are planned in windows of about
 * nine weeks (`replanAt` says when to ask again), so the workflow state stays small however long
 * the amount stays unpaid; they stop after 490 weeks (9.4 years) overdue.
 *
 * Reminders whose time has already passed when the schedule is made (a holdback started late, or
 * a past year loaded into the ledger) are not sent — except, when the due date itself has passed,
 * the latest of them, once, at once (`catchUp`), so an overdue amount is flagged immediately.
 */
import { addDays, addMonths, civilDateOf, instantAt, isCivilDate, toEpochMs, type CivilDate } from '../calendar/civil-date';
import { reminderSchedule, type WorkingDayCalendar, workingDayOnOrAfter } from '../calendar/working-days';
import type { PlannedReminder, PlannedSchedule, PlanRequest } from './model';
import { parsePeriod, periodEnd } from './periods';

/** Wall-clock time of every holdback reminder, Asia/Shanghai. */
export const REMINDER_TIME_OF_DAY = '09:00';
/** Default payment term after acceptance/assessment/milestone (SME rule: 30, at most 60). */
export const DEFAULT_PAYMENT_TERM_DAYS = 30;
/** Reminders before due, in calendar days. */
export const RETENTION_BEFORE_DAYS = [30, 7] as const;
export const PAYMENT_BEFORE_DAYS = [7] as const;
export const WEEKLY = 7;

const WINDOW_DAYS = 63;
const MAX_WEEKS_AFTER = 490;

export class SchedulePlanError extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

function civil(text: string, what: string): CivilDate {
  if (!isCivilDate(text)) throw new SchedulePlanError(`${what}不是有效日期：${text}`, `${what} is not a valid date: ${text}`);
  return text;
}

export function planHoldbackSchedule(cal: WorkingDayCalendar, req: PlanRequest): PlannedSchedule {
  const nowMs = toEpochMs(req.now);
  const today = civilDateOf(req.now);
  let nominal: CivilDate;
  let before: readonly number[];
  let prefix = '';
  let basisOf: (due: CivilDate) => string;
  switch (req.plan) {
    case 'retention':
      nominal = addMonths(civil(req.baseOn, '质保起算日 / warranty start'), req.months);
      before = RETENTION_BEFORE_DAYS;
      basisOf = (due) => due;
      break;
    case 'payment':
      nominal = addDays(civil(req.fromOn, '付款起算日 / payment start'), req.termDays);
      before = PAYMENT_BEFORE_DAYS;
      basisOf = (due) => due;
      break;
    case 'assessment': {
      const period = parsePeriod(req.period);
      if (!period) throw new SchedulePlanError(`无法识别的考核期间：${req.period}`, `unknown assessment period: ${req.period}`);
      nominal = addDays(periodEnd(period), req.graceDays);
      before = [];
      prefix = 'assessment-';
      basisOf = () => period.text;
      break;
    }
  }
  const due = workingDayOnOrAfter(cal, nominal).date;
  const start = today > due ? today : due;
  let afterUntil = addDays(start, WINDOW_DAYS);
  const cap = addDays(due, MAX_WEEKS_AFTER * WEEKLY);
  let complete = false;
  if (afterUntil >= cap) {
    afterUntil = cap;
    complete = true;
  }
  const s = reminderSchedule(cal, { due: nominal, timeOfDay: REMINDER_TIME_OF_DAY, unit: 'calendar_days', before, every: WEEKLY, afterUntil, moveDueToWorkingDay: true });
  const all: PlannedReminder[] = s.reminders.map((r) => ({ key: `${prefix}${r.key}`, kind: r.kind, date: r.date, at: r.at }));
  const past = all.filter((r) => toEpochMs(r.at) <= nowMs);
  const upcoming = all.filter((r) => toEpochMs(r.at) > nowMs);
  const dueAt = instantAt(s.due, REMINDER_TIME_OF_DAY);
  const last = past[past.length - 1];
  const catchUp = last && toEpochMs(dueAt) <= nowMs ? { ...last, catchUp: true } : undefined;
  return {
    plan: req.plan,
    basis: basisOf(s.due),
    nominalDueOn: nominal,
    dueOn: s.due,
    dueAt,
    reminders: catchUp ? [catchUp, ...upcoming] : upcoming,
    ...(complete ? {} : { replanAt: instantAt(addDays(afterUntil, 1), '00:00') }),
    warnings: s.warnings,
  };
}
