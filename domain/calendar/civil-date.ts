/**
 * Civil dates and Shanghai wall-clock time, by integer arithmetic only.
 *
 * A civil date is a `YYYY-MM-DD` string (proleptic Gregorian, years 0001–9999) naming a day on
 * the calendar, with no time and no zone. Deadlines, holidays and 调休 days are civil dates; the
 * moment something happens is an *instant* (ISO string with `Z` or an offset, or epoch ms).
 *
 * Asia/Shanghai has been UTC+8 all year since 1991 (no DST), so conversions use a fixed +08:00
 * offset. Nothing here reads the clock, the environment, the host's time zone or `Intl`, and
 * `Date` is not used at all: the module is safe in Temporal workflow code, and the same input
 * always gives the same output.
 */
import { z } from 'zod';
import { bi, type Problem } from '../validation';

declare const civilDateBrand: unique symbol;
/** A validated `YYYY-MM-DD` civil date. Obtain one with `parseCivilDate` or `civilDateSchema`. */
export type CivilDate = string & { readonly [civilDateBrand]: true };

/** An instant: an ISO 8601 string with `Z` or an explicit offset, or milliseconds since the Unix epoch. */
export type Instant = string | number;

/** ISO weekday: 1 = Monday … 6 = Saturday, 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export class CalendarError extends Error {
  override readonly name = 'CalendarError';
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(`${en}${problems.length ? `: ${problems.map((p) => `${p.path}: ${p.en}`).join('; ')}` : ''}`);
  }
}

/** UTC+8, the offset of Asia/Shanghai (no DST since 1991). */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const MS_PER_DAY = 24 * 60 * 60 * 1000;
const MIN_YEAR = 1;
const MAX_YEAR = 9999;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;
const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 ↔ (y, m, d): Howard Hinnant's `days_from_civil` / `civil_from_days`.
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): [number, number, number] {
  const z0 = days + 719468;
  const era = Math.floor(z0 / 146097);
  const doe = z0 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function fromParts(y: number, m: number, d: number): CivilDate {
  if (y < MIN_YEAR || y > MAX_YEAR) {
    throw new CalendarError(`日期超出 0001–9999 年的范围：${y}年`, `date outside the years 0001–9999: year ${y}`);
  }
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}` as CivilDate;
}

function partsOf(date: CivilDate): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw invalidDate(date);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function invalidDate(text: unknown): CalendarError {
  const shown = typeof text === 'string' ? text : JSON.stringify(text);
  return new CalendarError(`不是有效的日期（应为 YYYY-MM-DD）：${shown}`, `not a valid date (expected YYYY-MM-DD): ${shown}`);
}

/** True for a real calendar date written exactly as `YYYY-MM-DD` (years 0001–9999). */
export function isCivilDate(value: unknown): value is CivilDate {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= MIN_YEAR && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/** Validates a `YYYY-MM-DD` string; throws a bilingual `CalendarError` for anything else (e.g. `2026-02-30`). */
export function parseCivilDate(text: string): CivilDate {
  if (!isCivilDate(text)) throw invalidDate(text);
  return text;
}

/** zod schema for a civil date field: a string that is a real `YYYY-MM-DD` date, typed `CivilDate`. */
export const civilDateSchema = z
  .string()
  .refine(isCivilDate, {
    error: (issue) => bi(`不是有效的日期（应为 YYYY-MM-DD）：${String(issue.input)}`, `not a valid date (expected YYYY-MM-DD): ${String(issue.input)}`),
    params: { code: 'invalid_date' },
  });

/** Validates a wall-clock time `HH:MM` (00:00–23:59). */
export function parseTimeOfDay(text: string): { hour: number; minute: number } {
  const m = TIME_RE.exec(text);
  if (!m) throw new CalendarError(`不是有效的时刻（应为 HH:MM，00:00–23:59）：${text}`, `not a valid time of day (expected HH:MM, 00:00–23:59): ${text}`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/** zod schema for a wall-clock time `HH:MM`. */
export const timeOfDaySchema = z.string().refine((s) => TIME_RE.test(s), {
  message: bi('不是有效的时刻（应为 HH:MM，00:00–23:59）', 'not a valid time of day (expected HH:MM, 00:00–23:59)'),
  params: { code: 'invalid_time' },
});

export function yearOf(date: CivilDate): number {
  return partsOf(date)[0];
}

/** Days since 1970-01-01 (negative before). */
export function epochDay(date: CivilDate): number {
  const [y, m, d] = partsOf(date);
  return daysFromCivil(y, m, d);
}

export function fromEpochDay(days: number): CivilDate {
  if (!Number.isSafeInteger(days)) throw new CalendarError(`天数必须是整数：${days}`, `day count must be an integer: ${days}`);
  const [y, m, d] = civilFromDays(days);
  return fromParts(y, m, d);
}

/** ISO weekday of a civil date: 1 = Monday … 7 = Sunday. */
export function dayOfWeek(date: CivilDate): IsoWeekday {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((epochDay(date) + 3) % 7) + 7) % 7) + 1 as IsoWeekday;
}

export function isWeekend(date: CivilDate): boolean {
  return dayOfWeek(date) >= 6;
}

/** `date` plus `days` calendar days (negative goes back). */
export function addDays(date: CivilDate, days: number): CivilDate {
  if (!Number.isSafeInteger(days)) throw new CalendarError(`天数必须是整数：${days}`, `day count must be an integer: ${days}`);
  return fromEpochDay(epochDay(date) + days);
}

/**
 * `date` plus `months` calendar months (negative goes back). When the target month is shorter,
 * the day is clamped to its last day: 2024-01-31 + 1 month = 2024-02-29, 2023-01-31 + 1 month =
 * 2023-02-28, 2024-03-31 − 1 month = 2024-02-29. Clamping does not carry over: adding one month
 * twice to 01-31 gives 03-29 in 2024, while adding two months at once gives 03-31.
 */
export function addMonths(date: CivilDate, months: number): CivilDate {
  if (!Number.isSafeInteger(months)) throw new CalendarError(`月数必须是整数：${months}`, `month count must be an integer: ${months}`);
  const [y, m, d] = partsOf(date);
  const index = y * 12 + (m - 1) + months;
  const ny = Math.floor(index / 12);
  const nm = index - ny * 12 + 1;
  return fromParts(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/** Calendar days from `from` to `to`: positive when `to` is later (2026-10-01 → 2026-10-08 is 7). */
export function daysBetween(from: CivilDate, to: CivilDate): number {
  return epochDay(to) - epochDay(from);
}

/** Negative, zero or positive, for sorting. (`YYYY-MM-DD` strings also sort correctly as text.) */
export function compareCivilDates(a: CivilDate, b: CivilDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function invalidInstant(value: unknown): CalendarError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return new CalendarError(
    `不是有效的时间点（应为带 Z 或时区偏移的 ISO 8601 时间，或毫秒时间戳）：${shown}`,
    `not a valid instant (expected an ISO 8601 time with Z or an offset, or epoch milliseconds): ${shown}`,
  );
}

/**
 * Milliseconds since the epoch of an instant. Strings must carry `Z` or an offset (`+08:00`,
 * `+0800`): a time without a zone is refused rather than read in the host's zone. Fractions
 * beyond milliseconds are truncated. Numbers must be integers.
 */
export function toEpochMs(instant: Instant): number {
  if (typeof instant === 'number') {
    if (!Number.isSafeInteger(instant)) throw invalidInstant(instant);
    return instant;
  }
  const m = INSTANT_RE.exec(instant);
  if (!m) throw invalidInstant(instant);
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = m[8] ?? 'Z';
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) throw invalidInstant(instant);
  let offsetMin = 0;
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2));
    if (oh > 23 || om > 59) throw invalidInstant(instant);
    offsetMin = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  return daysFromCivil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi - offsetMin) * 60 + s) * 1000 + ms;
}

/** Epoch milliseconds → `YYYY-MM-DDTHH:MM:SS.sssZ` (the same text as `Date#toISOString`). */
export function toIsoInstant(epochMs: number): string {
  if (!Number.isSafeInteger(epochMs)) throw invalidInstant(epochMs);
  const days = Math.floor(epochMs / MS_PER_DAY);
  const inDay = epochMs - days * MS_PER_DAY;
  const date = fromEpochDay(days);
  const h = Math.floor(inDay / 3_600_000);
  const mi = Math.floor((inDay % 3_600_000) / 60_000);
  const s = Math.floor((inDay % 60_000) / 1000);
  return `${date}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(inDay % 1000, 3)}Z`;
}

/** The civil date in Asia/Shanghai at an instant: 2025-12-31T16:00:00Z is 2026-01-01 (00:00 in Shanghai). */
export function civilDateOf(instant: Instant): CivilDate {
  return fromEpochDay(Math.floor((toEpochMs(instant) + SHANGHAI_OFFSET_MS) / MS_PER_DAY));
}

/** Epoch ms of the wall-clock time `HH:MM` on `date` in Asia/Shanghai. */
export function epochMsAt(date: CivilDate, timeOfDay: string): number {
  const { hour, minute } = parseTimeOfDay(timeOfDay);
  return epochDay(date) * MS_PER_DAY + (hour * 60 + minute) * 60_000 - SHANGHAI_OFFSET_MS;
}

/** ISO instant of the wall-clock time `HH:MM` on `date` in Asia/Shanghai: (2026-10-08, '09:00') → '2026-10-08T01:00:00.000Z'. */
export function instantAt(date: CivilDate, timeOfDay: string): string {
  return toIsoInstant(epochMsAt(date, timeOfDay));
}
