import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xxh64 as referenceXxh64, xxh32 as referenceXxh32 } from '@node-rs/xxhash';
import { xxh32, xxh64, xxh64Into } from '../../src/core/hash.js';

// Golden vectors produced by the reference C implementation (through @node-rs/xxhash).
// [input, xxh32 seed 0, xxh64 seed 0, xxh64 seed 123456789]
const GOLDEN: ReadonlyArray<readonly [string, string, string, string]> = [
  ['', '2cc5d05', 'ef46db3751d8e999', '5cad179d41c9195f'],
  ['a', '550d7456', 'd24ec4f1a98c6e5b', '2a565cd10118594a'],
  ['abc', '32d153ff', '44bc2cf5ad770999', '332a6c0b942e40fa'],
  ['user:1001', 'b2c34956', '85caa85ae91fa802', 'bc79602da7e74f3e'],
  ['hello, world', '4fa5ffd7', 'b33a384e6d1b1242', '20da579cdb941553'],
  ['abcdefghijklmnopqrstuvwxyz012345', '353145a3', 'bf2cd639b4143b80', '2b45d74b53a0b554'],
  ['ключ', '4f28515b', 'a17d2dd13d89d19c', 'ead8528f4b473773'],
  ['😀', '433940bc', '9025b8abaae87b80', 'c2b3fe699d737382'],
];

test('golden vectors: xxh32 and xxh64 match the reference implementation', () => {
  for (const [input, h32, h64, h64s] of GOLDEN) {
    assert.equal(xxh32(input).toString(16), h32, `xxh32(${input})`);
    assert.equal(xxh64(input).toString(16), h64, `xxh64(${input})`);
    assert.equal(xxh64(input, 123456789n).toString(16), h64s, `xxh64(${input}, seed)`);
  }
});

test('property: any string or byte array, any seed, agrees with the reference', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      fc.nat(),
      (s, seed64, seed32) => {
        assert.equal(xxh64(s, seed64), referenceXxh64(s, seed64));
        assert.equal(xxh32(s, seed32), referenceXxh32(s, seed32));
      },
    ),
    { numRuns: 2000, seed: 11 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
      assert.equal(xxh64(bytes), referenceXxh64(Buffer.from(bytes), 0n));
    }),
    { numRuns: 500, seed: 12 },
  );
});

test('xxh64Into writes [hi, lo] without allocating', () => {
  const out = new Uint32Array(2);
  xxh64Into('abc', out);
  assert.equal((BigInt(out[0]!) << 32n) | BigInt(out[1]!), 0x44bc2cf5ad770999n);
});
