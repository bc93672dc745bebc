/**
 * Finagle's balancer simulation (`finagle-benchmark`'s `com.twitter.finagle.balancersim.Simulation`)
 * in virtual time. What it runs, read from its source:
 *
 * - 10 stable backends, each a pure delay (a `Future.sleep` of a latency drawn from a recorded
 *   ping-latency file, no queue and no concurrency limit), plus one extra backend for the
 *   scenario — so 11 servers;
 * - one client sending 1,250 queries a second for 45 s (one per millisecond, one more every 4th);
 * - `coldstart`: the extra backend starts cold (latencies × min(5, 10 s / t) for its first 10 s)
 *   and is 10× slower from 19 s to 23 s; `slowmiddle`: the extra backend is 10× slower from 15 s
 *   to 45 s;
 * - balancers `rr` (round-robin), `p2c` (least outstanding of two) and `ewma` (P2C over
 *   peak-EWMA, decay 10 s);
 * - at the end, the load distribution: optimal = total requests / servers, and per server its
 *   requests and |requests − optimal| (absolute and as a percentage of optimal).
 *
 * The latency file (86,332 pings of 164–200 ms, median 167.5 ms) is summarized here as an
 * empirical histogram of its quantiles (0, 5, 10, 20, …, 90, 92.5, 95, 97, 98, 99, 99.5, 99.9,
 * 100%), each bucket weighted by the share of pings it holds.
 */
import type { DistributionSpec } from '../distributions.js';
import type { FaultSpec } from '../model-spec.js';
import type { Scenario } from '../scenario.js';

/** Finagle's recorded ping latencies (`real_latencies.data`), as quantile buckets (ms, weight). */
export const FINAGLE_PING_LATENCY: DistributionSpec = {
  type: 'empirical',
  buckets: [
    [164.1, 0],
    [165.4, 50],
    [165.8, 50],
    [166.2, 100],
    [166.6, 100],
    [167.0, 100],
    [167.5, 100],
    [168.2, 100],
    [169.4, 100],
    [170.3, 50],
    [171.5, 50],
    [173.5, 50],
    [176.7, 50],
    [179.1, 25],
    [181.7, 25],
    [183.9, 20],
    [186.4, 10],
    [192.3, 10],
    [196.2, 5],
    [198.8, 4],
    [200.0, 1],
  ],
};

/** Index of the scenario's extra backend (after the 10 stable ones). */
export const FINAGLE_EXTRA_BACKEND = 10;

/** Finagle's `warmup(10.seconds)` (latency × min(5, 10 s / t)) as piecewise-constant slow-downs every 250 ms, then normal at 10 s. */
function coldStartRamp(): FaultSpec[] {
  const faults: FaultSpec[] = [];
  for (let t = 0; t < 10_000; t += 250) {
    const mid = t + 125;
    faults.push({ atMs: t, action: 'slow', servers: [FINAGLE_EXTRA_BACKEND], factor: Math.min(5, 10_000 / mid) });
  }
  faults.push({ atMs: 10_000, action: 'recover', servers: [FINAGLE_EXTRA_BACKEND] });
  return faults;
}

function finagleScenario(name: string, faults: readonly FaultSpec[], description: string): Scenario {
  return {
    name,
    description,
    model: {
      duration: '45s',
      warmup: 0,
      arrivals: { type: 'constant', ratePerSec: 1250 },
      servers: [{ count: 11, workers: 'unbounded', service: FINAGLE_PING_LATENCY }],
      faults,
    },
    variants: [
      { name: 'round-robin', clients: { picker: 'round-robin', load: 'outstanding' } },
      { name: 'p2c', clients: { picker: 'p2c', load: 'outstanding' } },
      { name: 'p2c+peak-ewma', clients: { picker: 'p2c', load: { type: 'peak-ewma', decay: '10s' } } },
    ],
  };
}

/** `slowmiddle`: backend 10 (the 11th) ten times slower from 15 s to the end. */
export const finagleSlowMiddle: Scenario = finagleScenario(
  'finagle-slowmiddle',
  [{ atMs: 15_000, action: 'slow', servers: [FINAGLE_EXTRA_BACKEND], factor: 10 }],
  "Finagle's balancer simulation, slowmiddle: 10 backends answering like its recorded pings (≈167 ms) plus one that is 10× slower from 15 s to 45 s; 1,250 req/s for 45 s; round-robin, p2c, p2c + peak-EWMA (τ = 10 s).",
);

/** `coldstart`: backend 10 starts cold (up to 5× slower, easing off over 10 s) and is 10× slower from 19 s to 23 s. */
export const finagleColdStart: Scenario = finagleScenario(
  'finagle-coldstart',
  [
    ...coldStartRamp(),
    { atMs: 19_000, action: 'slow', servers: [FINAGLE_EXTRA_BACKEND], factor: 10 },
    { atMs: 23_000, action: 'recover', servers: [FINAGLE_EXTRA_BACKEND] },
  ],
  "Finagle's balancer simulation, coldstart: 10 backends answering like its recorded pings (≈167 ms) plus one that starts cold (× min(5, 10 s / t) for 10 s) and is 10× slower from 19 s to 23 s; 1,250 req/s for 45 s.",
);
