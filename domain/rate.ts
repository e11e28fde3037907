/**
 * Exact ratios, thresholds and points.
 *
 * - A {@link Rate} is a ratio of two safe integers (amounts in 分, head counts, decimal values
 *   scaled by a power of ten), `den > 0`. It is never turned into a float: comparisons against a
 *   threshold cross-multiply in BigInt, so 90.00% is exactly 90.00% at a band boundary.
 * - Thresholds are written in basis points of a percent ({@link Bp}): 1 bp = 0.01%, 100% = 10 000 bp.
 * - Points are written in centipoints ({@link Centipoints}): integer hundredths of a point, so a
 *   weight of 2.5 points is 250 and a deduction of 0.8 per percentage point is 80. Scores are
 *   rounded half-up to the centipoint once, per indicator; totals are exact sums of those.
 * - A zero denominator is not an error: it means the ratio does not apply (a unit with no 三公
 *   budget last year has no 变动率). {@link rateOf} returns `null` for it.
 */
import { z } from 'zod';
import { divRoundHalfUp } from './money';
import { bi } from './validation';

/** Basis points of a percent: 1 bp = 0.01%, 100% = 10 000 bp. Always an integer. */
export type Bp = number;
export const BP_PER_WHOLE = 10_000;

/** Hundredths of a point: 1 point = 100 cp. Always an integer. */
export type Centipoints = number;
export const CP_PER_POINT = 100;

/** `num / den`, both safe integers, `den > 0`. Not reduced: 136/143 stays 136/143. */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

export class RateError extends Error {
  override readonly name = 'RateError';
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

function assertSafe(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) {
    throw new RateError(`${what}不是可精确表示的整数：${value}`, `${what} is not a safe integer: ${value}`);
  }
}

/**
 * The ratio `num / den`, or `null` when `den` is 0 (not applicable). A negative denominator is
 * moved to the numerator (same value). Throws {@link RateError} for non-integers.
 */
export function rateOf(num: number, den: number): Rate | null {
  assertSafe(num, '分子 numerator');
  assertSafe(den, '分母 denominator');
  if (den === 0) return null;
  if (den < 0) return { num: num === 0 ? 0 : -num, den: -den };
  return { num, den };
}

/** A threshold as a rate: 9000 bp → 9000/10000. */
export function rateFromBp(bp: Bp): Rate {
  assertSafe(bp, '基点 basis points');
  return { num: bp, den: BP_PER_WHOLE };
}

const sign = (x: bigint): -1 | 0 | 1 => (x < 0n ? -1 : x > 0n ? 1 : 0);

/** −1, 0 or 1 as `rate` is below, exactly at, or above `bp` (exact, by cross-multiplication). */
export function compareToBp(rate: Rate, bp: Bp): -1 | 0 | 1 {
  assertSafe(bp, '基点 basis points');
  return sign(BigInt(rate.num) * BigInt(BP_PER_WHOLE) - BigInt(bp) * BigInt(rate.den));
}

/** −1, 0 or 1 as `a` is below, equal to or above `b`. */
export function compareRates(a: Rate, b: Rate): -1 | 0 | 1 {
  return sign(BigInt(a.num) * BigInt(b.den) - BigInt(b.num) * BigInt(a.den));
}

function formatScaledInteger(scaled: bigint, decimals: number): string {
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const int = abs.slice(0, abs.length - decimals);
  const frac = abs.slice(abs.length - decimals);
  return `${negative ? '-' : ''}${int}${decimals > 0 ? `.${frac}` : ''}`;
}

function assertDecimals(decimals: number): void {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 12) {
    throw new RateError(`小数位数无效：${decimals}`, `invalid number of decimals: ${decimals}`);
  }
}

/** The rate as a percentage, rounded half-up (away from zero): 136/143 → "95.10%". */
export function formatPercent(rate: Rate, decimals = 2): string {
  return `${formatPercentNumber(rate, decimals)}%`;
}

/** {@link formatPercent} without the `%` sign. */
export function formatPercentNumber(rate: Rate, decimals = 2): string {
  assertDecimals(decimals);
  const scaled = divRoundHalfUp(BigInt(rate.num) * 100n * 10n ** BigInt(decimals), BigInt(rate.den));
  return formatScaledInteger(scaled, decimals);
}

/** The rate in basis points, rounded half-up: 136/143 → 9510. */
export function rateToBpRounded(rate: Rate): Bp {
  return Number(divRoundHalfUp(BigInt(rate.num) * BigInt(BP_PER_WHOLE), BigInt(rate.den)));
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** A threshold as the rules write it, without trailing zeros: 10000 → "100%", 950 → "9.5%". */
export function formatBp(bp: Bp): string {
  assertSafe(bp, '基点 basis points');
  return `${trimZeros(formatScaledInteger(BigInt(bp), 2))}%`;
}

/** Percentage points written without trailing zeros: 100 bp → "1", 500 bp → "5", 50 bp → "0.5". */
export function formatBpAsPoints(bp: Bp): string {
  return formatBp(bp).slice(0, -1);
}

/** Points with two decimals: 250 → "2.50". */
export function formatPoints(cp: Centipoints): string {
  assertSafe(cp, '分值 points');
  return formatScaledInteger(BigInt(cp), 2);
}

/** Points as a rule states them, without trailing zeros: 50 → "0.5", 800 → "8". */
export function formatPointsShort(cp: Centipoints): string {
  return trimZeros(formatPoints(cp));
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function reducedRate(num: bigint, den: bigint): Rate | null {
  if (den === 0n) return null;
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den) || 1n;
  const n = num / g;
  const d = den / g;
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (n > max || n < -max || d > max) {
    throw new RateError('比率的分子分母过大，无法精确表示', 'ratio terms too large to represent exactly');
  }
  return { num: Number(n), den: Number(d) };
}

/** `a ÷ b` exactly (reduced), or `null` when `b` is zero. */
export function divideRates(a: Rate, b: Rate): Rate | null {
  return reducedRate(BigInt(a.num) * BigInt(b.den), BigInt(a.den) * BigInt(b.num));
}

/** `rate × cp`, rounded half-up to the centipoint: (4/5) × 500 → 400. */
export function scaleToCentipoints(rate: Rate, cp: Centipoints): Centipoints {
  assertSafe(cp, '分值 points');
  return Number(divRoundHalfUp(BigInt(rate.num) * BigInt(cp), BigInt(rate.den)));
}

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Exact decimal text (or a plain JS number) → Rate with a power-of-ten denominator:
 * "99.5" → 995/10, "12" → 12/1. Refuses exponent notation, grouping and anything else.
 */
export function parseDecimal(value: string | number): Rate {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = DECIMAL_RE.exec(text);
  if (!m) throw new RateError(`不是有效的数值：${text}`, `not a valid decimal number: ${text}`);
  const [, sgn, int = '0', frac = ''] = m;
  const num = BigInt(int + frac) * (sgn === '-' ? -1n : 1n);
  const den = 10n ** BigInt(frac.length);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (num > max || num < -max || den > max) throw new RateError(`数值过大或位数过多：${text}`, `number too large or too precise: ${text}`);
  return { num: Number(num), den: Number(den) };
}

// ── Distances from a threshold ─────────────────────────────────────────────────────────────

/** An exact fraction `n / d` in BigInt (`d > 0`), for intermediate values that may exceed 2^53. */
export interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

/**
 * `rate − threshold`, measured in basis points, exactly: positive above the threshold, negative
 * below. 105/100 against 10000 bp → 500 bp (5 percentage points).
 */
export function bpAbove(rate: Rate, bp: Bp): Fraction {
  assertSafe(bp, '基点 basis points');
  return { n: BigInt(rate.num) * BigInt(BP_PER_WHOLE) - BigInt(bp) * BigInt(rate.den), d: BigInt(rate.den) };
}

/** A distance in bp written as percentage points with `decimals` places (half-up): 500 → "5.00". */
export function formatBpFractionAsPoints(distance: Fraction, decimals = 2): string {
  assertDecimals(decimals);
  // value in percentage points = n / (d × 100); shown × 10^decimals.
  return formatScaledInteger(divRoundHalfUp(distance.n * 10n ** BigInt(decimals), distance.d * 100n), decimals);
}

/**
 * Deduction for a distance at `perStepCp` per `stepBp`, proportionally (fractions of a step
 * count), rounded half-up to the centipoint: 500 bp at 50 cp per 100 bp → 250 cp.
 */
export function proportionalSteps(distance: Fraction, stepBp: Bp, perStepCp: Centipoints): Centipoints {
  return Number(divRoundHalfUp(distance.n * BigInt(perStepCp), distance.d * BigInt(stepBp)));
}

/** Whole steps of `stepBp` contained in a non-negative distance (floor): 730 bp in 500 bp steps → 1. */
export function wholeSteps(distance: Fraction, stepBp: Bp): number {
  if (distance.n <= 0n) return 0;
  return Number(distance.n / (distance.d * BigInt(stepBp)));
}

/**
 * The rate shown with enough decimals that it is not confused with a nearby threshold: two
 * decimals normally, more when two decimals would round onto a threshold the rate is not at
 * (89.996% next to a 90% band edge is shown as "89.9960%", not "90.00%").
 */
export function formatPercentNear(rate: Rate, thresholds: readonly Bp[]): string {
  for (let decimals = 2; decimals < 8; decimals += 2) {
    const scaled = divRoundHalfUp(BigInt(rate.num) * 100n * 10n ** BigInt(decimals), BigInt(rate.den));
    const misleading = thresholds.some(
      (bp) => scaled === BigInt(bp) * 10n ** BigInt(decimals - 2) && compareToBp(rate, bp) !== 0,
    );
    if (!misleading) return formatPercent(rate, decimals);
  }
  return formatPercent(rate, 8);
}

/**
 * Decimal text as people type it ("35000", "99.5", or a JSON number), at most `maxDecimals`
 * decimals when given, kept as text — and readable by {@link parseDecimal}, so a value too large
 * to compute with exactly is refused where it is entered, not when it is scored.
 */
export function decimalTextSchema(maxDecimals?: number) {
  const shape = maxDecimals === undefined ? /^-?\d+(\.\d+)?$/ : new RegExp(`^-?\\d+(\\.\\d{1,${maxDecimals}})?$`);
  const shapeMessage = maxDecimals === undefined ? bi('应为数字', 'must be a number') : bi(`应为数字（最多 ${maxDecimals} 位小数）`, `must be a number (at most ${maxDecimals} decimals)`);
  return z
    .union([z.string(), z.number()])
    .transform((v) => (typeof v === 'number' ? String(v) : v.trim()))
    .refine((s) => shape.test(s), { message: shapeMessage })
    .refine((s) => !shape.test(s) || exactlyReadable(s), { message: bi('数值过大或位数过多，无法精确计算', 'too large or too precise to compute with exactly') });
}

function exactlyReadable(s: string): boolean {
  try {
    parseDecimal(s);
    return true;
  } catch {
    return false;
  }
}
