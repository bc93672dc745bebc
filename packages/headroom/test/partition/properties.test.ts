/**
 * Property tests over every placement algorithm: movement on add/remove and max/avg load, with
 * bounds derived from the sample size (and, for rings, from the number of points per node).
 *
 * Notation: s sampled keys, n nodes. A fraction p estimated from s keys has standard error
 * σₛ = √(p(1−p)/s); a node's share on a ring with v points per node has relative spread ≈ 1/√v.
 * Tolerances are 5σ (false-failure odds < 10⁻⁶ per check) — wide enough not to flake, tight
 * enough to catch a broken algorithm (hash-mod would fail every consistent-hashing bound).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeededRandom } from '../../src/core/random.js';
import {
  BoundedLoadRing,
  HashModPartitioner,
  JumpPartitioner,
  KetamaRing,
  MaglevPartitioner,
  RendezvousPartitioner,
  SlotPartitioner,
  VnodeRing,
  type Partitioner,
} from '../../src/partition/index.js';

const S = 20_000;
const random = new SeededRandom(2024);
const KEYS = Array.from({ length: S }, (_, i) => `key:${random.int(2 ** 31)}:${i}`);

interface Algorithm {
  readonly name: string;
  readonly make: (ids: string[]) => Partitioner;
  /** Relative spread of one node's share beyond sampling (≈ 1/√points per node; 0 for exact schemes). */
  readonly shareSpread: number;
  /** Removing a node moves only its keys: 'exact', 'last-only' (jump) or a tolerated extra fraction. */
  readonly removal: 'exact' | 'last-only' | number;
  /** Extra relative movement tolerated on add (Maglev reshuffles a few other slots). */
  readonly addExtra: number;
}

const ALGORITHMS: Algorithm[] = [
  { name: 'ketama', make: (ids) => new KetamaRing(ids), shareSpread: 1 / Math.sqrt(160), removal: 0.05, addExtra: 0.05 },
  { name: 'vnode-ring', make: (ids) => new VnodeRing(ids), shareSpread: 1 / Math.sqrt(160), removal: 'exact', addExtra: 0 },
  { name: 'jump', make: (ids) => new JumpPartitioner(ids), shareSpread: 0, removal: 'last-only', addExtra: 0 },
  {
    name: 'jump (xxh32 keys)',
    make: (ids) => new JumpPartitioner(ids, { keyHash: 'xxh32' }),
    shareSpread: 0,
    removal: 'last-only',
    addExtra: 0,
  },
  { name: 'rendezvous', make: (ids) => new RendezvousPartitioner(ids), shareSpread: 0, removal: 'exact', addExtra: 0 },
  { name: 'maglev', make: (ids) => new MaglevPartitioner(ids), shareSpread: 0, removal: 0.03, addExtra: 0.3 },
  {
    name: 'bounded-load (home node)',
    make: (ids) => new BoundedLoadRing(ids),
    shareSpread: 1 / Math.sqrt(160),
    removal: 'exact',
    addExtra: 0,
  },
  { name: 'slots', make: (ids) => new SlotPartitioner(ids), shareSpread: 0, removal: 'exact', addExtra: 0 },
];

const ids = (n: number, tag: number): string[] => Array.from({ length: n }, (_, i) => `node-${tag}-${i}`);
const sampleSigma = (p: number): number => Math.sqrt((p * (1 - p)) / S);

function owners(p: Partitioner): string[] {
  return KEYS.map((k) => p.locate(k));
}

for (const algo of ALGORITHMS) {
  test(`property (${algo.name}): adding one node to n moves ≈ 1/(n+1) of keys, all of them to the new node`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(1000), (n, tag) => {
        const before = algo.make(ids(n, tag));
        const after = before.withNode(`node-${tag}-new`);
        const a = owners(before);
        const b = owners(after);
        let moved = 0;
        b.forEach((owner, i) => {
          if (owner === a[i]) return;
          moved++;
          if (algo.addExtra === 0) assert.equal(owner, `node-${tag}-new`, 'keys only move to the new node');
        });
        const p = 1 / (n + 1);
        const f = moved / S;
        const tol = 5 * sampleSigma(p) + p * (5 * algo.shareSpread + algo.addExtra);
        assert.ok(Math.abs(f - p) <= tol, `${algo.name} n=${n}: moved ${f.toFixed(4)}, expected ${p.toFixed(4)} ± ${tol.toFixed(4)}`);
      }),
      { numRuns: 12, seed: 101 },
    );
  });

  test(`property (${algo.name}): removing a node moves only that node's keys (${String(algo.removal)})`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 40 }), fc.nat(1000), fc.nat(), (n, tag, pick) => {
        const all = ids(n, tag);
        const victim = algo.removal === 'last-only' ? all[n - 1]! : all[pick % n]!;
        const before = algo.make(all);
        const after = before.withoutNode(victim);
        const a = owners(before);
        const b = owners(after);
        let extra = 0;
        a.forEach((owner, i) => {
          if (owner === victim) assert.notEqual(b[i], victim);
          else if (b[i] !== owner) extra++;
        });
        if (typeof algo.removal === 'number')
          assert.ok(extra / S <= algo.removal, `${algo.name}: ${extra / S} of keys moved off surviving nodes`);
        else assert.equal(extra, 0, `${algo.name}: keys of surviving nodes moved`);
      }),
      { numRuns: 12, seed: 102 },
    );
  });

  test(`property (${algo.name}): max/avg load stays within 1 + (√(2 ln n) + 2)·√(spread² + n/s)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.nat(1000), (n, tag) => {
        const counts = new Map<string, number>();
        for (const owner of owners(algo.make(ids(n, tag)))) counts.set(owner, (counts.get(owner) ?? 0) + 1);
        const max = Math.max(...counts.values());
        const ratio = max / (S / n);
        const bound = 1 + (Math.sqrt(2 * Math.log(n)) + 2) * Math.sqrt(algo.shareSpread ** 2 + (n - 1) / S);
        assert.ok(ratio <= bound, `${algo.name} n=${n}: max/avg ${ratio.toFixed(3)} > ${bound.toFixed(3)}`);
      }),
      { numRuns: 12, seed: 103 },
    );
  });

  test(`property (${algo.name}): locateN gives distinct nodes, primary first; membership changes are immutable`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), fc.nat(1000), fc.string({ minLength: 1 }), (n, tag, key) => {
        const p = algo.make(ids(n, tag));
        const r = Math.min(3, n);
        const replicas = p.locateN(key, r);
        assert.equal(new Set(replicas).size, r);
        assert.equal(replicas[0], p.locate(key));
        assert.equal(p.nodes[p.locateIndex(key)]!.id, p.locate(key));
        const bigger = p.withNode('extra');
        assert.equal(p.nodes.length, n);
        assert.equal(bigger.nodes.length, n + 1);
        assert.equal(bigger.algorithm, p.algorithm);
      }),
      { numRuns: 30, seed: 104 },
    );
  });
}

test('baseline: hash-mod moves most keys when a node is added (why consistent hashing exists)', () => {
  for (const n of [5, 10, 40]) {
    const before = new HashModPartitioner(ids(n, 0));
    const a = owners(before);
    const b = owners(before.withNode('new'));
    const f = a.filter((o, i) => o !== b[i]).length / S;
    const p = n / (n + 1);
    assert.ok(Math.abs(f - p) <= 5 * sampleSigma(p), `n=${n}: moved ${f}`);
  }
});
