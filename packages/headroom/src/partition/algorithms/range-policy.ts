/**
 * When to split and merge ranges — a pure policy over measured per-range stats.
 *
 * Defaults, in the light of the systems that run this for a living:
 * - Split by size above 512 MiB: CockroachDB's default range_max_bytes. TiKV splits Regions at
 *   96 MiB (256 MiB since v8.4) and HBase at 10 GB (hbase.hregion.max.filesize, after stepping up
 *   from 2 × the 128 MiB flush size); 512 MiB sits between — small enough to move a range in
 *   seconds, large enough that a range table for a few TB stays in the thousands of entries.
 * - Split by load above 2500 ops/s: CockroachDB's kv.range_split.load_qps_threshold (TiKV uses
 *   3000 QPS / 30 MiB/s sustained for 10 s). Feed rates averaged over ~10 s, as both do.
 *   The load split point balances a weighted key sample, as CockroachDB's load splitter does;
 *   a range whose load is one key cannot be split — spread that key instead (hot-keys/).
 * - Merge a range below 128 MiB (CockroachDB's range_min_bytes) into its right neighbour when
 *   the merged range stays under the size limit and under half the load threshold. The load
 *   half is ours: hysteresis, so a merge is never undone by the next load split (TiKV likewise
 *   skips merging hot Regions).
 *
 * Complexity O(r + sample·log sample). Limits: one action per range per call; apply with
 * {@link applyRangeActions} and re-measure before planning again.
 */
import type { PartitionKey } from '../partitioner.js';
import { checkKey } from '../partitioner.js';
import { invalidOptionError, invalidRangeError } from '../errors.js';
import { compareKeys, type RangePartitioner } from './range.js';

/** Measured stats of one range. */
export interface RangeStats {
  /** Stored bytes; default 0. */
  readonly sizeBytes?: number;
  /** Operations per second (averaged over ~10 s); default 0. */
  readonly opsPerSec?: number;
  /** Key that splits the range in half by size (e.g. the median row key); needed for a size split. */
  readonly midKey?: PartitionKey;
  /** Sampled keys with their access counts; needed for a load split. */
  readonly loadSample?: ReadonlyArray<readonly [PartitionKey, number]>;
}

/** Thresholds of {@link planRangeMaintenance}. */
export interface RangePolicyOptions {
  /** Split above this size; bytes, default 512 MiB. */
  readonly maxSizeBytes?: number;
  /** Merge candidates are below this size; bytes, default 128 MiB. */
  readonly minSizeBytes?: number;
  /** Split above this load; operations per second, default 2500. */
  readonly splitOpsPerSec?: number;
}

/** A planned split or merge. */
export type RangeAction =
  | { readonly kind: 'split'; readonly range: number; readonly at: PartitionKey; readonly reason: 'size' | 'load' }
  | { readonly kind: 'merge'; readonly left: number; readonly reason: 'small' };

const MiB = 1024 * 1024;

/**
 * Plans splits and merges for a range table from per-range stats (`stats[i]` for range i).
 * @throws HR_PARTITION_INVALID_OPTION for non-positive thresholds, minSizeBytes ≥ maxSizeBytes, or a stats array of the wrong length
 * @example
 * ```ts
 * const actions = planRangeMaintenance(table, statsFromMetrics);
 * table = applyRangeActions(table, actions);
 * ```
 */
export function planRangeMaintenance(
  table: RangePartitioner,
  stats: readonly RangeStats[],
  options: RangePolicyOptions = {},
): RangeAction[] {
  const maxSize = options.maxSizeBytes ?? 512 * MiB;
  const minSize = options.minSizeBytes ?? 128 * MiB;
  const splitOps = options.splitOpsPerSec ?? 2500;
  for (const [name, v] of [
    ['maxSizeBytes', maxSize],
    ['minSizeBytes', minSize],
    ['splitOpsPerSec', splitOps],
  ] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw invalidOptionError(name, v, 'use a positive number');
  }
  if (minSize >= maxSize) throw invalidOptionError('minSizeBytes', minSize, `keep it below maxSizeBytes (${maxSize})`);
  if (stats.length !== table.rangeCount) throw invalidOptionError('stats', stats, `pass one entry per range (${table.rangeCount})`);
  const ranges = table.ranges();
  const actions: RangeAction[] = [];
  const splitting = new Set<number>();
  stats.forEach((s, r) => {
    const range = ranges[r]!;
    const inside = (k: PartitionKey): boolean =>
      (range.start === undefined || compareKeys(range.start, k) < 0) && (range.end === undefined || compareKeys(k, range.end) < 0);
    if ((s.sizeBytes ?? 0) > maxSize && s.midKey !== undefined) {
      checkKey(s.midKey);
      if (!inside(s.midKey)) throw invalidRangeError(`stats[${r}].midKey`, s.midKey, 'give a key strictly inside the range');
      actions.push({ kind: 'split', range: r, at: s.midKey, reason: 'size' });
      splitting.add(r);
      return;
    }
    if ((s.opsPerSec ?? 0) > splitOps && s.loadSample !== undefined) {
      const at = balancedSplitKey(s.loadSample, inside);
      if (at !== undefined) {
        actions.push({ kind: 'split', range: r, at, reason: 'load' });
        splitting.add(r);
      }
    }
  });
  for (let r = 0; r + 1 < stats.length; r++) {
    if (splitting.has(r) || splitting.has(r + 1)) continue;
    const a = stats[r]!;
    const b = stats[r + 1]!;
    const size = (a.sizeBytes ?? 0) + (b.sizeBytes ?? 0);
    const ops = (a.opsPerSec ?? 0) + (b.opsPerSec ?? 0);
    if ((a.sizeBytes ?? 0) < minSize && size < maxSize && ops < splitOps / 2) {
      actions.push({ kind: 'merge', left: r, reason: 'small' });
      r++; // the right neighbour is consumed
    }
  }
  return actions;
}

/** The sampled key where cumulative access weight first reaches half, if it is strictly inside the range. */
function balancedSplitKey(
  sample: ReadonlyArray<readonly [PartitionKey, number]>,
  inside: (k: PartitionKey) => boolean,
): PartitionKey | undefined {
  const usable = sample.filter(([k, w]) => {
    checkKey(k);
    return w > 0 && inside(k);
  });
  if (usable.length < 2) return undefined;
  usable.sort((x, y) => compareKeys(x[0], y[0]));
  const total = usable.reduce((s, [, w]) => s + w, 0);
  let acc = 0;
  for (let i = 0; i < usable.length; i++) {
    // Split before key i once the keys below it carry about half the weight.
    if (i > 0 && acc + usable[i]![1] / 2 >= total / 2 && compareKeys(usable[i - 1]![0], usable[i]![0]) < 0) return usable[i]![0];
    acc += usable[i]![1];
  }
  return undefined;
}

/**
 * Applies planned actions (indexes refer to the table the plan was made for).
 * @throws HR_PARTITION_INVALID_RANGE when actions overlap or do not fit the table
 */
export function applyRangeActions(table: RangePartitioner, actions: readonly RangeAction[]): RangePartitioner {
  // Right to left, so earlier indexes stay valid.
  const ordered = [...actions].sort((a, b) => indexOf(b) - indexOf(a));
  let next = table;
  let previous = Infinity;
  for (const action of ordered) {
    const at = indexOf(action);
    const last = action.kind === 'merge' ? at + 1 : at;
    if (last >= previous) throw invalidRangeError('actions', action, 'give each range at most one action');
    previous = at;
    next = action.kind === 'merge' ? next.merge(at) : next.splitAt(action.at);
  }
  return next;
}

function indexOf(action: RangeAction): number {
  return action.kind === 'merge' ? action.left : action.range;
}
