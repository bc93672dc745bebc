/**
 * Hash-mod placement: owner = xxh32(key) mod n. The baseline every consistent scheme is measured
 * against (Karger et al., STOC 1997, motivate consistent hashing with exactly this failure).
 *
 * Complexity: O(1) per lookup, no memory beyond the node list. Limits: changing n from n to n+1
 * moves a key unless h mod n = h mod (n+1) — about n/(n+1) of all keys, i.e. nearly everything;
 * no weights. Use it only when the node count never changes (or as the yardstick).
 */
import { xxh32 } from '../../core/hash.js';
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

/** Options of {@link HashModPartitioner}. */
export interface HashModOptions {
  /** Hash seed (32-bit integer), default 0. */
  readonly seed?: number;
}

/**
 * owner = xxh32(key, seed) mod n.
 * @throws HR_PARTITION_WEIGHTS_UNSUPPORTED when a node has a weight other than 1
 * @throws HR_PARTITION_INVALID_OPTION for a non-integer seed
 * @example
 * ```ts
 * const p = new HashModPartitioner(['a', 'b', 'c']);
 * p.locate('k'); // stable while the node list is; adding 'd' moves ~3/4 of keys
 * ```
 */
export class HashModPartitioner extends BasePartitioner {
  readonly algorithm = 'hash-mod';
  readonly #seed: number;

  constructor(nodes: readonly NodeInput[], options: HashModOptions = {}) {
    const resolved = normalizeNodes(nodes);
    requireUnitWeights('hash-mod', resolved);
    super(resolved);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw invalidOptionError('seed', seed, 'use an integer seed');
    this.#seed = seed >>> 0;
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return xxh32(key, this.#seed) % this.ids.length;
  }

  locateN(key: PartitionKey, n: number): string[] {
    return this.cyclicReplicas(key, n);
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new HashModPartitioner(nodes, { seed: this.#seed }) as this;
  }
}
