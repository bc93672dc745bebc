/**
 * Jump consistent hash. Source: Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash
 * Algorithm", 2014 (arXiv:1406.2294). Output is identical to the paper's C++ reference for every
 * 64-bit key and bucket count (checked against a BigInt transcription and the go-jump vectors
 * generated from the reference code); the 64-bit LCG step key·2862933555777941757 + 1 is done on
 * two 32-bit halves with 16-bit partial products, so there is no BigInt on the hot path.
 *
 * String keys become 64-bit keys through the core 64-bit placement hash (`hash64Into`: the first 64
 * bits of MurmurHash3 x86_128, built from 32-bit multiplies and so about as cheap as xxh32 here),
 * or by option through xxHash64 (`'xxh64'`, for interop) or a zero-extended xxHash32 (`'xxh32'`:
 * 2^32 distinct keys; the LCG spreads them over all 64 bits on its first step). Complexity: O(ln n) LCG
 * steps per lookup, O(1) memory. Limits: no weights; buckets are numbered, so only removing the
 * last node moves only its keys — removing another swaps the last node into its place, which
 * moves the removed node's keys plus the last node's (≈ 2/n instead of 1/n).
 */
import { xxh32, xxh64Into } from '../../core/hash.js';
import { hash64Into } from '../../core/murmur3.js';
import {
  BasePartitioner,
  checkKey,
  normalizeNodes,
  requireUnitWeights,
  type NodeInput,
  type PartitionKey,
  type PartitionNode,
} from '../partitioner.js';
import { invalidOptionError } from '../errors.js';

// 2862933555777941757 = 0x27BB2EE6_87B0B0FD, split for 32×32 and 16×16 partial products.
const C_HI = 0x27bb2ee6;
const C_LO = 0x87b0b0fd;
const C_LO_0 = C_LO & 0xffff;
const C_LO_1 = C_LO >>> 16;

/**
 * The paper's JumpConsistentHash(key, num_buckets) for a 64-bit key given as two 32-bit halves.
 * @param keyHi - high 32 bits of the key (unsigned)
 * @param keyLo - low 32 bits of the key (unsigned)
 * @param buckets - number of buckets, an integer in 1..2^31−1
 * @returns the bucket in 0..buckets−1
 * @example jumpHash(0, 0xdeadbeef, 3) === 2 // go-jump's vector from the reference C++ code
 */
export function jumpHash(keyHi: number, keyLo: number, buckets: number): number {
  let hi = keyHi >>> 0;
  let lo = keyLo >>> 0;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    // key = key * C + 1 (mod 2^64). Low word × C_LO needs its high half exactly: 16-bit partials.
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const t = a0 * C_LO_0;
    const m1 = a1 * C_LO_0 + (t >>> 16);
    const m2 = a0 * C_LO_1 + (m1 & 0xffff);
    const carryHi = a1 * C_LO_1 + (m1 >>> 16) + (m2 >>> 16);
    const newLo = (Math.imul(lo, C_LO) >>> 0) + 1;
    hi = (carryHi + Math.imul(hi, C_LO) + Math.imul(lo, C_HI) + (newLo > 0xffffffff ? 1 : 0)) >>> 0;
    lo = newLo >>> 0;
    // j = (b + 1) * (double(1 << 31) / double((key >> 33) + 1)), in the same double arithmetic as C.
    j = Math.floor((b + 1) * (2147483648 / ((hi >>> 1) + 1)));
  }
  return b;
}

/** How {@link JumpPartitioner} turns a key into its 64-bit jump key. */
export type JumpKeyHash = 'hash64' | 'xxh64' | 'xxh32';

const KEY_HASHES: readonly JumpKeyHash[] = ['hash64', 'xxh64', 'xxh32'];

/** Options of {@link JumpPartitioner}. */
export interface JumpOptions {
  /**
   * How a key becomes the 64-bit jump key (each choice places keys differently):
   * `'hash64'` (default; core `hash64Into`, the first 64 bits of MurmurHash3 x86_128 — as cheap
   * as xxh32 in TypeScript), `'xxh64'` (xxHash64, for interop with systems that use it; about
   * 2× the cost on short keys) or `'xxh32'` (xxHash32 zero-extended: only 2^32 distinct jump keys).
   */
  readonly keyHash?: JumpKeyHash;
}

/**
 * Jump consistent hash over a node list (bucket i = nodes[i]).
 * @throws HR_PARTITION_WEIGHTS_UNSUPPORTED when a node has a weight other than 1
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE for a bad node list
 * @throws HR_PARTITION_INVALID_OPTION for an unknown `keyHash`
 * @example
 * ```ts
 * const shards = new JumpPartitioner(['s0', 's1', 's2']);
 * shards.locate('order:981');          // one of s0..s2
 * shards.withNode('s3');               // moves ≈ 1/4 of the keys, all to s3
 * ```
 */
export class JumpPartitioner extends BasePartitioner {
  readonly algorithm = 'jump';
  readonly #pair = new Uint32Array(2);
  readonly #keyHash: JumpKeyHash;

  constructor(nodes: readonly NodeInput[], options: JumpOptions = {}) {
    const resolved = normalizeNodes(nodes);
    requireUnitWeights('jump', resolved);
    if (resolved.length > 0x7fffffff) throw invalidOptionError('nodes', resolved.length, 'use fewer than 2^31 nodes');
    const keyHash = options.keyHash ?? 'hash64';
    if (!KEY_HASHES.includes(keyHash)) throw invalidOptionError('keyHash', keyHash, "use 'hash64', 'xxh64' or 'xxh32'");
    super(resolved);
    this.#keyHash = keyHash;
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    const keyHash = this.#keyHash;
    if (keyHash === 'xxh32') return jumpHash(0, xxh32(key), this.ids.length);
    const pair = this.#pair;
    if (keyHash === 'hash64') hash64Into(key, pair);
    else xxh64Into(key, pair);
    return jumpHash(pair[0]!, pair[1]!, this.ids.length);
  }

  /** Replicas are the buckets after the primary, cyclically (jump has no natural successor order). */
  locateN(key: PartitionKey, n: number): string[] {
    return this.cyclicReplicas(key, n);
  }

  /** Removing node i moves the last node into slot i (the only order change that keeps others in place). */
  protected override nodesWithout(i: number): PartitionNode[] {
    const next = this.nodes.slice(0, -1);
    if (i < next.length) next[i] = this.nodes[this.nodes.length - 1]!;
    return next;
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new JumpPartitioner(nodes, { keyHash: this.#keyHash }) as this;
  }
}
