import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRateBp,
  divRoundHalfUp,
  formatWanYuan,
  formatYuan,
  MoneyError,
  parseWanYuan,
  parseYuan,
  sumFen,
  wanYuanNumberToFen,
  yuanNumberToFen,
} from './money';

const safeFen = fc.integer({ min: -(2 ** 50), max: 2 ** 50 });

describe('parsing 元 and 万元 into 分', () => {
  it('reads the seed report figures exactly', () => {
    expect(parseWanYuan('2217.42')).toBe(2_217_420_000);
    expect(parseWanYuan('993.56')).toBe(993_560_000);
    expect(parseWanYuan('5.85万')).toBe(5_850_000);
    expect(parseYuan('977996.00')).toBe(97_799_600);
    expect(parseYuan('977,996.00元')).toBe(97_799_600);
  });

  it('accepts signs, grouping, full-width digits and trailing zeros', () => {
    expect(parseYuan('-0.01')).toBe(-1);
    expect(parseYuan('+12')).toBe(1200);
    expect(parseYuan('１２３．４５')).toBe(12345);
    expect(parseYuan('1.500')).toBe(150);
    expect(parseWanYuan('0.000001')).toBe(1);
    expect(parseWanYuan('1,000')).toBe(1_000_000_000);
  });

  it('refuses fractions of a 分 instead of rounding them away', () => {
    expect(() => parseYuan('0.001')).toThrow(MoneyError);
    expect(() => parseWanYuan('0.0000001')).toThrow(/fractions of a fen/);
  });

  it('refuses text that is not an amount, and the wrong unit word', () => {
    for (const bad of ['', 'abc', '1.2.3', '1,23', '12e3', '--1', '.5']) {
      expect(() => parseYuan(bad), bad).toThrow(MoneyError);
    }
    expect(() => parseYuan('12万元')).toThrow(/万元|元/);
    expect(() => parseWanYuan('12元')).toThrow(MoneyError);
  });

  it('refuses amounts beyond exact integers', () => {
    expect(() => parseYuan('100000000000000000')).toThrow(/too large/);
  });

  it('converts spreadsheet numbers without floating-point drift', () => {
    expect(yuanNumberToFen(0.1 + 0.2 - 0.3 + 1690000.1)).toBe(169_000_010);
    expect(yuanNumberToFen(1234.56)).toBe(123_456);
    expect(wanYuanNumberToFen(299.31)).toBe(299_310_000);
    expect(wanYuanNumberToFen(1e-6)).toBe(1);
    expect(() => yuanNumberToFen(0.005)).toThrow(MoneyError);
    expect(() => yuanNumberToFen(Number.NaN)).toThrow(MoneyError);
  });
});

describe('formatting 分 as 元 and 万元', () => {
  it('formats 万元 with two decimals, half-up', () => {
    expect(formatWanYuan(2_217_420_000)).toBe('2217.42');
    expect(formatWanYuan(1_394_100_00)).toBe('139.41');
    expect(formatWanYuan(5_000)).toBe('0.01'); // 0.005 万元 rounds up
    expect(formatWanYuan(4_999)).toBe('0.00');
    expect(formatWanYuan(-5_000)).toBe('-0.01'); // half away from zero
    expect(formatWanYuan(12_345_678_901, { grouping: true })).toBe('12,345.68');
    expect(formatWanYuan(2_217_420_000, { decimals: 4 })).toBe('2217.4200');
  });

  it('formats 元 exactly', () => {
    expect(formatYuan(97_799_600)).toBe('977996.00');
    expect(formatYuan(97_799_600, { grouping: true })).toBe('977,996.00');
    expect(formatYuan(-1)).toBe('-0.01');
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(150, { decimals: 0 })).toBe('2');
  });
});

describe('properties', () => {
  it('format∘parse is the identity on valid 元 text', () => {
    fc.assert(
      fc.property(safeFen, (fen) => {
        const text = formatYuan(fen);
        expect(formatYuan(parseYuan(text))).toBe(text);
        expect(parseYuan(text)).toBe(fen);
      }),
    );
  });

  it('parse∘format is the identity for 万元 with six decimals (exact)', () => {
    fc.assert(
      fc.property(safeFen, (fen) => {
        expect(parseWanYuan(formatWanYuan(fen, { decimals: 6 }))).toBe(fen);
        expect(parseWanYuan(formatWanYuan(fen, { decimals: 6, grouping: true }))).toBe(fen);
      }),
    );
  });

  it('two-decimal 万元 is within half a unit of the last place of the exact value', () => {
    fc.assert(
      fc.property(safeFen, (fen) => {
        const shown = parseWanYuan(formatWanYuan(fen));
        expect(Math.abs(shown - fen)).toBeLessThanOrEqual(5_000);
      }),
    );
  });

  it('sums never drift: the sum of parsed parts equals the parse of the exact sum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -(10 ** 12), max: 10 ** 12 }), { maxLength: 200 }), (parts) => {
        const texts = parts.map((p) => formatYuan(p));
        const total = sumFen(texts.map(parseYuan));
        expect(total).toBe(parts.reduce((a, b) => a + b, 0));
        expect(parseYuan(formatYuan(total))).toBe(total);
      }),
    );
  });

  it('divRoundHalfUp matches the definition', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (n, d) => {
        const q = divRoundHalfUp(n, d);
        // |n/d - q| ≤ 1/2, and exactly 1/2 only when rounding away from zero.
        const twice = 2n * n - 2n * q * d;
        expect(twice <= d && twice >= -d).toBe(true);
        if (twice === d) expect(n < 0n).toBe(true);
        if (twice === -d) expect(n > 0n).toBe(true);
      }),
    );
  });

  it('sumFen refuses a total beyond exact integers', () => {
    expect(() => sumFen([Number.MAX_SAFE_INTEGER, 1])).toThrow(MoneyError);
  });
});

describe('applyRateBp', () => {
  it('takes a share rounded half-up to the 分', () => {
    expect(applyRateBp(180_020_000, 500)).toBe(9_001_000); // 5% of 180.02 万元 = 9.001 万元
    expect(applyRateBp(101, 5_000)).toBe(51); // 50.5 分 → 51
    expect(applyRateBp(100, 333)).toBe(3); // 3.33 分 → 3
    expect(() => applyRateBp(100, 2.5)).toThrow(RangeError);
  });
});
