/**
 * Where jump's time goes at 100 buckets: the 64-bit LCG without BigInt against the same loop in
 * BigInt, and the cost of turning a string into a 64-bit key (core hash64Into and xxh64Into vs
 * xxh32). Keys are 100,000 `user:<n>` strings; the hash-free cases use precomputed 64-bit halves.
 */
import { do_not_optimize } from 'mitata';
import { xxh32, xxh64Into } from '../../src/core/hash.js';
import { hash64Into } from '../../src/core/murmur3.js';
import { JumpPartitioner, jumpHash } from '../../src/partition/index.js';
import { report } from '../harness.js';
import { interleaved } from '../interleaved.js';

const N = 100_000;
const BUCKETS = 100;
const KEYS = Array.from({ length: N }, (_, i) => `user:${1_000_000 + ((i * 7919) % N)}`);
const HI = new Uint32Array(N);
const LO = new Uint32Array(N);
const BIG = new Array<bigint>(N);
const pair = new Uint32Array(2);
KEYS.forEach((k, i) => {
  hash64Into(k, pair);
  HI[i] = pair[0]!;
  LO[i] = pair[1]!;
  BIG[i] = (BigInt(pair[0]!) << 32n) | BigInt(pair[1]!);
});

/** The paper's loop with a BigInt LCG: what a straightforward port does. */
function bigintJump(key: bigint, buckets: number): number {
  let k = key;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = Math.floor((b + 1) * (2147483648 / (Number(k >> 33n) + 1)));
  }
  return b;
}

let i = 0;
const step = (): number => (++i === N ? (i = 0) : i);
const jump = new JumpPartitioner(Array.from({ length: BUCKETS }, (_, b) => `s${b}`));

report('partition jump: 100 buckets, where the time goes', () =>
  interleaved(
    {
      'jumpHash, BigInt LCG (precomputed 64-bit key)': () => {
        const x = step();
        return do_not_optimize(bigintJump(BIG[x]!, BUCKETS));
      },
      'jumpHash, 32-bit halves (precomputed 64-bit key)': () => {
        const x = step();
        return do_not_optimize(jumpHash(HI[x]!, LO[x]!, BUCKETS));
      },
      'core hash64Into alone (default key hash)': () => {
        hash64Into(KEYS[step()]!, pair);
        return do_not_optimize(pair[1]);
      },
      'core xxh64Into alone': () => {
        xxh64Into(KEYS[step()]!, pair);
        return do_not_optimize(pair[1]);
      },
      'core xxh32 alone': () => do_not_optimize(xxh32(KEYS[step()]!)),
      'JumpPartitioner.locate (hash64Into + jumpHash)': () => do_not_optimize(jump.locate(KEYS[step()]!)),
      'jumpHash over xxh32 (32-bit key)': () => do_not_optimize(jumpHash(0, xxh32(KEYS[step()]!), BUCKETS)),
    },
    'jumpHash, BigInt LCG (precomputed 64-bit key)',
  ),
);
