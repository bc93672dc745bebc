import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrequencySketch } from '../../src/cache/eviction/frequency-sketch.js';
import { LruPolicy } from '../../src/cache/eviction/lru.js';
import { TinyLfuPolicy } from '../../src/cache/eviction/tinylfu.js';
import { LocalStore } from '../../src/cache/local-store.js';
import { Segments } from '../../src/cache/eviction/segments.js';
import type { EvictionPolicy } from '../../src/cache/eviction/policy.js';
import { SeededRandom } from '../../src/core/random.js';
import { xxh32 } from '../../src/core/hash.js';

test('frequency sketch: counts, saturates at 15, never under-counts, halves after 10 × capacity increments', () => {
  const sketch = new FrequencySketch(512);
  const a = xxh32('a');
  for (let i = 0; i < 5; i++) sketch.increment(a);
  assert.equal(sketch.frequency(a), 5);
  for (let i = 0; i < 30; i++) sketch.increment(a);
  assert.equal(sketch.frequency(a), 15);
  // Count-min never under-counts: 200 distinct keys each seen 3 times all estimate ≥ 3.
  const fresh = new FrequencySketch(512);
  const keys = Array.from({ length: 200 }, (_, i) => xxh32(`k${i}`));
  for (const k of keys) for (let j = 0; j < 3; j++) fresh.increment(k);
  assert.ok(keys.every((k) => fresh.frequency(k) >= 3));
  // Over-counting stays rare at 16 counters per expected entry: most estimates are exact.
  const exact = keys.filter((k) => fresh.frequency(k) === 3).length;
  assert.ok(exact >= 190, `exact estimates ${exact}/200`);
  // Reset: 10 × 512 increments halve everything, so the hot key drops from 15 to 7.
  const hot = new FrequencySketch(512);
  for (let i = 0; i < 15; i++) hot.increment(a);
  for (let i = 0; hot.frequency(a) === 15 && i < 5120; i++) hot.increment(xxh32(`noise${i}`));
  assert.equal(hot.frequency(a), 7);
});

test("segments: append moves a whole segment behind another one's tail, in order, weights included", () => {
  const lists = new Segments(8, true);
  for (const slot of [0, 1, 2]) lists.pushHead(1, slot, 10); // probation, LRU → MRU: 0 1 2
  for (const slot of [3, 4]) lists.pushHead(2, slot, 100); // protected, LRU → MRU: 3 4
  lists.append(2, 1);
  assert.deepEqual([lists.heads[2], lists.tails[2], lists.weights[2]], [-1, -1, 0]);
  assert.equal(lists.weights[1], 230);
  const order: number[] = [];
  while (lists.tails[1]! >= 0) {
    const tail = lists.tails[1]!;
    assert.equal(lists.segmentOf(tail), 1);
    order.push(tail);
    lists.unlink(tail);
  }
  // The appended slots are now the least recent: evicted first, in their own LRU order.
  assert.deepEqual(order, [3, 4, 0, 1, 2]);
  assert.equal(lists.weights[1], 0);
  lists.append(2, 1); // appending an empty segment changes nothing
  assert.deepEqual([lists.heads[1], lists.tails[1]], [-1, -1]);
  lists.pushHead(2, 5, 1);
  lists.append(2, 1); // into an empty segment
  assert.deepEqual([lists.heads[1], lists.tails[1], lists.segmentOf(5)], [5, 5, 1]);
});

test('LRU evicts the least recently used entry', () => {
  const { store, policy } = storeWith(new LruPolicy(3, 4, false));
  for (const k of ['a', 'b', 'c']) write(store, k);
  policy.access(store.index.get('a')!);
  write(store, 'd');
  assert.deepEqual([...store.index.entries()].map(([k]) => k).sort(), ['a', 'c', 'd']);
});

test('W-TinyLFU keeps a frequently used working set through a one-off scan (LRU does not)', () => {
  const hot = Array.from({ length: 50 }, (_, i) => `hot${i}`);
  const scan = Array.from({ length: 1000 }, (_, i) => `scan${i}`);
  const survivors = (policy: EvictionPolicy): number => {
    const { store } = storeWith(policy);
    for (let round = 0; round < 5; round++) for (const k of hot) touchOrWrite(store, policy, k);
    for (const k of scan) touchOrWrite(store, policy, k);
    return hot.filter((k) => store.index.has(k)).length;
  };
  assert.equal(survivors(new LruPolicy(100, 101, false)), 0);
  assert.ok(survivors(new TinyLfuPolicy(100, 101, false, new SeededRandom(1))) >= 45);
});

test('weighted W-TinyLFU stays within its byte budget and rejects an entry heavier than the whole cache', () => {
  const policy = new TinyLfuPolicy(1000, 4, true, new SeededRandom(2));
  const removed: string[] = [];
  const store = new LocalStore(policy, 4, Infinity, 0, (key, _v, reason) => removed.push(`${key}:${reason}`));
  const random = new SeededRandom(3);
  for (let i = 0; i < 500; i++) {
    store.write(`k${random.int(80)}`, i, 1 + random.int(120), Infinity, false, 0, 0, undefined);
    assert.ok(policy.weight <= 1000, `weight ${policy.weight}`);
  }
  assert.equal(store.write('huge', 1, 1001, Infinity, false, 0, 0, undefined), -1);
  assert.ok(removed.includes('huge:too-large'));
  assert.equal(store.index.has('huge'), false);
});

for (const kind of ['tinylfu', 'lru'] as const) {
  test(`${kind}: after any sequence of writes, hits, deletes and weight changes the store is consistent and within bounds`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.constantFrom('write', 'hit', 'delete'), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 8 })), {
          minLength: 50,
          maxLength: 300,
          size: 'max',
        }),
        (maximum, weighted, ops) => {
          const policy =
            kind === 'lru'
              ? new LruPolicy(maximum * (weighted ? 4 : 1), 2, weighted)
              : new TinyLfuPolicy(maximum * (weighted ? 4 : 1), 2, weighted, new SeededRandom(7));
          const store = new LocalStore(policy, 2, weighted ? Infinity : maximum + 1, 0, () => {});
          const weights = new Map<string, number>();
          for (const [op, n, w] of ops) {
            const key = `k${n}`;
            const weight = weighted ? w : 1;
            if (op === 'write') {
              const slot = store.write(key, n, weight, Infinity, false, 0, 0, undefined);
              if (slot >= 0) weights.set(key, weight);
            } else if (op === 'hit') {
              const slot = store.index.get(key);
              if (slot !== undefined) policy.access(slot);
            } else {
              store.removeKey(key, 'deleted');
            }
            for (const k of weights.keys()) if (!store.index.has(k)) weights.delete(k);
            const total = [...weights.values()].reduce((a, b) => a + b, 0);
            assert.equal(policy.weight, total);
            assert.ok(policy.weight <= policy.maximum);
            assert.equal(store.size, weights.size);
            for (const [k, slot] of store.index.entries()) assert.equal(store.keys[slot], k);
          }
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
}

function storeWith(policy: EvictionPolicy): { store: LocalStore; policy: EvictionPolicy } {
  return { store: new LocalStore(policy, 2, policy.maximum + 1, 0, () => {}), policy };
}

function write(store: LocalStore, key: string): void {
  store.write(key, key, 1, Infinity, false, 0, 0, undefined);
}

function touchOrWrite(store: LocalStore, policy: EvictionPolicy, key: string): void {
  const slot = store.index.get(key);
  if (slot === undefined) write(store, key);
  else policy.access(slot);
}
