/**
 * O&M assessment periods (运维考核期间): a year ("2020"), a half ("2020-H1") or a quarter
 * ("2020-Q3"). The holdback awaits one period at a time; a failed assessment moves it to the next
 * period of the same length. Pure integer arithmetic on civil dates (safe in workflow code).
 */
import { type CivilDate, daysInMonth } from '../calendar/civil-date';

export interface AssessmentPeriod {
  /** Canonical text: `2020`, `2020-H1`, `2020-Q3`. */
  text: string;
  year: number;
  unit: 'year' | 'half' | 'quarter';
  /** 1 for a year; 1–2 for a half; 1–4 for a quarter. */
  index: number;
}

const YEAR = /^(\d{4})$/;
const HALF = /^(\d{4})-?H([12])$/i;
const QUARTER = /^(\d{4})-?Q([1-4])$/i;

function make(year: number, unit: AssessmentPeriod['unit'], index: number): AssessmentPeriod {
  const text = unit === 'year' ? String(year) : `${year}-${unit === 'half' ? 'H' : 'Q'}${index}`;
  return { text, year, unit, index };
}

/** The period written as `2020`, `2020-H1`/`2020H1`, `2020-Q3`/`2020Q3`; undefined for anything else. */
export function parsePeriod(text: string): AssessmentPeriod | undefined {
  const t = text.trim();
  let m = YEAR.exec(t);
  if (m) return make(Number(m[1]), 'year', 1);
  m = HALF.exec(t);
  if (m) return make(Number(m[1]), 'half', Number(m[2]));
  m = QUARTER.exec(t);
  if (m) return make(Number(m[1]), 'quarter', Number(m[2]));
  return undefined;
}

/** The last civil date of the period: 2020 → 2020-12-31, 2020-H1 → 2020-06-30, 2020-Q3 → 2020-09-30. */
export function periodEnd(p: AssessmentPeriod): CivilDate {
  const months = p.unit === 'year' ? 12 : p.unit === 'half' ? 6 : 3;
  const month = p.index * months;
  return `${String(p.year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(daysInMonth(p.year, month)).padStart(2, '0')}` as CivilDate;
}

/** The following period of the same length: 2020 → 2021, 2020-H2 → 2021-H1, 2020-Q4 → 2021-Q1. */
export function nextPeriod(p: AssessmentPeriod): AssessmentPeriod {
  const count = p.unit === 'year' ? 1 : p.unit === 'half' ? 2 : 4;
  return p.index < count ? make(p.year, p.unit, p.index + 1) : make(p.year + 1, p.unit, 1);
}

/** Same unit: negative, zero or positive; different units compare by end date. */
export function comparePeriods(a: AssessmentPeriod, b: AssessmentPeriod): number {
  const ea = periodEnd(a);
  const eb = periodEnd(b);
  return ea < eb ? -1 : ea > eb ? 1 : 0;
}

const ordinalZh = ['', '一', '二', '三', '四'] as const;

/** The period in Chinese: 2020 → 2020年度, 2020-H1 → 2020年上半年, 2020-Q3 → 2020年第三季度; other text as given. */
export function periodZh(text: string): string {
  const p = parsePeriod(text);
  if (!p) return text;
  if (p.unit === 'year') return `${p.year}年度`;
  if (p.unit === 'half') return `${p.year}年${p.index === 1 ? '上' : '下'}半年`;
  return `${p.year}年第${ordinalZh[p.index]}季度`;
}
