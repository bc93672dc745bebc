// Reproduction 4 (docs/sim.md, "Hedging and tied requests"): The Tail at Scale's hedged and tied
// requests, through the real synchronous cores of headroom/latency (HedgeCore, TiedCore and a
// TiedRegistry per server) inside the simulator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { meanCi, runModel } from '../../src/sim/index.js';
import { TIED_DISK_FITS, tiedDiskModel, type DiskFit } from '../../src/sim/scenarios/hedging.js';
import { callTail, fanOutModel, hedgedTail, LEAVES, leafTail, p999Band, quantile } from './tail-at-scale-exact.js';

test('the calibrated leaf: P(>10 ms) = 2%, P(>70 ms) = 10⁻³, P(>1.8 s) = 10⁻⁶; 1,000-leaf calls: p99.9 ≈ 1,800 ms, hedged after 10 ms ≈ 74 ms (±10%)', () => {
  assert.ok(Math.abs(leafTail(10) - 0.02) < 1e-9 && Math.abs(leafTail(70) - 1e-3) < 1e-9, `${leafTail(10)}, ${leafTail(70)}`);
  assert.ok(Math.abs(leafTail(1800) / 1e-6 - 1) < 1e-6, `${leafTail(1800)}`);
  const bare = quantile(callTail(leafTail, LEAVES), 0.999);
  const hedged = quantile(callTail(hedgedTail(10), LEAVES), 0.999);
  assert.ok(Math.abs(bare / 1800 - 1) <= 0.1, `unhedged call p99.9 ${bare} ms`);
  assert.ok(Math.abs(hedged / 74 - 1) <= 0.1, `hedged call p99.9 ${hedged} ms`);
});

// The simulation must produce that distribution through the real HedgeCore (its delay, budget and
// winner), and send ≈ 2% more requests. 400 calls of 1,000 leaves each (400,000 leaves) without
// hedging, 1,000 with. Tolerance of a sample quantile: the exact tail at the measured p90 and p99
// must lie within 4 binomial standard errors, sqrt(p(1 − p)/n), of 10% and 1% (HDR buckets add
// 0.1%). The simulated p99.9 must lie in the band where a correct simulator puts it with
// probability ≥ 1 − 2·10⁻⁴ (p999Band, from the exact distribution and the call count): hedged,
// 1,000 calls, 66–198 ms around the exact 79.2; unhedged, 400 calls, 416–3,000 ms around 1,800.
// The issue's ±10% on the simulated p99.9 is not a few seconds' test: the p99.9 of 1,000-leaf
// calls is a leaf's 1 − 10⁻⁶ quantile, and ±10% needs ≈ 20,000 hedged calls (2·10⁷ leaves; a
// correct simulator then misses ±10% with probability 0.3%) and ≈ 100,000 unhedged (the tail is a
// power law of exponent 2.12, so ±10% in ms is ±22% in probability; 5% misses even then) —
// `npm run bench -- sim/hedging-p999` runs 20,000 of each (docs/sim.md). The hedge share's
// standard error is 0.02 points.
test('hedging after 10 ms through the real HedgeCore: the exact hedged distribution, p99.9 in its exact band, ≈ 2% (±0.5 points) more requests', (t) => {
  const seed = seedFromEnv(41);
  for (const hedge of [false, true]) {
    const r = runModel(fanOutModel(hedge ? 1000 : 400, hedge), seed);
    const tail = callTail(hedge ? hedgedTail(10) : leafTail, LEAVES);
    const replay = `(hedge ${hedge}, HEADROOM_SEED=${seed})`;
    for (const [p, measured] of [
      [0.1, r.latency.p90],
      [0.01, r.latency.p99],
    ] as const) {
      const se = Math.sqrt((p * (1 - p)) / r.ok);
      const exact = tail(measured);
      assert.ok(
        Math.abs(exact - p) <= 4 * se + p * 0.01,
        `exact tail at the measured p${100 - p * 100} (${measured} ms): ${exact} vs ${p} ${replay}`,
      );
    }
    const [low, high] = p999Band(tail, r.ok, 1e-4);
    t.diagnostic(
      `hedge ${hedge}: p99.9 ${r.latency.p999} ms over ${r.ok} calls (exact ${quantile(tail, 0.999).toFixed(1)}, band ${low.toFixed(1)}–${high.toFixed(1)})`,
    );
    // HDR reports a bucket's upper edge: 0.1% of slack above.
    assert.ok(
      r.latency.p999 >= low && r.latency.p999 <= high * 1.001,
      `measured p99.9 ${r.latency.p999} ms outside ${low.toFixed(1)}–${high.toFixed(1)} ms over ${r.ok} calls ${replay}`,
    );
    const extra = r.hedges / (r.attempts - r.hedges);
    if (hedge) {
      assert.ok(Math.abs(extra - 0.02) <= 0.005, `extra requests ${(extra * 100).toFixed(3)}% ${replay}`);
      assert.ok(Math.abs(extra - leafTail(10)) <= 4 * Math.sqrt(0.02 / (r.attempts - r.hedges)), `extra ${extra} vs P(>10 ms) ${replay}`);
      assert.equal(r.hedgesRefused, 0, 'a 2% demand never meets the 5% budget');
    } else assert.equal(r.hedges, 0);
  }
});

test('under a fleet-wide 3× slowdown the hedge budget holds the extra requests to ≤ 5%', (t) => {
  const seed = seedFromEnv(43);
  const r = runModel(fanOutModel(150, true, 3), seed);
  const originals = r.attempts - r.hedges;
  const extra = r.hedges / originals;
  // Most leaves now pass 10 ms (P(3X > 10 ms) ≈ 0.75): demand is ~75%, the budget pays 5%.
  assert.ok(r.hedgesRefused > originals * 0.3, `refused ${r.hedgesRefused} of ${originals}`);
  t.diagnostic(`extra ${(extra * 100).toFixed(2)}%, refused ${r.hedgesRefused} of ${originals} leaves`);
  assert.ok(extra <= 0.05, `extra ${(extra * 100).toFixed(2)}% (HEADROOM_SEED=${seed})`);
  assert.ok(extra >= 0.04, `the budget is spent, not idle: ${(extra * 100).toFixed(2)}%`);
});

// Tied requests on The Tail at Scale's idle-cluster setup (Table 2): reads of a disk (one FIFO
// worker, lognormal service) on 20 servers, each read tied to 2 servers with a 1 ms stagger and a
// 0.5 ms one-way network, the first server to start cancelling its twin. The untied column (p50,
// p90, p99, p99.9 = 19, 38, 67, 98 ms) is matched about equally well by service σ = 0.55 at 10%
// disk utilization and by σ = 0.45 at 35% (docs/sim.md); the tied cut of p99.9 differs between
// them — 38% is reached only at the second, which also matches the paper's tied column. Five
// replications of 40 s (≈ 17,000 reads each); tolerance: the issue's ±5 points, with the 95%
// interval narrower than that. The idle fit, two replications, must stay far below.
test('tied requests: p99.9 ≈ 38% (±5 points) lower where the disks are 35% busy; far less on a truly idle one', (t) => {
  const seed = seedFromEnv(47);
  const cut = (fit: DiskFit, replications: number): number[] =>
    Array.from({ length: replications }, (_, i) => {
      const bare = runModel(tiedDiskModel(fit, false, '40s'), seed + i);
      const tied = runModel(tiedDiskModel(fit, true, '40s'), seed + i);
      return 1 - tied.latency.p999 / bare.latency.p999;
    });
  const busy = cut(TIED_DISK_FITS.busy, 5);
  const ci = meanCi(busy);
  assert.ok(Math.abs(ci.mean - 0.38) <= 0.05, `p99.9 cut ${busy.map((x) => x.toFixed(3)).join(', ')} (HEADROOM_SEED=${seed})`);
  assert.ok(ci.halfWidth <= 0.05, `95% interval ±${ci.halfWidth.toFixed(3)}`);
  const idle = meanCi(cut(TIED_DISK_FITS.idle, 2));
  t.diagnostic(
    `p99.9 cut: ${(ci.mean * 100).toFixed(1)}% ± ${(ci.halfWidth * 100).toFixed(1)} (35% busy), ${(idle.mean * 100).toFixed(1)}% (10% busy)`,
  );
  assert.ok(idle.mean < 0.25, `idle disks: p99.9 cut ${idle.mean.toFixed(3)}`);
});
