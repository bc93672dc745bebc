import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { ZipfSampler } from '../../src/scale/index.js';

/** The exact Zipf pmf: P(rank r) = (r + 1)^−s / H(n, s). */
function pmf(n: number, s: number): number[] {
  const w = Array.from({ length: n }, (_, r) => (r + 1) ** -s);
  const h = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / h);
}

/** Pearson's chi-square of `counts` against `probabilities` over `draws` draws. */
function chiSquare(counts: Float64Array, probabilities: readonly number[], draws: number): number {
  let x2 = 0;
  for (let r = 0; r < probabilities.length; r++) {
    const expected = draws * probabilities[r]!;
    x2 += (counts[r]! - expected) ** 2 / expected;
  }
  return x2;
}

test('draws follow the exact pmf: chi-square, n = 1,000 ranks, s = 0.99, N = 200,000 draws', () => {
  // Every rank expects ≥ 25 draws (P(rank 999) ≈ 1.3e-4), so all 1,000 bins count: df = 999. Under
  // the null hypothesis X² has mean df and sd √(2·df) ≈ 44.7; the bound df + 5·sd ≈ 1,222 is
  // exceeded with probability < 1e-5. A sampler off by a tenth in the exponent is far beyond it.
  const n = 1_000;
  const draws = 200_000;
  const zipf = new ZipfSampler({ n, exponent: 0.99, random: new SeededRandom(7) });
  const counts = new Float64Array(n);
  for (let i = 0; i < draws; i++) counts[zipf.next()]!++;
  const df = n - 1;
  const bound = df + 5 * Math.sqrt(2 * df);
  const x2 = chiSquare(counts, pmf(n, 0.99), draws);
  assert.ok(x2 < bound, `X² = ${x2.toFixed(1)} ≥ ${bound.toFixed(1)}`);
  // The same counts against a neighbouring law fail the same bound: the test can tell them apart.
  assert.ok(chiSquare(counts, pmf(n, 1.09), draws) > bound);
  // probability() is the exact pmf.
  const exact = pmf(n, 0.99);
  for (const r of [0, 1, 9, 99, 999]) assert.ok(Math.abs(zipf.probability(r) - exact[r]!) < 1e-12);
  assert.equal(zipf.probability(n), 0);
  // H(1000, 0.99) ≈ 7.7, so rank 0 holds about 13% of draws.
  assert.ok(zipf.probability(0) > 0.12 && zipf.probability(0) < 0.14);
});

test('one draw per sample: the same seed gives the same ranks, and a given stream can stand in for its own', () => {
  const a = new ZipfSampler({ n: 5_000, exponent: 1.1, random: new SeededRandom(3) });
  const b = new ZipfSampler({ n: 5_000, exponent: 1.1, random: new SeededRandom(3) });
  for (let i = 0; i < 1_000; i++) assert.equal(a.next(), b.next());
  const s1 = new SeededRandom(9);
  const s2 = new SeededRandom(9);
  for (let i = 0; i < 100; i++) {
    assert.equal(a.next(s1), b.next(s2));
  }
  assert.equal(s1.next(), s2.next(), 'both streams advanced by the same number of draws');
});

test('exponent 0 is uniform; n = 1 always draws 0; bad sizes and exponents are rejected with HR_SCALE_INVALID_OPTION', () => {
  const uniform = new ZipfSampler({ n: 10, exponent: 0, random: new SeededRandom(1) });
  for (let r = 0; r < 10; r++) assert.ok(Math.abs(uniform.probability(r) - 0.1) < 1e-12);
  const one = new ZipfSampler({ n: 1, exponent: 2, random: new SeededRandom(1) });
  assert.equal(one.next(), 0);
  for (const [n, s] of [
    [0, 1],
    [1.5, 1],
    [10, -1],
    [10, Number.NaN],
    [10, Infinity],
  ] as const) {
    assert.throws(
      () => new ZipfSampler({ n, exponent: s, random: new SeededRandom(1) }),
      (e) => isHeadroomError(e, 'HR_SCALE_INVALID_OPTION'),
    );
  }
});
