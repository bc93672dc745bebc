/**
 * Quantiles of a small sample in memory (a few thousand values: a lab window's hedges, a model's
 * runs of one window), for the lab's trace summaries and the simulator's comparison with the lab.
 * Latencies at scale go through `headroom`'s HDR histogram instead; these samples may hold
 * negative values (a timer that fired early), which it does not take.
 */

/** The value at quantile `q` (0–1) of a sample, linear between its sorted values. */
export function quantileOf(values: readonly number[], q: number): number {
  return quantilesOf(values, [q])[0]!;
}

/** The values at quantiles `qs` (0–1) of a sample, as {@link quantileOf}, sorting it once. */
export function quantilesOf(values: readonly number[], qs: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  return qs.map((q) => {
    const at = q * (sorted.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
  });
}
