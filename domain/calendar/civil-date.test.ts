import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  CalendarError,
  civilDateOf,
  civilDateSchema,
  daysBetween,
  dayOfWeek,
  epochDay,
  fromEpochDay,
  instantAt,
  isCivilDate,
  parseCivilDate,
  parseTimeOfDay,
  toEpochMs,
  toIsoInstant,
} from './civil-date';
import { parse } from '../validation';

const d = parseCivilDate;

describe('civil dates', () => {
  it('accepts real YYYY-MM-DD dates only', () => {
    expect(parseCivilDate('2024-02-29')).toBe('2024-02-29');
    expect(isCivilDate('2000-02-29')).toBe(true);
    for (const bad of ['2023-02-29', '1900-02-29', '2026-1-1', '2026-13-01', '2026-04-31', '0000-01-01', '2026-01-01T00:00:00Z', ' 2026-01-01', 20260101]) {
      expect(isCivilDate(bad), String(bad)).toBe(false);
    }
  });

  it('throws a bilingual error for an invalid date', () => {
    const err = (() => {
      try {
        parseCivilDate('2023-02-29');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(CalendarError);
    expect(err).toMatchObject({ zh: '不是有效的日期（应为 YYYY-MM-DD）：2023-02-29', en: 'not a valid date (expected YYYY-MM-DD): 2023-02-29' });
  });

  it('has a zod schema with a bilingual problem', () => {
    const r = parse(civilDateSchema, '2026-02-30');
    expect(r).toEqual({
      ok: false,
      problems: [{ path: '(root)', code: 'invalid_date', zh: '不是有效的日期（应为 YYYY-MM-DD）：2026-02-30', en: 'not a valid date (expected YYYY-MM-DD): 2026-02-30' }],
    });
    expect(parse(civilDateSchema, '2026-02-28')).toEqual({ ok: true, value: '2026-02-28' });
  });

  it('knows the weekday (ISO: Monday 1 … Sunday 7)', () => {
    expect(dayOfWeek(d('1970-01-01'))).toBe(4);
    expect(dayOfWeek(d('2026-10-01'))).toBe(4);
    expect(dayOfWeek(d('2020-02-01'))).toBe(6);
    expect(dayOfWeek(d('2024-02-04'))).toBe(7);
    expect(dayOfWeek(d('2024-01-01'))).toBe(1);
    expect(dayOfWeek(d('1969-12-31'))).toBe(3);
  });

  it('adds calendar days across months, years and leap days', () => {
    expect(addDays(d('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(d('2023-02-28'), 1)).toBe('2023-03-01');
    expect(addDays(d('2026-12-31'), 1)).toBe('2027-01-01');
    expect(addDays(d('2026-10-08'), -30)).toBe('2026-09-08');
    expect(addDays(d('2026-03-01'), -1)).toBe('2026-02-28');
  });

  it('adds months with end-of-month clamping', () => {
    expect(addMonths(d('2024-01-31'), 1)).toBe('2024-02-29');
    expect(addMonths(d('2023-01-31'), 1)).toBe('2023-02-28');
    expect(addMonths(d('2024-03-31'), -1)).toBe('2024-02-29');
    expect(addMonths(d('2024-01-31'), 2)).toBe('2024-03-31');
    expect(addMonths(addMonths(d('2024-01-31'), 1), 1)).toBe('2024-03-29');
    expect(addMonths(d('2025-11-15'), 14)).toBe('2027-01-15');
    expect(addMonths(d('2026-01-15'), -13)).toBe('2024-12-15');
    expect(addMonths(d('2024-02-29'), 12)).toBe('2025-02-28');
  });

  it('counts days between dates, signed', () => {
    expect(daysBetween(d('2026-10-01'), d('2026-10-08'))).toBe(7);
    expect(daysBetween(d('2026-10-08'), d('2026-10-01'))).toBe(-7);
    expect(daysBetween(d('2024-01-01'), d('2025-01-01'))).toBe(366);
    expect(daysBetween(d('2025-01-01'), d('2026-01-01'))).toBe(365);
  });

  it('refuses to leave the years 0001–9999', () => {
    expect(() => addDays(d('9999-12-31'), 1)).toThrow(CalendarError);
    expect(() => addMonths(d('0001-01-31'), -1)).toThrow(CalendarError);
  });

  it('agrees with Date.UTC on epoch days (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (days) => {
        const date = fromEpochDay(days);
        expect(date).toBe(new Date(days * 86_400_000).toISOString().slice(0, 10));
        expect(epochDay(date)).toBe(days);
        expect(dayOfWeek(date) % 7).toBe(new Date(days * 86_400_000).getUTCDay());
      }),
    );
  });
});

describe('Shanghai time (fixed UTC+8)', () => {
  it('finds the Shanghai date at the day boundary', () => {
    expect(civilDateOf('2025-12-31T15:59:59.999Z')).toBe('2025-12-31');
    expect(civilDateOf('2025-12-31T16:00:00Z')).toBe('2026-01-01'); // Shanghai midnight
    expect(civilDateOf('2026-01-01T15:59:59Z')).toBe('2026-01-01'); // 23:59:59 in Shanghai
    expect(civilDateOf('2026-01-01T16:00:00.000Z')).toBe('2026-01-02');
  });

  it('reads offsets and epoch milliseconds', () => {
    expect(civilDateOf('2026-01-01T00:00:00+08:00')).toBe('2026-01-01');
    expect(civilDateOf('2025-12-31T23:59:59+08:00')).toBe('2025-12-31');
    expect(civilDateOf('2025-12-31T20:00:00-05:00')).toBe('2026-01-01'); // 01:00Z = 09:00 Shanghai
    expect(civilDateOf('2025-12-31T10:59-0500')).toBe('2025-12-31'); // 15:59Z = 23:59 Shanghai
    expect(civilDateOf(0)).toBe('1970-01-01');
    expect(civilDateOf(-8 * 3_600_000)).toBe('1970-01-01');
    expect(civilDateOf(-8 * 3_600_000 - 1)).toBe('1969-12-31');
    expect(toEpochMs('2026-10-08T01:00:00.123456Z')).toBe(Date.UTC(2026, 9, 8, 1, 0, 0, 123));
  });

  it('refuses instants without a zone or with impossible fields', () => {
    for (const bad of ['2026-01-01T00:00:00', '2026-01-01', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00+24:00', 'yesterday']) {
      expect(() => toEpochMs(bad), bad).toThrow(CalendarError);
    }
    expect(() => civilDateOf(1.5)).toThrow(CalendarError);
    expect(() => civilDateOf(Number.NaN)).toThrow(CalendarError);
  });

  it('gives the instant of a Shanghai wall-clock time', () => {
    expect(instantAt(d('2026-10-08'), '09:00')).toBe('2026-10-08T01:00:00.000Z');
    expect(instantAt(d('2026-01-01'), '00:00')).toBe('2025-12-31T16:00:00.000Z');
    expect(instantAt(d('2026-03-01'), '07:59')).toBe('2026-02-28T23:59:00.000Z');
    expect(instantAt(d('2026-12-31'), '23:59')).toBe('2026-12-31T15:59:00.000Z');
    expect(civilDateOf(instantAt(d('2026-12-31'), '23:59'))).toBe('2026-12-31');
  });

  it('validates the time of day', () => {
    expect(parseTimeOfDay('17:30')).toEqual({ hour: 17, minute: 30 });
    for (const bad of ['24:00', '9:00', '09:60', '09:00:00', '']) expect(() => parseTimeOfDay(bad), bad).toThrow(CalendarError);
    expect(() => instantAt(d('2026-10-08'), '9am')).toThrow(/not a valid time of day/);
  });

  it('formats and parses instants like Date does (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -30_000_000_000_000, max: 200_000_000_000_000 }), (ms) => {
        const iso = toIsoInstant(ms);
        expect(iso).toBe(new Date(ms).toISOString());
        expect(toEpochMs(iso)).toBe(ms);
        expect(civilDateOf(ms)).toBe(new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10));
      }),
    );
  });
});
