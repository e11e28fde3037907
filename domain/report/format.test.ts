import { describe, expect, it } from 'vitest';
import { chineseDate, chineseMonth, chineseNumeral, ordinal, percentFromBp, points, wan } from './format';

describe('report formatting', () => {
  it('writes Chinese numerals for headings', () => {
    expect([1, 2, 9, 10, 11, 19, 20, 21, 35, 99].map(chineseNumeral)).toEqual(['一', '二', '九', '十', '十一', '十九', '二十', '二十一', '三十五', '九十九']);
    expect(() => chineseNumeral(0)).toThrow(RangeError);
    expect(() => chineseNumeral(100)).toThrow(RangeError);
  });

  it('numbers the four heading levels of official documents', () => {
    expect([ordinal(1, 3), ordinal(2, 2), ordinal(3, 4), ordinal(4, 1)]).toEqual(['三、', '（二）', '4.', '（1）']);
  });

  it('writes dates the Chinese way, without leading zeros', () => {
    expect(chineseDate('2021-03-05')).toBe('2021年3月5日');
    expect(chineseDate('2020-12-31')).toBe('2020年12月31日');
    expect(chineseMonth('2020-08-31')).toBe('2020年8月');
  });

  it('writes amounts in 万元 with two decimals, shares with the decimals they were stated with', () => {
    expect(wan(4_910_000_00)).toBe('491.00万元');
    expect(wan(1_691_000_00 / 10)).toBe('16.91万元');
    expect(percentFromBp(7500)).toBe('75%');
    expect(percentFromBp(7480)).toBe('74.8%');
    expect(percentFromBp(7483)).toBe('74.83%');
    expect(percentFromBp(7500, 2)).toBe('75.00%');
    expect(points(250)).toBe('2.50');
  });
});
