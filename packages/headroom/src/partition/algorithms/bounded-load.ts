/**
 * Consistent hashing with bounded loads. Source: Mirrokni, Thorup, Zadimoghaddam, "Consistent
 * Hashing with Bounded Loads", SODA 2018 (arXiv:1608.01350), as deployed in HAProxy
 * (hash-balance-factor) and Vimeo's Skyfire. With m tracked assignments and load factor c ≥ 1,
 * node i may hold at most capᵢ = ⌈c · m · wᵢ / W⌉ (⌈c·m/n⌉ unweighted); a key walks clockwise
 * from its ring position to the first node below its cap.
 *
 * Complexity: `pickIndex` O(1 + points walked) — the paper bounds the expected walk by O(1/ε²)
 * for c = 1 + ε; `BoundedLoadAssigner.assign` the same, `release` O(n) to find nodes a lower cap
 * now overloads (at most one key each moves). Limits: a key's owner depends on the current loads,
 * so lookups are only stable while loads are; smaller c means flatter load but more keys off their
 * home node. Default c = 1.25 (the constant of the liblb/Vimeo-style bounded balancers; HAProxy's
 * documentation illustrates hash-balance-factor with 150, i.e. c = 1.5).
 */
import { checkReplicaCount, type NodeInput, type PartitionKey, type PartitionNode } from '../partitioner.js';
import { invalidKeyError, invalidOptionError } from '../errors.js';
import { VnodeRing, type VnodeRingOptions } from './vnode-ring.js';

/** Options of {@link BoundedLoadRing}. */
export interface BoundedLoadOptions extends VnodeRingOptions {
  /** Load factor c ≥ 1: a node may carry at most ⌈c · its weighted share⌉; default 1.25. */
  readonly loadFactor?: number;
}

/**
 * ⌈x⌉ that ignores floating-point dust (1.2·10/4 = 3.0000000000000004 must give 3, not 4).
 * The relative slack 1e-9 cannot break the guarantee Σ capᵢ ≥ m for fewer than 10⁹ nodes.
 */
function ceilExact(x: number): number {
  return Math.max(0, Math.ceil(x - 1e-9 * Math.max(1, x)));
}

/**
 * A vnode ring that also picks the first node under its bounded-load cap.
 * @throws HR_PARTITION_INVALID_OPTION when `loadFactor` is not a finite number ≥ 1
 * @example
 * ```ts
 * const ring = new BoundedLoadRing(['a', 'b', 'c'], { loadFactor: 1.25 });
 * const inflight = new Float64Array(ring.nodes.length);
 * const i = ring.pickIndex('session:9', inflight); // home node unless it is over its cap
 * inflight[i]! += 1; // … and inflight[i]! -= 1 when the request ends
 * ```
 */
export class BoundedLoadRing extends VnodeRing {
  override readonly algorithm = 'bounded-load';
  /** The load factor c. */
  readonly loadFactor: number;
  /** capShare[i] = c · wᵢ / W: multiply by the total load to get node i's cap. */
  readonly #capShare: Float64Array;

  constructor(nodes: readonly NodeInput[], options: BoundedLoadOptions = {}) {
    super(nodes, options);
    const c = options.loadFactor ?? 1.25;
    if (!(Number.isFinite(c) && c >= 1)) throw invalidOptionError('loadFactor', c, 'use a number ≥ 1 (1.25 is a good default)');
    this.loadFactor = c;
    const weightSum = this.nodes.reduce((s, n) => s + n.weight, 0);
    this.#capShare = Float64Array.from(this.nodes, (n) => (c * n.weight) / weightSum);
  }

  /**
   * Node i's cap when `total` assignments are tracked: ⌈c · total · wᵢ / W⌉.
   * @param index - node index
   * @param total - number of tracked assignments, including the one being placed
   */
  capacity(index: number, total: number): number {
    return ceilExact(this.#capShare[index]! * total);
  }

  /**
   * The bounded-load choice for `key` given each node's current load: the first node clockwise
   * from the key whose load is below its cap for `totalLoad + 1` assignments.
   * @param key - the key (request affinity key, session id…)
   * @param loads - current load per node index (e.g. in-flight requests), not including this one
   * @param totalLoad - sum of `loads` if the caller already tracks it (saves an O(n) sum)
   * @returns a node index
   * @throws HR_PARTITION_INVALID_KEY for a key that is not a string or Uint8Array
   * @throws HR_PARTITION_INVALID_OPTION when `loads` does not have one entry per node
   */
  pickIndex(key: PartitionKey, loads: ArrayLike<number>, totalLoad?: number): number {
    if (loads.length !== this.ids.length) throw invalidOptionError('loads', loads, `pass one load per node (${this.ids.length})`);
    let total = totalLoad;
    if (total === undefined) {
      total = 0;
      for (let i = 0; i < loads.length; i++) total += loads[i]!;
    }
    return this.walk(this.hashOf(key), loads, total + 1, -1);
  }

  /** Like {@link pickIndex} but returns the node id. */
  pick(key: PartitionKey, loads: ArrayLike<number>, totalLoad?: number): string {
    return this.ids[this.pickIndex(key, loads, totalLoad)]!;
  }

  /**
   * First node clockwise from `hash` below its cap for `total` assignments, skipping `exclude`.
   * Terminates: Σ capᵢ ≥ c·total ≥ total > Σ loads, so some node is below its cap.
   * @internal used by {@link BoundedLoadAssigner}
   */
  walk(hash: number, loads: ArrayLike<number>, total: number, exclude: number): number {
    const ring = this.continuum;
    const size = ring.size;
    let i = ring.find(hash);
    for (let k = 0; k < size; k++) {
      const owner = ring.owners[i]!;
      if (owner !== exclude && loads[owner]! < ceilExact(this.#capShare[owner]! * total)) return owner;
      i = i + 1 === size ? 0 : i + 1;
    }
    throw invalidOptionError('loads', loads, `keep loads consistent with totalLoad (${total - 1}): no node is below its cap`);
  }

  override locateN(key: PartitionKey, n: number): string[] {
    checkReplicaCount(n, this.ids.length);
    return this.continuum.distinctOwners(this.hashOf(key), n).map((i) => this.ids[i]!);
  }

  protected override rebuild(nodes: PartitionNode[]): this {
    return new BoundedLoadRing(nodes, { ...this.options, loadFactor: this.loadFactor }) as this;
  }
}

/** An assignment moved to keep every node under its cap. */
export interface BoundedLoadMove {
  /** The key that moved. */
  readonly key: string;
  /** Previous owner (node id). */
  readonly from: string;
  /** New owner (node id). */
  readonly to: string;
}

/**
 * Tracks assignments on a {@link BoundedLoadRing} and keeps loadᵢ ≤ ⌈c·m·wᵢ/W⌉ at every moment:
 * `assign` only places below the cap (caps never fall when m grows); when `release` lowers m and
 * thereby some cap, one key leaves each node now over its cap (returned as moves, for the caller
 * to migrate — the paper's "forwarding" on deletion).
 * @example
 * ```ts
 * const table = new BoundedLoadAssigner(new BoundedLoadRing(['a', 'b', 'c']));
 * const owner = table.assign('stream:7');
 * for (const move of table.release('stream:3')) migrate(move.key, move.from, move.to);
 * ```
 */
export class BoundedLoadAssigner {
  #ring: BoundedLoadRing;
  readonly #owner = new Map<string, number>();
  #keysOf: Set<string>[];
  #loads: Float64Array;

  /** @param ring - the ring (nodes, weights, load factor) to place on */
  constructor(ring: BoundedLoadRing) {
    this.#ring = ring;
    this.#keysOf = ring.nodes.map(() => new Set());
    this.#loads = new Float64Array(ring.nodes.length);
  }

  /** The ring in force. */
  get ring(): BoundedLoadRing {
    return this.#ring;
  }

  /** Number of tracked assignments (m). */
  get size(): number {
    return this.#owner.size;
  }

  /** Current owner of `key`, or undefined when it is not tracked. */
  ownerOf(key: string): string | undefined {
    const i = this.#owner.get(key);
    return i === undefined ? undefined : this.#ring.nodes[i]!.id;
  }

  /** Tracked assignments on node `id` (0 for an unknown id). */
  loadOf(id: string): number {
    const i = this.#ring.indexOf(id);
    return i < 0 ? 0 : this.#loads[i]!;
  }

  /** Current cap of node `id` for the tracked m. */
  capacityOf(id: string): number {
    const i = this.#ring.indexOf(id);
    return i < 0 ? 0 : this.#ring.capacity(i, this.#owner.size);
  }

  /**
   * Places `key` (or returns its current owner if already tracked).
   * @throws HR_PARTITION_INVALID_KEY when the key is not a string
   */
  assign(key: string): string {
    if (typeof key !== 'string') throw invalidKeyError(key);
    const known = this.#owner.get(key);
    if (known !== undefined) return this.#ring.nodes[known]!.id;
    const i = this.#ring.walk(this.#ring.hashOf(key), this.#loads, this.#owner.size + 1, -1);
    this.#put(key, i);
    return this.#ring.nodes[i]!.id;
  }

  /**
   * Stops tracking `key`; returns the moves that keep every node within its (now lower) cap.
   * Unknown keys are ignored (returns no moves).
   */
  release(key: string): BoundedLoadMove[] {
    const i = this.#owner.get(key);
    if (i === undefined) return [];
    this.#owner.delete(key);
    this.#keysOf[i]!.delete(key);
    this.#loads[i]!--;
    return this.#restoreCaps(this.#owner.size);
  }

  /**
   * Switches to a ring with different membership and returns every move: keys of departed nodes
   * are re-placed; a key whose ring home changed (it now hashes to an added node) moves there if
   * that node is below its cap — so a new node takes ≈ its share, as on a plain ring; then caps
   * are restored.
   * @param ring - the new ring (typically `assigner.ring.withNode(…)` or `.withoutNode(…)`)
   */
  migrate(ring: BoundedLoadRing): BoundedLoadMove[] {
    const old = this.#ring;
    const entries = [...this.#owner].map(([key, i]) => [key, old.nodes[i]!.id] as const);
    const m = entries.length;
    this.#ring = ring;
    this.#owner.clear();
    this.#keysOf = ring.nodes.map(() => new Set());
    this.#loads = new Float64Array(ring.nodes.length);
    const homeless: (readonly [string, string])[] = [];
    const rehome: (readonly [string, string, number])[] = [];
    for (const [key, from] of entries) {
      const j = ring.indexOf(from);
      if (j < 0) {
        homeless.push([key, from]);
        continue;
      }
      const home = ring.locateIndex(key);
      if (home !== j && old.locate(key) !== ring.nodes[home]!.id) rehome.push([key, from, home]);
      this.#put(key, j);
    }
    const moves: BoundedLoadMove[] = [];
    for (const [key, from, home] of rehome) {
      if (this.#loads[home]! >= ring.capacity(home, m)) continue;
      this.#move(key, this.#owner.get(key)!, home);
      moves.push({ key, from, to: ring.nodes[home]!.id });
    }
    // Shed survivors over their cap for the final m, then place the homeless below it.
    moves.push(...this.#restoreCaps(m));
    for (const [key, from] of homeless) {
      const j = ring.walk(ring.hashOf(key), this.#loads, m, -1);
      this.#put(key, j);
      moves.push({ key, from, to: ring.nodes[j]!.id });
    }
    return moves;
  }

  #move(key: string, from: number, to: number): void {
    this.#keysOf[from]!.delete(key);
    this.#loads[from]!--;
    this.#owner.set(key, to);
    this.#keysOf[to]!.add(key);
    this.#loads[to]!++;
  }

  #put(key: string, i: number): void {
    this.#owner.set(key, i);
    this.#keysOf[i]!.add(key);
    this.#loads[i]!++;
  }

  /** Moves one key at a time off any node above its cap for `m` assignments. */
  #restoreCaps(m: number): BoundedLoadMove[] {
    const ring = this.#ring;
    const moves: BoundedLoadMove[] = [];
    for (let i = 0; i < this.#loads.length; i++) {
      while (this.#loads[i]! > ring.capacity(i, m)) {
        // The oldest key on the node leaves for the first node clockwise from it that has room.
        const key = this.#keysOf[i]!.values().next().value as string;
        const j = ring.walk(ring.hashOf(key), this.#loads, m, i);
        this.#move(key, i, j);
        moves.push({ key, from: ring.nodes[i]!.id, to: ring.nodes[j]!.id });
      }
    }
    return moves;
  }
}
