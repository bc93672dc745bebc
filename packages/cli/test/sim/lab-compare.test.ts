/**
 * `compareWithLab` on a lab run whose latencies are known (built on the lab's own CDF grid): the
 * calibration phases come back as recorded, and the predictions move the way the mechanisms say.
 * The comparison with a real lab run is `headroom sim-vs-lab`, quoted in docs/sim.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithLab, stallsFromLag, type LabJson } from '../../src/sim/lab-compare.js';

/** The lab's CDF grid (0 to 4 nines in tenths, then 100) over a quantile function. */
function cdf(quantile: (q: number) => number): { percentile: number; ms: number }[] {
  const points = Array.from({ length: 41 }, (_, t) => 100 * (1 - 10 ** (-t / 10)));
  return [...points, 100].map((percentile) => ({ percentile, ms: quantile(Math.min(percentile / 100, 0.999999)) }));
}

const uniform = (lo: number, hi: number, q: number): number => lo + (hi - lo) * q;
// Round-robin over 2 fast replicas (4–6 ms) and a slow one (40–44 ms); 1% of requests stall 250 ms.
const slowCdf = cdf((q) => (q < 2 / 3 ? uniform(4, 6, q * 1.5) : uniform(40, 44, (q - 2 / 3) * 3)));
const stallCdf = cdf((q) => (q < 0.99 ? uniform(2, 4, q / 0.99) : 250));
const phase = (label: string, role: 'baseline' | 'treatment', c: typeof slowCdf, p50: number, p99: number) => ({
  label,
  role,
  offeredPerSec: 600,
  slowShare: 1 / 3,
  latencyMs: { p50, p99 },
  cdf: c,
});

const lab: LabJson = {
  settings: { phaseDurationMs: 8000, warmupMs: 1000 },
  environment: { loadAverage: { start: 1, end: 1 } },
  scenarios: [
    {
      name: 'slow-replica',
      phases: [phase('round-robin', 'baseline', slowCdf, 5.5, 43.9), phase('p2c + peak-ewma', 'treatment', slowCdf, 5, 6)],
    },
    { name: 'stalls', phases: [phase('no hedging', 'baseline', stallCdf, 3, 250), phase('hedging', 'treatment', stallCdf, 3, 10)] },
  ],
};

test('calibration phases are reproduced; P2C + peak-EWMA avoids the slow replica; hedging removes the stalls from p99', () => {
  const rows = compareWithLab(lab);
  assert.deepEqual(
    rows.map((r) => `${r.scenario}/${r.phase}`),
    ['slow-replica/round-robin', 'slow-replica/p2c + peak-ewma', 'stalls/no hedging', 'stalls/hedging'],
  );
  const [rr, p2c, noHedge, hedge] = rows;
  // Calibration: round-robin sees the recorded mixture back (p50 in the fast part, p99 in the slow one).
  assert.ok(rr!.sim.p50 > 4.5 && rr!.sim.p50 < 6.5, `rr p50 ${rr!.sim.p50}`);
  assert.ok(rr!.sim.p99 > 40 && rr!.sim.p99 < 44.5, `rr p99 ${rr!.sim.p99}`);
  assert.ok(Math.abs(rr!.sim.slowShare - 1 / 3) < 0.01);
  // The grid's points at p98.4 and p99 straddle the step to 250 ms, and the sampler is uniform
  // between grid points: the recorded step becomes a ramp and p99 reads ≈ 190 ms, not 250.
  assert.ok(noHedge!.sim.p99 > 150 && noHedge!.sim.p99 <= 250, `no-hedging p99 ${noHedge!.sim.p99}`);
  // Predictions.
  assert.ok(p2c!.sim.slowShare < 0.05, `p2c to the slow replica ${p2c!.sim.slowShare}`);
  assert.ok(p2c!.sim.p99 < rr!.sim.p99 / 2, `p2c p99 ${p2c!.sim.p99}`);
  assert.ok(hedge!.sim.p99 < 30, `hedged p99 ${hedge!.sim.p99}`);
});

test("the lab client's recorded send lag becomes client stalls in the predictions, which send P2C + peak-EWMA more to the slow replica", () => {
  // D = max lag 40 ms; P(lag > p99 = 5 ms) = 1% gives stalls every 100·(40 − 5) − 40 = 3,460 ms on average.
  assert.deepEqual(stallsFromLag({ p99: 5, max: 40 }), {
    interval: { type: 'exponential', mean: 3460 },
    duration: { type: 'constant', value: 40 },
  });
  assert.equal(stallsFromLag({ p99: 0.2, max: 0.9 }), undefined, 'sub-millisecond lag is timer granularity');
  assert.equal(stallsFromLag(undefined), undefined, 'older lab runs record no lag');
  const lagged: LabJson = {
    ...lab,
    scenarios: [
      {
        name: 'slow-replica',
        phases: [
          phase('round-robin', 'baseline', slowCdf, 5.5, 43.9),
          { ...phase('p2c + peak-ewma', 'treatment', slowCdf, 5, 6), generatorLagMs: { p50: 0.1, p99: 5, max: 40 } },
        ],
      },
    ],
  };
  const quiet = compareWithLab(lab)[1]!.sim.slowShare;
  const stalled = compareWithLab(lagged)[1]!.sim.slowShare;
  assert.ok(stalled > 1.5 * quiet, `share to the slow replica with the client's stalls ${stalled} vs ${quiet} without`);
});
