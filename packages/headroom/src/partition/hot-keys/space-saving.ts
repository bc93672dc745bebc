/**
 * Space-saving top-k. Source: Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent
 * and Top-k Elements in Data Streams", ICDT 2005. Keeps `capacity` counters; an unseen key evicts
 * the smallest counter and inherits its count as its error bound, so every key with true weight
 * > W/capacity is tracked and each count overestimates by at most its `error`.
 *
 * Counters are a binary min-heap (the paper's Stream-Summary gives O(1) for unit weights; a heap
 * also takes real-valued weights, which forward decay needs). Complexity: O(log capacity) per
 * update, O(capacity) memory. Weights may be any positive numbers; `scale` multiplies every
 * counter (used to renormalise decayed weights) without changing the order.
 */
import { invalidOptionError } from '../errors.js';

/** A tracked key. */
export interface TopKEntry {
  /** The key. */
  readonly key: string;
  /** Estimated weight (an overestimate by at most `error`). */
  readonly count: number;
  /** Maximum overestimation. */
  readonly error: number;
}

/**
 * Streaming top-k by the space-saving algorithm.
 * @throws HR_PARTITION_INVALID_OPTION when capacity is not an integer in 1..1,000,000
 * @example
 * ```ts
 * const top = new SpaceSaving(100);
 * for (const key of stream) top.add(key);
 * top.top(10); // [{ key, count, error }, …] heaviest first
 * ```
 */
export class SpaceSaving {
  /** Number of counters. */
  readonly capacity: number;
  readonly #slotOf = new Map<string, number>();
  readonly #keys: string[] = [];
  readonly #counts: Float64Array;
  readonly #errors: Float64Array;
  /** heap[p] = slot; pos[slot] = p. Min-heap on counts. */
  readonly #heap: Int32Array;
  readonly #pos: Int32Array;
  #size = 0;

  constructor(capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 1_000_000)) {
      throw invalidOptionError('capacity', capacity, 'use an integer in 1..1000000 (a few times the k you query)');
    }
    this.capacity = capacity;
    this.#counts = new Float64Array(capacity);
    this.#errors = new Float64Array(capacity);
    this.#heap = new Int32Array(capacity);
    this.#pos = new Int32Array(capacity);
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.#size;
  }

  /**
   * Adds `weight` to `key`.
   * @param key - the item
   * @param weight - a positive number, default 1
   */
  add(key: string, weight = 1): void {
    const slot = this.#slotOf.get(key);
    if (slot !== undefined) {
      this.#counts[slot]! += weight;
      this.#siftDown(this.#pos[slot]!);
      return;
    }
    if (this.#size < this.capacity) {
      const s = this.#size++;
      this.#keys[s] = key;
      this.#counts[s] = weight;
      this.#errors[s] = 0;
      this.#slotOf.set(key, s);
      this.#heap[s] = s;
      this.#pos[s] = s;
      this.#siftUp(s);
      return;
    }
    const victim = this.#heap[0]!;
    this.#slotOf.delete(this.#keys[victim]!);
    this.#keys[victim] = key;
    this.#slotOf.set(key, victim);
    this.#errors[victim] = this.#counts[victim]!;
    this.#counts[victim]! += weight;
    this.#siftDown(0);
  }

  /** Estimated weight of `key` (0 when untracked: then its true weight is at most {@link minCount}). */
  count(key: string): number {
    const slot = this.#slotOf.get(key);
    return slot === undefined ? 0 : this.#counts[slot]!;
  }

  /** The smallest tracked count (an upper bound on any untracked key's weight once full). */
  get minCount(): number {
    return this.#size < this.capacity ? 0 : this.#counts[this.#heap[0]!]!;
  }

  /** The `k` heaviest tracked keys, heaviest first. */
  top(k = this.capacity): TopKEntry[] {
    const entries: TopKEntry[] = [];
    for (let s = 0; s < this.#size; s++) entries.push({ key: this.#keys[s]!, count: this.#counts[s]!, error: this.#errors[s]! });
    entries.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
    return entries.slice(0, k);
  }

  /** Multiplies every counter and error by `factor` (> 0); order is unchanged. */
  scale(factor: number): void {
    for (let s = 0; s < this.#size; s++) {
      this.#counts[s]! *= factor;
      this.#errors[s]! *= factor;
    }
  }

  #less(a: number, b: number): boolean {
    return this.#counts[this.#heap[a]!]! < this.#counts[this.#heap[b]!]!;
  }

  #swap(a: number, b: number): void {
    const sa = this.#heap[a]!;
    const sb = this.#heap[b]!;
    this.#heap[a] = sb;
    this.#heap[b] = sa;
    this.#pos[sb] = a;
    this.#pos[sa] = b;
  }

  #siftUp(p: number): void {
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (!this.#less(p, parent)) return;
      this.#swap(p, parent);
      p = parent;
    }
  }

  #siftDown(p: number): void {
    const n = this.#size;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.#less(r, l) ? r : l;
      if (!this.#less(c, p)) return;
      this.#swap(p, c);
      p = c;
    }
  }
}
