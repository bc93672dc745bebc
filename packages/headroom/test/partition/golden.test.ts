/**
 * Golden vectors: the owner of fixed keys over a fixed node list, per algorithm. Two processes
 * running different versions of Headroom must route identically; a change here is a breaking
 * change to placement and must be called out (and the vectors regenerated on purpose).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BoundedLoadRing,
  HashModPartitioner,
  JumpPartitioner,
  KetamaRing,
  MaglevPartitioner,
  RangePartitioner,
  RendezvousPartitioner,
  SlotPartitioner,
  VnodeRing,
  type Partitioner,
} from '../../src/partition/index.js';

const KEYS = [
  '',
  'a',
  'user:42',
  'user:{42}:cart',
  'ключ',
  '😀',
  'order/2024/10/31/000017',
  ...Array.from({ length: 25 }, (_, i) => `k${i * 7919}`),
];
const IDS = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'n6'];
const WEIGHTED = IDS.map((id, i) => ({ id, weight: 1 + (i % 3) }));

const MAKE: Record<string, () => Partitioner> = {
  'hash-mod': () => new HashModPartitioner(IDS),
  ketama: () => new KetamaRing(WEIGHTED),
  'vnode-ring': () => new VnodeRing(WEIGHTED),
  jump: () => new JumpPartitioner(IDS),
  'jump-xxh64': () => new JumpPartitioner(IDS, { keyHash: 'xxh64' }),
  'jump-xxh32': () => new JumpPartitioner(IDS, { keyHash: 'xxh32' }),
  rendezvous: () => new RendezvousPartitioner(WEIGHTED),
  'rendezvous-unweighted': () => new RendezvousPartitioner(IDS),
  maglev: () => new MaglevPartitioner(WEIGHTED, { tableSize: 251 }),
  'bounded-load': () => new BoundedLoadRing(IDS),
  slots: () => new SlotPartitioner(WEIGHTED),
  range: () => new RangePartitioner(IDS, { splits: ['c', 'k1', 'k4', 'o', 'u', 'z'] }),
};

// [algorithm, owner index of each key in KEYS, locateN('user:42', 3)]
const GOLDEN: ReadonlyArray<readonly [string, string, string]> = [
  ['hash-mod', '33510243310056442016531666303613', 'n5,n6,n0'],
  ['ketama', '14626201253244515116262422452303', 'n6,n5,n4'],
  ['vnode-ring', '52432502542114421145102141261255', 'n4,n3,n5'],
  ['jump', '03115616344343245225211343002360', 'n1,n2,n3'],
  ['jump-xxh64', '56526613344611425141262040324562', 'n5,n6,n0'],
  ['jump-xxh32', '30532103536210165650263060445033', 'n5,n6,n0'],
  ['rendezvous', '55554451132136322156422444163062', 'n5,n1,n3'],
  ['rendezvous-unweighted', '55554451134136321156322644163063', 'n5,n3,n6'],
  ['maglev', '05233605216105404612255141521055', 'n2,n1,n4'],
  ['bounded-load', '12432600512113421106402141260255', 'n4,n3,n1'],
  ['slots', '06634113033221426265115314054555', 'n6,n0,n1'],
  ['range', '00556641322223333333222222222222', 'n5,n6,n0'],
];

test("golden vectors pin every algorithm's placement", () => {
  assert.deepEqual(GOLDEN.map(([name]) => name).sort(), Object.keys(MAKE).sort());
  for (const [name, owners, replicas] of GOLDEN) {
    const p = MAKE[name]!();
    assert.equal(KEYS.map((k) => p.locateIndex(k)).join(''), owners, name);
    assert.equal(p.locateN('user:42', 3).join(','), replicas, name);
  }
});

test('a string key and its UTF-8 bytes land on the same node, for every algorithm', () => {
  for (const make of Object.values(MAKE)) {
    const p = make();
    for (const key of KEYS) assert.equal(p.locate(Buffer.from(key, 'utf8')), p.locate(key), `${p.algorithm} ${key}`);
  }
});
