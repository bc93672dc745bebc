/**
 * Rebalance planning: what moves, from where to where, and how much of the data that is.
 *
 * - {@link planKeyMoves}: diff two partitioners over a key sample (any algorithm). The moved
 *   fraction of a uniform sample of s keys estimates the true fraction p with standard error
 *   √(p(1−p)/s).
 * - {@link diffPartitionTables}: diff two fixed partition tables (slots or ranges), exactly.
 * - {@link planPartitionRebalance}: for fixed partitions (Redis slots, ranges), a plan that evens
 *   the weighted share of partitions — or of their measured load — while moving as few as it can.
 *   By count the plan is optimal: each node ends with ⌊P·wᵢ/W⌋ or ⌈P·wᵢ/W⌉ partitions, the
 *   extra ones going to nodes that already hold them, so only partitions that must move do
 *   (orphans plus each node's excess). By load it is greedy (heaviest gain first, O(moves·P)):
 *   balanced load with fewest moves is bin packing, NP-hard, so no optimality is claimed.
 */
import type { NodeInput, PartitionKey, PartitionNode, Partitioner } from './partitioner.js';
import { normalizeNodes } from './partitioner.js';
import { invalidOptionError } from './errors.js';

/** One key that changes owner. */
export interface KeyMove {
  /** The key. */
  readonly key: PartitionKey;
  /** Owner before. */
  readonly from: string;
  /** Owner after. */
  readonly to: string;
}

/** Result of {@link planKeyMoves}. */
export interface KeyMovePlan {
  /** Keys whose owner changes, in sample order. */
  readonly moves: KeyMove[];
  /** Number of keys examined. */
  readonly sampled: number;
  /** moves.length / sampled (0 for an empty sample). */
  readonly movedFraction: number;
}

/**
 * The exact moves between two partitioners for the keys given (a sample or the full key set).
 * @param before - partitioner in force now
 * @param after - partitioner after the membership change
 * @param keys - keys to check
 * @example
 * ```ts
 * const plan = planKeyMoves(ring, ring.withNode('cache-11'), sampleKeys);
 * console.log(plan.movedFraction); // ≈ 1/11
 * ```
 */
export function planKeyMoves(before: Partitioner, after: Partitioner, keys: Iterable<PartitionKey>): KeyMovePlan {
  const moves: KeyMove[] = [];
  let sampled = 0;
  for (const key of keys) {
    sampled++;
    const from = before.locate(key);
    const to = after.locate(key);
    if (from !== to) moves.push({ key, from, to });
  }
  return { moves, sampled, movedFraction: sampled === 0 ? 0 : moves.length / sampled };
}

/** One partition (slot or range index) that changes owner. */
export interface PartitionMove {
  /** Partition number (slot 0..16383, or range index). */
  readonly partition: number;
  /** Owner before (`undefined` when it had none). */
  readonly from: string | undefined;
  /** Owner after. */
  readonly to: string;
}

/** A plan over a fixed partition table. */
export interface PartitionPlan {
  /** Partitions that change owner, by partition number. */
  readonly moves: PartitionMove[];
  /** Owner of every partition after the plan. */
  readonly owners: string[];
  /** moves.length / partitions (by count), or moved load / total load when loads were given. */
  readonly movedFraction: number;
  /** Partitions (or load) each node holds after the plan. */
  readonly totals: ReadonlyMap<string, number>;
}

/**
 * Exact diff between two partition tables of the same size.
 * @param before - owner per partition before
 * @param after - owner per partition after
 * @param loads - optional load per partition; when given, movedFraction is the moved load share
 * @throws HR_PARTITION_INVALID_OPTION when the tables differ in length
 */
export function diffPartitionTables(
  before: readonly (string | undefined)[],
  after: readonly string[],
  loads?: readonly number[],
): PartitionPlan {
  if (before.length !== after.length)
    throw invalidOptionError('after', after, `pass a table of the same length as before (${before.length})`);
  checkLoads(loads, after.length);
  const moves: PartitionMove[] = [];
  const totals = new Map<string, number>();
  let moved = 0;
  let total = 0;
  for (let p = 0; p < after.length; p++) {
    const w = loads ? loads[p]! : 1;
    total += w;
    totals.set(after[p]!, (totals.get(after[p]!) ?? 0) + w);
    if (before[p] !== after[p]) {
      moves.push({ partition: p, from: before[p], to: after[p]! });
      moved += w;
    }
  }
  return { moves, owners: after.slice(), movedFraction: total === 0 ? 0 : moved / total, totals };
}

/** Options of {@link planPartitionRebalance}. */
export interface PartitionRebalanceOptions {
  /** Owner per partition now; `undefined` or a departed node id means the partition must move. */
  readonly owners: readonly (string | undefined)[];
  /** Nodes after the change, with weights. */
  readonly nodes: readonly NodeInput[];
  /** Measured load per partition (e.g. ops/s or bytes); omit to even the partition count. */
  readonly loads?: readonly number[];
  /** Load mode only: stop once every node is within this fraction of its weighted target; default 0.05. */
  readonly tolerance?: number;
}

/**
 * Evens partitions (or their load) over weighted nodes, moving the fewest partitions it can.
 * @throws HR_PARTITION_NO_NODES / HR_PARTITION_DUPLICATE_NODE / HR_PARTITION_INVALID_WEIGHT for a bad node list
 * @throws HR_PARTITION_INVALID_OPTION for loads that are not finite and ≥ 0, or a bad tolerance
 * @example
 * ```ts
 * const plan = planPartitionRebalance({ owners: slots.slotOwners(), nodes: ['a', 'b', 'c', 'd'] });
 * for (const m of plan.moves) await migrateSlot(m.partition, m.from, m.to);
 * ```
 */
export function planPartitionRebalance(options: PartitionRebalanceOptions): PartitionPlan {
  const nodes = normalizeNodes(options.nodes);
  const { owners, loads } = options;
  checkLoads(loads, owners.length);
  const tolerance = options.tolerance ?? 0.05;
  if (!(tolerance >= 0 && Number.isFinite(tolerance))) throw invalidOptionError('tolerance', tolerance, 'use a fraction ≥ 0, e.g. 0.05');
  const after = loads ? rebalanceByLoad(owners, nodes, loads, tolerance) : rebalanceByCount(owners, nodes);
  return diffPartitionTables(owners, after, loads);
}

function checkLoads(loads: readonly number[] | undefined, length: number): void {
  if (loads === undefined) return;
  if (loads.length !== length) throw invalidOptionError('loads', loads, `pass one load per partition (${length})`);
  for (const l of loads) if (!(Number.isFinite(l) && l >= 0)) throw invalidOptionError('loads', l, 'use finite loads ≥ 0');
}

/**
 * Floor/ceil targets by weight. The leftover partitions go to nodes whose exact share is
 * fractional (so nobody exceeds its ceiling), first to those already holding more than their
 * floor — they then keep a partition instead of shedding it — then by largest remainder.
 */
function countTargets(total: number, nodes: readonly PartitionNode[], current: readonly number[]): number[] {
  const weightSum = nodes.reduce((s, n) => s + n.weight, 0);
  const exact = nodes.map((n) => (total * n.weight) / weightSum);
  const targets = exact.map(Math.floor);
  let extra = total - targets.reduce((s, t) => s + t, 0);
  const order = nodes
    .map((_, i) => i)
    .filter((i) => exact[i]! > targets[i]!)
    .sort(
      (a, b) =>
        (current[b]! > targets[b]! ? 1 : 0) - (current[a]! > targets[a]! ? 1 : 0) ||
        exact[b]! - targets[b]! - (exact[a]! - targets[a]!) ||
        a - b,
    );
  for (const i of order) {
    if (extra === 0) break;
    targets[i]!++;
    extra--;
  }
  return targets;
}

function rebalanceByCount(owners: readonly (string | undefined)[], nodes: readonly PartitionNode[]): string[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const held: number[][] = nodes.map(() => []);
  const orphans: number[] = [];
  owners.forEach((owner, p) => {
    const i = owner === undefined ? undefined : index.get(owner);
    if (i === undefined) orphans.push(p);
    else held[i]!.push(p);
  });
  const targets = countTargets(
    owners.length,
    nodes,
    held.map((h) => h.length),
  );
  // Over-target nodes give up their highest-numbered partitions (keeps slot runs contiguous).
  const pool = orphans;
  held.forEach((list, i) => {
    while (list.length > targets[i]!) pool.push(list.pop()!);
  });
  pool.sort((a, b) => a - b);
  const after = owners.slice() as string[];
  let next = 0;
  held.forEach((list, i) => {
    for (let need = targets[i]! - list.length; need > 0; need--) after[pool[next++]!] = nodes[i]!.id;
  });
  return after;
}

function rebalanceByLoad(
  owners: readonly (string | undefined)[],
  nodes: readonly PartitionNode[],
  loads: readonly number[],
  tolerance: number,
): string[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const weightSum = nodes.reduce((s, n) => s + n.weight, 0);
  const totalLoad = loads.reduce((s, l) => s + l, 0);
  const target = nodes.map((n) => (totalLoad * n.weight) / weightSum);
  const load = nodes.map(() => 0);
  const held: Set<number>[] = nodes.map(() => new Set());
  const after = owners.slice() as string[];
  const orphans: number[] = [];
  owners.forEach((owner, p) => {
    const i = owner === undefined ? undefined : index.get(owner);
    if (i === undefined) orphans.push(p);
    else {
      held[i]!.add(p);
      load[i]! += loads[p]!;
    }
  });
  const excess = (i: number): number => load[i]! - target[i]!;
  const assign = (p: number, i: number): void => {
    held[i]!.add(p);
    load[i]! += loads[p]!;
    after[p] = nodes[i]!.id;
  };
  // Orphans: heaviest first onto the node with the largest deficit (LPT), so they need no second move.
  orphans.sort((a, b) => loads[b]! - loads[a]! || a - b);
  for (const p of orphans)
    assign(
      p,
      argBest(nodes.length, (i) => -excess(i)),
    );
  const slack = tolerance * (totalLoad / nodes.length);
  for (let guard = owners.length * 2; guard > 0; guard--) {
    const donor = argBest(nodes.length, excess);
    const receiver = argBest(nodes.length, (i) => -excess(i));
    const gap = excess(donor) - excess(receiver);
    if (excess(donor) <= slack || gap <= 0) break;
    // Moving x from donor to receiver lowers their squared deviation iff 0 < x < gap; x = gap/2 is best.
    let best = -1;
    let bestScore = Infinity;
    for (const p of held[donor]!) {
      const x = loads[p]!;
      if (x <= 0 || x >= gap) continue;
      const score = Math.abs(x - gap / 2);
      if (score < bestScore || (score === bestScore && p < best)) {
        best = p;
        bestScore = score;
      }
    }
    if (best < 0) break;
    held[donor]!.delete(best);
    load[donor]! -= loads[best]!;
    assign(best, receiver);
  }
  return after;
}

function argBest(n: number, score: (i: number) => number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (score(i) > score(best)) best = i;
  return best;
}
