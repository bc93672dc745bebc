import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHeadroomError } from 'headroom';
import {
  amdahlLimit,
  amdahlSpeedup,
  fitUsl,
  gustafsonSpeedup,
  predictUsl,
  studentTQuantile,
  uslGradient,
  uslPeak,
  uslThroughput,
  type UslCoefficients,
} from 'headroom/scale';
import { SPECSDM91, measurements } from './datasets.js';

function throwsCode(fn: () => unknown, code: string, mentions: RegExp): void {
  assert.throws(fn, (e: unknown) => isHeadroomError(e, code) && mentions.test((e as Error).message));
}

test('Amdahl: p = 0.95 on 8 workers is 5.92593; the limit is 1/(1 − p); Gustafson grows linearly', () => {
  assert.ok(Math.abs(amdahlSpeedup(0.95, 8) - 5.92593) < 5e-6);
  assert.equal(amdahlSpeedup(0.95, 1), 1);
  assert.ok(Math.abs(amdahlLimit(0.95) - 20) < 1e-12);
  assert.equal(amdahlLimit(1), Infinity);
  assert.ok(Math.abs(gustafsonSpeedup(0.95, 8) - 7.65) < 1e-12);
  throwsCode(() => amdahlSpeedup(1.2, 8), 'HR_SCALE_INVALID_OPTION', /parallelFraction/);
  throwsCode(() => gustafsonSpeedup(0.5, 0), 'HR_SCALE_INVALID_OPTION', /workers/);
});

test('USL with beta = 0 is Amdahl with alpha = 1 − p', () => {
  for (const n of [1, 2, 8, 64]) {
    assert.ok(Math.abs(uslThroughput({ alpha: 0.05, beta: 0, gamma: 1 }, n) - amdahlSpeedup(0.95, n)) < 1e-12);
  }
});

test("Student's t quantiles equal R's qt to 9 digits", () => {
  const table: [number, number, number][] = [
    [0.95, 10, 1.812461123],
    [0.975, 4, 2.776445105],
    [0.95, 6, 1.943180281],
    [0.975, 1, 12.70620474],
    [0.995, 30, 2.749995654],
  ];
  for (const [p, df, q] of table) assert.ok(Math.abs(studentTQuantile(p, df) - q) < 5e-9, `qt(${p}, ${df})`);
  assert.ok(Math.abs(studentTQuantile(0.05, 10) + 1.812461123) < 5e-9);
  throwsCode(() => studentTQuantile(1, 3), 'HR_SCALE_INVALID_OPTION', /probability/);
});

const coefficients = fc.record({
  alpha: fc.double({ min: 0.001, max: 0.3, noNaN: true }),
  beta: fc.double({ min: 1e-5, max: 0.003, noNaN: true }),
  gamma: fc.double({ min: 1, max: 10_000, noNaN: true }),
});

test('property: a fit of exact USL data recovers alpha, beta, gamma (200 random curves, N = 1..32 in steps)', () => {
  fc.assert(
    fc.property(coefficients, fc.integer({ min: 1, max: 4 }), (c: UslCoefficients, step) => {
      const loads = Array.from({ length: 8 }, (_, i) => 1 + i * step * 2);
      const fit = fitUsl(loads.map((n) => ({ n, throughput: uslThroughput(c, n) })));
      const rel = (a: number, b: number): number => Math.abs(a - b) / b;
      assert.ok(rel(fit.coefficients.gamma, c.gamma) < 1e-6, `gamma ${fit.coefficients.gamma} vs ${c.gamma}`);
      assert.ok(Math.abs(fit.coefficients.alpha - c.alpha) < 1e-6, `alpha ${fit.coefficients.alpha} vs ${c.alpha}`);
      assert.ok(Math.abs(fit.coefficients.beta - c.beta) < 1e-7, `beta ${fit.coefficients.beta} vs ${c.beta}`);
    }),
    { numRuns: 200, seed: 16 },
  );
});

test('property: with noise, the 95% two-sided intervals cover the true coefficients about 95% of the time', () => {
  // 400 fits of a known curve with Gaussian noise (sd 2% of X) drawn from a seeded generator; the
  // coverage of a 95% interval then lies in [0.91, 0.99] with probability > 0.999 (binomial, n = 400).
  const truth: UslCoefficients = { alpha: 0.05, beta: 0.0005, gamma: 100 };
  let seed = 12345;
  const uniform = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed + 0.5) / 2147483648;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const loads = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64];
  let covered = 0;
  const runs = 400;
  for (let r = 0; r < runs; r++) {
    const data = loads.map((n) => {
      const x = uslThroughput(truth, n);
      return { n, throughput: x * (1 + 0.02 * normal()) };
    });
    const fit = fitUsl(data, { interval: 'two-sided' });
    if (fit.estimates.alpha.lower <= truth.alpha && truth.alpha <= fit.estimates.alpha.upper) covered++;
  }
  const coverage = covered / runs;
  assert.ok(coverage >= 0.91 && coverage <= 0.99, `coverage ${coverage}`);
});

test('Little’s law: (N, latency) gives the same fit as (N, N/latency)', () => {
  const byLatency = fitUsl(SPECSDM91.map(([n, x]) => ({ n, latencyMs: (n / x) * 1000 })));
  const byThroughput = fitUsl(measurements(SPECSDM91));
  assert.ok(Math.abs(byLatency.coefficients.alpha - byThroughput.coefficients.alpha) < 1e-9);
  assert.ok(Math.abs(byLatency.coefficients.gamma - byThroughput.coefficients.gamma) < 1e-6);
});

test('bad input gets a typed error naming the problem', () => {
  throwsCode(
    () =>
      fitUsl([
        { n: 1, throughput: 1 },
        { n: 2, throughput: 2 },
      ]),
    'HR_SCALE_TOO_FEW_POINTS',
    /at least 3 measurements.*got 2/,
  );
  throwsCode(
    () =>
      fitUsl([
        { n: 1, throughput: 1 },
        { n: 2, throughput: Number.NaN },
        { n: 4, throughput: 3 },
      ]),
    'HR_SCALE_INVALID_POINT',
    /Measurement 2 has throughput = NaN/,
  );
  throwsCode(
    () =>
      fitUsl([
        { n: 0, throughput: 1 },
        { n: 2, throughput: 2 },
        { n: 4, throughput: 3 },
      ]),
    'HR_SCALE_INVALID_POINT',
    /Measurement 1 has n = 0/,
  );
  throwsCode(
    () =>
      fitUsl([
        { n: 1, throughput: 1 },
        { n: 2, throughput: -2 },
        { n: 4, throughput: 3 },
      ]),
    'HR_SCALE_INVALID_POINT',
    /throughput = -2/,
  );
  throwsCode(
    () =>
      fitUsl([
        { n: 1, latencyMs: 0 },
        { n: 2, throughput: 2 },
        { n: 4, throughput: 3 },
      ]),
    'HR_SCALE_INVALID_POINT',
    /latencyMs = 0/,
  );
  throwsCode(
    () =>
      fitUsl([
        { n: 4, throughput: 1 },
        { n: 4, throughput: 2 },
        { n: 8, throughput: 3 },
        { n: 8, throughput: 3 },
      ]),
    'HR_SCALE_TOO_FEW_DISTINCT_N',
    /cover 2/,
  );
  throwsCode(() => fitUsl(measurements(SPECSDM91), { level: 95 }), 'HR_SCALE_INVALID_OPTION', /level/);
});

test('the delta-method band is t · sqrt(gᵀ Cov g), with g the numerical gradient; it widens away from the data', () => {
  const fit = fitUsl(measurements(SPECSDM91));
  const [at72, at1000] = predictUsl(fit, [72, 1000], { interval: 'delta' });
  const numericGradient = (n: number): number[] =>
    (['alpha', 'beta', 'gamma'] as const).map((k) => {
      const h = Math.abs(fit.coefficients[k]) * 1e-6;
      const up = uslThroughput({ ...fit.coefficients, [k]: fit.coefficients[k] + h }, n);
      const down = uslThroughput({ ...fit.coefficients, [k]: fit.coefficients[k] - h }, n);
      return (up - down) / (2 * h);
    });
  for (const p of [at72!, at1000!]) {
    const g = numericGradient(p.n);
    const analytic = uslGradient(fit.coefficients, p.n);
    g.forEach((v, i) => assert.ok(Math.abs(v - analytic[i]!) <= 1e-5 * Math.abs(v), 'analytic gradient'));
    let variance = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) variance += g[i]! * fit.covariance[i]![j]! * g[j]!;
    const half = studentTQuantile(0.975, 4) * Math.sqrt(variance);
    assert.ok(Math.abs(p.upper - p.throughput - half) <= 1e-4 * half);
  }
  assert.ok(at1000!.upper - at1000!.lower > at72!.upper - at72!.lower, 'wider far from the measurements');
});

test('peak: N* = sqrt((1 − alpha)/beta) is the maximum of X(N)', () => {
  const c = { alpha: 0.03, beta: 0.0002, gamma: 50 };
  const peak = uslPeak(c)!;
  assert.ok(Math.abs(peak.n - Math.sqrt(0.97 / 0.0002)) < 1e-9);
  assert.ok(uslThroughput(c, peak.n - 1) < peak.throughput && uslThroughput(c, peak.n + 1) < peak.throughput);
  assert.equal(uslPeak({ alpha: 0.03, beta: 0, gamma: 50 }), null);
});
