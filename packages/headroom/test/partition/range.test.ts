import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isHeadroomError } from '../../src/core/errors.js';
import { RangePartitioner, applyRangeActions, compareKeys, planRangeMaintenance, type RangeStats } from '../../src/partition/index.js';

const MiB = 1024 * 1024;
const code = (c: string) => (e: unknown) => isHeadroomError(e, c);

test('ranges: lookups follow byte order (UTF-8), bounds are [start, end)', () => {
  const p = new RangePartitioner(['a', 'b', 'c'], { splits: ['g', 'p'], owners: ['a', 'b', 'c'] });
  assert.deepEqual(
    ['', 'f', 'g', 'gz', 'p', 'zzz', 'é'].map((k) => p.locate(k)),
    ['a', 'a', 'b', 'b', 'c', 'c', 'c'],
  );
  assert.equal(p.locate(new Uint8Array([0x67])), 'b');
  assert.deepEqual(
    p.ranges().map((r) => [r.start, r.end, r.node]),
    [
      [undefined, 'g', 'a'],
      ['g', 'p', 'b'],
      ['p', undefined, 'c'],
    ],
  );
  // UTF-16 order puts U+FFFF after U+1F600; UTF-8 byte order (what databases use) puts it before.
  assert.ok('\uffff' > '😀');
  assert.ok(compareKeys('\uffff', '😀') < 0);
});

test('property: locate agrees with a linear scan of the split points', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 20 }),
      fc.array(fc.string({ unit: 'binary', maxLength: 8 }), { maxLength: 50 }),
      (raw, keys) => {
        const splits = raw.filter((s) => s !== '').sort(compareKeys);
        const unique = splits.filter((s, i) => i === 0 || compareKeys(splits[i - 1]!, s) !== 0);
        const owners = unique.map((_, i) => `n${(i + 1) % 3}`);
        const p = new RangePartitioner(['n0', 'n1', 'n2'], { splits: unique, owners: ['n0', ...owners] });
        for (const key of keys) {
          let r = 0;
          while (r < unique.length && compareKeys(unique[r]!, key) <= 0) r++;
          assert.equal(p.rangeIndexOf(key), r);
        }
      },
    ),
    { numRuns: 300, seed: 91 },
  );
});

test('property: with ASCII split points (string fast path), any key — astral, BMP private use, bytes — matches byte order', () => {
  const ascii = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 5 });
  const unit = fc.constantFrom('a', 'z', '~', 'é', '\uffff', '\ue000', '😀', '\u007f', '\u0080');
  fc.assert(
    fc.property(fc.uniqueArray(ascii, { maxLength: 15 }), fc.array(fc.string({ unit, maxLength: 4 }), { maxLength: 30 }), (raw, keys) => {
      const splits = [...raw].sort(compareKeys);
      const p = new RangePartitioner(['n0'], { splits });
      for (const key of [...keys, ...splits]) {
        let r = 0;
        while (r < splits.length && compareKeys(splits[r]!, key) <= 0) r++;
        assert.equal(p.rangeIndexOf(key), r, JSON.stringify(key));
        assert.equal(p.rangeIndexOf(Buffer.from(key)), r);
      }
    }),
    { numRuns: 300, seed: 93 },
  );
});

test('ranges: split and merge are immutable and validated', () => {
  const p = new RangePartitioner(['a', 'b']);
  const q = p.splitAt('m', 'b');
  assert.equal(p.rangeCount, 1);
  assert.deepEqual(q.rangeOwners(), ['a', 'b']);
  assert.equal(q.locate('x'), 'b');
  assert.throws(() => q.splitAt('m'), code('HR_PARTITION_INVALID_RANGE'));
  assert.throws(() => q.splitAt('q', 'zz'), code('HR_PARTITION_UNKNOWN_NODE'));
  const merged = q.merge(0);
  assert.equal(merged.rangeCount, 1);
  assert.equal(merged.locate('x'), 'a');
  assert.throws(() => q.merge(1), code('HR_PARTITION_INVALID_RANGE'));
  assert.throws(() => new RangePartitioner(['a'], { splits: ['b', 'a'] }), code('HR_PARTITION_INVALID_RANGE'));
  assert.throws(() => new RangePartitioner(['a'], { splits: ['a'], owners: ['a'] }), code('HR_PARTITION_INVALID_RANGE'));
  assert.throws(() => new RangePartitioner(['a'], { splits: ['a'], owners: ['a', 'q'] }), code('HR_PARTITION_UNKNOWN_NODE'));
});

test('ranges: adding a node moves the fewest whole ranges; removing one moves only its ranges', () => {
  const splits = Array.from({ length: 11 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  const p = new RangePartitioner(['a', 'b', 'c'], { splits });
  const grown = p.withNode('d');
  const moved = grown.rangeOwners().filter((o, i) => o !== p.rangeOwners()[i]);
  assert.equal(moved.length, 3, '12 ranges over 4 nodes: 3 move, all to d');
  assert.ok(moved.every((o) => o === 'd'));
  const shrunk = grown.withoutNode('b');
  grown.rangeOwners().forEach((o, i) => {
    if (o !== 'b') assert.equal(shrunk.rangeOwners()[i], o);
  });
});

test('policy defaults: split above 512 MiB at the given mid key, above 2500 ops/s at the load-balancing key; merge below 128 MiB', () => {
  const p = new RangePartitioner(['a', 'b'], { splits: ['d', 'h', 'm', 'r'] });
  const stats: RangeStats[] = [
    { sizeBytes: 600 * MiB, midKey: 'b' }, // too big → split at b
    {
      sizeBytes: 100 * MiB,
      opsPerSec: 3000,
      loadSample: [
        ['e', 10],
        ['f', 10],
        ['g', 1000],
      ],
    }, // hot → split before g
    { sizeBytes: 50 * MiB, opsPerSec: 10 }, // small + small neighbour → merge
    { sizeBytes: 60 * MiB, opsPerSec: 10 },
    { sizeBytes: 300 * MiB, opsPerSec: 4000, loadSample: [['s', 1]] }, // hot but one key: cannot split
  ];
  const actions = planRangeMaintenance(p, stats);
  assert.deepEqual(actions, [
    { kind: 'split', range: 0, at: 'b', reason: 'size' },
    { kind: 'split', range: 1, at: 'g', reason: 'load' },
    { kind: 'merge', left: 2, reason: 'small' },
  ]);
  const next = applyRangeActions(p, actions);
  assert.deepEqual(
    next.ranges().map((r) => r.start ?? ''),
    ['', 'b', 'd', 'g', 'h', 'r'],
  );
});

test('policy: no merge when the merged range would be hot or too big; thresholds validated', () => {
  const p = new RangePartitioner(['a'], { splits: ['m'] });
  assert.deepEqual(
    planRangeMaintenance(p, [
      { sizeBytes: 10 * MiB, opsPerSec: 1000 },
      { sizeBytes: 10 * MiB, opsPerSec: 400 },
    ]),
    [],
  );
  assert.deepEqual(planRangeMaintenance(p, [{ sizeBytes: 100 * MiB }, { sizeBytes: 450 * MiB }]), []);
  assert.throws(() => planRangeMaintenance(p, [{}]), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => planRangeMaintenance(p, [{}, {}], { minSizeBytes: 10, maxSizeBytes: 5 }), code('HR_PARTITION_INVALID_OPTION'));
  assert.throws(() => planRangeMaintenance(p, [{ sizeBytes: 600 * MiB, midKey: 'z' }, {}]), code('HR_PARTITION_INVALID_RANGE'));
  assert.throws(
    () =>
      applyRangeActions(p, [
        { kind: 'merge', left: 0, reason: 'small' },
        { kind: 'split', range: 1, at: 'q', reason: 'size' },
      ]),
    code('HR_PARTITION_INVALID_RANGE'),
  );
});
