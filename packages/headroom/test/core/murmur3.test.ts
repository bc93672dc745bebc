import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import murmur from 'murmurhash3js-revisited';
import { hash53, hash64Into, murmur3x86128Into } from '../../src/core/murmur3.js';

// From the reference C implementation (Debian's libmurmurhash), printed by
// test/core/fixtures/murmur3-vectors.c: [input, digest seed 0, digest seed 42].
const GOLDEN: ReadonlyArray<readonly [string, string, string]> = [
  ['', '00000000000000000000000000000000', 'af6d2cb695c80cba95c80cba95c80cba'],
  ['a', 'a794933c5556b01b5556b01b5556b01b', '517b4f5294460fc694460fc694460fc6'],
  ['abc', '75cdc6d1a2b006a5a2b006a5a2b006a5', '5bcf0fbe8741bbe98741bbe98741bbe9'],
  ['user:1001', 'dfba4552ea382a240086183e6d65023d', '937ae3669fd586d57ecd569c67622f8b'],
  ['hello, world', '8b21605cb9b98a1e93273a83eb5957c7', 'ef8be0fc8094183b74352732ea66b8d4'],
  ['abcdefghijklmnopqrstuvwxyz012345', 'dbab3052d074e5df7f2eadeac5407f42', 'ea84f25621e4d5c75c81b8417d0989e4'],
  ['ключ', '1dc1da77872827771e36116e1e36116e', '74234374fe192ab86e5f38f86e5f38f8'],
  ['😀', 'f0e2fa84701463f2701463f2701463f2', '5f689ab684d2ea0784d2ea0784d2ea07'],
  ['fifteen bytes!!', 'c4d6f0bd705d18d899efb5a389674b67', 'c1f16964f90eb9ee8d071aafb29f9b0e'],
  ['sixteen bytes!!!', '484c0ad4aef58fc4664a38a2b6c13d64', '8b586b19c72bd26d21bffe341000c998'],
  ['thirteen byte', 'a92ab48dc7453b043b42dd8913cbc3ca', '91c56a35dee11469803309c937a23768'],
];

const out = new Uint32Array(4);
function digest(input: string | Uint8Array, seed: number): string {
  murmur3x86128Into(input, out, seed);
  return Array.from(out, (w) => w.toString(16).padStart(8, '0')).join('');
}

test('golden vectors: MurmurHash3 x86_128 matches the reference C implementation', () => {
  for (const [input, seed0, seed42] of GOLDEN) {
    assert.equal(digest(input, 0), seed0, `seed 0: ${input}`);
    assert.equal(digest(input, 42), seed42, `seed 42: ${input}`);
  }
});

test('property: any string or byte array and seed agrees with murmurhash3js-revisited', () => {
  const encoder = new TextEncoder();
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 100 }), fc.nat(), (s, seed) => {
      assert.equal(digest(s, seed), murmur.x86.hash128(encoder.encode(s), seed));
    }),
    { numRuns: 2000, seed: 21 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
      assert.equal(digest(bytes, 0), murmur.x86.hash128(bytes, 0));
    }),
    { numRuns: 500, seed: 22 },
  );
});

test('hash64Into is the first 64 bits; hash53 its top 53 bits', () => {
  const pair = new Uint32Array(2);
  hash64Into('user:1001', pair);
  assert.deepEqual([...pair], [0xdfba4552, 0xea382a24]);
  assert.equal(hash53('user:1001'), Number(0xdfba4552ea382a24n >> 11n));
  hash64Into('user:1001', pair, 42);
  assert.deepEqual([...pair], [0x937ae366, 0x9fd586d5]);
});

test('hash53 spreads sequential keys evenly over 16 buckets (chi-square, N = 160,000)', () => {
  const n = 160_000;
  const buckets = new Array<number>(16).fill(0);
  for (let i = 0; i < n; i++) buckets[Math.floor(hash53(`key:${i}`) / 2 ** 49)]!++;
  const e = n / 16;
  const chi2 = buckets.reduce((s, c) => s + (c - e) ** 2 / e, 0);
  assert.ok(chi2 < 37.7, `chi2=${chi2}`); // 15 dof, p = 0.001
});
