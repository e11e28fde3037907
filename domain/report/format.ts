/**
 * Formatting for the report, in one place: amounts in 万元 with two decimals, percentages,
 * Chinese dates, and the ordinal headings of official documents (一、 （一） 1. （1）).
 */
import type { CivilDate } from '../calendar/civil-date';
import { type Fen, formatWanYuan } from '../money';

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99). */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new RangeError(`chinese numeral out of range: ${n}`);
  if (n < 10) return DIGITS[n]!;
  const tens = Math.floor(n / 10);
  const ones = n % 10;
  return `${tens === 1 ? '' : DIGITS[tens]}十${ones === 0 ? '' : DIGITS[ones]}`;
}

/** Heading numbers by level: 一、 （一） 1. （1） */
export function ordinal(level: 1 | 2 | 3 | 4, n: number): string {
  switch (level) {
    case 1:
      return `${chineseNumeral(n)}、`;
    case 2:
      return `（${chineseNumeral(n)}）`;
    case 3:
      return `${n}.`;
    case 4:
      return `（${n}）`;
  }
}

/** 2021-03-05 → 2021年3月5日 */
export function chineseDate(date: CivilDate | string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

/** 2020-08-31 → 2020年8月 */
export function chineseMonth(date: CivilDate | string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return `${y}年${m}月`;
}

/** Amount in 万元 with two decimals and the unit: "2217.42万元". */
export function wan(fen: Fen): string {
  return `${formatWanYuan(fen)}万元`;
}

/** Amount in 万元, two decimals, no unit (for tables whose caption gives the unit). */
export function wanNumber(fen: Fen): string {
  return formatWanYuan(fen);
}

/** Basis points as a percentage with the decimals it was stated with: 7500 → "75%", 7483 → "74.83%". */
export function percentFromBp(bp: number, decimals?: number): string {
  const d = decimals ?? (bp % 100 === 0 ? 0 : bp % 10 === 0 ? 1 : 2);
  return `${(bp / 100).toFixed(d)}%`;
}

/** Points (centipoints) as "8.50". */
export function points(cp: number): string {
  return (cp / 100).toFixed(2);
}
