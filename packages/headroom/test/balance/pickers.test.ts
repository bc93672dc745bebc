import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { roundRobin } from '../../src/balance/pickers/round-robin.js';
import { weightedRoundRobin } from '../../src/balance/pickers/weighted-round-robin.js';
import { uniformRandom } from '../../src/balance/pickers/random.js';
import { weightedRandom } from '../../src/balance/pickers/weighted-random.js';
import { leastLoaded } from '../../src/balance/pickers/least-loaded.js';
import { p2c } from '../../src/balance/pickers/p2c.js';
import { binomialCheck, FakeCandidates, histogram } from './fake-candidates.js';

const WEIGHT_SETS: number[][] = [
  [1, 1, 1],
  [5, 1, 1],
  [1, 2, 3, 4],
  [100, 1],
  [3, 0.5, 0.25],
];

test('every picker returns -1 on no candidates and 0 on one', () => {
  for (const factory of [
    roundRobin(),
    weightedRoundRobin(),
    uniformRandom(),
    weightedRandom(),
    leastLoaded(),
    p2c(),
    p2c({ choices: 3 }),
  ]) {
    const picker = factory.create({ random: new SeededRandom(1) });
    assert.equal(picker.pick(new FakeCandidates([]), 0, undefined), -1, factory.name);
    assert.equal(picker.pick(new FakeCandidates([2]), 0, undefined), 0, factory.name);
  }
});

test('round-robin: exact 1/n shares, cyclic order from a seeded random start', () => {
  const c = new FakeCandidates([1, 1, 1]);
  const picker = roundRobin().create({ random: new SeededRandom(7) });
  const seq = Array.from({ length: 9 }, () => picker.pick(c, 0, undefined));
  for (let k = 1; k < seq.length; k++) assert.equal(seq[k], (seq[k - 1]! + 1) % 3);
  assert.deepEqual(
    histogram(3, 3000, () => picker.pick(c, 0, undefined)),
    [1000, 1000, 1000],
  );
  // Shrinking the list keeps the cursor in range.
  const two = new FakeCandidates([1, 1]);
  assert.deepEqual(
    histogram(2, 10, () => picker.pick(two, 0, undefined)),
    [5, 5],
  );
});

test('smooth weighted round-robin: NGINX order for {5,1,1} is a a b a c a a', () => {
  const c = new FakeCandidates([5, 1, 1]);
  const picker = weightedRoundRobin().create({ random: new SeededRandom(1) });
  const seq = Array.from({ length: 14 }, () => 'abc'[picker.pick(c, 0, undefined)]).join('');
  assert.equal(seq, 'aabacaa'.repeat(2));
});

test('smooth weighted round-robin: exact shares per weight set over whole cycles (distribution table)', () => {
  for (const weights of WEIGHT_SETS) {
    const c = new FakeCandidates(weights);
    const picker = weightedRoundRobin().create({ random: new SeededRandom(1) });
    // Scale to integers: a cycle is Σ(weights × scale) picks.
    const scale = 4;
    const cycle = weights.reduce((a, w) => a + w * scale, 0);
    const counts = histogram(weights.length, cycle * 10, () => picker.pick(c, 0, undefined));
    assert.deepEqual(
      counts,
      weights.map((w) => w * scale * 10),
      `weights ${weights.join(',')}`,
    );
  }
});

test('smooth weighted round-robin: scores survive a weight change and reset on a list change', () => {
  const c = new FakeCandidates([1, 1]);
  const picker = weightedRoundRobin().create({ random: new SeededRandom(1) });
  picker.pick(c, 0, undefined);
  c.setWeights([3, 1]);
  const counts = histogram(2, 400, () => picker.pick(c, 0, undefined));
  assert.ok(Math.abs(counts[0]! - 300) <= 1, `${counts}`);
  c.listVersion++;
  assert.equal(picker.pick(c, 0, undefined), 0); // fresh scores: the heaviest goes first
});

test('uniform random: binomial shares within 5σ at N = 60,000, and ignores weights', () => {
  const c = new FakeCandidates([1, 5, 1]);
  const picker = uniformRandom().create({ random: new SeededRandom(11) });
  const { ok, table } = binomialCheck(
    histogram(3, 60_000, () => picker.pick(c, 0, undefined)),
    [1, 1, 1],
  );
  assert.ok(ok, table);
});

test('weighted random: shares ∝ weight within 5σ at N = 100,000 for every weight set (distribution table)', () => {
  for (const [k, weights] of WEIGHT_SETS.entries()) {
    const c = new FakeCandidates(weights);
    const picker = weightedRandom().create({ random: new SeededRandom(100 + k) });
    const { ok, table } = binomialCheck(
      histogram(weights.length, 100_000, () => picker.pick(c, 0, undefined)),
      weights,
    );
    assert.ok(ok, `weights ${weights.join(',')}\n${table}`);
  }
});

test('weighted random: rebuilds its wheel when weights change; 300 endpoints', () => {
  const c = new FakeCandidates([1, 1]);
  const picker = weightedRandom().create({ random: new SeededRandom(3) });
  picker.pick(c, 0, undefined);
  c.setWeights([0.001, 1]);
  const counts = histogram(2, 10_000, () => picker.pick(c, 0, undefined));
  assert.ok(counts[0]! < 50, `${counts}`);
  const gen = new SeededRandom(9);
  const weights = Array.from({ length: 300 }, () => 1 + gen.int(10));
  const big = new FakeCandidates(weights);
  const { ok, table } = binomialCheck(
    histogram(300, 300_000, () => picker.pick(big, 0, undefined)),
    weights,
  );
  assert.ok(ok, table);
});

test('least loaded: takes the minimum of load ÷ weight; ties are broken at random', () => {
  const picker = leastLoaded().create({ random: new SeededRandom(5) });
  assert.equal(picker.pick(new FakeCandidates([1, 1, 1], [3, 1, 2]), 0, undefined), 1);
  assert.equal(picker.pick(new FakeCandidates([1, 4, 1], [3, 7, 2]), 0, undefined), 1); // 7/4 < 2/1 < 3/1
  const ties = new FakeCandidates([1, 1, 1], [2, 2, 2]);
  const { ok, table } = binomialCheck(
    histogram(3, 30_000, () => picker.pick(ties, 0, undefined)),
    [1, 1, 1],
  );
  assert.ok(ok, table);
});

test('P2C: with distinct loads rank k is picked with probability 2(n−1−k)/(n(n−1)) (N = 60,000, n = 4)', () => {
  const c = new FakeCandidates([1, 1, 1, 1], [4, 1, 3, 2]); // ranks: e1 best, e3, e2, e0 worst
  const picker = p2c().create({ random: new SeededRandom(21) });
  const counts = histogram(4, 60_000, () => picker.pick(c, 0, undefined));
  assert.equal(counts[0], 0, 'the worst endpoint is never chosen (two distinct samples)');
  const { ok, table } = binomialCheck([counts[1]!, counts[3]!, counts[2]!], [3, 2, 1]);
  assert.ok(ok, table);
});

test('P2C: compares load ÷ weight; p3c never picks the worst either and favours the best more', () => {
  const weighted = new FakeCandidates([2, 1], [3, 2]); // 1.5 vs 2 → e0 always
  const picker = p2c().create({ random: new SeededRandom(2) });
  assert.deepEqual(
    histogram(2, 100, () => picker.pick(weighted, 0, undefined)),
    [100, 0],
  );
  const c = new FakeCandidates([1, 1, 1, 1], [1, 2, 3, 4]);
  const two = histogram(4, 40_000, () => picker.pick(c, 0, undefined));
  const p3 = p2c({ choices: 3 }).create({ random: new SeededRandom(4) });
  const three = histogram(4, 40_000, () => p3.pick(c, 0, undefined));
  assert.equal(three[3], 0);
  assert.ok(three[0]! > two[0]!, `p3c best share ${three[0]} should exceed p2c's ${two[0]}`);
});
test('P2C rejects fewer than two choices', () => {
  assert.throws(
    () => p2c({ choices: 1 }),
    (e) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION'),
  );
  assert.throws(
    () => p2c({ choices: 2.5 }),
    (e) => isHeadroomError(e, 'HR_BALANCE_INVALID_OPTION'),
  );
});
