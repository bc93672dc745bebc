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
import {
  aboveP999,
  binomialCdf,
  callTail,
  fanOutModel,
  hedgedTail,
  LEAVES,
  leafTail,
  quantile,
} from '../../test/sim/tail-at-scale-exact.js';
import { report } from '../harness.js';

const CALLS = Number(process.env['HEADROOM_BENCH_CALLS'] ?? 20_000);

report(`sim: hedging p99.9, simulated over ${CALLS.toLocaleString('en-US')} calls of 1,000 leaves (Tail at Scale)`, () => {
  const rows: (string | number)[][] = [];
  for (const hedge of [false, true]) {
    const started = Date.now();
    const r = runModel(fanOutModel(CALLS, hedge), 1);
    const wall = (Date.now() - started) / 1000;
    const tail = callTail(hedge ? hedgedTail(10) : leafTail, LEAVES);
    const exact = quantile(tail, 0.999);
    const k = aboveP999(r.ok);
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
