/**
 * The exact distribution of reproduction 4's model — The Tail at Scale's 1,000-leaf calls over 100
 * idle servers with the calibrated leaf (`TAIL_AT_SCALE_LEAF`), without hedging or with a backup
 * after d ms — and the binomial band a simulated p99.9 of that many calls lies in. Shared by
 * `hedging.test.ts` and `bench/sim/hedging-p999.bench.ts`.
 */
import type { ModelSpec } from '../../src/sim/index.js';
import { TAIL_AT_SCALE_LEAF } from '../../src/sim/scenarios/hedging.js';

/** Leaves per call. */
export const LEAVES = 1000;

const buckets = (TAIL_AT_SCALE_LEAF as { buckets: readonly (readonly [number, number])[] }).buckets;
const total = buckets.reduce((a, [, c]) => a + c, 0);

/** P(leaf > t) of the calibrated leaf: uniform within each bucket, as the empirical sampler draws. */
export function leafTail(t: number): number {
  let above = 0;
  let low = buckets[0]![0];
  for (const [high, count] of buckets) {
    if (t < low) above += count;
    else if (t < high) above += (count * (high - t)) / (high - low);
    low = high;
  }
  return above / total;
}

/** P(leaf > t) with a backup after `d` ms on an idle server: both attempts must be slower. */
export const hedgedTail =
  (d: number) =>
  (t: number): number =>
    t < d ? leafTail(t) : leafTail(t) * leafTail(t - d);

/** P(call > t) for a call that waits for n independent leaves. */
export const callTail =
  (tail: (t: number) => number, n: number) =>
  (t: number): number =>
    1 - Math.pow(1 - tail(t), n);

/** The q-quantile of a tail function (bisection on ms). */
export function quantile(tail: (t: number) => number, q: number): number {
  let lo = 0;
  let hi = 10_000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** P(Binomial(n, p) ≤ k), summed in log space (k small). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  let sum = 0;
  let logTerm = n * Math.log1p(-p);
  for (let i = 0; i <= k && i <= n; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, sum);
}

/** Calls above the measured p99.9 of `calls` calls (the smallest value with ⌈0.999·calls⌉ at or below it). */
export const aboveP999 = (calls: number): number => calls - Math.ceil(0.999 * calls);

/**
 * Where the p99.9 of `calls` calls drawn from `tail` lies with probability ≥ 1 − 2α: the measured
 * p99.9 is below t exactly when at most k = {@link aboveP999}(calls) calls are above t, so the band
 * is where P(Bin(calls, tail(t)) ≤ k) crosses α and 1 − α (bisection on ms).
 */
export function p999Band(tail: (t: number) => number, calls: number, alpha: number): [number, number] {
  const k = aboveP999(calls);
  const cross = (target: (t: number) => boolean): number => {
    let lo = 0;
    let hi = 10_000;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (target(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  };
  return [cross((t) => binomialCdf(k, calls, tail(t)) <= alpha), cross((t) => 1 - binomialCdf(k, calls, tail(t)) > alpha)];
}

/** The model: `calls` calls at 100/s (10% warm-up), hedged after 10 ms or not, every server slowed by `slow` from the start if given. */
export const fanOutModel = (calls: number, hedge: boolean, slow?: number): ModelSpec => ({
  duration: (calls / 100 / 0.9) * 1000,
  // Under the slowdown every call is measured (warm-up 1 ms), so the budget's own invariant —
  // extras ≤ 5% of calls + initial tokens (0) — bounds the measured share.
  ...(slow === undefined ? {} : { warmup: 1 }),
  arrivals: { type: 'poisson', ratePerSec: 100 },
  clients: { picker: 'random', ...(hedge ? { hedge: { delay: '10ms', budget: { ratio: 0.05, maxTokens: 1000 } } } : {}) },
  servers: [{ count: 100, workers: 'unbounded', service: TAIL_AT_SCALE_LEAF }],
  fanOut: { leaves: LEAVES },
  ...(slow === undefined
    ? {}
    : { faults: [{ atMs: 0, action: 'slow' as const, servers: Array.from({ length: 100 }, (_, i) => i), factor: slow }] }),
});
