import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, isHeadroomError } from 'headroom';
import { ZipfKeys } from '../../src/lab/load/zipf.js';

test('ranks are drawn with Zipf probabilities (N = 200,000, tolerance 4σ per rank)', () => {
  const n = 1_000;
  const keys = new ZipfKeys(n, 0.99, new SeededRandom(7));
  const rankOf = new Map<number, number>();
  for (let r = 0; r < n; r++) rankOf.set(keys.idAtRank(r), r);
  const draws = 200_000;
  const counts = new Float64Array(n);
  for (let i = 0; i < draws; i++) counts[rankOf.get(keys.next())!]!++;
  for (const rank of [0, 1, 2, 9, 99]) {
    const p = keys.probabilityOfRank(rank);
    const sigma = Math.sqrt(draws * p * (1 - p));
    assert.ok(Math.abs(counts[rank]! - draws * p) <= 4 * sigma, `rank ${rank}: ${counts[rank]} vs ${draws * p} ± ${4 * sigma}`);
  }
  // H(1000, 0.99) ≈ 7.7, so rank 0 holds about 13% of draws.
  assert.ok(keys.probabilityOfRank(0) > 0.12 && keys.probabilityOfRank(0) < 0.14);
});

test('ids are a permutation of 1..n, and the same seed gives the same sequence', () => {
  const n = 5_000;
  const a = new ZipfKeys(n, 1.1, new SeededRandom(3));
  const b = new ZipfKeys(n, 1.1, new SeededRandom(3));
  const seen = new Set<number>();
  for (let r = 0; r < n; r++) seen.add(a.idAtRank(r));
  assert.equal(seen.size, n);
  assert.equal(Math.min(...seen), 1);
  assert.equal(Math.max(...seen), n);
  for (let i = 0; i < 1_000; i++) assert.equal(a.next(), b.next());
  // The hottest product is not simply id 1: popularity is scattered over the id space.
  assert.notEqual(a.idAtRank(0), 1);
});

test('exponent 0 is uniform; bad sizes and exponents are rejected with HR_LAB_INVALID_OPTION', () => {
  const uniform = new ZipfKeys(10, 0, new SeededRandom(1));
  for (let r = 0; r < 10; r++) assert.ok(Math.abs(uniform.probabilityOfRank(r) - 0.1) < 1e-12);
  for (const [n, s] of [
    [0, 1],
    [1.5, 1],
    [10, -1],
    [10, Number.NaN],
  ] as const) {
    assert.throws(
      () => new ZipfKeys(n, s, new SeededRandom(1)),
      (e) => isHeadroomError(e, 'HR_LAB_INVALID_OPTION'),
    );
  }
});
