import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import clusterKeySlot from 'cluster-key-slot';
import { isHeadroomError } from '../../src/core/errors.js';
import { SLOT_COUNT, SlotPartitioner, crc16Bytes, crc16String, keySlot } from '../../src/partition/index.js';

// Golden vectors. "somekey" → 11058 and "foo{hash_tag}" → 2515 are the examples in Redis's own
// CLUSTER KEYSLOT documentation; the tag cases are the cluster spec's examples; all were
// cross-checked with a real redis-server (redis-keyslot.integration.test.ts).
const GOLDEN: ReadonlyArray<readonly [string, number]> = [
  ['123456789', 12739],
  ['somekey', 11058],
  ['foo{hash_tag}', 2515],
  ['foo', 12182],
  ['bar', 5061],
  ['{user1000}.following', 3443],
  ['{user1000}.followers', 3443],
  ['foo{}{bar}', 8363],
  ['foo{{bar}}zap', keySlot('{bar')],
  ['foo{bar}{zap}', 5061],
  ['{}', 15257],
  ['{', 4092],
  ['}', 12090],
  ['', 0],
  ['ключ', 10303],
  ['😀', 2959],
  ['a{b', 13340],
  ['user:{42}:cart', 8000],
];

test('keySlot: golden vectors (Redis docs examples and hash-tag rules)', () => {
  assert.equal(crc16String('123456789'), 0x31c3, 'CRC-16/XMODEM check value');
  assert.equal(crc16Bytes(Buffer.from('xx123456789yy'), 2, 11), 0x31c3);
  for (const [key, slot] of GOLDEN) assert.equal(keySlot(key), slot, JSON.stringify(key));
  assert.equal(keySlot(Buffer.from([0xff, 0x00, 0x7b, 0x01, 0x7d])), clusterKeySlot(Buffer.from([0xff, 0x00, 0x7b, 0x01, 0x7d])));
});

/** Redis's keyHashSlot (src/cluster.c) restated over bytes, with a bitwise CRC independent of src/. */
function redisKeyHashSlot(key: Uint8Array): number {
  const s = key.indexOf(0x7b);
  if (s >= 0) {
    const e = key.indexOf(0x7d, s + 1);
    if (e > s + 1) return bitwiseCrc16(key.subarray(s + 1, e)) & 0x3fff;
  }
  return bitwiseCrc16(key) & 0x3fff;
}

function bitwiseCrc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

test('property: keySlot equals Redis keyHashSlot for any string or bytes, and cluster-key-slot when no empty {} precedes the tag', () => {
  const braces = fc.constantFrom('{', '}', '{}', 'a', 'é', '😀', '');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), braces, fc.string({ maxLength: 6 }), braces, (a, b, c, d) => {
      for (const key of [a, `${a}${b}${c}${d}`, `${b}{${c}}${a}`, `${d}{}${c}{${a}}`, `{${a}`]) {
        const bytes = Buffer.from(key);
        assert.equal(keySlot(key), redisKeyHashSlot(bytes), JSON.stringify(key));
        assert.equal(keySlot(bytes), keySlot(key));
        const open = bytes.indexOf(0x7b);
        if (open < 0 || bytes[open + 1] !== 0x7d) assert.equal(keySlot(key), clusterKeySlot(key), JSON.stringify(key));
      }
    }),
    { numRuns: 3000, seed: 51 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      assert.equal(keySlot(bytes), redisKeyHashSlot(bytes));
    }),
    { numRuns: 2000, seed: 52 },
  );
  // A documented divergence: cluster-key-slot takes "{bar" as the tag of "foo{}{bar}"; Redis hashes the whole key.
  assert.equal(clusterKeySlot('foo{}{bar}'), 4015);
});

test('property: strings with lone surrogates hash as the bytes Buffer.from sends (U+FFFD), not as cluster-key-slot encodes them', () => {
  const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  fc.assert(
    fc.property(fc.string({ unit, maxLength: 20 }), (key) => {
      assert.equal(keySlot(key), clusterKeySlot(Buffer.from(key, 'utf8')));
    }),
    { numRuns: 3000, seed: 53 },
  );
  // A documented divergence: cluster-key-slot encodes a lone high surrogate as ED A0 80.
  assert.equal(keySlot('\ud800'), keySlot('\ufffd'));
});

test('keySlot rejects keys that are neither strings nor bytes', () => {
  for (const bad of [42, null, undefined, {}, ['a']]) {
    assert.throws(
      () => keySlot(bad as unknown as string),
      (e) => isHeadroomError(e, 'HR_PARTITION_INVALID_KEY'),
    );
  }
});

test('SlotPartitioner: default table is contiguous weighted runs covering all 16384 slots', () => {
  const p = new SlotPartitioner(['a', 'b', { id: 'c', weight: 2 }]);
  assert.deepEqual(p.slotRanges(), [
    { start: 0, end: 4095, node: 'a' },
    { start: 4096, end: 8191, node: 'b' },
    { start: 8192, end: 16383, node: 'c' },
  ]);
  assert.equal(p.locate('user:{42}:cart'), p.slotOwner(keySlot('42')));
  assert.deepEqual(p.locateN('user:{42}:cart', 3).sort(), ['a', 'b', 'c']);
  assert.equal(p.locateN('x', 2)[0], p.locate('x'));
});

test("SlotPartitioner: adding a node moves exactly its even share; removing moves only the departed node's slots", () => {
  let p = new SlotPartitioner(['n0', 'n1', 'n2', 'n3']);
  for (let n = 5; n <= 12; n++) {
    const next = p.withNode(`n${n - 1}`);
    const before = p.slotOwners();
    const after = next.slotOwners();
    const moved = after.filter((o, s) => o !== before[s]);
    assert.ok(
      moved.every((o) => o === `n${n - 1}`),
      'slots only move to the new node',
    );
    assert.ok(moved.length === Math.floor(SLOT_COUNT / n) || moved.length === Math.ceil(SLOT_COUNT / n), `moved ${moved.length} at n=${n}`);
    const counts = countBy(after);
    assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1, 'shares within one slot');
    p = next;
  }
  const before = p.slotOwners();
  const smaller = p.withoutNode('n3');
  const after = smaller.slotOwners();
  after.forEach((o, s) => {
    if (before[s] !== 'n3') assert.equal(o, before[s]);
    else assert.notEqual(o, 'n3');
  });
  const counts = countBy(after);
  assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1);
});

test('SlotPartitioner: explicit ranges are validated', () => {
  const code = (c: string) => (e: unknown) => isHeadroomError(e, c);
  assert.throws(() => new SlotPartitioner(['a'], { ranges: [{ start: 0, end: 100, node: 'a' }] }), code('HR_PARTITION_INVALID_SLOT_TABLE'));
  assert.throws(
    () => new SlotPartitioner(['a'], { ranges: [{ start: 0, end: 16383, node: 'b' }] }),
    code('HR_PARTITION_INVALID_SLOT_TABLE'),
  );
  assert.throws(
    () =>
      new SlotPartitioner(['a'], {
        ranges: [
          { start: 0, end: 16383, node: 'a' },
          { start: 5, end: 5, node: 'a' },
        ],
      }),
    code('HR_PARTITION_INVALID_SLOT_TABLE'),
  );
  assert.throws(
    () => new SlotPartitioner(['a'], { ranges: [{ start: -1, end: 16383, node: 'a' }] }),
    code('HR_PARTITION_INVALID_SLOT_TABLE'),
  );
  const p = new SlotPartitioner(['a', 'b'], {
    ranges: [
      { start: 0, end: 99, node: 'b' },
      { start: 100, end: 16383, node: 'a' },
    ],
  });
  assert.equal(p.slotOwner(99), 'b');
  assert.equal(p.slotOwner(100), 'a');
  assert.throws(() => p.slotOwner(16384), code('HR_PARTITION_INVALID_OPTION'));
});

function countBy(list: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of list) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
}
