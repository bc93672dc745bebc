/**
 * Lookups per second for every placement algorithm at 10, 100 and 1,000 nodes, against the
 * `hashring` package (ketama, MD5, with its 5,000-entry LRU result cache) in the same run.
 * Keys: 100,000 distinct `user:<n>` strings visited in a fixed shuffled order (uniform), so no
 * result cache can help; plus a Zipf(1.0) stream at 100 nodes, where hashring's cache does.
 */
import HashRing from 'hashring';
import { do_not_optimize } from 'mitata';
import { SeededRandom } from '../../src/core/random.js';
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
  compareKeys,
} from '../../src/partition/index.js';
import { ZipfSampler } from '../../src/scale/index.js';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

const KEY_COUNT = 100_000;
const random = new SeededRandom(7);
const KEYS = Array.from({ length: KEY_COUNT }, (_, i) => `user:${1_000_000 + i}`);
for (let i = KEY_COUNT - 1; i > 0; i--) {
  const j = random.int(i + 1);
  [KEYS[i], KEYS[j]] = [KEYS[j]!, KEYS[i]!];
}

/** A key source cycling through `list`. */
function cycle(list: readonly string[]): () => string {
  let i = 0;
  const n = list.length;
  return () => {
    const k = list[i]!;
    if (++i === n) i = 0;
    return k;
  };
}

const HASHRING = 'hashring get (ketama, MD5, LRU cache)';

for (const n of [10, 100, 1000]) {
  const ids = Array.from({ length: n }, (_, i) => `10.0.${i >> 8}.${i & 255}:11211`);
  const theirs = new HashRing(ids);
  const ketama = new KetamaRing(ids);
  const ketamaCompat = new KetamaRing(ids, { pointsFormula: 'hashring' });
  const ring = new VnodeRing(ids);
  const jump = new JumpPartitioner(ids);
  const jumpXx = new JumpPartitioner(ids, { keyHash: 'xxh64' });
  const jump32 = new JumpPartitioner(ids, { keyHash: 'xxh32' });
  const hrw = new RendezvousPartitioner(ids);
  const maglev = new MaglevPartitioner(ids);
  const bounded = new BoundedLoadRing(ids);
  const loads = new Float64Array(n).fill(10);
  const total = 10 * n;
  const slots = new SlotPartitioner(ids);
  const hashMod = new HashModPartitioner(ids);
  const sorted = [...KEYS].sort(compareKeys);
  const splits = Array.from({ length: 8 * n - 1 }, (_, r) => sorted[Math.floor(((r + 1) * KEY_COUNT) / (8 * n))]!);
  const range = new RangePartitioner(ids, { splits: [...new Set(splits)] });
  const next = cycle(KEYS);
  report(`partition lookup: ${n} nodes, 100k uniform keys`, () =>
    interleaved(
      {
        [HASHRING]: () => do_not_optimize(theirs.get(next())),
        'ketama (libmemcached rounding)': () => do_not_optimize(ketama.locate(next())),
        'ketama (hashring rounding: identical answers)': () => do_not_optimize(ketamaCompat.locate(next())),
        'vnode ring (160 vnodes, xxh32)': () => do_not_optimize(ring.locate(next())),
        'jump (default: hash64Into + 64-bit LCG, no BigInt)': () => do_not_optimize(jump.locate(next())),
        "jump (keyHash: 'xxh64')": () => do_not_optimize(jumpXx.locate(next())),
        "jump (keyHash: 'xxh32')": () => do_not_optimize(jump32.locate(next())),
        'maglev (M = 65537)': () => do_not_optimize(maglev.locate(next())),
        'rendezvous (unweighted)': () => do_not_optimize(hrw.locate(next())),
        'bounded-load pickIndex (c = 1.25)': () => do_not_optimize(bounded.pickIndex(next(), loads, total)),
        'slots (CRC16 + table)': () => do_not_optimize(slots.locate(next())),
        [`range (${8 * n} ranges)`]: () => do_not_optimize(range.locate(next())),
        'hash-mod (xxh32 % n)': () => do_not_optimize(hashMod.locate(next())),
      },
      HASHRING,
    ),
  );
}

{
  // Zipf(1.0) over the same keys: rank r drawn with probability ∝ 1/(r + 1) (headroom/scale's sampler).
  const zipf = new ZipfSampler({ n: KEY_COUNT, exponent: 1, random });
  const stream = Array.from({ length: 1 << 20 }, () => KEYS[zipf.next()]!);
  const ids = Array.from({ length: 100 }, (_, i) => `10.0.0.${i}:11211`);
  const theirs = new HashRing(ids);
  const ketama = new KetamaRing(ids, { pointsFormula: 'hashring' });
  const ring = new VnodeRing(ids);
  const jump = new JumpPartitioner(ids);
  const maglev = new MaglevPartitioner(ids);
  const next = cycle(stream);
  report("partition lookup: 100 nodes, Zipf(1.0) keys (hashring's cache hits)", () =>
    interleaved(
      {
        [HASHRING]: () => do_not_optimize(theirs.get(next())),
        'ketama (hashring rounding)': () => do_not_optimize(ketama.locate(next())),
        'vnode ring': () => do_not_optimize(ring.locate(next())),
        jump: () => do_not_optimize(jump.locate(next())),
        maglev: () => do_not_optimize(maglev.locate(next())),
      },
      HASHRING,
    ),
  );
}
