/**
 * Redis Cluster hash slots. Source: Redis Cluster specification ("Keys distribution model",
 * "Hash tags") and redis/src/cluster.c keyHashSlot: slot = CRC16-XMODEM(key) mod 16384, where
 * if the key contains "{" followed later by "}" with at least one byte between them, only the
 * bytes between the first "{" and the first "}" after it are hashed.
 *
 * Complexity: O(key bytes) per lookup, one array read for the owner; the table is 16384 entries
 * (32 KiB). Limits: at most 65535 nodes; replicas in Redis are per shard, so `locateN` here
 * returns the owner followed by the next nodes in list order (a placement for your own replicas).
 * Membership changes move the fewest slots that even the weighted shares (see rebalance.ts).
 */
import { CRC16_TABLE, crc16String } from '../compat/crc16.js';
import {
  BasePartitioner,
  checkKey,
  checkReplicaCount,
  normalizeNodes,
  type NodeInput,
  type PartitionKey,
  type PartitionNode,
} from '../partitioner.js';
import { invalidOptionError, invalidSlotTableError } from '../errors.js';
import { planPartitionRebalance } from '../rebalance.js';

/** Number of Redis Cluster hash slots. */
export const SLOT_COUNT = 16384;

/**
 * The Redis Cluster slot of a key (same answer as `CLUSTER KEYSLOT` and `cluster-key-slot`),
 * honouring the `{hash tag}` rule. Strings are hashed as UTF-8 (a lone surrogate as U+FFFD, as
 * `Buffer.from` sends it).
 * @param key - a string or bytes
 * @returns a slot in 0..16383
 * @throws HR_PARTITION_INVALID_KEY when the key is not a string or Uint8Array
 * @example keySlot('user:{42}:cart') === keySlot('{42}') // same slot, so MGET works in a cluster
 */
export function keySlot(key: PartitionKey): number {
  if (typeof key === 'string') {
    const open = key.indexOf('{');
    if (open >= 0) {
      const close = key.indexOf('}', open + 1);
      if (close > open + 1) return crc16String(key, open + 1, close) & 0x3fff;
    }
    return crc16String(key) & 0x3fff;
  }
  checkKey(key);
  return bytesSlot(key);
}

/** One pass over the bytes until "{", then the tag; falls back to the whole key (no allocation). */
function bytesSlot(key: Uint8Array): number {
  const n = key.length;
  let crc = 0;
  let i = 0;
  for (; i < n; i++) {
    const b = key[i]!;
    if (b === 0x7b) break;
    crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >>> 8) ^ b) & 0xff]!;
  }
  if (i === n) return crc & 0x3fff;
  let tag = 0;
  let j = i + 1;
  for (; j < n; j++) {
    const b = key[j]!;
    if (b === 0x7d) break;
    tag = ((tag << 8) & 0xffff) ^ CRC16_TABLE[((tag >>> 8) ^ b) & 0xff]!;
  }
  if (j < n && j > i + 1) return tag & 0x3fff;
  for (; i < n; i++) crc = ((crc << 8) & 0xffff) ^ CRC16_TABLE[((crc >>> 8) ^ key[i]!) & 0xff]!;
  return crc & 0x3fff;
}

/** A contiguous run of slots owned by one node (both ends inclusive, like `CLUSTER SLOTS`). */
export interface SlotRange {
  /** First slot. */
  readonly start: number;
  /** Last slot (inclusive). */
  readonly end: number;
  /** Owner id. */
  readonly node: string;
}

/** Options of {@link SlotPartitioner}. */
export interface SlotPartitionerOptions {
  /**
   * Explicit slot ownership (e.g. from `CLUSTER SHARDS`); every slot must be covered exactly
   * once by a listed node. Default: contiguous runs sized by weight, in node order.
   */
  readonly ranges?: readonly SlotRange[];
}

/**
 * Places keys by Redis Cluster hash slot.
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @throws HR_PARTITION_INVALID_SLOT_TABLE when `ranges` leave a slot uncovered, overlap or name an unknown node
 * @example
 * ```ts
 * const slots = new SlotPartitioner(['a', 'b', 'c']);
 * slots.locate('user:{42}:cart'); // the node owning keySlot('42')
 * const bigger = slots.withNode('d'); // moves 4096 slots, the minimum
 * ```
 */
export class SlotPartitioner extends BasePartitioner {
  readonly algorithm = 'slots';
  readonly #table: Uint16Array;

  constructor(nodes: readonly NodeInput[], options: SlotPartitionerOptions = {}) {
    const resolved = normalizeNodes(nodes);
    if (resolved.length > 65535) throw invalidOptionError('nodes', resolved.length, 'use at most 65535 nodes');
    super(resolved);
    this.#table = options.ranges ? tableFromRanges(options.ranges, this) : weightedRuns(resolved);
  }

  /** The slot table's owner index per slot (a copy). */
  slotTable(): Uint16Array {
    return this.#table.slice();
  }

  /** The owner id of every slot, slot order. */
  slotOwners(): string[] {
    return Array.from(this.#table, (i) => this.ids[i]!);
  }

  /** Ownership as contiguous runs, slot order. */
  slotRanges(): SlotRange[] {
    return rangesFromOwners(this.slotOwners());
  }

  /** The owner of `slot`. */
  slotOwner(slot: number): string {
    if (!(Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT))
      throw invalidOptionError('slot', slot, 'use an integer slot in 0..16383');
    return this.ids[this.#table[slot]!]!;
  }

  locateIndex(key: PartitionKey): number {
    return this.#table[keySlot(key)]!;
  }

  override locate(key: PartitionKey): string {
    return this.ids[this.#table[keySlot(key)]!]!;
  }

  locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    const first = this.#table[keySlot(key)]!;
    const out: string[] = [];
    for (let r = 0; r < n; r++) out.push(this.ids[(first + r) % this.ids.length]!);
    return out;
  }

  /**
   * A new partitioner with the same nodes and the given ownership (e.g. after applying a
   * {@link planPartitionRebalance} plan or reading `CLUSTER SHARDS`).
   */
  withRanges(ranges: readonly SlotRange[]): SlotPartitioner {
    return new SlotPartitioner(this.nodes, { ranges });
  }

  protected rebuild(nodes: PartitionNode[]): this {
    const plan = planPartitionRebalance({ owners: this.slotOwners(), nodes });
    return new SlotPartitioner(nodes, { ranges: rangesFromOwners(plan.owners) }) as this;
  }
}

function weightedRuns(nodes: readonly PartitionNode[]): Uint16Array {
  const table = new Uint16Array(SLOT_COUNT);
  const total = nodes.reduce((s, n) => s + n.weight, 0);
  let acc = 0;
  let start = 0;
  nodes.forEach((n, i) => {
    acc += n.weight;
    const end = i === nodes.length - 1 ? SLOT_COUNT : Math.round((SLOT_COUNT * acc) / total);
    table.fill(i, start, end);
    start = end;
  });
  return table;
}

function tableFromRanges(ranges: readonly SlotRange[], owner: BasePartitioner): Uint16Array {
  if (!Array.isArray(ranges)) throw invalidSlotTableError('ranges', ranges, 'pass an array of { start, end, node }');
  const table = new Uint16Array(SLOT_COUNT);
  const covered = new Uint8Array(SLOT_COUNT);
  ranges.forEach((r, k) => {
    const where = `ranges[${k}]`;
    if (!(Number.isInteger(r.start) && Number.isInteger(r.end) && r.start >= 0 && r.end < SLOT_COUNT && r.start <= r.end)) {
      throw invalidSlotTableError(where, r, 'use integer slots with 0 ≤ start ≤ end ≤ 16383');
    }
    const i = owner.indexOf(r.node);
    if (i < 0) throw invalidSlotTableError(`${where}.node`, r.node, 'name one of the nodes');
    for (let s = r.start; s <= r.end; s++) {
      if (covered[s]) throw invalidSlotTableError(where, r, `cover each slot once (slot ${s} is listed twice)`);
      covered[s] = 1;
      table[s] = i;
    }
  });
  const missing = covered.indexOf(0);
  if (missing >= 0) throw invalidSlotTableError('ranges', ranges, `cover every slot 0..16383 (slot ${missing} has no owner)`);
  return table;
}

/** Run-length encodes an owner-per-slot table. */
export function rangesFromOwners(owners: readonly string[]): SlotRange[] {
  const ranges: SlotRange[] = [];
  let start = 0;
  for (let s = 1; s <= owners.length; s++) {
    if (s === owners.length || owners[s] !== owners[start]) {
      ranges.push({ start, end: s - 1, node: owners[start]! });
      start = s;
    }
  }
  return ranges;
}
