/**
 * Range partitioning: sorted split points cut the key space into contiguous ranges, each owned by
 * one node, as in Bigtable tablets, HBase regions, CockroachDB ranges and TiKV regions. Keys are
 * ordered by their UTF-8 bytes (what those systems compare), so a string and its Buffer agree.
 *
 * Complexity: lookup O(log r + key bytes) for r ranges (binary search over the split points);
 * split/merge O(r) (a new immutable table). Limits: ranges keep scans local but concentrate
 * sequential writes on the last range — split by load (see range-policy.ts) or hash-prefix keys;
 * membership changes move whole ranges (fewest by count; use `planPartitionRebalance` with measured
 * loads and `withOwners` to even load instead).
 */
import { BasePartitioner, checkKey, normalizeNodes, type NodeInput, type PartitionKey, type PartitionNode } from '../partitioner.js';
import { invalidRangeError, unknownNodeError } from '../errors.js';
import { planPartitionRebalance } from '../rebalance.js';

/** Options of {@link RangePartitioner}. */
export interface RangePartitionerOptions {
  /** Split points in strictly increasing byte order; r splits make r + 1 ranges. Default: none (one range). */
  readonly splits?: readonly PartitionKey[];
  /** Owner id of each range (splits.length + 1 of them). Default: contiguous runs of ranges per node, in node order. */
  readonly owners?: readonly string[];
}

/** One range: [start, end) in byte order; `start` undefined means −∞, `end` undefined means +∞. */
export interface RangeInfo {
  /** Range index (0 = the lowest). */
  readonly index: number;
  /** Inclusive lower bound, or undefined for the first range. */
  readonly start: PartitionKey | undefined;
  /** Exclusive upper bound, or undefined for the last range. */
  readonly end: PartitionKey | undefined;
  /** Owner id. */
  readonly node: string;
}

const encoder = new TextEncoder();
let scratch = new Uint8Array(256);

/** UTF-8 bytes of a key; a string's bytes live in a shared scratch buffer until the next call. */
function bytesOf(key: PartitionKey): Uint8Array {
  if (typeof key !== 'string') return key;
  const n = key.length;
  if (n * 3 > scratch.length) scratch = new Uint8Array(Math.max(n * 3, scratch.length * 2));
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c >= 0x80) return scratch.subarray(0, encoder.encodeInto(key, scratch).written);
    scratch[i] = c;
  }
  return scratch.subarray(0, n);
}

/** Lexicographic byte order: negative, zero or positive. */
export function compareKeys(a: PartitionKey, b: PartitionKey): number {
  const x = typeof a === 'string' ? encoder.encode(a) : a;
  return compareBytes(x, bytesOf(b));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Range partitioning over sorted split points.
 * @throws HR_PARTITION_INVALID_RANGE when splits are not strictly increasing, or owners do not match the ranges
 * @throws HR_PARTITION_UNKNOWN_NODE when an owner is not one of the nodes
 * @example
 * ```ts
 * let ranges = new RangePartitioner(['a', 'b'], { splits: ['m'], owners: ['a', 'b'] });
 * ranges.locate('apple');            // 'a'   (range [−∞, "m"))
 * ranges = ranges.splitAt('t', 'a'); // [−∞,m)→a, [m,t)→b, [t,+∞)→a
 * ```
 */
export class RangePartitioner extends BasePartitioner {
  readonly algorithm = 'range';
  readonly #splitKeys: readonly PartitionKey[];
  readonly #splitBytes: readonly Uint8Array[];
  /**
   * The split keys as strings when every one is pure ASCII: then UTF-16 string order equals
   * UTF-8 byte order for any string key (at the first difference the split's byte is < 0x80 and
   * a non-ASCII key unit is ≥ 0x80 in both encodings), so lookups compare strings directly.
   */
  readonly #asciiSplits: readonly string[] | undefined;
  readonly #owners: Uint32Array;

  constructor(nodes: readonly NodeInput[], options: RangePartitionerOptions = {}) {
    const resolved = normalizeNodes(nodes);
    super(resolved);
    const splits = options.splits ?? [];
    if (!Array.isArray(splits)) throw invalidRangeError('splits', splits, 'pass an array of split keys');
    splits.forEach((k, i) => {
      checkKey(k);
      if (i > 0 && compareKeys(splits[i - 1]!, k) >= 0) {
        throw invalidRangeError(`splits[${i}]`, k, 'list split keys in strictly increasing byte order');
      }
    });
    this.#splitKeys = splits.slice();
    this.#splitBytes = splits.map((k) => (typeof k === 'string' ? encoder.encode(k) : k.slice()));
    this.#asciiSplits = this.#splitBytes.every((b) => b.every((x) => x < 0x80))
      ? this.#splitBytes.map((b) => String.fromCharCode(...b))
      : undefined;
    const count = splits.length + 1;
    const owners = options.owners ?? Array.from({ length: count }, (_, r) => resolved[Math.floor((r * resolved.length) / count)]!.id);
    if (owners.length !== count) throw invalidRangeError('owners', owners, `pass one owner per range (${count})`);
    this.#owners = Uint32Array.from(owners, (id, r) => {
      const i = this.indexOf(id);
      if (i < 0) throw unknownNodeError(`owners[${r}]`, id);
      return i;
    });
  }

  /** Number of ranges. */
  get rangeCount(): number {
    return this.#owners.length;
  }

  /** All ranges, lowest first. */
  ranges(): RangeInfo[] {
    return Array.from(this.#owners, (owner, r) => ({
      index: r,
      start: this.#splitKeys[r - 1],
      end: this.#splitKeys[r],
      node: this.ids[owner]!,
    }));
  }

  /** Owner id of each range. */
  rangeOwners(): string[] {
    return Array.from(this.#owners, (i) => this.ids[i]!);
  }

  /**
   * Index of the range holding `key`.
   * @throws HR_PARTITION_INVALID_KEY for a key that is not a string or Uint8Array
   */
  rangeIndexOf(key: PartitionKey): number {
    const ascii = this.#asciiSplits;
    if (ascii !== undefined && typeof key === 'string') {
      let lo = 0;
      let hi = ascii.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ascii[mid]! <= key) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    if (typeof key !== 'string') checkKey(key);
    const bytes = bytesOf(key);
    const splits = this.#splitBytes;
    // Number of split points ≤ key = the range index.
    let lo = 0;
    let hi = splits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareBytes(splits[mid]!, bytes) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  locateIndex(key: PartitionKey): number {
    return this.#owners[this.rangeIndexOf(key)]!;
  }

  /** Owner first, then the next nodes in list order (ranges have no natural replica order). */
  locateN(key: PartitionKey, n: number): string[] {
    return this.cyclicReplicas(key, n);
  }

  /**
   * Splits the range containing `key` at `key`; the upper half goes to `node` (default: same owner).
   * @throws HR_PARTITION_INVALID_RANGE when `key` is already a split point
   * @throws HR_PARTITION_UNKNOWN_NODE when `node` is not a member
   */
  splitAt(key: PartitionKey, node?: string): RangePartitioner {
    checkKey(key);
    const r = this.rangeIndexOf(key);
    if (r > 0 && compareKeys(this.#splitKeys[r - 1]!, key) === 0) {
      throw invalidRangeError('key', key, 'split strictly inside a range (this key already starts one)');
    }
    const owners = this.rangeOwners();
    const upper = node ?? owners[r]!;
    if (this.indexOf(upper) < 0) throw unknownNodeError('node', upper);
    owners.splice(r + 1, 0, upper);
    const splits = [...this.#splitKeys];
    splits.splice(r, 0, key);
    return new RangePartitioner(this.nodes, { splits, owners });
  }

  /**
   * Merges range `left` with its right neighbour; the merged range keeps `left`'s owner.
   * @throws HR_PARTITION_INVALID_RANGE when `left` is not a range with a right neighbour
   */
  merge(left: number): RangePartitioner {
    if (!(Number.isInteger(left) && left >= 0 && left < this.#owners.length - 1)) {
      throw invalidRangeError('left', left, `name a range 0..${this.#owners.length - 2} that has a right neighbour`);
    }
    const owners = this.rangeOwners();
    owners.splice(left + 1, 1);
    const splits = [...this.#splitKeys];
    splits.splice(left, 1);
    return new RangePartitioner(this.nodes, { splits, owners });
  }

  /** Same ranges, new owners (e.g. `planPartitionRebalance(...).owners`). */
  withOwners(owners: readonly string[]): RangePartitioner {
    return new RangePartitioner(this.nodes, { splits: this.#splitKeys, owners });
  }

  /** Membership change: the fewest whole ranges move (by count) to even the weighted shares. */
  protected rebuild(nodes: PartitionNode[]): this {
    const plan = planPartitionRebalance({ owners: this.rangeOwners(), nodes });
    return new RangePartitioner(nodes, { splits: this.#splitKeys, owners: plan.owners }) as this;
  }
}
