/**
 * The benchmark's statistics: the median, and how far one run's median can be trusted.
 *
 * A bench run's median ratio moves by about ±0.02 from run to run on a shared 2-core machine
 * (docs/performance.md), so "met" against a goal it sits next to says little on its own. Beside
 * the median, scripts/bench.mjs prints a 95% confidence interval for it. The interval comes from
 * order statistics (the sign test): it assumes nothing about the shape of the distribution, only
 * that the pairs are independent.
 */

export function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * A distribution-free confidence interval for the median of values: [x(k), x(n+1-k)] of the sorted
 * values (1-based), with k the largest rank for which P(Binomial(n, 1/2) < k) ≤ (1 - level) / 2.
 * Returns undefined when there are too few values for the level (fewer than 6 for 95%).
 * @param {number[]} values
 * @param {number} [level]
 * @returns {{ low: number, high: number, coverage: number } | undefined} coverage: the interval's exact level
 */
export function medianInterval(values, level = 0.95) {
  const n = values.length;
  const tail = (1 - level) / 2;
  // P(B = i) for B ~ Binomial(n, 1/2), accumulated from i = 0 upwards; in logs, so that 0.5^n
  // does not underflow for long runs.
  let logProbability = n * Math.log(0.5);
  let below = 0; // P(B < k)
  let k = 0;
  for (let i = 0; i < n; i++) {
    const probability = Math.exp(logProbability);
    if (below + probability > tail) break;
    below += probability;
    k = i + 1;
    logProbability += Math.log((n - i) / (i + 1));
  }
  if (k === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  return { low: sorted[k - 1], high: sorted[n - k], coverage: 1 - 2 * below };
}

/**
 * The verdict on a goal (an upper bound): met, not met, or not decided by this run, when the
 * interval reaches both sides of the goal.
 * @param {number} value the median
 * @param {{ low: number, high: number } | undefined} interval
 * @param {number} goal
 */
export function verdict(value, interval, goal) {
  const side = value <= goal ? 'met' : 'NOT met';
  if (interval && interval.low <= goal && interval.high > goal) {
    return `${side}, but the interval spans the goal: another run may say otherwise`;
  }
  return side;
}
