import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from 'headroom';
import { ProductKeys } from '../../src/lab/load/product-keys.js';

// The Zipf law itself (chi-square against the exact pmf) is tested with headroom/scale's ZipfSampler.

test('ranks map to ids with Zipf probabilities (N = 200,000, tolerance 4σ per rank)', () => {
  const n = 1_000;
  const keys = new ProductKeys(n, 0.99, new SeededRandom(7));
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
});

test('ids are a permutation of 1..n, and the same seed gives the same sequence', () => {
  const n = 5_000;
  const a = new ProductKeys(n, 1.1, new SeededRandom(3));
  const b = new ProductKeys(n, 1.1, new SeededRandom(3));
  const seen = new Set<number>();
  for (let r = 0; r < n; r++) seen.add(a.idAtRank(r));
  assert.equal(seen.size, n);
  assert.equal(Math.min(...seen), 1);
  assert.equal(Math.max(...seen), n);
  for (let i = 0; i < 1_000; i++) assert.equal(a.next(), b.next());
  // The hottest product is not simply id 1: popularity is scattered over the id space.
  assert.notEqual(a.idAtRank(0), 1);
  // A replay stream draws the same ids as the live one would from the same seed.
  const live = new SeededRandom(21);
  const replay = new SeededRandom(21);
  for (let i = 0; i < 100; i++) assert.equal(a.next(live), b.next(replay));
});
