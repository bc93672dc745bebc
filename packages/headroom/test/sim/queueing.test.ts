import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  erlangC,
  md1MeanSojourn,
  mmcMeanSojourn,
  supermarketMeanSojourn,
  fanOutSlowProbability,
  type ModelSpec,
} from '../../src/sim/index.js';
import { assertMeanNear, replicate } from './helpers.js';

// N: each replication measures `arrivals` calls after a 10% warm-up; R = 5 replications per point.
// Tolerance: the closed form must lie in the 99% t-interval of the 5 means, and that interval's
// 95% half-width must be under 3% of the value (so a 5% error cannot pass).
const R = 5;

function mmc(c: number, rho: number, arrivals: number, service: ModelSpec['servers'][number]['service']): ModelSpec {
  const ratePerSec = rho * c * 1000; // mean service 1 ms
  return {
    duration: (arrivals / ratePerSec) * 1000 * (10 / 9),
    arrivals: { type: 'poisson', ratePerSec },
    servers: [{ count: 1, workers: c, service }],
  };
}

test('closed forms: M/M/4 mean sojourn at ρ = .5/.8/.95 is 1.08696/1.74554/5.45709 service times', () => {
  assert.equal(mmcMeanSojourn(4, 0.5).toFixed(5), '1.08696');
  assert.equal(mmcMeanSojourn(4, 0.8).toFixed(5), '1.74554');
  assert.equal(mmcMeanSojourn(4, 0.95).toFixed(5), '5.45709');
  assert.equal(mmcMeanSojourn(1, 0.8).toFixed(5), '5.00000'); // M/M/1: 1/(1-ρ)
  assert.equal(erlangC(1, 0.8).toFixed(5), '0.80000');
  assert.equal(md1MeanSojourn(0.8).toFixed(9), '3.000000000');
  // Σ 0.9^(2^i − 2) = 1 + 0.81 + 0.5314 + 0.2288 + 0.0424 + 0.0015 + … = 2.6141 (issue #15 quotes 2.6136).
  assert.equal(supermarketMeanSojourn(2, 0.9).toFixed(4), '2.6141');
  assert.equal(supermarketMeanSojourn(2, 0.99).toFixed(3), '5.432');
  assert.equal(supermarketMeanSojourn(1, 0.9).toFixed(9), '10.000000000');
  assert.equal(fanOutSlowProbability(0.01, 100).toFixed(3), '0.634');
});

// At ρ = 0.95 successive waits are correlated over hundreds of service times, so the interval is
// allowed 5% there (2,000,000 calls per replication).
for (const [c, rho, arrivals, width] of [
  [1, 0.5, 200_000, 0.03],
  [1, 0.8, 400_000, 0.03],
  [1, 0.95, 2_000_000, 0.05],
  [4, 0.5, 200_000, 0.03],
  [4, 0.8, 400_000, 0.03],
  [4, 0.95, 2_000_000, 0.05],
] as const) {
  test(`M/M/${c} at ρ = ${rho}: mean time in system and P(wait) match Erlang C; Little's law holds in every run`, () => {
    const { seeds, runs } = replicate(mmc(c, rho, arrivals, { type: 'exponential', mean: 1 }), 1000 + c * 10 + rho * 100, R);
    assertMeanNear(
      `M/M/${c} ρ=${rho} W`,
      runs.map((r) => r.meanSojournMs),
      mmcMeanSojourn(c, rho),
      seeds,
      width,
    );
    assertMeanNear(
      `M/M/${c} ρ=${rho} P(wait)`,
      runs.map((r) => r.waitProbability),
      erlangC(c, rho * c),
      seeds,
      width,
    );
    for (const r of runs)
      assert.ok(r.little.relativeError < 0.01, `Little's law: L=${r.little.L} vs λW=${r.little.lambdaW} (HEADROOM_SEED=${seeds[0]})`);
  });
}

test('M/D/1 at ρ = 0.8: mean time in system matches Pollaczek–Khinchine (3 service times)', () => {
  const { seeds, runs } = replicate(mmc(1, 0.8, 400_000, { type: 'constant', value: 1 }), 2000, R);
  assertMeanNear(
    'M/D/1 ρ=0.8 W',
    runs.map((r) => r.meanSojournMs),
    md1MeanSojourn(0.8),
    seeds,
    0.03,
  );
});

test('processor sharing: M/M/1-PS has the FIFO mean (1/(1−ρ)); LIFO too, with a longer tail', () => {
  const base = mmc(1, 0.8, 300_000, { type: 'exponential', mean: 1 });
  const ps = replicate({ ...base, servers: [{ ...base.servers[0]!, discipline: 'ps' }] }, 3000, R);
  assertMeanNear(
    'M/M/1-PS ρ=0.8 W',
    ps.runs.map((r) => r.meanSojournMs),
    5,
    ps.seeds,
    0.04,
  );
  const lifo = replicate({ ...base, servers: [{ ...base.servers[0]!, discipline: 'lifo' }] }, 3000, R);
  const fifo = replicate(base, 3000, R);
  assertMeanNear(
    'M/M/1-LIFO ρ=0.8 W',
    lifo.runs.map((r) => r.meanSojournMs),
    5,
    lifo.seeds,
    0.06,
  );
  for (let i = 0; i < R; i++)
    assert.ok(
      lifo.runs[i]!.latency.p999 > fifo.runs[i]!.latency.p999 * 1.5,
      `LIFO p99.9 ${lifo.runs[i]!.latency.p999} vs FIFO ${fifo.runs[i]!.latency.p999}`,
    );
});
