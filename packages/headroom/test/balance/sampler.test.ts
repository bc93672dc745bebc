// The balance module's one sampler without replacement (C3's candidates, prequalSync's probes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { IndexSampler } from '../../src/balance/pickers/sampler.js';

test('k distinct indices in range per draw; the kept order stays a permutation; reset restores the identity', () => {
  const sampler = new IndexSampler();
  assert.equal(sampler.size, 0);
  sampler.reset(10);
  assert.deepEqual([...sampler.order], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const random = new SeededRandom(7);
  for (let round = 0; round < 1_000; round++) {
    const k = 1 + (round % 10);
    const drawn = [...sampler.draw(k, random).subarray(0, k)];
    assert.equal(new Set(drawn).size, k, `draw ${round}: ${drawn.join(',')}`);
    assert.ok(drawn.every((i) => i >= 0 && i < 10));
  }
  assert.deepEqual(
    [...sampler.order].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  sampler.reset(4);
  assert.deepEqual([...sampler.order], [0, 1, 2, 3]);
});

test('uniform: every index and every pair of a 3-of-8 sample within 5 standard deviations of its mean (seeded)', () => {
  const sampler = new IndexSampler();
  sampler.reset(8);
  const random = new SeededRandom(11);
  const draws = 56_000;
  const single = new Array<number>(8).fill(0);
  const subsets = new Map<string, number>();
  for (let d = 0; d < draws; d++) {
    const order = sampler.draw(3, random);
    const three = [order[0]!, order[1]!, order[2]!].sort((a, b) => a - b);
    for (const i of three) single[i]!++;
    const key = three.join(',');
    subsets.set(key, (subsets.get(key) ?? 0) + 1);
  }
  // Each index is in a sample with probability 3/8; each of the C(8,3) = 56 subsets with 1/56.
  const p1 = 3 / 8;
  for (const [i, n] of single.entries()) {
    const sd = Math.sqrt(draws * p1 * (1 - p1));
    assert.ok(Math.abs(n - draws * p1) < 5 * sd, `index ${i}: ${n}`);
  }
  assert.equal(subsets.size, 56, 'every 3-subset occurs');
  const mean = draws / 56;
  const sd = Math.sqrt(draws * (1 / 56) * (55 / 56));
  for (const [key, n] of subsets) assert.ok(Math.abs(n - mean) < 5 * sd, `subset ${key}: ${n} (mean ${mean})`);
});
