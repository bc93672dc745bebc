/**
 * Consistent hashing ring with virtual nodes on the core fast hash. Source: Karger et al.,
 * "Consistent Hashing and Random Trees", STOC 1997; virtual nodes as in Dynamo (DeCandia et al.,
 * SOSP 2007). Each node gets round(vnodes · weight) points at xxh32(`${id}#${v}`, seed); a key goes
 * to the first point ≥ xxh32(key, seed).
 *
 * Complexity: O(1) expected lookup (bucketed continuum), O(P log P) build for P points, memory
 * ≈ 10 bytes per point. Limits: load spread shrinks only as 1/√vnodes (max/avg ≈ 1.1–1.3 at 160
 * vnodes, see docs/partition.md); adding a node moves ≈ its share, removing one moves only its keys.
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
import { Continuum } from './ring-core.js';

/** Options of {@link VnodeRing}. */
export interface VnodeRingOptions {
  /** Points per unit of weight; an integer ≥ 1, default 160 (ketama's count). */
  readonly vnodes?: number;
  /** Hash seed (32-bit integer), default 0; rings with different seeds place keys independently. */
  readonly seed?: number;
}

/** Resolved ring options, shared with bounded-load hashing. */
export interface ResolvedRingOptions {
  readonly vnodes: number;
  readonly seed: number;
}

/** Validates ring options. @throws HR_PARTITION_INVALID_OPTION */
export function resolveRingOptions(options: VnodeRingOptions): ResolvedRingOptions {
  const vnodes = options.vnodes ?? 160;
  const seed = options.seed ?? 0;
  if (!(Number.isInteger(vnodes) && vnodes >= 1 && vnodes <= 100_000))
    throw invalidOptionError('vnodes', vnodes, 'use an integer in 1..100000 (160 is a good default)');
  if (!Number.isInteger(seed)) throw invalidOptionError('seed', seed, 'use an integer seed');
  return { vnodes, seed: seed >>> 0 };
}

/** Builds the continuum: round(vnodes · weight) points per node, at least one. */
export function buildVnodeContinuum(nodes: readonly PartitionNode[], options: ResolvedRingOptions): Continuum {
  const positions: number[] = [];
  const owners: number[] = [];
  nodes.forEach((node, i) => {
    const count = Math.max(1, Math.round(options.vnodes * node.weight));
    for (let v = 0; v < count; v++) {
      positions.push(xxh32(`${node.id}#${v}`, options.seed));
      owners.push(i);
    }
  });
  return new Continuum(positions, owners);
}

/**
 * A consistent-hash ring with virtual nodes.
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @throws HR_PARTITION_INVALID_OPTION for a bad `vnodes` or `seed`
 * @example
 * ```ts
 * const ring = new VnodeRing(['a', 'b', { id: 'c', weight: 2 }], { vnodes: 160 });
 * ring.locate('user:42');      // 'a' | 'b' | 'c'
 * ring.locateN('user:42', 2);  // two distinct nodes, primary first
 * ```
 */
export class VnodeRing extends BasePartitioner {
  readonly algorithm: string = 'vnode-ring';
  /** The continuum (read-only view for inspection and for bounded-load hashing). */
  readonly continuum: Continuum;
  protected readonly options: ResolvedRingOptions;

  constructor(nodes: readonly NodeInput[], options: VnodeRingOptions = {}) {
    const resolved = normalizeNodes(nodes);
    super(resolved);
    this.options = resolveRingOptions(options);
    this.continuum = buildVnodeContinuum(resolved, this.options);
  }

  /** The ring position of `key` (its xxh32 with this ring's seed). */
  hashOf(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return xxh32(key, this.options.seed);
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return this.continuum.ownerOf(xxh32(key, this.options.seed));
  }

  locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    return this.continuum.distinctOwners(this.hashOf(key), n).map((i) => this.ids[i]!);
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new VnodeRing(nodes, this.options) as this;
  }
}
