/**
 * Rendezvous (highest-random-weight) hashing with weights. Sources: Thaler & Ravishankar,
 * "Using Name-Based Mappings to Increase Hit Rates", IEEE/ACM ToN 1998; the weighted
 * "logarithmic method" of Schindelhauer & Schomaker, "Weighted Distributed Hash Tables", SPAA 2005
 * (score = −wᵢ / ln uᵢ with uᵢ uniform in (0,1), which gives node i exactly wᵢ/W of the keys).
 *
 * uᵢ comes from one xxh32 of the key mixed with a per-node seed (murmur3's fmix32), so a lookup
 * hashes the key once. Complexity: O(n) per lookup (one mix, and one log when weights differ, per
 * node); O(n) memory. Limits: lookups slow down linearly with n (use Maglev or the ring beyond a
 * few hundred nodes); in return movement is minimal and exact — adding a node takes only keys it
 * now wins, removing one moves only its own keys — and `locateN` is the natural top-n.
 */
import { xxh32 } from '../../core/hash.js';
import {
  BasePartitioner,
  checkKey,
  checkReplicaCount,
  normalizeNodes,
  type NodeInput,
  type PartitionKey,
  type PartitionNode,
} from '../partitioner.js';
import { invalidOptionError } from '../errors.js';

/** Options of {@link RendezvousPartitioner}. */
export interface RendezvousOptions {
  /** Hash seed (32-bit integer), default 0. */
  readonly seed?: number;
}

/** murmur3's 32-bit finaliser: a bijection with full avalanche. */
function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Weighted rendezvous hashing.
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @throws HR_PARTITION_INVALID_OPTION for a non-integer seed
 * @example
 * ```ts
 * const hrw = new RendezvousPartitioner([{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }]);
 * hrw.locate('user:42');     // 'b' for about 3/4 of keys
 * hrw.locateN('user:42', 2); // both, best score first
 * ```
 */
export class RendezvousPartitioner extends BasePartitioner {
  readonly algorithm = 'rendezvous';
  readonly #seed: number;
  readonly #nodeSeeds: Uint32Array;
  readonly #weights: Float64Array;
  /** All weights equal: −w/ln u is monotone in u, so compare the raw 32-bit draws (no log). */
  readonly #uniform: boolean;

  constructor(nodes: readonly NodeInput[], options: RendezvousOptions = {}) {
    const resolved = normalizeNodes(nodes);
    super(resolved);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw invalidOptionError('seed', seed, 'use an integer seed');
    this.#seed = seed >>> 0;
    this.#nodeSeeds = Uint32Array.from(resolved, (n) => xxh32(n.id, this.#seed ^ 0x5bd1e995));
    this.#weights = Float64Array.from(resolved, (n) => n.weight);
    this.#uniform = resolved.every((n) => n.weight === resolved[0]!.weight);
  }

  /** Node i's score for a key hash (higher wins). */
  #score(keyHash: number, i: number): number {
    const u = fmix32(keyHash ^ this.#nodeSeeds[i]!);
    if (this.#uniform) return u;
    return this.#weights[i]! / -Math.log((u + 0.5) / 4294967296);
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    const kh = xxh32(key, this.#seed);
    const seeds = this.#nodeSeeds;
    const n = seeds.length;
    let best = 0;
    if (this.#uniform) {
      let bestU = fmix32(kh ^ seeds[0]!);
      for (let i = 1; i < n; i++) {
        const u = fmix32(kh ^ seeds[i]!);
        if (u > bestU) {
          bestU = u;
          best = i;
        }
      }
      return best;
    }
    let bestScore = this.#score(kh, 0);
    for (let i = 1; i < n; i++) {
      const s = this.#score(kh, i);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return best;
  }

  locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    if (typeof key !== 'string') checkKey(key);
    const kh = xxh32(key, this.#seed);
    // Top-n by insertion into a short sorted list (n is a replica count: small).
    const topScore: number[] = [];
    const topIndex: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const s = this.#score(kh, i);
      if (topScore.length === n && s <= topScore[n - 1]!) continue;
      let at = topScore.length === n ? n - 1 : topScore.length;
      while (at > 0 && topScore[at - 1]! < s) at--;
      topScore.splice(at, 0, s);
      topIndex.splice(at, 0, i);
      if (topScore.length > n) {
        topScore.pop();
        topIndex.pop();
      }
    }
    return topIndex.map((i) => this.ids[i]!);
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new RendezvousPartitioner(nodes, { seed: this.#seed }) as this;
  }
}
