import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHeadroomError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { BoundedLoadAssigner, BoundedLoadRing } from '../../src/partition/index.js';

/** ⌈(p/q)·m·w/W⌉ in exact integer arithmetic (the test's own oracle, independent of src). */
function exactCap(p: number, q: number, m: number, w: number, weightSum: number): number {
  const num = p * m * w;
  const den = q * weightSum;
  return Math.floor((num + den - 1) / den);
}

test('property: every node stays within ⌈c·m·w/W⌉ after every assign and release (weighted, c ∈ {1, 1.25, 1.5, 2})', () => {
  const factor = fc.constantFrom([1, 1], [5, 4], [3, 2], [2, 1]);
  const weights = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 8 });
  const ops = fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 300 });
  fc.assert(
    fc.property(factor, weights, ops, ([p, q], ws, script) => {
      const ring = new BoundedLoadRing(
        ws.map((w, i) => ({ id: `n${i}`, weight: w })),
        { loadFactor: p / q, vnodes: 20 },
      );
      const table = new BoundedLoadAssigner(ring);
      const weightSum = ws.reduce((a, b) => a + b, 0);
      const live = new Set<string>();
      for (const [add, k] of script) {
        const key = `k${k}`;
        if (add) {
          table.assign(key);
          live.add(key);
        } else {
          for (const move of table.release(key)) assert.equal(table.ownerOf(move.key), move.to);
          live.delete(key);
        }
        assert.equal(table.size, live.size);
        let total = 0;
        ws.forEach((w, i) => {
          const load = table.loadOf(`n${i}`);
          total += load;
          assert.ok(load <= exactCap(p, q, live.size, w, weightSum), `n${i} load ${load} > cap at m=${live.size}`);
          assert.equal(table.capacityOf(`n${i}`), exactCap(p, q, live.size, w, weightSum));
        });
        assert.equal(total, live.size);
      }
    }),
    { numRuns: 300, seed: 71 },
  );
});

test('bounded-load: keys stay on their ring home while it is under the cap, and spill clockwise when it is full', () => {
  const ring = new BoundedLoadRing(['a', 'b', 'c', 'd'], { loadFactor: 1.25 });
  const loads = new Float64Array(4);
  assert.equal(ring.pickIndex('user:1', loads), ring.locateIndex('user:1'));
  const home = ring.locateIndex('user:1');
  loads[home] = 10; // others 0: total 11 → cap ⌈1.25·11/4⌉ = 4 < 10
  const spill = ring.pickIndex('user:1', loads);
  assert.notEqual(spill, home);
  assert.equal(spill, ring.continuum.distinctOwners(ring.hashOf('user:1'), 2)[1]);
  assert.equal(ring.pick('user:1', loads, 10), ring.nodes[spill]!.id);
});

test('bounded-load: a skewed stream (half the keys homed on one node, N=20k) never pushes any node past the cap', () => {
  const ring = new BoundedLoadRing(
    Array.from({ length: 10 }, (_, i) => `n${i}`),
    { loadFactor: 1.25 },
  );
  const table = new BoundedLoadAssigner(ring);
  const random = new SeededRandom(3);
  const homedOnN0: string[] = [];
  for (let i = 0; homedOnN0.length < 10_000; i++) if (ring.locate(`h:${i}`) === 'n0') homedOnN0.push(`h:${i}`);
  const n = 20_000;
  for (let i = 0; i < n; i++) {
    const key = i % 2 === 0 ? homedOnN0[i / 2]! : `k:${random.int(2 ** 31)}:${i}`;
    table.assign(key);
    const cap = Math.ceil((1.25 * table.size) / 10);
    assert.ok(table.loadOf('n0') <= cap);
  }
  const cap = Math.ceil((1.25 * n) / 10);
  for (const node of ring.nodes) assert.ok(table.loadOf(node.id) <= cap, `${node.id} ${table.loadOf(node.id)} > ${cap}`);
  assert.equal(table.loadOf('n0'), cap, 'the hot node is filled exactly to its cap');
});

test('bounded-load assigner: migrate re-places keys of a departed node and keeps the caps', () => {
  const ring = new BoundedLoadRing(['a', 'b', 'c', 'd', 'e']);
  const table = new BoundedLoadAssigner(ring);
  for (let i = 0; i < 500; i++) table.assign(`k${i}`);
  const onC = Array.from({ length: 500 }, (_, i) => `k${i}`).filter((k) => table.ownerOf(k) === 'c');
  const moves = table.migrate(ring.withoutNode('c'));
  for (const k of onC) assert.ok(moves.some((m) => m.key === k && m.from === 'c'));
  for (const id of ['a', 'b', 'd', 'e']) assert.ok(table.loadOf(id) <= table.capacityOf(id));
  assert.equal(table.size, 500);
  assert.equal(table.loadOf('c'), 0);
});

test('bounded-load assigner: adding a node moves ≈ 1/(n+1) of keys to it (N = 10,000, n = 9) and keeps every cap', () => {
  const ring = new BoundedLoadRing(
    Array.from({ length: 9 }, (_, i) => `n${i}`),
    { loadFactor: 1.25 },
  );
  const table = new BoundedLoadAssigner(ring);
  const N = 10_000;
  for (let i = 0; i < N; i++) table.assign(`k${i}`);
  const before = new Map(Array.from({ length: N }, (_, i) => [`k${i}`, table.ownerOf(`k${i}`)]));
  const moves = table.migrate(ring.withNode('n9'));
  for (const m of moves) {
    assert.equal(before.get(m.key), m.from);
    assert.equal(table.ownerOf(m.key), m.to);
  }
  const p = 1 / 10;
  // The ring share of one node with 160 vnodes varies by ≈ 1/√160 (relative); allow 5 of those plus 5σ of sampling.
  const tol = 5 * Math.sqrt((p * (1 - p)) / N) + (5 * p) / Math.sqrt(160);
  assert.ok(Math.abs(table.loadOf('n9') / N - p) <= tol, `new node holds ${table.loadOf('n9') / N}`);
  assert.ok(Math.abs(moves.length / N - p) <= tol + 0.02, `moved ${moves.length / N}`);
  for (let i = 0; i < 10; i++) assert.ok(table.loadOf(`n${i}`) <= table.capacityOf(`n${i}`));
});

test('bounded-load: bad options and inputs are typed errors', () => {
  const code = (c: string) => (e: unknown) => isHeadroomError(e, c);
  assert.throws(() => new BoundedLoadRing(['a'], { loadFactor: 0.9 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => new BoundedLoadRing(['a'], { loadFactor: Number.NaN }), code('HR_PARTITION_INVALID_OPTION'));
  const ring = new BoundedLoadRing(['a', 'b']);
  assert.throws(() => ring.pickIndex('k', [0]), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => ring.pickIndex(7 as unknown as string, [0, 0]), code('HR_PARTITION_INVALID_KEY'));
  assert.throws(() => new BoundedLoadAssigner(ring).assign(7 as unknown as string), code('HR_PARTITION_INVALID_KEY'));
  assert.equal(ring.withNode('c').loadFactor, 1.25);
  assert.equal(ring.withNode('c').algorithm, 'bounded-load');
});
