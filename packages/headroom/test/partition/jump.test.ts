import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { xxh32, xxh64 } from '../../src/core/hash.js';
import { hash64Into } from '../../src/core/murmur3.js';
import { isHeadroomError } from '../../src/core/errors.js';
import { JumpPartitioner, jumpHash } from '../../src/partition/index.js';

/** The paper's C++ reference (Lamping & Veach 2014, Figure 1) transcribed with BigInt: the oracle. */
function referenceJump(key: bigint, buckets: number): number {
  let k = BigInt.asUintN(64, key);
  let b = -1n;
  let j = 0n;
  while (j < BigInt(buckets)) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = BigInt(Math.trunc(Number(b + 1n) * (Number(1n << 31n) / Number((k >> 33n) + 1n))));
  }
  return Number(b);
}

const split = (key: bigint): [number, number] => [Number(key >> 32n), Number(key & 0xffffffffn)];

test('published vectors: go-jump (generated from the reference C++) and the python jump package', () => {
  // github.com/dgryski/go-jump jump_test.go: Hash(key, i+1) for i = 0..
  const vectors: ReadonlyArray<readonly [bigint, readonly number[]]> = [
    [0n, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]],
    [1n, [0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17]],
    [0xdeadbeefn, [0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16]],
    [0x0ddc0ffeebadf00dn, [0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15]],
  ];
  for (const [key, buckets] of vectors) {
    buckets.forEach((expected, i) => assert.equal(jumpHash(...split(key), i + 1), expected, `key ${key} buckets ${i + 1}`));
  }
  assert.equal(jumpHash(0, 256, 1024), 520); // pypi jump-consistent-hash README: jump.hash(256, 1024) == 520
});

test('property: jumpHash (no BigInt) equals the BigInt reference for any 64-bit key and bucket count', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (key, buckets) => {
      assert.equal(jumpHash(...split(key), buckets), referenceJump(key, buckets));
    }),
    { numRuns: 3000, seed: 81 },
  );
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 1, max: 2000 }), (key, buckets) => {
      assert.equal(jumpHash(...split(key), buckets), referenceJump(key, buckets));
    }),
    { numRuns: 3000, seed: 82 },
  );
});

function hash64(key: string): bigint {
  const pair = new Uint32Array(2);
  hash64Into(key, pair);
  return (BigInt(pair[0]!) << 32n) | BigInt(pair[1]!);
}

test('JumpPartitioner places a string key at jumpHash(hash64(key)), node order = bucket order', () => {
  const p = new JumpPartitioner(['s0', 's1', 's2', 's3', 's4']);
  for (const key of ['a', 'user:42', 'ключ', '']) {
    assert.equal(p.locate(key), `s${referenceJump(hash64(key), 5)}`);
  }
  assert.deepEqual(
    p.locateN('user:42', 3),
    [0, 1, 2].map((r) => `s${(referenceJump(hash64('user:42'), 5) + r) % 5}`),
  );
  const xx = new JumpPartitioner(['s0', 's1', 's2', 's3', 's4'], { keyHash: 'xxh64' });
  for (const key of ['a', 'user:42', 'ключ', '']) assert.equal(xx.locate(key), `s${referenceJump(xxh64(key), 5)}`);
  assert.equal(xx.withNode('s5').locate('user:42'), `s${referenceJump(xxh64('user:42'), 6)}`);
  const short = new JumpPartitioner(['s0', 's1', 's2', 's3', 's4'], { keyHash: 'xxh32' });
  for (const key of ['a', 'user:42', 'ключ', '']) assert.equal(short.locate(key), `s${referenceJump(BigInt(xxh32(key)), 5)}`);
  assert.equal(short.withNode('s5').locate('user:42'), `s${referenceJump(BigInt(xxh32('user:42')), 6)}`);
  assert.throws(
    () => new JumpPartitioner(['a'], { keyHash: 'md5' as 'xxh32' }),
    (e) => isHeadroomError(e, 'HR_PARTITION_INVALID_OPTION'),
  );
});

test('jump: removing a middle node swaps the last one into its bucket, moving ≈ 2/n (N = 20,000 keys)', () => {
  const n = 10;
  const p = new JumpPartitioner(Array.from({ length: n }, (_, i) => `s${i}`));
  const q = p.withoutNode('s3');
  assert.deepEqual(
    q.nodes.map((x) => x.id),
    ['s0', 's1', 's2', 's9', 's4', 's5', 's6', 's7', 's8'],
  );
  const N = 20_000;
  let moved = 0;
  for (let i = 0; i < N; i++) {
    const before = p.locate(`k${i}`);
    const after = q.locate(`k${i}`);
    if (before !== after) {
      moved++;
      assert.ok(before === 's3' || before === 's9', 'only s3 and s9 keys move');
    }
  }
  // s3's keys all move; s9's keys re-jump over n−1 buckets and stay put only when they land on bucket 3 (now s9).
  const expected = 1 / n + (1 / n) * (1 - 1 / (n - 1));
  assert.ok(Math.abs(moved / N - expected) <= 5 * Math.sqrt((expected * (1 - expected)) / N), `moved ${moved / N}`);
});

test('jump rejects weights and bad input with typed errors', () => {
  const code = (c: string) => (e: unknown) => isHeadroomError(e, c);
  assert.throws(() => new JumpPartitioner([{ id: 'a', weight: 2 }]), code('HR_PARTITION_WEIGHTS_UNSUPPORTED'));
  assert.throws(() => new JumpPartitioner([]), code('HR_PARTITION_NO_NODES'));
  assert.throws(() => new JumpPartitioner(['a', 'a']), code('HR_PARTITION_DUPLICATE_NODE'));
  assert.throws(() => new JumpPartitioner(['a']).locate(3 as unknown as string), code('HR_PARTITION_INVALID_KEY'));
  assert.throws(() => new JumpPartitioner(['a']).withoutNode('a'), code('HR_PARTITION_NO_NODES'));
  assert.throws(() => new JumpPartitioner(['a']).withoutNode('b'), code('HR_PARTITION_UNKNOWN_NODE'));
});
