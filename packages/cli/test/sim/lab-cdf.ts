/**
 * Lab-shaped CDFs for the tests of `sim-vs-lab`: a quantile function read on the lab's own CDF grid
 * (0 to 4 nines in tenths of a nine, then 100), as `headroom lab --json` records a phase's latency.
 */

/** The lab's CDF grid over `quantile` (q in [0, 1) → ms). */
export function cdf(quantile: (q: number) => number): { percentile: number; ms: number }[] {
  const points = Array.from({ length: 41 }, (_, t) => 100 * (1 - 10 ** (-t / 10)));
  return [...points, 100].map((percentile) => ({ percentile, ms: quantile(Math.min(percentile / 100, 0.999999)) }));
}
