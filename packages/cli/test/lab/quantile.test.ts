/** Quantiles of a small sample (lab/quantile.ts): linear between the sorted values, the input left as it was. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantileOf, quantilesOf } from '../../src/lab/quantile.js';

test('a quantile lies linearly between the sorted values; several at once are the same as one at a time', () => {
  const values = [40, 10, 30, 20];
  assert.equal(quantileOf(values, 0), 10);
  assert.equal(quantileOf(values, 0.5), 25);
  assert.equal(quantileOf(values, 0.9), 37);
  assert.equal(quantileOf(values, 1), 40);
  const qs = [0, 0.25, 0.5, 0.9, 0.99, 1];
  assert.deepEqual(
    quantilesOf(values, qs),
    qs.map((q) => quantileOf(values, q)),
  );
  assert.deepEqual(values, [40, 10, 30, 20], 'the sample is not sorted in place');
});
