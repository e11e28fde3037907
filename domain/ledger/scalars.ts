/**
 * The scalars every ledger file is made of: codes, civil dates, amounts with their unit written
 * out (parsed to 分), percentages (to basis points) and the stated figures that carry their
 * source. Shared by the unit-year document and its 基础数据表.
 */
import { z } from 'zod';
import { type Fen, MoneyError, parseMoney } from '../money';
import { bi } from '../validation';


/** Stable identifiers used in URLs, workflow ids and spreadsheets. */
export const codeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: bi('编码只能包含字母、数字和 . _ -，以字母或数字开头，最长 64 位', 'code: letters, digits, . _ - only, starting with a letter or digit, at most 64 characters'),
  });

export const civilDateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: bi('日期格式应为 YYYY-MM-DD', 'date must be YYYY-MM-DD') })
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, d));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
  }, { message: bi('不存在的日期', 'no such date') });

/**
 * An amount with its unit written out: "2217.42万元", "977996.00元", "12345分" (or a plain
 * integer meaning 分, for machine-written files). A bare decimal number is refused: its unit
 * would be a guess.
 */
export const moneySchema = z.union([z.string(), z.number()]).transform((raw, ctx): Fen => {
  const fail = (zh: string, en: string) => {
    ctx.addIssue({ code: 'custom', message: bi(zh, en), params: { code: 'invalid_amount' } });
    return z.NEVER;
  };
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) return fail('不带单位的金额必须是整数（单位：分）；请写成 "12.34万元" 或 "1234.56元"', 'an amount without a unit must be a whole number of 分; write "12.34万元" or "1234.56元"');
    return raw;
  }
  const text = raw.trim();
  try {
    if (/万元?$/.test(text)) return parseMoney(text, 'wan');
    if (/元$/.test(text)) return parseMoney(text, 'yuan');
    if (/分$/.test(text)) {
      const body = text.slice(0, -1).trim();
      if (!/^[+-]?\d+$/.test(body)) return fail(`以分为单位的金额必须是整数：${raw}`, `an amount in 分 must be a whole number: ${raw}`);
      const n = Number(body);
      if (!Number.isSafeInteger(n)) return fail(`金额过大：${raw}`, `amount too large: ${raw}`);
      return n;
    }
    return fail(`金额须注明单位（万元、元或分）：${raw}`, `amount needs a unit (万元, 元 or 分): ${raw}`);
  } catch (e) {
    if (e instanceof MoneyError) return fail(e.zh, e.en);
    throw e;
  }
});

export const nonNegativeMoney = moneySchema.refine((f) => f >= 0, {
  message: bi('金额不能为负数', 'amount may not be negative'),
  params: { code: 'negative_amount' },
});

/** A percentage as written ("75%", "74.84%", 75) → basis points (7500). */
export const percentSchema = z.union([z.string(), z.number()]).transform((raw, ctx): number => {
  const text = typeof raw === 'number' ? String(raw) : raw.trim().replace(/[%％]$/, '');
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: bi(`不是有效的百分比（最多两位小数）：${raw}`, `not a valid percentage (at most 2 decimals): ${raw}`) });
    return z.NEVER;
  }
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
});

/** Where in the published report a stated figure comes from, e.g. "二（一）". */
export const sourceSchema = z.string().trim().min(1).max(200).optional();

/** A stated amount: plain ("2217.42万元") or with its source ({ amount, source }). */
export const statedAmountSchema = z
  .union([nonNegativeMoney, z.object({ amount: nonNegativeMoney, source: sourceSchema }).strict()])
  .transform((v) => (typeof v === 'number' ? { amount: v } : v));

export const statedShareSchema = z
  .union([percentSchema, z.object({ share: percentSchema, source: sourceSchema }).strict()])
  .transform((v) => (typeof v === 'number' ? { shareBp: v } : { shareBp: v.share, source: v.source }));

