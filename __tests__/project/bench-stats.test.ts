/**
 * The bench's statistics (scripts/bench-stats.mjs): the median and its distribution-free 95%
 * interval, checked against the sign-test ranks in published tables and against the binomial
 * coverage the interval claims.
 */
import { median, medianInterval, verdict } from '../../scripts/bench-stats.mjs';

const ranks = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const shuffled = (values: number[]) => [...values].sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median(shuffled(ranks(41)))).toBe(21);
  });
});

describe('medianInterval', () => {
  // Ranks [k, n+1-k] of the 95% sign-test interval for the median (e.g. Conover, Practical
  // Nonparametric Statistics, table A3; n = 21 → 6 and 16).
  it.each([
    [6, 1, 6],
    [10, 2, 9],
    [21, 6, 16],
    [41, 14, 28],
    [100, 40, 61],
  ])('n = %i: the values of ranks %i and %i, in any order', (n, low, high) => {
    const interval = medianInterval(shuffled(ranks(n)));
    expect(interval).toMatchObject({ low, high });
    expect(interval!.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it('covers at least 95%, and the next narrower interval would not', () => {
    for (const n of [21, 41, 81, 2000]) {
      const { low, coverage } = medianInterval(ranks(n))!;
      // Coverage of [x(k), x(n+1-k)] is 1 - 2 P(B < k), B ~ Binomial(n, 1/2); one rank narrower, 1 - 2 P(B < k + 1).
      const pmf = (i: number) => Math.exp(lgammaBinomial(n, i) + n * Math.log(0.5));
      const below = (k: number) => Array.from({ length: k }, (_, i) => pmf(i)).reduce((a, b) => a + b, 0);
      // The values are the ranks, so low is k.
      expect(coverage).toBeCloseTo(1 - 2 * below(low), 9);
      expect(coverage).toBeGreaterThanOrEqual(0.95);
      expect(1 - 2 * below(low + 1)).toBeLessThan(0.95);
    }
  });

  it('gives no interval for too few values', () => {
    expect(medianInterval([1, 2, 3, 4, 5])).toBeUndefined();
    expect(medianInterval([])).toBeUndefined();
  });
});

describe('verdict', () => {
  it('says met or NOT met, and when the interval reaches both sides of the goal, says the run did not decide it', () => {
    expect(verdict(1.05, { low: 1.03, high: 1.08 }, 1.1)).toBe('met');
    expect(verdict(1.15, { low: 1.12, high: 1.18 }, 1.1)).toBe('NOT met');
    expect(verdict(1.09, { low: 1.07, high: 1.12 }, 1.1)).toBe('met, but the interval spans the goal: another run may say otherwise');
    expect(verdict(1.11, { low: 1.08, high: 1.13 }, 1.1)).toBe('NOT met, but the interval spans the goal: another run may say otherwise');
    expect(verdict(1.1, { low: 1.1, high: 1.1 }, 1.1)).toBe('met');
    expect(verdict(1.2, undefined, 1.1)).toBe('NOT met');
  });
});

/** log C(n, i), by summing logs (exact enough for these n). */
function lgammaBinomial(n: number, i: number): number {
  let sum = 0;
  for (let j = 1; j <= i; j++) sum += Math.log((n - i + j) / j);
  return sum;
}
