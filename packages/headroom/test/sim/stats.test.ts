/**
 * meanCi (stats.ts): the mean and the 95% half-width t·s/√n of small samples, against Student-t
 * quantiles from the tables (t₀.₉₇₅ to 4 decimals; the code's table has 3, hence 2e-4 relative).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanCi } from '../../src/sim/index.js';

/** Two-sided 95% Student-t quantiles (t₀.₉₇₅,ν), from the standard tables. */
const T975: Record<number, number> = {
  1: 12.7062,
  2: 4.3027,
  4: 2.7764,
  9: 2.2622,
  19: 2.093,
  30: 2.0423,
  39: 2.0227,
  60: 2.0003,
  120: 1.9799,
};

function sample(n: number): number[] {
  // Deterministic, not symmetric: 1, 4, 9, … (n values).
  return Array.from({ length: n }, (_, i) => (i + 1) ** 2);
}

for (const [df, t] of Object.entries(T975)) {
  const n = Number(df) + 1;
  test(`n = ${n}: mean and half-width t(${df})·s/√n with t = ${t}`, () => {
    const xs = sample(n);
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const s = Math.sqrt(xs.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
    const ci = meanCi(xs);
    assert.equal(ci.n, n);
    assert.ok(Math.abs(ci.mean - mean) <= 1e-12 * mean);
    const expected = (t * s) / Math.sqrt(n);
    assert.ok(Math.abs(ci.halfWidth / expected - 1) <= 2e-4, `half-width ${ci.halfWidth} vs ${expected}`);
  });
}

test('worked examples: [1, 3] → 2 ± 12.706; [1 … 5] → 3 ± 1.963; fewer than two values have no interval', () => {
  assert.deepEqual(meanCi([1, 3]), { mean: 2, halfWidth: 12.706, n: 2 });
  const five = meanCi([1, 2, 3, 4, 5]);
  assert.equal(five.mean, 3);
  assert.equal(five.halfWidth.toFixed(4), (2.776 * Math.sqrt(2.5 / 5)).toFixed(4)); // 1.9629
  assert.ok(Number.isNaN(meanCi([7]).halfWidth));
  assert.equal(meanCi([7]).mean, 7);
  assert.ok(Number.isNaN(meanCi([]).mean));
});
