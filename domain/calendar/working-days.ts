/**
 * The Chinese working-day calendar (工作日历): which civil dates are working days, counting working
 * days, and the reminder schedules of section tasks and retention holdbacks.
 *
 * Rules, in order of precedence, for a civil date in Asia/Shanghai:
 *   1. configured overrides (a province's own day off, a notice not yet in the data file);
 *   2. the State Council notices in `cn-holidays.json` (放假 days and 调休 make-up working days),
 *      merged across ALL year keys — keys follow the notice, so `2022-12-31` sits under 2023;
 *   3. otherwise Monday–Friday is a working day and Saturday–Sunday a rest day.
 *
 * A calendar year is *covered* when the data file has a notice for it with status `published`, or
 * the overrides list it in `coveredYears` (meaning: the overrides carry that year's full national
 * arrangement). Every answer that had to classify a date in an uncovered year (2027 until its
 * notice is entered; anything before 2020) carries a `CalendarWarning` naming the year and saying
 * the weekday rule was used. Answers are objects — `{ date, warnings }`, `{ working, warnings }` —
 * so the warnings travel with the value; callers pass them on (log, show, store) instead of
 * dropping them.
 *
 * Pure: no clock, no environment, no I/O, no `Intl`. The results (civil dates and ISO instants)
 * are plain JSON and can be handed to workflows as input.
 */
import { z } from 'zod';
import { bi, formatPath, parse, type Parsed, type Problem } from '../validation';
import {
  addDays,
  CalendarError,
  civilDateOf,
  civilDateSchema,
  dayOfWeek,
  instantAt,
  isCivilDate,
  parseTimeOfDay,
  yearOf,
  type CivilDate,
  type Instant,
} from './civil-date';
import cnHolidays from './cn-holidays.json';

// ---------------------------------------------------------------------------------------------
// Data file and overrides
// ---------------------------------------------------------------------------------------------

const holidayGroupSchema = z.object({
  name: z.string().min(1),
  dates: z.array(civilDateSchema).min(1),
  makeup_workdays: z.array(civilDateSchema).optional(),
});

/** The part of `cn-holidays.json` the calendar reads (other fields — notice, sources, notes — are kept but ignored). */
export const holidayDataSchema = z.object({
  years: z.record(
    z.string().regex(/^\d{4}$/, { message: bi('年份键应为四位数字', 'year key must be four digits') }),
    z.object({
      status: z.string(),
      holidays: z.array(holidayGroupSchema),
      workdays: z.array(civilDateSchema),
    }),
  ),
});
export type HolidayData = z.output<typeof holidayDataSchema>;

/**
 * Configured deviations from the national data. Overrides win over the data file: a date in
 * `holidays` is a rest day even if the data says it is a make-up working day, and vice versa.
 * `coveredYears` declares that these overrides hold the complete national arrangement of a year
 * the data file lacks (e.g. 2027 once its notice is out), which silences that year's warning;
 * each covered year must then list at least one holiday dated in that year.
 */
export const calendarOverridesSchema = z
  .object({
    /** Where the overrides come from, e.g. a notice number; shown as the name of override holidays. */
    source: z.string().trim().min(1).optional(),
    // A refinement rather than `.int()`: zod's int check aborts, which would hide the conflict checks below.
    coveredYears: z
      .array(
        z.number().refine((n) => Number.isInteger(n) && n >= 1 && n <= 9999, {
          message: bi('年份应为 1–9999 的整数', 'year must be a whole number from 1 to 9999'),
          params: { code: 'invalid_year' },
        }),
      )
      .default([]),
    holidays: z.array(civilDateSchema).default([]),
    workdays: z.array(civilDateSchema).default([]),
  })
  .strict()
  .superRefine(
    (v, ctx) => {
      // Runs even when other fields failed (see `when`), so `v` may hold anything: check each value.
      const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
      const holidays = new Set(list(v.holidays).filter(isCivilDate));
      list(v.workdays).forEach((date, i) => {
        if (isCivilDate(date) && holidays.has(date)) {
          ctx.addIssue({
            code: 'custom',
            path: ['workdays', i],
            message: bi(`${date} 同时被配置为假日和工作日`, `${date} is configured both as a holiday and as a working day`),
            params: { code: 'holiday_and_workday' },
          });
        }
      });
      const holidayYears = new Set([...holidays].map(yearOf));
      list(v.coveredYears).forEach((year, i) => {
        if (typeof year === 'number' && Number.isInteger(year) && !holidayYears.has(year)) {
          ctx.addIssue({
            code: 'custom',
            path: ['coveredYears', i],
            message: bi(
              `${year}年被列为已覆盖，但配置中没有该年的假日；请按国务院办公厅通知填写该年全部放假和调休日期`,
              `${year} is listed as covered but no holiday in that year is configured; enter the year's holidays and make-up working days from the State Council notice`,
            ),
            params: { code: 'covered_year_without_holidays' },
          });
        }
      });
    },
    // Report conflicts together with malformed entries, not only after those are fixed.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );
export type CalendarOverrides = z.output<typeof calendarOverridesSchema>;
export type CalendarOverridesInput = z.input<typeof calendarOverridesSchema>;

/** Validates overrides (e.g. from the config file or an admin request); problems carry paths relative to the overrides object. */
export function parseCalendarOverrides(input: unknown): Parsed<CalendarOverrides> {
  return parse(calendarOverridesSchema, input);
}

// ---------------------------------------------------------------------------------------------
// The calendar
// ---------------------------------------------------------------------------------------------

export interface WorkingDayCalendar {
  /** Rest days other than ordinary weekends → name (the notice's grouping, e.g. `国庆节、中秋节`, or the override source). */
  readonly holidays: ReadonlyMap<CivilDate, string>;
  /** Weekend days made working days (调休上班) → the holiday they belong to ('' when the notice does not say). */
  readonly workdays: ReadonlyMap<CivilDate, string>;
  /** Calendar years whose arrangement is known (published notice or `coveredYears` override). */
  readonly coveredYears: ReadonlySet<number>;
  /** Dates set by the overrides, to tell them apart from the notices. */
  readonly overrideDates: ReadonlySet<CivilDate>;
}

const OVERRIDE_NAME = '配置的假日';

/**
 * Builds a calendar from the data file (the bundled `cn-holidays.json` by default) and optional
 * overrides. Every problem is returned, bilingual, with its path: override problems relative to the
 * overrides object, data-file problems prefixed `data.`.
 */
export function createWorkingDayCalendar(overrides: unknown = {}, data: unknown = cnHolidays): Parsed<WorkingDayCalendar> {
  const problems: Problem[] = [];
  const parsedData = parse(holidayDataSchema, data);
  if (!parsedData.ok) problems.push(...parsedData.problems.map((p) => ({ ...p, path: `data.${p.path}` })));
  const parsedOverrides = parseCalendarOverrides(overrides);
  if (!parsedOverrides.ok) problems.push(...parsedOverrides.problems);
  if (!parsedData.ok || !parsedOverrides.ok) return { ok: false, problems };

  const holidays = new Map<CivilDate, string>();
  const workdays = new Map<CivilDate, string>();
  const coveredYears = new Set<number>();
  const where = new Map<CivilDate, string>();
  for (const [key, year] of Object.entries(parsedData.value.years)) {
    if (year.status === 'published') coveredYears.add(Number(key));
    year.holidays.forEach((group, g) => {
      group.dates.forEach((date, i) => {
        holidays.set(date, group.name);
        where.set(date, formatPath(['data', 'years', key, 'holidays', g, 'dates', i]));
      });
      for (const date of group.makeup_workdays ?? []) workdays.set(date, group.name);
    });
    for (const date of year.workdays) if (!workdays.has(date)) workdays.set(date, '');
  }
  for (const [key, year] of Object.entries(parsedData.value.years)) {
    const check = (date: CivilDate, path: PropertyKey[]) => {
      if (holidays.has(date)) {
        problems.push({
          path: formatPath(['data', 'years', key, ...path]),
          code: 'holiday_and_workday',
          zh: `${date} 在数据文件中既是假日（${where.get(date) ?? ''}）又是调休上班日`,
          en: `${date} is both a holiday (${where.get(date) ?? ''}) and a make-up working day in the data file`,
        });
      }
    };
    year.workdays.forEach((date, i) => check(date, ['workdays', i]));
    year.holidays.forEach((group, g) => group.makeup_workdays?.forEach((date, i) => check(date, ['holidays', g, 'makeup_workdays', i])));
  }
  if (problems.length > 0) return { ok: false, problems };

  const o = parsedOverrides.value;
  const overrideDates = new Set<CivilDate>();
  for (const date of o.holidays) {
    workdays.delete(date);
    holidays.set(date, o.source ?? OVERRIDE_NAME);
    overrideDates.add(date);
  }
  for (const date of o.workdays) {
    holidays.delete(date);
    workdays.set(date, o.source ?? '');
    overrideDates.add(date);
  }
  for (const year of o.coveredYears) coveredYears.add(year);
  return { ok: true, value: Object.freeze({ holidays, workdays, coveredYears, overrideDates }) };
}

/** Like `createWorkingDayCalendar`, but throws a `CalendarError` listing every problem (for start-up configuration). */
export function workingDayCalendarOrThrow(overrides: unknown = {}, data: unknown = cnHolidays): WorkingDayCalendar {
  const r = createWorkingDayCalendar(overrides, data);
  if (!r.ok) throw new CalendarError('工作日历配置无效', 'invalid working-day calendar configuration', r.problems);
  return r.value;
}

/** The national calendar from the bundled data, without overrides. */
export const nationalCalendar: WorkingDayCalendar = workingDayCalendarOrThrow();

// ---------------------------------------------------------------------------------------------
// Warnings
// ---------------------------------------------------------------------------------------------

export interface CalendarWarning {
  code: 'year_not_covered';
  year: number;
  zh: string;
  en: string;
}

function yearWarning(year: number): CalendarWarning {
  return {
    code: 'year_not_covered',
    year,
    zh: `${year}年没有经核实的节假日安排（国务院办公厅通知未录入），已按周一至周五上班、周六周日休息的一般规则计算，结果可能有误`,
    en: `no verified holiday arrangement for ${year} (State Council notice not entered); the Monday–Friday weekday rule was used, so the result may be wrong`,
  };
}

/** Years whose dates an answer had to classify; turned into warnings for the uncovered ones. */
type Touched = Set<number>;

function warningsOf(cal: WorkingDayCalendar, touched: Touched): CalendarWarning[] {
  return [...touched].filter((y) => !cal.coveredYears.has(y)).sort((a, b) => a - b).map(yearWarning);
}

/** Merges the warnings of several answers, one per year, sorted by year. */
export function mergeWarnings(...lists: ReadonlyArray<readonly CalendarWarning[]>): CalendarWarning[] {
  const byYear = new Map<number, CalendarWarning>();
  for (const list of lists) for (const w of list) if (!byYear.has(w.year)) byYear.set(w.year, w);
  return [...byYear.values()].sort((a, b) => a.year - b.year);
}

/** Warnings for every year among `dates` that the calendar does not cover (one per year, sorted). */
export function warningsForDates(cal: WorkingDayCalendar, dates: readonly CivilDate[]): CalendarWarning[] {
  return warningsOf(cal, new Set(dates.map(yearOf)));
}

/**
 * The sentence a reminder or a status carries when a date it names falls in a year without holiday
 * data: which year, what was assumed, and how to add the data. `null` when every year is covered.
 */
export function calendarNotice(warnings: readonly CalendarWarning[]): { zh: string; en: string } | null {
  if (!warnings.length) return null;
  const years = warnings.map((w) => w.year);
  const zhYears = years.map((y) => `${y}年`).join('、');
  return {
    zh: `注意：${zhYears}的法定节假日和调休安排尚未录入系统，涉及该年的日期按周一至周五上班、周六周日休息推算，春节等假期可能被算作工作日。请系统管理员按国务院办公厅关于${zhYears}部分节假日安排的通知，在工作日历配置（SELFEVAL_CALENDAR_OVERRIDES，列出 coveredYears、holidays 和 workdays）中补录后重启服务。`,
    en: `Note: no holiday arrangement is entered for ${years.join(', ')}; dates in ${years.length > 1 ? 'those years' : 'that year'} were counted with the Monday–Friday rule, so holidays such as the Spring Festival may count as working days. An administrator should enter the State Council notice's dates in the calendar overrides (SELFEVAL_CALENDAR_OVERRIDES: coveredYears, holidays, workdays) and restart.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Days
// ---------------------------------------------------------------------------------------------

/** `holiday`: 放假 day from a notice or override; `makeup_workday`: 调休上班 weekend day; `workday`/`rest_day`: the weekday rule. */
export type DayKind = 'workday' | 'rest_day' | 'holiday' | 'makeup_workday';

interface Classified {
  working: boolean;
  kind: DayKind;
  name?: string;
}

function classify(cal: WorkingDayCalendar, date: CivilDate, touched: Touched): Classified {
  touched.add(yearOf(date));
  const holiday = cal.holidays.get(date);
  if (holiday !== undefined) return { working: false, kind: 'holiday', name: holiday };
  const workday = cal.workdays.get(date);
  if (workday !== undefined) return workday === '' ? { working: true, kind: 'makeup_workday' } : { working: true, kind: 'makeup_workday', name: workday };
  return dayOfWeek(date) >= 6 ? { working: false, kind: 'rest_day' } : { working: true, kind: 'workday' };
}

export interface DayAnswer {
  date: CivilDate;
  /** Read this field: the answer object itself is always truthy. */
  working: boolean;
  kind: DayKind;
  /** Holiday name, or for a make-up working day the holiday it makes up for, when known. */
  name?: string;
  /** True when an override decided this date. */
  fromOverride: boolean;
  warnings: CalendarWarning[];
}

export interface DateAnswer {
  date: CivilDate;
  warnings: CalendarWarning[];
}

/**
 * Whether `date` is a working day, why, and any warning. Note: returns an object — test
 * `isWorkingDay(cal, d).working`, never the object itself.
 */
export function isWorkingDay(cal: WorkingDayCalendar, date: CivilDate): DayAnswer {
  const touched: Touched = new Set();
  const c = classify(cal, date, touched);
  return { date, ...c, fromOverride: cal.overrideDates.has(date), warnings: warningsOf(cal, touched) };
}

function step(cal: WorkingDayCalendar, date: CivilDate, direction: 1 | -1, includeSelf: boolean, touched: Touched): CivilDate {
  let d = includeSelf ? date : addDays(date, direction);
  while (!classify(cal, d, touched).working) d = addDays(d, direction);
  return d;
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(cal: WorkingDayCalendar, date: CivilDate): DateAnswer {
  const touched: Touched = new Set();
  const d = step(cal, date, 1, false, touched);
  return { date: d, warnings: warningsOf(cal, touched) };
}

/** The last working day strictly before `date`. */
export function previousWorkingDay(cal: WorkingDayCalendar, date: CivilDate): DateAnswer {
  const touched: Touched = new Set();
  const d = step(cal, date, -1, false, touched);
  return { date: d, warnings: warningsOf(cal, touched) };
}

/** `date` itself when it is a working day, else the next working day (`moved` tells which). */
export function workingDayOnOrAfter(cal: WorkingDayCalendar, date: CivilDate): DateAnswer & { moved: boolean } {
  const touched: Touched = new Set();
  const d = step(cal, date, 1, true, touched);
  return { date: d, moved: d !== date, warnings: warningsOf(cal, touched) };
}

/** `date` itself when it is a working day, else the previous working day (`moved` tells which). */
export function workingDayOnOrBefore(cal: WorkingDayCalendar, date: CivilDate): DateAnswer & { moved: boolean } {
  const touched: Touched = new Set();
  const d = step(cal, date, -1, true, touched);
  return { date: d, moved: d !== date, warnings: warningsOf(cal, touched) };
}

function addWorkingDaysTouching(cal: WorkingDayCalendar, date: CivilDate, n: number, touched: Touched): CivilDate {
  if (!Number.isSafeInteger(n)) throw new CalendarError(`工作日数必须是整数：${n}`, `number of working days must be an integer: ${n}`);
  if (n === 0) return step(cal, date, 1, true, touched);
  const direction = n > 0 ? 1 : -1;
  let d = date;
  for (let left = Math.abs(n); left > 0; left--) d = step(cal, d, direction, false, touched);
  return d;
}

/**
 * The `n`-th working day after `date` (`n` > 0), or before it (`n` < 0: "3 working days before the
 * due date" is `addWorkingDays(cal, due, -3)`). `date` itself is never counted, whether it is a
 * working day or not, so the result is always a working day. `n` = 0 gives `date` when it is a
 * working day, else the next working day.
 */
export function addWorkingDays(cal: WorkingDayCalendar, date: CivilDate, n: number): DateAnswer {
  const touched: Touched = new Set();
  const d = addWorkingDaysTouching(cal, date, n, touched);
  return { date: d, warnings: warningsOf(cal, touched) };
}

/**
 * Working days from `from` to `to`: for `to` ≥ `from`, the working days in (`from`, `to`]; for
 * `to` < `from`, minus the working days in [`to`, `from`). So when `to` is a working day,
 * `addWorkingDays(cal, from, workingDaysBetween(cal, from, to).days)` is `to`.
 */
export function workingDaysBetween(cal: WorkingDayCalendar, from: CivilDate, to: CivilDate): { days: number; warnings: CalendarWarning[] } {
  const touched: Touched = new Set();
  let days = 0;
  if (to >= from) {
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (classify(cal, d, touched).working) days++;
  } else {
    for (let d = to; d < from; d = addDays(d, 1)) if (classify(cal, d, touched).working) days--;
  }
  return { days, warnings: warningsOf(cal, touched) };
}

/**
 * A deadline `n` working days after an instant: the Shanghai civil date of `from`, plus `n`
 * working days (that date not counted), at `timeOfDay` Shanghai time. E.g. issued at any time on
 * 2026-09-30 with n = 1 and '17:30' → 2026-10-08 17:30 (+08:00), because 10-01…10-07 are 国庆节.
 */
export function dueAfterWorkingDays(
  cal: WorkingDayCalendar,
  from: Instant,
  n: number,
  timeOfDay: string,
): { date: CivilDate; at: string; warnings: CalendarWarning[] } {
  parseTimeOfDay(timeOfDay);
  const { date, warnings } = addWorkingDays(cal, civilDateOf(from), n);
  return { date, at: instantAt(date, timeOfDay), warnings };
}

// ---------------------------------------------------------------------------------------------
// Reminder schedules
// ---------------------------------------------------------------------------------------------

export type OffsetUnit = 'working_days' | 'calendar_days';

export interface ReminderPlan {
  /** The due date as agreed (may be a rest day). */
  due: CivilDate;
  /** Wall-clock time in Shanghai at which every reminder fires, `HH:MM`. */
  timeOfDay: string;
  /** How `before` and `every` are counted. */
  unit: OffsetUnit;
  /** Reminders before the due date, e.g. [3, 1] (keys `before-3`, `before-1`). Distinct positive integers. */
  before: readonly number[];
  /** After the due date, a reminder every `every` units (keys `after-1`, `after-2`, …). */
  every: number;
  /** Number of after-due steps (`after-1` … `after-<afterCount>`). */
  afterCount?: number;
  /** No after-due reminder later than this date. At least one of `afterCount`/`afterUntil` is required; with both, whichever stops first. */
  afterUntil?: CivilDate;
  /** Move a due date that falls on a rest day to the next working day (and count every offset from there). */
  moveDueToWorkingDay: boolean;
}

export interface ScheduledReminder {
  /** Stable within a schedule: `before-<n>`, `due`, `after-<i>`. Use with the task id as the notification dedupe key. */
  key: string;
  kind: 'before' | 'due' | 'after';
  /** The civil date it fires on (a working day, unless it is `due` on a rest day that was not moved). */
  date: CivilDate;
  /** ISO instant: `timeOfDay` on `date`, Shanghai time. */
  at: string;
  /** The date before any move off a rest day. */
  nominalDate: CivilDate;
  moved: boolean;
}

export interface ReminderSchedule {
  /** The due date as given. */
  nominalDue: CivilDate;
  /** The due date the schedule counts from (moved to the next working day when so planned). */
  due: CivilDate;
  dueMoved: boolean;
  /** In time order, at most one per date. */
  reminders: ScheduledReminder[];
  /** Reminders that landed on the same date as an earlier one after a move, and were folded into it. */
  merged: Array<{ key: string; nominalDate: CivilDate; into: string }>;
  warnings: CalendarWarning[];
}

const MAX_AFTER_REMINDERS = 500;

function planError(zh: string, en: string): CalendarError {
  return new CalendarError(`提醒计划无效：${zh}`, `invalid reminder plan: ${en}`);
}

/**
 * The reminder instants for one due date.
 *
 * - Due: with `moveDueToWorkingDay`, a due date on a rest day becomes the next working day
 *   (期间的最后一日是法定休假日的，以休假日结束的次日为最后一日 — the usual reading of deadlines in
 *   China, cf. 民法典 第二百零三条); all offsets count from that effective due date.
 * - Working-day offsets: `before-n` is `n` working days before due, `after-i` is `i × every`
 *   working days after; both land on working days by construction.
 * - Calendar-day offsets: the nominal date is due ∓ n calendar days. A `before` reminder on a rest
 *   day moves to the previous working day (earlier, so the notice period is never shortened); an
 *   `after` reminder on a rest day moves to the next working day (so it stays after due).
 * - After a move, a reminder that falls on the date of an earlier one is folded into it (listed in
 *   `merged`); the keys of the others do not change. `afterCount` counts steps, folded ones included.
 */
export function reminderSchedule(cal: WorkingDayCalendar, plan: ReminderPlan): ReminderSchedule {
  parseTimeOfDay(plan.timeOfDay);
  if (!isCivilDate(plan.due)) throw planError('截止日期无效', 'invalid due date');
  if (new Set(plan.before).size !== plan.before.length || plan.before.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    throw planError('提前量应为互不相同的正整数', '`before` offsets must be distinct positive integers');
  }
  if (!Number.isSafeInteger(plan.every) || plan.every <= 0) throw planError('间隔应为正整数', '`every` must be a positive integer');
  if (plan.afterCount === undefined && plan.afterUntil === undefined) {
    throw planError('须给出逾期提醒的次数或截止日期', 'give `afterCount` or `afterUntil` to bound the reminders after due');
  }
  if (plan.afterCount !== undefined && (!Number.isSafeInteger(plan.afterCount) || plan.afterCount < 0 || plan.afterCount > MAX_AFTER_REMINDERS)) {
    throw planError(`逾期提醒次数应为 0–${MAX_AFTER_REMINDERS} 的整数`, `\`afterCount\` must be an integer 0–${MAX_AFTER_REMINDERS}`);
  }
  if (plan.afterUntil !== undefined && !isCivilDate(plan.afterUntil)) throw planError('逾期提醒截止日期无效', 'invalid `afterUntil` date');

  const touched: Touched = new Set();
  const working = plan.unit === 'working_days';
  const due = plan.moveDueToWorkingDay ? step(cal, plan.due, 1, true, touched) : plan.due;
  if (!plan.moveDueToWorkingDay) classify(cal, due, touched);

  const candidates: Array<Omit<ScheduledReminder, 'at'>> = [];
  for (const n of [...plan.before].sort((a, b) => b - a)) {
    const nominal = working ? addWorkingDaysTouching(cal, due, -n, touched) : addDays(due, -n);
    const date = working ? nominal : step(cal, nominal, -1, true, touched);
    candidates.push({ key: `before-${n}`, kind: 'before', date, nominalDate: nominal, moved: date !== nominal });
  }
  candidates.push({ key: 'due', kind: 'due', date: due, nominalDate: plan.due, moved: due !== plan.due });
  // In working days, the i-th reminder is `every` working days after the (i−1)-th (counting on from
  // the last one, not from the due date again: the same day, and linear rather than quadratic).
  let lastWorking = due;
  for (let i = 1; plan.afterCount === undefined || i <= plan.afterCount; i++) {
    if (i > MAX_AFTER_REMINDERS) {
      throw planError(`逾期提醒超过 ${MAX_AFTER_REMINDERS} 次`, `more than ${MAX_AFTER_REMINDERS} reminders after due`);
    }
    // Dates past `afterUntil` only tell us to stop; their years must not raise warnings.
    const stepTouched: Touched = new Set();
    const nominal = working ? (lastWorking = addWorkingDaysTouching(cal, lastWorking, plan.every, stepTouched)) : addDays(due, i * plan.every);
    const date = working ? nominal : step(cal, nominal, 1, true, stepTouched);
    const until = plan.afterUntil;
    if (until !== undefined && date > until) {
      for (const y of stepTouched) if (y <= yearOf(until)) touched.add(y);
      break;
    }
    for (const y of stepTouched) touched.add(y);
    candidates.push({ key: `after-${i}`, kind: 'after', date, nominalDate: nominal, moved: date !== nominal });
  }

  const reminders: ScheduledReminder[] = [];
  const merged: ReminderSchedule['merged'] = [];
  for (const c of candidates) {
    const last = reminders[reminders.length - 1];
    if (last && c.date <= last.date) merged.push({ key: c.key, nominalDate: c.nominalDate, into: last.key });
    else reminders.push({ ...c, at: instantAt(c.date, plan.timeOfDay) });
  }
  return { nominalDue: plan.due, due, dueMoved: due !== plan.due, reminders, merged, warnings: warningsOf(cal, touched) };
}

export interface ReminderWindow {
  due: CivilDate;
  timeOfDay: string;
  afterCount?: number;
  afterUntil?: CivilDate;
}

/**
 * Section tasks of the annual evaluation: 3 and 1 working days before due, at due, then every 2
 * working days after due. A due date on a rest day is moved to the next working day.
 */
export function sectionTaskReminderSchedule(cal: WorkingDayCalendar, window: ReminderWindow): ReminderSchedule {
  return reminderSchedule(cal, { ...window, unit: 'working_days', before: [3, 1], every: 2, moveDueToWorkingDay: true });
}

/**
 * Retention holdbacks (质保金): 30 and 7 calendar days before due, at due, then weekly (every 7
 * calendar days). A due date on a rest day is moved to the next working day; reminders on rest days
 * move as described in `reminderSchedule`.
 */
export function retentionReminderSchedule(cal: WorkingDayCalendar, window: ReminderWindow): ReminderSchedule {
  return reminderSchedule(cal, { ...window, unit: 'calendar_days', before: [30, 7], every: 7, moveDueToWorkingDay: true });
}
