/**
 * Maglev hashing. Source: Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, §3.4. Each node i has a permutation of the table slots,
 * offsetᵢ + j·skipᵢ (mod M) with M prime (so every skip generates all M slots); nodes take turns
 * claiming their next free slot until the table is full. Weights follow Envoy's Maglev: a node
 * takes a turn in round r only while its claims ≤ r·wᵢ/w_max, so shares track weights.
 *
 * Complexity: O(1) lookup (one xxh32 and one table read); build O(M log M) expected; memory
 * M × 2 bytes (4 when > 65535 nodes). Limits: not minimal — removing a node also reshuffles a few
 * other slots (the paper reports this; measured in test/partition and docs/partition.md); shares
 * are within ⌈M/n⌉/⌊M/n⌋ of each other; keep M ≥ 100·n for fine-grained shares. `locateN` walks the
 * table from the key's slot collecting distinct owners (not from the paper).
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
import { invalidOptionError, notPrimeError } from '../errors.js';

/** Options of {@link MaglevPartitioner}. */
export interface MaglevOptions {
  /** Lookup table size M, a prime > the node count; default 65537 (the paper's example size). */
  readonly tableSize?: number;
  /** Hash seed (32-bit integer), default 0. */
  readonly seed?: number;
}

/** True when n is prime (trial division; table sizes are small). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** The smallest prime ≥ n. */
export function nextPrime(n: number): number {
  let p = Math.max(2, Math.ceil(n));
  while (!isPrime(p)) p++;
  return p;
}

/**
 * Maglev consistent hashing.
 * @throws HR_PARTITION_NOT_PRIME when `tableSize` is not prime
 * @throws HR_PARTITION_INVALID_OPTION when `tableSize` is not larger than the node count, or above 2^26
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @example
 * ```ts
 * const lb = new MaglevPartitioner(['b1', 'b2', 'b3'], { tableSize: 65537 });
 * lb.locate('flow:10.0.0.1:5555'); // O(1)
 * ```
 */
export class MaglevPartitioner extends BasePartitioner {
  readonly algorithm = 'maglev';
  /** Table size M. */
  readonly tableSize: number;
  readonly #seed: number;
  readonly #table: Uint16Array | Uint32Array;

  constructor(nodes: readonly NodeInput[], options: MaglevOptions = {}) {
    const resolved = normalizeNodes(nodes);
    super(resolved);
    const m = options.tableSize ?? 65537;
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw invalidOptionError('seed', seed, 'use an integer seed');
    if (!(Number.isInteger(m) && m > resolved.length && m <= 2 ** 26)) {
      throw invalidOptionError(
        'tableSize',
        m,
        `use a prime larger than the node count (${resolved.length}) and ≤ 2^26, ideally ≥ 100 × nodes`,
      );
    }
    if (!isPrime(m)) throw notPrimeError('tableSize', m, nextPrime(m));
    this.tableSize = m;
    this.#seed = seed >>> 0;
    this.#table = populate(resolved, m, this.#seed);
  }

  /** The owner index of each table slot (a copy), for measuring disruption. */
  tableSnapshot(): Uint32Array {
    return Uint32Array.from(this.#table);
  }

  locateIndex(key: PartitionKey): number {
    if (typeof key !== 'string') checkKey(key);
    return this.#table[xxh32(key, this.#seed) % this.tableSize]!;
  }

  locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    if (typeof key !== 'string') checkKey(key);
    const out: number[] = [];
    const m = this.tableSize;
    for (let k = 0, slot = xxh32(key, this.#seed) % m; k < m && out.length < n; k++, slot = slot + 1 === m ? 0 : slot + 1) {
      const owner = this.#table[slot]!;
      if (!out.includes(owner)) out.push(owner);
    }
    // Every node owns at least one slot (M > n and each claims one per round), so the walk finds n.
    return out.map((i) => this.ids[i]!);
  }

  protected rebuild(nodes: PartitionNode[]): this {
    return new MaglevPartitioner(nodes, { tableSize: this.tableSize, seed: this.#seed }) as this;
  }
}

function populate(nodes: readonly PartitionNode[], m: number, seed: number): Uint16Array | Uint32Array {
  const n = nodes.length;
  const offset = new Uint32Array(n);
  const skip = new Uint32Array(n);
  const next = new Uint32Array(n);
  const claims = new Float64Array(n);
  const maxWeight = nodes.reduce((w, node) => Math.max(w, node.weight), 0);
  const share = Float64Array.from(nodes, (node) => node.weight / maxWeight);
  nodes.forEach((node, i) => {
    offset[i] = xxh32(node.id, seed ^ 0x6d61676c) % m;
    skip[i] = (xxh32(node.id, seed ^ 0x65766c21) % (m - 1)) + 1;
  });
  const owner = new Int32Array(m).fill(-1);
  let filled = 0;
  for (let round = 1; filled < m; round++) {
    for (let i = 0; i < n && filled < m; i++) {
      // Envoy's weighting: node i claims in this round only if it is not ahead of round·shareᵢ.
      if (claims[i]! > round * share[i]!) continue;
      claims[i]!++;
      let slot = (offset[i]! + next[i]! * skip[i]!) % m;
      while (owner[slot]! >= 0) {
        next[i]!++;
        slot = (offset[i]! + next[i]! * skip[i]!) % m;
      }
      owner[slot] = i;
      next[i]!++;
      filled++;
    }
  }
  const table = n <= 0xffff ? new Uint16Array(m) : new Uint32Array(m);
  table.set(owner);
  return table;
}
