/**
 * Money is exact: an amount is an integer number of 分 (fen; 1 元 = 100 分, 1 万元 = 1,000,000 分),
 * a JavaScript safe integer. Conversions to and from 元 and 万元 happen only at the edges (import,
 * display, PDF), by string arithmetic — never through floating point. Rounding for display is
 * half-up (away from zero for negatives, as 四舍五入 is read in finance offices).
 */

/** An amount in 分. Always a safe integer. */
export type Fen = number;

export const FEN_PER_YUAN = 100;
export const FEN_PER_WAN_YUAN = 1_000_000;

export class MoneyError extends Error {
  override readonly name = 'MoneyError';
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

export function isFen(value: unknown): value is Fen {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

function assertFen(value: number, what = 'amount'): Fen {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyError(`${what}超出可精确表示的范围`, `${what} is not an exact integer number of fen`);
  }
  return value;
}

/** Sum without drift; refuses a result that would not be exact. */
export function sumFen(amounts: Iterable<Fen>): Fen {
  let total = 0;
  for (const a of amounts) {
    assertFen(a);
    total += a;
  }
  return assertFen(total, 'sum');
}

const UNIT_DIGITS = { yuan: 2, wan: 6 } as const;
export type MoneyUnit = keyof typeof UNIT_DIGITS;

const NUMBER_RE = /^([+-])?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/;

/**
 * Parses a decimal amount in 元 or 万元 into 分. Accepts an optional sign, thousands separators
 * (`1,234.56`), full-width digits and a trailing unit word (`元`, `万元`, `万`) that must match.
 * Refuses fractions of a 分 (more than 2 decimals in 元, 6 in 万元) instead of rounding them away.
 */
export function parseMoney(text: string, unit: MoneyUnit): Fen {
  const normalised = toHalfWidth(text).trim().replace(/\s+/g, '');
  let body = normalised;
  const unitWord = /(万元|万|元)$/.exec(body)?.[1];
  if (unitWord) {
    const wordUnit: MoneyUnit = unitWord === '元' ? 'yuan' : 'wan';
    if (wordUnit !== unit) {
      throw new MoneyError(`金额单位应为${unit === 'yuan' ? '元' : '万元'}：${text}`, `amount should be in ${unit === 'yuan' ? '元' : '万元'}: ${text}`);
    }
    body = body.slice(0, -unitWord.length);
  }
  const m = NUMBER_RE.exec(body);
  if (!m) throw new MoneyError(`不是有效的金额：${text}`, `not a valid amount: ${text}`);
  const [, sign, intPart = '0', frac = ''] = m;
  const digits = UNIT_DIGITS[unit];
  const trimmedFrac = frac.replace(/0+$/, '');
  if (trimmedFrac.length > digits) {
    throw new MoneyError(`金额精确到分以下：${text}`, `amount has fractions of a fen: ${text}`);
  }
  const fenPerUnit = unit === 'yuan' ? FEN_PER_YUAN : FEN_PER_WAN_YUAN;
  const whole = BigInt(intPart.replace(/,/g, '')) * BigInt(fenPerUnit);
  // The unit is 10^digits 分 (元: 10², 万元: 10⁶), so the padded fraction digits are the 分 directly.
  const fracFen = trimmedFrac === '' ? 0n : BigInt(trimmedFrac.padEnd(digits, '0'));
  const total = (whole + fracFen) * (sign === '-' ? -1n : 1n);
  if (total > BigInt(Number.MAX_SAFE_INTEGER) || total < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MoneyError(`金额过大：${text}`, `amount too large: ${text}`);
  }
  return Number(total);
}

export const parseYuan = (text: string): Fen => parseMoney(text, 'yuan');
export const parseWanYuan = (text: string): Fen => parseMoney(text, 'wan');

/** 元 amount given as a number (e.g. from a spreadsheet cell) → 分, refusing sub-fen parts. */
export function yuanNumberToFen(value: number): Fen {
  if (!Number.isFinite(value)) throw new MoneyError(`不是有效的金额：${value}`, `not a valid amount: ${value}`);
  // Shortest round-trip decimal representation, then exact string parsing.
  return parseYuan(numberToPlainString(value));
}

/** 万元 amount given as a number → 分, refusing sub-fen parts. */
export function wanYuanNumberToFen(value: number): Fen {
  if (!Number.isFinite(value)) throw new MoneyError(`不是有效的金额：${value}`, `not a valid amount: ${value}`);
  return parseWanYuan(numberToPlainString(value));
}

function numberToPlainString(value: number): string {
  const s = String(value);
  if (!/e/i.test(s)) return s;
  // Expand exponent notation exactly (e.g. 1e-7, 1.5e21).
  const [mantissa = '0', expText = '0'] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const [int = '0', frac = ''] = mantissa.replace('-', '').split('.');
  const digits = int + frac;
  const point = int.length + exp;
  const plain =
    point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + plain;
}

function toHalfWidth(s: string): string {
  return s
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/．/g, '.')
    .replace(/，/g, ',')
    .replace(/－/g, '-')
    .replace(/＋/g, '+');
}

/**
 * Integer division rounded half-up (half away from zero), exact for any safe integers.
 */
export function divRoundHalfUp(numerator: number | bigint, denominator: number | bigint): bigint {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  if (d === 0n) throw new RangeError('division by zero');
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (an * 2n + ad) / (ad * 2n);
  return negative ? -q : q;
}

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export interface FormatOptions {
  /** Fraction digits shown (rounded half-up). Default 2. */
  decimals?: number;
  /** Thousands separators. Default false (reports write 2217.42). */
  grouping?: boolean;
}

function formatScaled(fen: Fen, fenPerUnit: number, options: FormatOptions): string {
  assertFen(fen);
  const decimals = options.decimals ?? 2;
  // value in units = fen / fenPerUnit; shown with `decimals` digits → integer of 10^decimals-ths.
  const scaled = divRoundHalfUp(BigInt(fen) * 10n ** BigInt(decimals), BigInt(fenPerUnit));
  const negative = scaled < 0n;
  const abs = (negative ? -scaled : scaled).toString().padStart(decimals + 1, '0');
  const int = abs.slice(0, abs.length - decimals);
  const frac = abs.slice(abs.length - decimals);
  const intShown = options.grouping ? groupThousands(int) : int;
  return `${negative ? '-' : ''}${intShown}${decimals > 0 ? `.${frac}` : ''}`;
}

/** 分 → 元 text, e.g. 22174200 → "221742.00". */
export function formatYuan(fen: Fen, options: FormatOptions = {}): string {
  return formatScaled(fen, FEN_PER_YUAN, options);
}

/** 分 → 万元 text, two decimals half-up by default, e.g. 2217420000 → "2217.42". */
export function formatWanYuan(fen: Fen, options: FormatOptions = {}): string {
  return formatScaled(fen, FEN_PER_WAN_YUAN, options);
}

/**
 * A share of an amount at a rate given in basis points (1 bp = 0.01%), rounded half-up to the 分:
 * e.g. a 5% retention (500 bp) of a contract.
 */
export function applyRateBp(fen: Fen, rateBp: number): Fen {
  assertFen(fen);
  if (!Number.isInteger(rateBp)) throw new RangeError('rate must be whole basis points');
  return Number(divRoundHalfUp(BigInt(fen) * BigInt(rateBp), 10_000n));
}
