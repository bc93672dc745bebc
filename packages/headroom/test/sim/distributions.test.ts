/**
 * The service-time distributions of distributions.ts against their closed forms: the compiled
 * `meanMs`, the sample mean (within 4.5 standard errors of the closed-form variance) and the
 * empirical CDF at several points (within 4.5·√(F(1−F)/N) of the closed-form CDF), N = 200,000
 * draws each; then an M/G/1 queue with Pareto service (finite variance) against Pollaczek–Khinchine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, seedFromEnv } from '../../src/core/random.js';
import { sampler, type DistributionSpec } from '../../src/sim/index.js';
import { assertMeanNear, replicate } from './helpers.js';

const N = 200_000;
const Z = 4.5;

/** Φ, the standard normal CDF (erf by Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const expCdf = (mean: number) => (t: number) => (t <= 0 ? 0 : 1 - Math.exp(-t / mean));
const uniformCdf = (a: number, b: number) => (t: number) => Math.min(1, Math.max(0, (t - a) / (b - a)));
const stepCdf = (v: number) => (t: number) => (t >= v ? 1 : 0);

interface Case {
  readonly spec: DistributionSpec;
  readonly mean: number;
  /** E[X²]. */
  readonly second: number;
  readonly cdf: (t: number) => number;
  /** Points where the empirical CDF is checked. */
  readonly at: readonly number[];
}

// Pareto with scale 2 and shape 4.5: mean αx/(α−1), E[X²] = αx²/(α−2), F(t) = 1 − (x/t)^α.
const alpha = 4.5;
const xm = 2;
const mixtureCdf = (t: number): number => (1 * expCdf(1)(t) + 2 * uniformCdf(2, 4)(t) + 1 * stepCdf(10)(t)) / 4;

const cases: Record<string, Case> = {
  exponential: { spec: { type: 'exponential', mean: '2ms' }, mean: 2, second: 8, cdf: expCdf(2), at: [0.5, 2, 6] },
  uniform: { spec: { type: 'uniform', min: 1, max: 5 }, mean: 3, second: (125 - 1) / 12, cdf: uniformCdf(1, 5), at: [1.5, 3, 4.9] },
  lognormal: {
    spec: { type: 'lognormal', median: 3, sigma: 0.6 },
    mean: 3 * Math.exp(0.18),
    second: 9 * Math.exp(0.72),
    cdf: (t) => phi(Math.log(t / 3) / 0.6),
    at: [1, 3, 8],
  },
  pareto: {
    spec: { type: 'pareto', scale: xm, shape: alpha },
    mean: (alpha * xm) / (alpha - 1),
    second: (alpha * xm * xm) / (alpha - 2),
    cdf: (t) => (t < xm ? 0 : 1 - (xm / t) ** alpha),
    at: [2.1, xm * 0.5 ** (-1 / alpha), xm * 0.01 ** (-1 / alpha)], // includes the median and p99
  },
  bimodal: {
    spec: { type: 'bimodal', fast: { type: 'exponential', mean: 1 }, slow: { type: 'constant', value: 50 }, slowProbability: 0.02 },
    mean: 0.98 * 1 + 0.02 * 50,
    second: 0.98 * 2 + 0.02 * 2500,
    cdf: (t) => 0.98 * expCdf(1)(t) + 0.02 * stepCdf(50)(t),
    at: [0.5, 3, 49.9, 50],
  },
  // Three parts, weights 1:2:1 (the cumulative walk must reach the middle and the last part).
  mixture: {
    spec: {
      type: 'mixture',
      parts: [
        { weight: 1, dist: { type: 'exponential', mean: 1 } },
        { weight: 2, dist: { type: 'uniform', min: 2, max: 4 } },
        { weight: 1, dist: { type: 'constant', value: 10 } },
      ],
    },
    mean: (1 + 2 * 3 + 10) / 4,
    second: (2 + 2 * (28 / 3) + 100) / 4,
    cdf: mixtureCdf,
    at: [0.5, 1.5, 3, 3.9, 9.99, 10],
  },
  // Buckets (value, count): a point mass at the first value, then uniform between consecutive values.
  empirical: {
    spec: {
      type: 'empirical',
      buckets: [
        [1, 2],
        [3, 1],
        [10, 1],
      ],
    },
    mean: (2 * 1 + 1 * 2 + 1 * 6.5) / 4,
    second: (2 * 1 + (27 - 1) / 6 + (1000 - 27) / 21) / 4,
    cdf: (t) => (t < 1 ? 0 : 0.5 + 0.25 * uniformCdf(1, 3)(t) + 0.25 * uniformCdf(3, 10)(t)),
    at: [1, 2, 3, 6, 9.9],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`${name}: meanMs, sample mean and CDF match the closed form`, () => {
    const s = sampler(c.spec);
    assert.ok(Math.abs(s.meanMs - c.mean) <= 1e-12 * c.mean, `meanMs ${s.meanMs} vs ${c.mean}`);
    const seed = seedFromEnv(8100);
    const random = new SeededRandom(seed);
    const xs = new Float64Array(N);
    let sum = 0;
    for (let i = 0; i < N; i++) sum += xs[i] = s.sample(random);
    const mean = sum / N;
    const se = Math.sqrt((c.second - c.mean ** 2) / N);
    assert.ok(
      Math.abs(mean - c.mean) <= Z * se,
      `sample mean ${mean.toFixed(5)} vs ${c.mean.toFixed(5)} ± ${(Z * se).toFixed(5)} (HEADROOM_SEED=${seed})`,
    );
    for (const t of c.at) {
      let below = 0;
      for (let i = 0; i < N; i++) if (xs[i]! <= t) below++;
      const F = c.cdf(t);
      const tol = Z * Math.sqrt((F * (1 - F)) / N) + 1e-9;
      assert.ok(
        Math.abs(below / N - F) <= tol,
        `F(${t}) = ${(below / N).toFixed(5)}, closed form ${F.toFixed(5)} ± ${tol.toFixed(5)} (HEADROOM_SEED=${seed})`,
      );
    }
  });
}

test('M/G/1 with Pareto service (shape 4.5, mean 1 ms) at ρ = 0.7: mean time in system matches Pollaczek–Khinchine', () => {
  // W = E[S] + λE[S²] / (2(1 − ρ)) with E[S] = 1, E[S²] = α·xₘ²/(α − 2), xₘ = (α − 1)/α: 2.2706 ms.
  const scale = (alpha - 1) / alpha;
  const second = (alpha * scale * scale) / (alpha - 2);
  const rho = 0.7;
  const w = 1 + (rho * second) / (2 * (1 - rho));
  const arrivals = 200_000;
  const ratePerSec = rho * 1000;
  // Five replications; the 99% t-interval of their means must cover W and be narrower than 3% of it.
  const { seeds, runs } = replicate(
    {
      duration: (arrivals / ratePerSec) * 1000 * (10 / 9),
      arrivals: { type: 'poisson', ratePerSec },
      servers: [{ count: 1, workers: 1, service: { type: 'pareto', scale, shape: alpha } }],
    },
    8200,
    5,
  );
  assertMeanNear(
    'M/G/1 Pareto ρ=0.7 W',
    runs.map((r) => r.meanSojournMs),
    w,
    seeds,
    0.03,
  );
});
