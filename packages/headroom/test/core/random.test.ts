import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, seedFromEnv } from '../../src/core/random.js';
import { isHeadroomError } from '../../src/core/errors.js';

test('golden: seed 42 gives a pinned sequence (changing it breaks replays)', () => {
  const r = new SeededRandom(42);
  const seq = Array.from({ length: 5 }, () => r.int(1_000_000));
  assert.deepEqual(seq, GOLDEN_42);
  const f = new SeededRandom(42).fork('jitter');
  assert.deepEqual(
    Array.from({ length: 3 }, () => f.int(1_000_000)),
    GOLDEN_42_JITTER,
  );
});

test('fork gives independent streams: drawing from one never shifts another', () => {
  const a = new SeededRandom(1);
  const x1 = a.fork('x');
  const xs1 = Array.from({ length: 10 }, () => x1.next());
  const b = new SeededRandom(1);
  b.fork('y').next();
  for (let i = 0; i < 100; i++) b.next();
  const x2 = b.fork('x');
  assert.deepEqual(
    Array.from({ length: 10 }, () => x2.next()),
    xs1,
  );
  assert.notDeepEqual(
    Array.from({ length: 10 }, () => new SeededRandom(1).fork('y').next()),
    xs1,
  );
});

test('int(n) is uniform: chi-square over 10 buckets, N = 100,000', () => {
  const r = new SeededRandom(123);
  const n = 100_000;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) counts[r.int(10)]!++;
  const expected = n / 10;
  const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  // 9 degrees of freedom: P(chi2 > 27.88) = 0.001
  assert.ok(chi2 < 27.88, `chi2=${chi2}`);
});

test('next() is in [0,1); chance() follows p within 4 sigma at N = 100,000', () => {
  const r = new SeededRandom(9);
  let hits = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    if (r.chance(0.3)) hits++;
  }
  const sigma = Math.sqrt(n * 0.3 * 0.7);
  assert.ok(Math.abs(hits - n * 0.3) < 4 * sigma, `hits=${hits}`);
  assert.equal(r.chance(0), false);
  assert.equal(r.chance(1), true);
});

test('bad input is rejected with a typed error', () => {
  assert.throws(
    () => new SeededRandom(1.5),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_OPTION'),
  );
  assert.throws(
    () => new SeededRandom(1).int(0),
    (e) => isHeadroomError(e, 'HR_CORE_INVALID_OPTION'),
  );
});

test('HEADROOM_SEED replays a run', () => {
  const saved = process.env['HEADROOM_SEED'];
  try {
    process.env['HEADROOM_SEED'] = '77';
    assert.equal(seedFromEnv(1), 77);
    process.env['HEADROOM_SEED'] = 'abc';
    assert.throws(() => seedFromEnv(1), /HEADROOM_SEED/);
    delete process.env['HEADROOM_SEED'];
    assert.equal(seedFromEnv(5), 5);
  } finally {
    if (saved === undefined) delete process.env['HEADROOM_SEED'];
    else process.env['HEADROOM_SEED'] = saved;
  }
});

const GOLDEN_42 = [915203, 515267, 503946, 766471, 168353];
const GOLDEN_42_JITTER = [587129, 931646, 887089];
