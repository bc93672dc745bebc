/**
 * Reproduction 4's p99.9, simulated (docs/sim.md, "Hedged and tied requests"): The Tail at
 * Scale's 1,000-leaf calls over 100 idle servers with the calibrated leaf (P(>10 ms) = 2%,
 * P(>70 ms) = 10⁻³, P(>1.8 s) = 10⁻⁶), without hedging and with a hedge after 10 ms through the
 * real HedgeCore. The p99.9 of such a call is a leaf's 1 − 10⁻⁶ quantile, so the issue's ±10%
 * needs tens of thousands of calls (tens of millions of leaves) — more than a test's few seconds.
 * Rows: the simulated p99.9 of HEADROOM_BENCH_CALLS calls (default 20,000) per variant, seed 1;
 * the exact p99.9 of the model (P(call > t) = 1 − (1 − P(leaf > t))¹⁰⁰⁰; hedged,
 * P(leaf > t) = P(X > t)·P(X > t − 10)); the paper's figure; and the probability that a correct
 * simulator's p99.9 of that many calls lands within ±10% of the exact one (binomial, from the
 * exact distribution).
 *
 * Virtual time: the figures do not depend on the machine's load (the wall times do).
 */
import { runModel } from '../../src/sim/index.js';
import { TAIL_AT_SCALE_LEAF, tailAtScaleLeafTail as leafTail } from '../../src/sim/scenarios/hedging.js';
import { report } from '../harness.js';

const CALLS = Number(process.env['HEADROOM_BENCH_CALLS'] ?? 20_000);
const LEAVES = 1000;

const hedgedTail = (t: number): number => (t < 10 ? leafTail(t) : leafTail(t) * leafTail(t - 10));
const callTail = (tail: (t: number) => number) => (t: number) => 1 - Math.pow(1 - tail(t), LEAVES);

function quantile(tail: (t: number) => number, q: number): number {
  let lo = 0;
  let hi = 10_000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (tail(mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** P(Binomial(n, p) ≤ k), summed in log space. */
function binomialCdf(k: number, n: number, p: number): number {
  let sum = 0;
  let logTerm = n * Math.log1p(-p);
  for (let i = 0; i <= k; i++) {
    sum += Math.exp(logTerm);
    logTerm += Math.log((n - i) / (i + 1)) + Math.log(p) - Math.log1p(-p);
  }
  return Math.min(1, sum);
}

report(`sim: hedging p99.9, simulated over ${CALLS.toLocaleString('en-US')} calls of 1,000 leaves (Tail at Scale)`, () => {
  const rows: (string | number)[][] = [];
  for (const hedge of [false, true]) {
    const started = Date.now();
    const r = runModel(
      {
        duration: (CALLS / 100 / 0.9) * 1000,
        arrivals: { type: 'poisson', ratePerSec: 100 },
        clients: { picker: 'random', ...(hedge ? { hedge: { delay: '10ms', budget: { ratio: 0.05, maxTokens: 1000 } } } : {}) },
        servers: [{ count: 100, workers: 'unbounded', service: TAIL_AT_SCALE_LEAF }],
        fanOut: { leaves: LEAVES },
      },
      1,
    );
    const wall = (Date.now() - started) / 1000;
    const tail = callTail(hedge ? hedgedTail : leafTail);
    const exact = quantile(tail, 0.999);
    const k = r.ok - Math.ceil(0.999 * r.ok);
    // p99.9 < 0.9·exact when ≤ k calls are above it; > 1.1·exact when more than k are above that.
    const inside = binomialCdf(k, r.ok, tail(1.1 * exact)) - binomialCdf(k, r.ok, tail(0.9 * exact));
    rows.push([
      hedge ? 'hedge after 10 ms' : 'no hedge',
      r.ok,
      r.latency.p999.toFixed(1),
      exact.toFixed(1),
      hedge ? '74' : '1,800',
      `${((r.latency.p999 / exact - 1) * 100).toFixed(1)}%`,
      `${(inside * 100).toFixed(1)}%`,
      r.latency.p99.toFixed(1),
      `${(r.extraPerOriginal * 100).toFixed(2)}%`,
      wall.toFixed(1),
    ]);
    process.stderr.write(`  hedge ${hedge}: p99.9 ${r.latency.p999} ms (${wall.toFixed(1)} s)\n`);
  }
  return {
    header: [
      'variant',
      'calls',
      'p99.9 ms (sim)',
      'p99.9 ms (exact)',
      'paper',
      'sim vs exact',
      'P(±10%) at this N',
      'p99 ms',
      'extra requests',
      'wall s',
    ],
    rows,
    notes: ['Seed 1; 100 idle servers (unbounded workers), leaves picked at random; the hedge budget 5% of calls, burst 1,000.'],
  };
});
