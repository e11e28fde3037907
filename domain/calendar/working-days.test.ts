import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, CalendarError, dayOfWeek, fromEpochDay, epochDay, parseCivilDate, type CivilDate } from './civil-date';
import cnHolidays from './cn-holidays.json';
import {
  addWorkingDays,
  createWorkingDayCalendar,
  dueAfterWorkingDays,
  isWorkingDay,
  mergeWarnings,
  nationalCalendar as cal,
  nextWorkingDay,
  parseCalendarOverrides,
  previousWorkingDay,
  reminderSchedule,
  retentionReminderSchedule,
  sectionTaskReminderSchedule,
  calendarNotice,
  warningsForDates,
  workingDayCalendarOrThrow,
  workingDayOnOrAfter,
  workingDayOnOrBefore,
  workingDaysBetween,
  type ReminderSchedule,
} from './working-days';

const d = parseCivilDate;
/** `date (kind)` for compact day-by-day assertions. */
const kinds = (from: string, to: string) => {
  const out: string[] = [];
  for (let x = d(from); x <= d(to); x = addDays(x, 1)) out.push(`${x} ${isWorkingDay(cal, x).kind}`);
  return out;
};
const brief = (s: ReminderSchedule) => s.reminders.map((r) => `${r.key} ${r.date}${r.moved ? ` (from ${r.nominalDate})` : ''}`);

describe('the bundled data file', () => {
  it('is copied verbatim and covers exactly the published years 2020–2026', () => {
    expect([...cal.coveredYears].sort()).toEqual([2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(cnHolidays.years['2027'].status).toBe('not_verified');
  });

  it('has make-up working days only on weekends, never on holidays, and the same in both lists', () => {
    for (const [key, year] of Object.entries(cnHolidays.years)) {
      const attached = year.holidays.flatMap((h) => ('makeup_workdays' in h ? h.makeup_workdays : []));
      expect([...attached].sort(), key).toEqual([...year.workdays].sort());
      for (const w of year.workdays) {
        expect(dayOfWeek(d(w)), w).toBeGreaterThanOrEqual(6);
        expect(cal.holidays.has(d(w)), w).toBe(false);
      }
    }
  });
});

describe('isWorkingDay against the notices', () => {
  it('2026 中秋节 and 国庆节 with their make-up days (09-20 Sun, 10-10 Sat)', () => {
    expect(kinds('2026-09-19', '2026-10-12')).toEqual([
      '2026-09-19 rest_day',
      '2026-09-20 makeup_workday',
      '2026-09-21 workday',
      '2026-09-22 workday',
      '2026-09-23 workday',
      '2026-09-24 workday',
      '2026-09-25 holiday',
      '2026-09-26 holiday',
      '2026-09-27 holiday',
      '2026-09-28 workday',
      '2026-09-29 workday',
      '2026-09-30 workday',
      '2026-10-01 holiday',
      '2026-10-02 holiday',
      '2026-10-03 holiday',
      '2026-10-04 holiday',
      '2026-10-05 holiday',
      '2026-10-06 holiday',
      '2026-10-07 holiday',
      '2026-10-08 workday',
      '2026-10-09 workday',
      '2026-10-10 makeup_workday',
      '2026-10-11 rest_day',
      '2026-10-12 workday',
    ]);
    expect(isWorkingDay(cal, d('2026-09-25'))).toEqual({
      date: '2026-09-25',
      working: false,
      kind: 'holiday',
      name: '中秋节',
      fromOverride: false,
      warnings: [],
    });
    expect(isWorkingDay(cal, d('2026-10-10'))).toMatchObject({ working: true, kind: 'makeup_workday', name: '国庆节' });
  });

  it('2020 春节 COVID extension: 02-01 (Sat) is a rest day, 01-19 (Sun) a working day, 02-03 an ordinary Monday', () => {
    expect(isWorkingDay(cal, d('2020-02-01'))).toMatchObject({ working: false, kind: 'holiday', name: '春节' });
    expect(isWorkingDay(cal, d('2020-01-31'))).toMatchObject({ working: false, kind: 'holiday' });
    expect(isWorkingDay(cal, d('2020-02-02'))).toMatchObject({ working: false, kind: 'holiday' });
    expect(isWorkingDay(cal, d('2020-01-19'))).toMatchObject({ working: true, kind: 'makeup_workday', name: '春节' });
    expect(isWorkingDay(cal, d('2020-02-03'))).toMatchObject({ working: true, kind: 'workday' });
    expect(addWorkingDays(cal, d('2020-01-23'), 1)).toEqual({ date: '2020-02-03', warnings: [] });
  });

  it('2024 元旦 and 端午: the adjoining weekend is an ordinary weekend, not a holiday', () => {
    expect(kinds('2023-12-29', '2024-01-02')).toEqual([
      '2023-12-29 workday',
      '2023-12-30 rest_day',
      '2023-12-31 rest_day',
      '2024-01-01 holiday',
      '2024-01-02 workday',
    ]);
    expect(kinds('2024-06-08', '2024-06-11')).toEqual(['2024-06-08 rest_day', '2024-06-09 rest_day', '2024-06-10 holiday', '2024-06-11 workday']);
  });

  it('2024 春节: make-up Sundays 02-04 and 02-18 are working days; 除夕 02-09 is an ordinary Friday', () => {
    expect(isWorkingDay(cal, d('2024-02-04'))).toMatchObject({ working: true, kind: 'makeup_workday' });
    expect(isWorkingDay(cal, d('2024-02-18'))).toMatchObject({ working: true, kind: 'makeup_workday' });
    expect(isWorkingDay(cal, d('2024-02-09'))).toMatchObject({ working: true, kind: 'workday' });
    expect(isWorkingDay(cal, d('2024-02-10'))).toMatchObject({ working: false, kind: 'holiday' });
    expect(isWorkingDay(cal, d('2024-02-17'))).toMatchObject({ working: false, kind: 'holiday' });
  });

  it('finds 2022-12-31 although the data lists it under the 2023 notice', () => {
    expect(isWorkingDay(cal, d('2022-12-31'))).toMatchObject({ working: false, kind: 'holiday', name: '元旦', warnings: [] });
    expect(nextWorkingDay(cal, d('2022-12-30'))).toEqual({ date: '2023-01-03', warnings: [] });
    // Proof that the year key matters: a calendar built from the 2022 key alone misses it.
    const only2022 = workingDayCalendarOrThrow({}, { years: { '2022': cnHolidays.years['2022'] } });
    expect(isWorkingDay(only2022, d('2022-12-31')).kind).toBe('rest_day');
  });
});

describe('counting working days', () => {
  it('across 春节 2025 (01-28…02-04, make-up 01-26 Sun and 02-08 Sat)', () => {
    const from = d('2025-01-24'); // Friday
    expect(addWorkingDays(cal, from, 1).date).toBe('2025-01-26');
    expect(addWorkingDays(cal, from, 2).date).toBe('2025-01-27');
    expect(addWorkingDays(cal, from, 3).date).toBe('2025-02-05');
    expect(addWorkingDays(cal, from, 6).date).toBe('2025-02-08');
    expect(addWorkingDays(cal, from, 7).date).toBe('2025-02-10');
    expect(addWorkingDays(cal, d('2025-02-05'), -1).date).toBe('2025-01-27');
    expect(addWorkingDays(cal, d('2025-02-05'), -2).date).toBe('2025-01-26');
    expect(addWorkingDays(cal, d('2025-02-05'), -3).date).toBe('2025-01-24');
    expect(workingDaysBetween(cal, from, d('2025-02-08'))).toEqual({ days: 6, warnings: [] });
  });

  it('across 春节 2026 (02-15…02-23, make-up 02-14 and 02-28 Saturdays)', () => {
    const from = d('2026-02-13'); // Friday
    expect(addWorkingDays(cal, from, 1).date).toBe('2026-02-14');
    expect(addWorkingDays(cal, from, 2).date).toBe('2026-02-24');
    expect(addWorkingDays(cal, from, 5).date).toBe('2026-02-27');
    expect(addWorkingDays(cal, from, 6).date).toBe('2026-02-28');
    expect(addWorkingDays(cal, from, 7).date).toBe('2026-03-02');
    expect(workingDaysBetween(cal, from, d('2026-02-24')).days).toBe(2);
    expect(workingDaysBetween(cal, d('2026-02-24'), from).days).toBe(-2);
  });

  it('negative offsets: 3 working days before a due date', () => {
    expect(addWorkingDays(cal, d('2026-02-25'), -3).date).toBe('2026-02-13');
    expect(addWorkingDays(cal, d('2026-10-08'), -1).date).toBe('2026-09-30');
    expect(addWorkingDays(cal, d('2026-10-08'), -3).date).toBe('2026-09-28');
    expect(addWorkingDays(cal, d('2026-10-12'), -2).date).toBe('2026-10-09'); // 10-10 (Sat) counts, 10-11 does not
  });

  it('zero offset, next/previous and on-or-after/before', () => {
    expect(addWorkingDays(cal, d('2026-10-08'), 0).date).toBe('2026-10-08');
    expect(addWorkingDays(cal, d('2026-10-03'), 0).date).toBe('2026-10-08');
    expect(nextWorkingDay(cal, d('2026-09-24')).date).toBe('2026-09-28');
    expect(previousWorkingDay(cal, d('2026-10-08')).date).toBe('2026-09-30');
    expect(workingDayOnOrAfter(cal, d('2026-10-01'))).toEqual({ date: '2026-10-08', moved: true, warnings: [] });
    expect(workingDayOnOrAfter(cal, d('2026-10-10'))).toEqual({ date: '2026-10-10', moved: false, warnings: [] });
    expect(workingDayOnOrBefore(cal, d('2026-10-07'))).toEqual({ date: '2026-09-30', moved: true, warnings: [] });
    expect(() => addWorkingDays(cal, d('2026-10-08'), 1.5)).toThrow(CalendarError);
  });

  it('counts the working days of the 2026 National Day fortnight', () => {
    // (09-18, 10-12]: 09-20, 21–24, 28–30, 10-08, 09, 10, 12 = 12
    expect(workingDaysBetween(cal, d('2026-09-18'), d('2026-10-12'))).toEqual({ days: 12, warnings: [] });
    expect(workingDaysBetween(cal, d('2026-10-12'), d('2026-10-12')).days).toBe(0);
  });

  it('a deadline n working days after an instant, at a Shanghai time', () => {
    // 2026-09-30T20:00Z is already 10-01 04:00 in Shanghai: +1 working day is still 10-08.
    expect(dueAfterWorkingDays(cal, '2026-09-30T20:00:00Z', 1, '17:30')).toEqual({ date: '2026-10-08', at: '2026-10-08T09:30:00.000Z', warnings: [] });
    // 2026-09-29T15:00Z is 09-29 23:00 in Shanghai: +1 is 09-30.
    expect(dueAfterWorkingDays(cal, '2026-09-29T15:00:00Z', 1, '17:30').date).toBe('2026-09-30');
    expect(dueAfterWorkingDays(cal, '2026-09-29T16:00:00Z', 1, '17:30').date).toBe('2026-10-08');
  });

  it('addWorkingDays and workingDaysBetween are inverse, and land on working days (property)', () => {
    // Far enough inside 2020–2026 that ±40 working days never leave the covered years.
    const start = epochDay(d('2020-04-01'));
    const end = epochDay(d('2026-10-31'));
    fc.assert(
      fc.property(fc.integer({ min: start, max: end }), fc.integer({ min: -40, max: 40 }), (day, n) => {
        const from = fromEpochDay(day);
        const { date, warnings } = addWorkingDays(cal, from, n);
        expect(warnings).toEqual([]);
        expect(isWorkingDay(cal, date).working).toBe(true);
        if (n !== 0) expect(workingDaysBetween(cal, from, date).days).toBe(n);
      }),
    );
  });
});

describe('years without data', () => {
  it('2027 uses the weekday rule and says so, in both languages', () => {
    const r = isWorkingDay(cal, d('2027-01-01'));
    expect(r).toMatchObject({ working: true, kind: 'workday' });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatchObject({ code: 'year_not_covered', year: 2027 });
    expect(r.warnings[0]?.zh).toContain('2027年');
    expect(r.warnings[0]?.zh).toContain('周一至周五上班');
    expect(r.warnings[0]?.en).toContain('2027');
    expect(r.warnings[0]?.en).toContain('weekday rule');
    expect(isWorkingDay(cal, d('2027-01-02'))).toMatchObject({ working: false, kind: 'rest_day', warnings: [{ year: 2027 }] });
    expect(isWorkingDay(cal, d('2019-10-01'))).toMatchObject({ working: true, warnings: [{ year: 2019 }] });
  });

  it('warns only for years actually consulted, once per year', () => {
    expect(nextWorkingDay(cal, d('2026-12-30'))).toEqual({ date: '2026-12-31', warnings: [] });
    const r = addWorkingDays(cal, d('2026-12-31'), 1);
    expect(r.date).toBe('2027-01-01');
    expect(r.warnings.map((w) => w.year)).toEqual([2027]);
    const span = workingDaysBetween(cal, d('2019-12-01'), d('2027-03-01'));
    expect(span.warnings.map((w) => w.year)).toEqual([2019, 2027]);
    expect(mergeWarnings(r.warnings, span.warnings).map((w) => w.year)).toEqual([2019, 2027]);
  });

  it('an override covering 2027 removes the warning and applies its dates', () => {
    const fixture = { source: '测试用虚构数据（非2027年通知）', coveredYears: [2027], holidays: ['2027-01-01'], workdays: ['2027-01-09'] };
    const with2027 = workingDayCalendarOrThrow(fixture);
    expect(isWorkingDay(with2027, d('2027-01-01'))).toEqual({
      date: '2027-01-01',
      working: false,
      kind: 'holiday',
      name: fixture.source,
      fromOverride: true,
      warnings: [],
    });
    expect(isWorkingDay(with2027, d('2027-01-09'))).toMatchObject({ working: true, kind: 'makeup_workday', fromOverride: true, warnings: [] });
    expect(addWorkingDays(with2027, d('2026-12-31'), 1)).toEqual({ date: '2027-01-04', warnings: [] });
    // The national calendar is untouched.
    expect(isWorkingDay(cal, d('2027-01-01')).warnings).toHaveLength(1);
  });

  it('regional overrides beat the national data', () => {
    const province = workingDayCalendarOrThrow({ source: '省内假日', holidays: ['2026-03-09'], workdays: ['2026-10-07'] });
    expect(isWorkingDay(province, d('2026-03-09'))).toMatchObject({ working: false, kind: 'holiday', name: '省内假日', fromOverride: true });
    expect(isWorkingDay(province, d('2026-10-07'))).toMatchObject({ working: true, fromOverride: true });
    expect(nextWorkingDay(province, d('2026-09-30')).date).toBe('2026-10-07');
    expect(isWorkingDay(province, d('2026-10-06')).working).toBe(false);
  });
});

describe('the calendar never goes silent', () => {
  it('names the years among some dates that have no data, once each', () => {
    expect(warningsForDates(cal, [d('2026-12-30'), d('2027-02-10'), d('2027-03-01')]).map((w) => [w.code, w.year])).toEqual([['year_not_covered', 2027]]);
    expect(warningsForDates(cal, [d('2019-12-31'), d('2026-12-30'), d('2027-01-04')]).map((w) => w.year)).toEqual([2019, 2027]);
    expect(warningsForDates(cal, [d('2026-12-30'), d('2020-01-02')])).toEqual([]);
    // Once the overrides carry 2027's arrangement, nothing is said.
    expect(warningsForDates(workingDayCalendarOrThrow({ coveredYears: [2027], holidays: ['2027-02-06'] }), [d('2027-02-10')])).toEqual([]);
  });

  it('says in the message itself what was assumed and how to add the data', () => {
    expect(calendarNotice([])).toBeNull();
    const notice = calendarNotice(warningsForDates(cal, [d('2027-02-10')]))!;
    expect(notice.zh).toBe(
      '注意：2027年的法定节假日和调休安排尚未录入系统，涉及该年的日期按周一至周五上班、周六周日休息推算，春节等假期可能被算作工作日。请系统管理员按国务院办公厅关于2027年部分节假日安排的通知，在工作日历配置（SELFEVAL_CALENDAR_OVERRIDES，列出 coveredYears、holidays 和 workdays）中补录后重启服务。',
    );
    expect(notice.en).toMatch(/^Note: no holiday arrangement is entered for 2027; .*SELFEVAL_CALENDAR_OVERRIDES/);
    expect(calendarNotice(warningsForDates(cal, [d('2019-06-01'), d('2027-02-10')]))!.zh).toMatch(/^注意：2019年、2027年的法定节假日/);
  });
});

describe('override validation', () => {
  it('reports every problem with its path, in Chinese and English', () => {
    const r = parseCalendarOverrides({
      holidays: ['2026-02-30', '2026-03-09'],
      workdays: ['2026-03-09', 'tomorrow'],
      coveredYears: [2027, 2026.5, '2028'],
      extra: true,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.problems.map((p) => [`${p.path}:${p.code}`, p]));
    expect(Object.keys(byPath).sort()).toEqual(
      [
        '(root):unrecognized_keys',
        'coveredYears[0]:covered_year_without_holidays',
        'coveredYears[1]:invalid_year',
        'coveredYears[2]:invalid_type',
        'holidays[0]:invalid_date',
        'workdays[0]:holiday_and_workday',
        'workdays[1]:invalid_date',
      ].sort(),
    );
    expect(byPath['workdays[0]:holiday_and_workday']).toMatchObject({
      zh: '2026-03-09 同时被配置为假日和工作日',
      en: '2026-03-09 is configured both as a holiday and as a working day',
    });
    expect(byPath['workdays[1]:invalid_date']).toMatchObject({ zh: '不是有效的日期（应为 YYYY-MM-DD）：tomorrow', en: 'not a valid date (expected YYYY-MM-DD): tomorrow' });
    expect(byPath['coveredYears[0]:covered_year_without_holidays']?.zh).toContain('2027年');
    for (const p of r.problems) expect(p.zh).not.toBe(p.en);
  });

  it('createWorkingDayCalendar returns the same problems, and the throwing form lists them', () => {
    const bad = { holidays: ['2026-03-09'], workdays: ['2026-03-09'] };
    expect(createWorkingDayCalendar(bad)).toEqual({
      ok: false,
      problems: [
        {
          path: 'workdays[0]',
          code: 'holiday_and_workday',
          zh: '2026-03-09 同时被配置为假日和工作日',
          en: '2026-03-09 is configured both as a holiday and as a working day',
        },
      ],
    });
    expect(() => workingDayCalendarOrThrow(bad)).toThrow(/workdays\[0\]: 2026-03-09 is configured both/);
    expect(createWorkingDayCalendar({}).ok).toBe(true);
  });

  it('checks a replacement data file too, with paths under data.', () => {
    const data = {
      years: {
        '2030': { status: 'published', holidays: [{ name: '元旦', dates: ['2030-01-01'] }], workdays: ['2030-01-01', '2030-02-31'] },
      },
    };
    const r = createWorkingDayCalendar({}, data);
    expect(r.ok ? [] : r.problems.map((p) => `${p.path}:${p.code}`)).toEqual(['data.years.2030.workdays[1]:invalid_date']);
    data.years['2030'].workdays = ['2030-01-01'];
    const r2 = createWorkingDayCalendar({}, data);
    expect(r2.ok ? [] : r2.problems.map((p) => `${p.path}:${p.code}`)).toEqual(['data.years.2030.workdays[0]:holiday_and_workday']);
  });
});

describe('section task reminders (working days)', () => {
  it('due right after 国庆节 2026: before-3/before-1 reach back over the holiday, after-1 is the make-up Saturday', () => {
    const s = sectionTaskReminderSchedule(cal, { due: d('2026-10-08'), timeOfDay: '09:00', afterCount: 2 });
    expect(brief(s)).toEqual(['before-3 2026-09-28', 'before-1 2026-09-30', 'due 2026-10-08', 'after-1 2026-10-10', 'after-2 2026-10-13']);
    expect(s.reminders.map((r) => r.at)).toEqual([
      '2026-09-28T01:00:00.000Z',
      '2026-09-30T01:00:00.000Z',
      '2026-10-08T01:00:00.000Z',
      '2026-10-10T01:00:00.000Z',
      '2026-10-13T01:00:00.000Z',
    ]);
    expect(s).toMatchObject({ nominalDue: '2026-10-08', due: '2026-10-08', dueMoved: false, merged: [], warnings: [] });
  });

  it('due right after 春节 2026: before-1 is the make-up Saturday 02-14', () => {
    const s = sectionTaskReminderSchedule(cal, { due: d('2026-02-24'), timeOfDay: '17:30', afterCount: 2 });
    expect(brief(s)).toEqual(['before-3 2026-02-12', 'before-1 2026-02-14', 'due 2026-02-24', 'after-1 2026-02-26', 'after-2 2026-02-28']);
    expect(s.reminders[1]?.at).toBe('2026-02-14T09:30:00.000Z');
  });

  it('a due date inside the holiday moves to the first working day after it', () => {
    const s = sectionTaskReminderSchedule(cal, { due: d('2026-10-03'), timeOfDay: '09:00', afterCount: 1 });
    expect(s).toMatchObject({ nominalDue: '2026-10-03', due: '2026-10-08', dueMoved: true });
    expect(brief(s)).toEqual(['before-3 2026-09-28', 'before-1 2026-09-30', 'due 2026-10-08 (from 2026-10-03)', 'after-1 2026-10-10']);
  });

  it('stops after-due reminders at an end date', () => {
    const s = sectionTaskReminderSchedule(cal, { due: d('2026-10-08'), timeOfDay: '09:00', afterUntil: d('2026-10-16') });
    expect(s.reminders.filter((r) => r.kind === 'after').map((r) => `${r.key} ${r.date}`)).toEqual([
      'after-1 2026-10-10',
      'after-2 2026-10-13',
      'after-3 2026-10-15',
    ]);
  });

  it('warns when the schedule reaches into 2027, but not when it stops before', () => {
    const s = sectionTaskReminderSchedule(cal, { due: d('2026-12-30'), timeOfDay: '09:00', afterCount: 1 });
    expect(brief(s)).toEqual(['before-3 2026-12-25', 'before-1 2026-12-29', 'due 2026-12-30', 'after-1 2027-01-01']);
    expect(s.warnings.map((w) => w.year)).toEqual([2027]);
    const stop = sectionTaskReminderSchedule(cal, { due: d('2026-12-30'), timeOfDay: '09:00', afterUntil: d('2026-12-31') });
    expect(brief(stop)).toEqual(['before-3 2026-12-25', 'before-1 2026-12-29', 'due 2026-12-30']);
    expect(stop.warnings).toEqual([]);
  });

  it('refuses an unbounded or malformed plan', () => {
    expect(() => sectionTaskReminderSchedule(cal, { due: d('2026-10-08'), timeOfDay: '09:00' })).toThrow(CalendarError);
    expect(() => sectionTaskReminderSchedule(cal, { due: d('2026-10-08'), timeOfDay: '9:00', afterCount: 1 })).toThrow(/time of day/);
    expect(() =>
      reminderSchedule(cal, { due: d('2026-10-08'), timeOfDay: '09:00', unit: 'working_days', before: [1, 1], every: 2, afterCount: 1, moveDueToWorkingDay: true }),
    ).toThrow(/distinct positive/);
  });
});

describe('retention holdback reminders (calendar days)', () => {
  it('due on a holiday moves to the next working day; a before-reminder on a holiday moves earlier', () => {
    const s = retentionReminderSchedule(cal, { due: d('2026-10-03'), timeOfDay: '09:00', afterCount: 2 });
    expect(s).toMatchObject({ due: '2026-10-08', dueMoved: true, warnings: [] });
    expect(brief(s)).toEqual([
      'before-30 2026-09-08',
      'before-7 2026-09-30 (from 2026-10-01)',
      'due 2026-10-08 (from 2026-10-03)',
      'after-1 2026-10-15',
      'after-2 2026-10-22',
    ]);
  });

  it('weekly reminders inside 春节 2026 move after it and fold together', () => {
    const s = retentionReminderSchedule(cal, { due: d('2026-02-09'), timeOfDay: '10:00', afterCount: 3 });
    expect(brief(s)).toEqual([
      'before-30 2026-01-09 (from 2026-01-10)',
      'before-7 2026-02-02',
      'due 2026-02-09',
      'after-1 2026-02-24 (from 2026-02-16)',
      'after-3 2026-03-02',
    ]);
    expect(s.merged).toEqual([{ key: 'after-2', nominalDate: '2026-02-23', into: 'after-1' }]);
    expect(s.reminders[3]?.at).toBe('2026-02-24T02:00:00.000Z');
  });

  it('can count the same offsets in working days instead', () => {
    const s = reminderSchedule(cal, {
      due: d('2026-10-08'),
      timeOfDay: '09:00',
      unit: 'calendar_days',
      before: [7],
      every: 7,
      afterCount: 0,
      moveDueToWorkingDay: true,
    });
    const w = reminderSchedule(cal, {
      due: d('2026-10-08'),
      timeOfDay: '09:00',
      unit: 'working_days',
      before: [7],
      every: 7,
      afterCount: 0,
      moveDueToWorkingDay: true,
    });
    expect(brief(s)).toEqual(['before-7 2026-09-30 (from 2026-10-01)', 'due 2026-10-08']);
    // 7 working days before 10-08: 09-30, 29, 28, 24, 23, 22, 21
    expect(brief(w)).toEqual(['before-7 2026-09-21', 'due 2026-10-08']);
  });

  it('puts the i-th reminder after due exactly i × every working days after the due date, whatever the due date and interval', () => {
    // Counted on from the previous reminder, as the schedule does, must give what counting from the
    // due date gives — across the Spring Festival and National Day weeks and the make-up Saturdays.
    fc.assert(
      fc.property(fc.integer({ min: epochDay(d('2019-12-01')), max: epochDay(d('2026-11-30')) }), fc.integer({ min: 1, max: 5 }), fc.boolean(), (day, every, move) => {
        const due = fromEpochDay(day);
        const s = reminderSchedule(cal, { due, timeOfDay: '09:00', unit: 'working_days', before: [], every, afterCount: 40, moveDueToWorkingDay: move });
        const after = s.reminders.filter((r) => r.kind === 'after');
        expect(after.length + s.merged.length).toBe(40);
        for (const r of after) {
          const i = Number(r.key.slice('after-'.length));
          expect(r.nominalDate).toBe(addWorkingDays(cal, s.due, i * every).date);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('with moveDueToWorkingDay off, the due reminder stays on the rest day', () => {
    const s = reminderSchedule(cal, {
      due: d('2026-10-03'),
      timeOfDay: '09:00',
      unit: 'calendar_days',
      before: [],
      every: 7,
      afterCount: 1,
      moveDueToWorkingDay: false,
    });
    // after-1 lands on 10-10, a make-up Saturday: a working day, so it does not move.
    expect(brief(s)).toEqual(['due 2026-10-03', 'after-1 2026-10-10']);
  });
});

// Guard against someone "fixing" a test by editing the data: these facts come from the notices.
describe('spot checks of the notices', () => {
  const holidays = (year: string) => Object.values(cnHolidays.years).flatMap((y) => y.holidays.flatMap((h) => h.dates)).filter((x) => x.startsWith(year));
  it.each([
    ['2020', 1 + 10 + 3 + 5 + 3 + 8],
    ['2024', 1 + 8 + 3 + 5 + 1 + 3 + 7],
    ['2026', 3 + 9 + 3 + 5 + 3 + 3 + 7],
  ])('%s has %i listed holiday dates', (year, count) => {
    expect(holidays(year)).toHaveLength(count);
  });
  it('2026 has 248 working days', () => {
    const days: CivilDate[] = [];
    for (let x = d('2026-01-01'); x <= d('2026-12-31'); x = addDays(x, 1)) if (isWorkingDay(cal, x).working) days.push(x);
    // 365 days − 104 weekend days − (33 holiday dates − 14 of them on weekends) + 6 make-up days = 248
    expect(days).toHaveLength(248);
  });
});
