/**
 * The in-process tier's storage: a `Map` from key to slot number, and per-slot typed arrays for
 * expiry and load time, so an entry costs no object of its own. The eviction policy orders the
 * slots; this class keeps the key index, the tag index and the free-slot stack in step with it.
 *
 * Synchronous and pure: time is passed in, removals are reported through `onRemoved`.
 */
import { xxh32 } from '../core/hash.js';
import type { EvictionPolicy } from './eviction/policy.js';
import type { RemovalReason } from './types.js';

/** Receives each removed entry (evicted, expired, deleted, …). */
export type RemovalListener = (key: string, value: unknown, reason: RemovalReason) => void;

export class LocalStore {
  /** Key → slot. */
  readonly index = new Map<string, number>();
  /** Slot → key (undefined when free). */
  keys: (string | undefined)[];
  /** Slot → value. */
  values: unknown[];
  /** Slot → time the value turns stale (ms on the cache clock; Infinity = never). */
  softExp: Float64Array;
  /** Slot → time the entry stops being servable at all. */
  hardExp: Float64Array;
  /** Slot → the entry's own (jittered) soft TTL, ms; used by refresh-ahead. */
  ttlMs: Float32Array;
  /** Slot → how long the value took to load, ms (XFetch's δ); 0 for `set` values. */
  loadMs: Float32Array;
  /** Slot → tags, or undefined. */
  tags: (readonly string[] | undefined)[];
  /** Evictions for room since creation. */
  evictions = 0;
  /** Hard expirations since creation. */
  expirations = 0;
  readonly #policy: EvictionPolicy;
  readonly #byTag = new Map<string, Set<string>>();
  readonly #onRemoved: RemovalListener;
  #free: Int32Array;
  #freeTop = 0;
  #capacity = 0;
  #sweepCursor = 0;

  /**
   * @param policy - eviction policy (its `maximum` bounds the total weight)
   * @param capacity - initial number of slots (grows by doubling when weighted)
   */
  constructor(policy: EvictionPolicy, capacity: number, onRemoved: RemovalListener) {
    this.#policy = policy;
    this.#onRemoved = onRemoved;
    this.keys = [];
    this.values = [];
    this.tags = [];
    this.softExp = new Float64Array(0);
    this.hardExp = new Float64Array(0);
    this.ttlMs = new Float32Array(0);
    this.loadMs = new Float32Array(0);
    this.#free = new Int32Array(0);
    this.#grow(capacity);
  }

  /** Number of entries. */
  get size(): number {
    return this.index.size;
  }

  /** The policy ordering the slots. */
  get policy(): EvictionPolicy {
    return this.#policy;
  }

  /**
   * Stores `value` under `key`, replacing any previous value, then evicts until the total weight
   * fits. Returns the slot, or -1 when the entry itself was not kept (rejected by admission, or
   * heavier than the whole cache).
   */
  write(key: string, value: unknown, weight: number, softExp: number, hardExp: number, ttlMs: number,
    loadMs: number, tags: readonly string[] | undefined): number {
    const policy = this.#policy;
    let slot = this.index.get(key);
    if (weight > policy.maximum) {
      if (slot !== undefined) this.remove(slot, 'too-large');
      this.#onRemoved(key, value, 'too-large');
      return -1;
    }
    if (slot !== undefined) {
      this.#untag(key, this.tags[slot]);
      policy.update(slot, weight);
    } else {
      slot = this.#allocate();
      this.keys[slot] = key;
      this.index.set(key, slot);
      policy.insert(slot, xxh32(key), weight);
    }
    this.values[slot] = value;
    this.softExp[slot] = softExp;
    this.hardExp[slot] = hardExp;
    this.ttlMs[slot] = ttlMs;
    this.loadMs[slot] = loadMs;
    this.tags[slot] = tags;
    if (tags !== undefined) this.#tag(key, tags);
    let kept = true;
    while (policy.weight > policy.maximum) {
      const victim = policy.victim();
      if (victim === slot) kept = false;
      this.evictions++;
      this.remove(victim, victim === slot ? 'rejected' : 'evicted');
    }
    return kept ? slot : -1;
  }

  /** Removes the entry in `slot`. */
  remove(slot: number, reason: RemovalReason): void {
    const key = this.keys[slot]!;
    const value = this.values[slot];
    this.#policy.remove(slot);
    this.index.delete(key);
    this.#untag(key, this.tags[slot]);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.tags[slot] = undefined;
    this.#free[this.#freeTop++] = slot;
    if (reason === 'expired') this.expirations++;
    this.#onRemoved(key, value, reason);
  }

  /** Removes `key` if present; true when it was. */
  removeKey(key: string, reason: RemovalReason): boolean {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    this.remove(slot, reason);
    return true;
  }

  /** Keys currently carrying `tag` (a live view: copy before removing). */
  keysWithTag(tag: string): ReadonlySet<string> | undefined {
    return this.#byTag.get(tag);
  }

  /** Removes everything (frequency history included); reports no removals. */
  clear(): void {
    this.index.clear();
    this.#byTag.clear();
    this.#policy.clear();
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.tags.fill(undefined);
    this.#freeTop = 0;
    for (let s = this.#capacity - 1; s >= 0; s--) this.#free[this.#freeTop++] = s;
  }

  /**
   * Removes hard-expired entries among the next `budget` slots (a cursor walks the slots so
   * successive calls cover the whole table). Returns the number removed.
   */
  sweep(now: number, budget: number): number {
    let removed = 0;
    const n = Math.min(budget, this.#capacity);
    for (let i = 0; i < n; i++) {
      const slot = this.#sweepCursor;
      this.#sweepCursor = slot + 1 === this.#capacity ? 0 : slot + 1;
      if (this.keys[slot] !== undefined && this.hardExp[slot]! <= now) {
        this.remove(slot, 'expired');
        removed++;
      }
    }
    return removed;
  }

  #allocate(): number {
    if (this.#freeTop === 0) this.#grow(this.#capacity * 2);
    return this.#free[--this.#freeTop]!;
  }

  #grow(capacity: number): void {
    const old = this.#capacity;
    this.#policy.ensureSlots(capacity);
    const f64 = (a: Float64Array): Float64Array => { const b = new Float64Array(capacity); b.set(a); return b; };
    const f32 = (a: Float32Array): Float32Array => { const b = new Float32Array(capacity); b.set(a); return b; };
    this.softExp = f64(this.softExp);
    this.hardExp = f64(this.hardExp);
    this.ttlMs = f32(this.ttlMs);
    this.loadMs = f32(this.loadMs);
    for (let s = old; s < capacity; s++) {
      this.keys.push(undefined);
      this.values.push(undefined);
      this.tags.push(undefined);
    }
    const free = new Int32Array(capacity);
    free.set(this.#free.subarray(0, this.#freeTop));
    this.#free = free;
    // Hand out low slots first so a half-empty table stays dense.
    for (let s = capacity - 1; s >= old; s--) this.#free[this.#freeTop++] = s;
    this.#capacity = capacity;
  }

  #tag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (keys === undefined) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  #untag(key: string, tags: readonly string[] | undefined): void {
    if (tags === undefined) return;
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byTag.delete(tag);
    }
  }
}
