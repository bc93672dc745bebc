import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { fanOutSlowProbability, runModel, supermarketMeanSojourn, supermarketTail } from '../../src/sim/index.js';

// Tail at Scale: leaves answer in 10 ms, or in 1 s with probability p, on an idle cluster
// (unbounded workers). A call over n leaves is slow (> 500 ms) with probability 1 − (1 − p)ⁿ.
// Tolerance: 4 binomial standard errors of the measured fraction, sqrt(P(1 − P)/N).
for (const [p, n, calls] of [
  [0.01, 1, 100_000],
  [0.01, 10, 50_000],
  [0.01, 100, 20_000],
  [1e-4, 2000, 3_000],
] as const) {
  test(`Tail at Scale: 1-in-${1 / p} slow leaves make ${(fanOutSlowProbability(p, n) * 100).toFixed(1)}% of ${n}-leaf calls slow`, () => {
    const seed = seedFromEnv(7);
    const rate = 1000;
    const r = runModel(
      {
        duration: ((calls / rate) * 1000) / 0.9,
        slo: 500,
        arrivals: { type: 'poisson', ratePerSec: rate },
        servers: [
          {
            count: 100,
            workers: 'unbounded',
            service: {
              type: 'bimodal',
              fast: { type: 'constant', value: 10 },
              slow: { type: 'constant', value: 1000 },
              slowProbability: p,
            },
          },
        ],
        fanOut: { leaves: n },
      },
      seed,
    );
    const expected = fanOutSlowProbability(p, n);
    const tolerance = 4 * Math.sqrt((expected * (1 - expected)) / r.calls);
    assert.ok(r.calls >= calls * 0.95, `only ${r.calls} calls`);
    assert.ok(
      Math.abs(r.aboveSlo - expected) <= tolerance,
      `slow fraction ${r.aboveSlo} vs ${expected} ± ${tolerance} over ${r.calls} calls (HEADROOM_SEED=${seed})`,
    );
  });
}

// Power of d choices (Mitzenmacher's supermarket model): n = 1,000 FIFO servers, μ = 1, Poisson
// arrivals at λ per server, each call sent by the real p2c picker (d = 2, 3; `random` for d = 1)
// over the real `outstanding` metric. 1,200 calls per server after a warm-up of 1,000 service times
// (M/M/1 at 0.9 relaxes over ~400); the tolerance
// of 2% on the mean time in system is about 4 standard errors at this N (docs/sim.md).
for (const d of [1, 2, 3]) {
  test(`power of ${d} choice(s): mean time in system at λ = 0.5, 0.7, 0.9 within 2% of T_${d}(λ); queue tail s_k ≈ λ^((d^k−1)/(d−1))`, () => {
    const seed = seedFromEnv(11);
    const n = 1000;
    for (const lambda of [0.5, 0.7, 0.9]) {
      const r = runModel(
        {
          duration: 1000 + 1200 / lambda,
          warmup: 1000,
          arrivals: { type: 'poisson', ratePerSec: lambda * n * 1000 },
          clients: { picker: d === 1 ? 'random' : { type: 'p2c', choices: d }, load: 'outstanding' },
          servers: [{ count: n, service: { type: 'exponential', mean: 1 } }],
        },
        seed,
      );
      const expected = supermarketMeanSojourn(d, lambda);
      assert.ok(r.calls >= 1000 * n, `${r.calls} calls`);
      assert.ok(
        Math.abs(r.meanSojournMs / expected - 1) <= 0.02,
        `d=${d} λ=${lambda}: T = ${r.meanSojournMs} vs ${expected} (HEADROOM_SEED=${seed})`,
      );
      for (let k = 1; k <= 3; k++) {
        const s = supermarketTail(d, lambda, k);
        if (s < 0.01) continue; // too rare to measure within 10% at this N
        assert.ok(
          Math.abs(r.queueTail[k]! / s - 1) <= 0.1,
          `d=${d} λ=${lambda}: s_${k} = ${r.queueTail[k]} vs ${s} (HEADROOM_SEED=${seed})`,
        );
      }
    }
  });
}
