import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bpAbove,
  compareRates,
  compareToBp,
  divideRates,
  formatBp,
  formatBpFractionAsPoints,
  formatPercent,
  formatPercentNear,
  formatPoints,
  formatPointsShort,
  parseDecimal,
  proportionalSteps,
  RateError,
  rateFromBp,
  rateOf,
  rateToBpRounded,
  scaleToCentipoints,
  wholeSteps,
} from './rate';

describe('rateOf', () => {
  it('keeps the terms as given and refuses nothing but non-integers', () => {
    expect(rateOf(136, 143)).toEqual({ num: 136, den: 143 });
    expect(rateOf(-3, 4)).toEqual({ num: -3, den: 4 });
  });

  it('a zero denominator means "not applicable", not an error', () => {
    expect(rateOf(5, 0)).toBeNull();
    expect(rateOf(0, 0)).toBeNull();
  });

  it('moves a negative denominator to the numerator', () => {
    expect(rateOf(3, -4)).toEqual({ num: -3, den: 4 });
    expect(rateOf(0, -4)).toEqual({ num: 0, den: 4 });
  });

  it('refuses fractions and unsafe integers', () => {
    expect(() => rateOf(1.5, 2)).toThrow(RateError);
    expect(() => rateOf(1, 2 ** 53)).toThrow(RateError);
    expect(() => rateOf(Number.NaN, 1)).toThrow(RateError);
  });
});

describe('formatPercent (half-up)', () => {
  it('shows the DOMAIN.md §1.3 worked-example figures as the sources state them', () => {
    expect(formatPercent({ num: 136, den: 143 })).toBe('95.10%'); // 95.1049%
    expect(formatPercent({ num: 269_062, den: 271_042 })).toBe('99.27%'); // 2690.62 / 2710.42
    expect(formatPercent({ num: 76_786, den: 192_276 })).toBe('39.94%'); // 767.86 / 1922.76
    expect(formatPercent({ num: 6_346 - 3_200, den: 3_200 })).toBe('98.31%'); // (63.46 − 32) / 32 = 98.3125%
  });

  it('rounds half away from zero, at any number of decimals', () => {
    expect(formatPercent({ num: 1, den: 20_000 })).toBe('0.01%'); // 0.005% → 0.01%
    expect(formatPercent({ num: 1, den: 20_001 })).toBe('0.00%');
    expect(formatPercent({ num: 1, den: 8 }, 0)).toBe('13%'); // 12.5%
    expect(formatPercent({ num: -1, den: 8 }, 0)).toBe('-13%');
    expect(formatPercent({ num: 2, den: 3 }, 4)).toBe('66.6667%');
    expect(formatPercent({ num: 3, den: 1 })).toBe('300.00%');
  });

  it('is within half a unit of the last place of the exact value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), (num, den) => {
        const text = formatPercent({ num, den });
        const hundredths = BigInt(text.replace('%', '').replace('.', ''));
        // |hundredths/10000 − num/den| ≤ 1/20000  ⇔  |2·hundredths·den − 2·num·10000| ≤ den
        const diff = 2n * hundredths * BigInt(den) - 2n * BigInt(num) * 10_000n;
        expect(diff <= BigInt(den) && diff >= -BigInt(den)).toBe(true);
      }),
    );
  });

  it('rateToBpRounded agrees with the two-decimal text', () => {
    expect(rateToBpRounded({ num: 136, den: 143 })).toBe(9510);
  });
});

describe('comparisons against thresholds in basis points', () => {
  it('is exact at the boundary and one basis point either side', () => {
    expect(compareToBp({ num: 9_000, den: 10_000 }, 9000)).toBe(0);
    expect(compareToBp({ num: 8_999, den: 10_000 }, 9000)).toBe(-1);
    expect(compareToBp({ num: 9_001, den: 10_000 }, 9000)).toBe(1);
    expect(compareToBp({ num: 9, den: 10 }, 9000)).toBe(0);
  });

  it('is exact where floating point is not (0.07 × 10000 = 700.0000000000001 in a float)', () => {
    expect(compareToBp({ num: 7, den: 100 }, 700)).toBe(0);
    expect(compareToBp({ num: 57, den: 100 }, 5700)).toBe(0);
    expect(compareToBp({ num: 29, den: 100 }, 2900)).toBe(0);
  });

  it('stays exact where a float would round onto the threshold', () => {
    const big = Number.MAX_SAFE_INTEGER; // 2^53 − 1
    // (2^53 − 2)/(2^53 − 1) is below 1 by ~1.1e-16: exactly below 100%.
    expect(compareToBp({ num: big - 1, den: big }, 10_000)).toBe(-1);
    // 0.9 of a huge denominator, plus one: just above 90%.
    const den = 9_000_000_000_000_000 / 10; // 9e14
    expect(compareToBp({ num: (den / 10) * 9 + 1, den }, 9000)).toBe(1);
  });

  it('compares two rates by cross-multiplying', () => {
    expect(compareRates({ num: 1, den: 3 }, { num: 2, den: 6 })).toBe(0);
    expect(compareRates({ num: 1, den: 3 }, { num: 333, den: 1000 })).toBe(1);
    expect(compareRates(rateFromBp(9000), { num: 9, den: 10 })).toBe(0);
  });
});

describe('distances from a threshold', () => {
  it('measures percentage points above a cap exactly', () => {
    const over = bpAbove({ num: 105, den: 100 }, 10_000);
    expect(formatBpFractionAsPoints(over)).toBe('5.00');
    // 0.5 point per percentage point (50 cp per 100 bp): 2.50 points.
    expect(proportionalSteps(over, 100, 50)).toBe(250);
  });

  it('is negative below the threshold', () => {
    const d = bpAbove({ num: 93, den: 100 }, 10_000);
    expect(formatBpFractionAsPoints({ n: -d.n, d: d.d })).toBe('7.00');
  });

  it('counts whole steps with the floor and nothing below one step', () => {
    const under = (num: number, den: number) => {
      const d = bpAbove({ num, den }, 10_000);
      return { n: -d.n, d: d.d };
    };
    expect(wholeSteps(under(269_062, 271_042), 500)).toBe(0); // 0.73% short of 100%
    expect(wholeSteps(under(95, 100), 500)).toBe(1);
    expect(wholeSteps(under(9_501, 10_000), 500)).toBe(0);
    expect(wholeSteps(under(9_499, 10_000), 500)).toBe(1);
    expect(wholeSteps(under(90, 100), 500)).toBe(2);
    expect(wholeSteps(under(101, 100), 500)).toBe(0);
  });
});

describe('divideRates, scaleToCentipoints, parseDecimal', () => {
  it('divides exactly and reduces', () => {
    expect(divideRates({ num: 1, den: 2 }, { num: 3, den: 4 })).toEqual({ num: 2, den: 3 });
    expect(divideRates({ num: 45, den: 100 }, { num: 50, den: 100 })).toEqual({ num: 9, den: 10 });
    expect(divideRates({ num: 1, den: 2 }, { num: 0, den: 4 })).toBeNull();
  });

  it('refuses a quotient whose terms cannot be represented exactly', () => {
    expect(() => divideRates({ num: 2 ** 52 + 1, den: 3 }, { num: 7, den: 2 ** 52 - 1 })).toThrow(RateError);
  });

  it('scales points by a rate, half-up to the centipoint', () => {
    expect(scaleToCentipoints({ num: 4, den: 5 }, 500)).toBe(400);
    expect(scaleToCentipoints({ num: 1, den: 3 }, 500)).toBe(167); // 166.67
    expect(scaleToCentipoints({ num: 1, den: 8 }, 4)).toBe(1); // 0.5 → 1
  });

  it('parses decimal text exactly', () => {
    expect(parseDecimal('99.5')).toEqual({ num: 995, den: 10 });
    expect(parseDecimal('12')).toEqual({ num: 12, den: 1 });
    expect(parseDecimal('-0.25')).toEqual({ num: -25, den: 100 });
    expect(parseDecimal(0.1)).toEqual({ num: 1, den: 10 });
    for (const bad of ['', '1e3', '1,000', '.5', 'abc', '1.']) expect(() => parseDecimal(bad), bad).toThrow(RateError);
  });
});

describe('formatting thresholds and points', () => {
  it('writes thresholds as the rules do', () => {
    expect(formatBp(10_000)).toBe('100%');
    expect(formatBp(9_000)).toBe('90%');
    expect(formatBp(950)).toBe('9.5%');
    expect(formatBp(1)).toBe('0.01%');
    expect(formatBp(0)).toBe('0%');
    expect(formatBp(-10_000)).toBe('-100%');
  });

  it('writes points with two decimals, or short as a rule states them', () => {
    expect(formatPoints(250)).toBe('2.50');
    expect(formatPoints(0)).toBe('0.00');
    expect(formatPoints(7_865)).toBe('78.65');
    expect(formatPointsShort(50)).toBe('0.5');
    expect(formatPointsShort(800)).toBe('8');
    expect(formatPointsShort(250)).toBe('2.5');
  });

  it('adds decimals when two would round onto a threshold the rate is not at', () => {
    expect(formatPercentNear({ num: 89_996, den: 100_000 }, [9000])).toBe('89.9960%');
    expect(formatPercentNear({ num: 90, den: 100 }, [9000])).toBe('90.00%');
    expect(formatPercentNear({ num: 89_996, den: 100_000 }, [8000])).toBe('90.00%');
    expect(formatPercentNear({ num: 1, den: 32_000_000 }, [0])).toBe('0.000003%');
  });
});
