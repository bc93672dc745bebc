import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cache } from '../../src/cache/index.js';
import { ShiftDetector } from '../../src/cache/eviction/shift-detector.js';
import { SeededRandom } from '../../src/core/random.js';
import { zipfSampler } from './traces.js';

const ENTRIES = 10_000;
/** Accesses per sample at ENTRIES entries (a quarter of them, at least 2,048). */
const SAMPLE = ENTRIES / 4;

/** Feeds one sample at hit rate `rate` whose misses recur with probability `recurring`; true if a shift was reported. */
function sample(detector: ShiftDetector, rate: number, recurring: number, random: SeededRandom, full = true): boolean {
  const hits = Math.round(SAMPLE * rate);
  detector.hits(hits);
  let reported = false;
  for (let i = hits; i < SAMPLE; i++) reported = detector.miss(random.chance(recurring), ENTRIES, full) || reported;
  return reported;
}

test('shift detector: a stationary hit rate with sampling noise never reports a shift', () => {
  const detector = new ShiftDetector();
  const random = new SeededRandom(1);
  for (let i = 0; i < 2_000; i++) assert.equal(sample(detector, 0.6 + (random.next() - 0.5) * 0.04, 0.4, random), false, `sample ${i}`);
});

test('shift detector: a collapse whose misses recur is reported on its second sample', () => {
  const detector = new ShiftDetector();
  const random = new SeededRandom(2);
  for (let i = 0; i < 100; i++) sample(detector, 0.6, 0.4, random);
  assert.equal(sample(detector, 0.2, 0.4, random), false, 'one collapsed sample is only a suspicion');
  assert.equal(sample(detector, 0.2, 0.4, random), true);
  // After the report the average restarts from the collapsed rate: recovery is not a new shift.
  for (let i = 0; i < 50; i++) assert.equal(sample(detector, 0.2 + i * 0.008, 0.4, random), false);
});

test('shift detector: a collapse whose misses are new keys (a scan) is not a shift', () => {
  const detector = new ShiftDetector();
  const random = new SeededRandom(3);
  for (let i = 0; i < 100; i++) sample(detector, 0.6, 0.4, random);
  for (let i = 0; i < 20; i++) assert.equal(sample(detector, 0.1, 0.02, random), false, `scan sample ${i}`);
});

test('shift detector: a lasting change of workload becomes the new normal, not a later false shift', () => {
  const detector = new ShiftDetector();
  const random = new SeededRandom(5);
  for (let i = 0; i < 100; i++) sample(detector, 0.6, 0.4, random);
  // The traffic turns to mostly new keys for a long while: the hit rate settles at 30%…
  for (let i = 0; i < 200; i++) assert.equal(sample(detector, 0.3, 0.02, random), false);
  // …and when its misses recur again at that level, nothing has collapsed.
  for (let i = 0; i < 50; i++) assert.equal(sample(detector, 0.3, 0.4, random), false, `sample ${i}`);
});

test('shift detector: nothing is sampled before the cache is first full, and clear forgets', () => {
  const detector = new ShiftDetector();
  const random = new SeededRandom(4);
  for (let i = 0; i < 100; i++) sample(detector, 0.6, 0.4, random, false);
  // No average was formed while filling, so a low rate now is the first sample, not a collapse.
  for (let i = 0; i < 5; i++) assert.equal(sample(detector, 0.1, 0.4, random), false);
  for (let i = 0; i < 100; i++) sample(detector, 0.6, 0.4, random);
  detector.clear();
  for (let i = 0; i < 5; i++) assert.equal(sample(detector, 0.1, 0.4, random), false);
});

test('W-TinyLFU after total popularity shifts: the old favourites give way, and the later phases do as well as LRU', () => {
  // The benchmark's popularity-shift trace at a tenth of its size: a phase is one key space of
  // accesses, as long as the sketch's ageing period at this capacity, so ageing alone is too slow.
  const KEYS = 100_000;
  const PHASES = 4;
  const draw = zipfSampler(KEYS, 0.9, new SeededRandom(5));
  const ranks = Int32Array.from({ length: KEYS * PHASES }, () => draw());
  const laterHitRatio = (eviction: 'tinylfu' | 'lru'): number => {
    const cache = new Cache<number>({ maxEntries: KEYS / 10, eviction, random: new SeededRandom(6) });
    let hits = 0;
    for (let i = 0; i < ranks.length; i++) {
      // Each phase maps the ranks to a disjoint set of keys: every favourite changes.
      const phase = Math.floor(i / KEYS);
      const key = `k${phase * KEYS + ranks[i]!}`;
      if (cache.getSync(key) !== undefined) hits += phase === 0 ? 0 : 1;
      else void cache.set(key, 1);
    }
    return hits / (KEYS * (PHASES - 1));
  };
  const tinylfu = laterHitRatio('tinylfu');
  const lru = laterHitRatio('lru');
  assert.ok(tinylfu >= lru, `phases 2-${PHASES}: tinylfu ${(tinylfu * 100).toFixed(2)}% vs lru ${(lru * 100).toFixed(2)}%`);
});
