/**
 * Replications for the simulator's statistical tests: R runs of one model on consecutive seeds
 * from HEADROOM_SEED (or the test's fixed base), and a check that a closed-form value lies within
 * the 99% confidence interval of their mean — with the interval itself required to be narrow, so
 * the test has the power to catch a real regression. Failures name the seeds to replay.
 */
import assert from 'node:assert/strict';
import { seedFromEnv } from '../../src/core/random.js';
import { meanCi, runModel, type ModelSpec, type RunResult } from '../../src/sim/index.js';

/** Two-sided 99% Student-t quantiles for 1 … 9 degrees of freedom. */
const T99 = [63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.25];

/**
 * Little's law holds within this in every replicated run. In a run that drains, (L − λW)·window is
 * exactly the time that calls which arrived before warm-up spent in the system after it (plus any
 * measured call that never ended), so the relative error is that carry-over's share: ≈ W ÷ window
 * in a stable queue, at most 0.0023 in the tests using this helper (their seeds). A larger error
 * means the in-system area and the calls' latencies disagree: a call counted in one, not the other.
 */
const LITTLE_TOLERANCE = 0.01;

/** The runs of one model on seeds base … base + r − 1; each must satisfy Little's law (`LITTLE_TOLERANCE`). */
export function replicate(spec: ModelSpec, base: number, r: number): { seeds: number[]; runs: RunResult[] } {
  const first = seedFromEnv(base);
  const seeds = Array.from({ length: r }, (_, i) => first + i);
  const runs = seeds.map((s) => runModel(spec, s));
  runs.forEach((run, i) =>
    assert.ok(
      run.little.relativeError <= LITTLE_TOLERANCE,
      `Little's law: L = ${run.little.L} vs λW = ${run.little.lambdaW} (relative error ${run.little.relativeError}, seed ${seeds[i]})`,
    ),
  );
  return { seeds, runs };
}

/**
 * Asserts that `expected` lies in the 99% interval of the mean of `values`, and that the 95%
 * half-width is at most `maxRelativeHalfWidth` of `expected` (otherwise N is too small to mean anything).
 */
export function assertMeanNear(
  what: string,
  values: readonly number[],
  expected: number,
  seeds: readonly number[],
  maxRelativeHalfWidth: number,
): void {
  const ci = meanCi(values);
  const se = Math.sqrt(values.reduce((a, v) => a + (v - ci.mean) ** 2, 0) / (ci.n - 1) / ci.n);
  const hw99 = T99[ci.n - 2]! * se;
  const replay = `HEADROOM_SEED=${seeds[0]} (runs on seeds ${seeds.join(', ')})`;
  assert.ok(
    ci.halfWidth / expected <= maxRelativeHalfWidth,
    `${what}: the 95% interval ±${ci.halfWidth.toFixed(4)} is wider than ${(maxRelativeHalfWidth * 100).toFixed(1)}% of ${expected}; raise N. ${replay}`,
  );
  assert.ok(
    Math.abs(ci.mean - expected) <= hw99,
    `${what}: mean ${ci.mean.toFixed(5)} ± ${hw99.toFixed(5)} (99%) does not cover ${expected.toFixed(5)} (values ${values.map((v) => v.toFixed(4)).join(', ')}). ${replay}`,
  );
}
