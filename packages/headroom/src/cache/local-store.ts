/**
 * The in-process tier's storage: an index from key to slot number (key-index.ts), and per-slot typed arrays for
 * expiry and load time (allocated only once some entry needs them), so an entry costs no object
 * of its own. The eviction policy orders the
 * slots; this class keeps the key index, the tag index and the free-slot stack in step with it.
 *
 * Synchronous and pure: time is passed in, removals are reported through `onRemoved`.
 */
import { xxh32 } from '../core/hash.js';
import { KeyIndex } from './key-index.js';
import type { EvictionPolicy } from './eviction/policy.js';
import type { RemovalReason } from './types.js';

/** Receives each removed entry (evicted, expired, deleted, …). */
export type RemovalListener = (key: string, value: unknown, reason: RemovalReason) => void;

export class LocalStore {
  /** Key → slot. */
  readonly index = new KeyIndex();
  /** Slot → key (undefined when free). */
  keys: (string | undefined)[] = [];
  /** Slot → value. */
  values: unknown[] = [];
  /**
   * Slot → time the value turns stale (ms on the cache clock; Infinity = never). Allocated on
   * the first entry with an expiry: read it only when `expiring` is true.
   */
  softExp = new Float64Array(0);
  /** True once some entry had a finite expiry (until then no hit needs the clock). */
  expiring = false;
  /** Evictions for room since creation. */
  evictions = 0;
  /** Hard expirations since creation. */
  expirations = 0;
  readonly #policy: EvictionPolicy;
  readonly #staleMs: number;
  readonly #byTag = new Map<string, Set<string>>();
  readonly #tagsBySlot = new Map<number, readonly string[]>();
  readonly #onRemoved: RemovalListener;
  /** Slot → NO_STALE flag (negative entries are never served stale); allocated with softExp. */
  #flags = new Uint8Array(0);
  /** Slot → own soft TTL and load time, for early refresh; allocated on first use. */
  #ttlMs: Float32Array | undefined;
  #loadMs: Float32Array | undefined;
  /** Slots freed by removals, reused first. */
  readonly #free: number[] = [];
  /** Slots never used yet are `#unused … capacity-1`. */
  #unused = 0;
  #capacity = 0;
  readonly #maxSlots: number;
  #sweepCursor = 0;

  /**
   * @param policy - eviction policy (its `maximum` bounds the total weight)
   * @param capacity - initial number of slots (grows by doubling when full)
   * @param maxSlots - most slots ever needed (maximum entries + 1; Infinity when weighted)
   * @param staleMs - how long after its soft expiry an entry stays servable (stale windows)
   */
  constructor(policy: EvictionPolicy, capacity: number, maxSlots: number, staleMs: number, onRemoved: RemovalListener) {
    this.#policy = policy;
    this.#maxSlots = maxSlots;
    this.#staleMs = staleMs;
    this.#onRemoved = onRemoved;
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

  /** When the entry in `slot` stops being servable at all. */
  hardExpOf(slot: number): number {
    if (!this.expiring) return Infinity;
    const soft = this.softExp[slot]!;
    return (this.#flags[slot]! & NO_STALE) !== 0 ? soft : soft + this.#staleMs;
  }

  /** The entry's own (jittered) soft TTL in ms, 0 when unknown; for refresh-ahead. */
  ttlOf(slot: number): number {
    return this.#ttlMs === undefined ? 0 : this.#ttlMs[slot]!;
  }

  /** How long the entry's value took to load in ms (XFetch's δ), 0 when unknown. */
  loadMsOf(slot: number): number {
    return this.#loadMs === undefined ? 0 : this.#loadMs[slot]!;
  }

  /** Starts recording each entry's TTL and load time (needed by early refresh). */
  trackEarlyRefresh(): void {
    if (this.#ttlMs !== undefined) return;
    this.#ttlMs = new Float32Array(this.#capacity);
    this.#loadMs = new Float32Array(this.#capacity);
  }

  /** Tags of the entry in `slot`. */
  tagsOf(slot: number): readonly string[] | undefined {
    return this.#tagsBySlot.size === 0 ? undefined : this.#tagsBySlot.get(slot);
  }

  /**
   * Stores `value` under `key`, replacing any previous value, then evicts until the total weight
   * fits. Returns the slot, or -1 when the entry itself was not kept (rejected by admission, or
   * heavier than the whole cache).
   * @param softExp - when it turns stale (Infinity = never)
   * @param noStale - true for entries never served stale (negative entries)
   */
  write(
    key: string,
    value: unknown,
    weight: number,
    softExp: number,
    noStale: boolean,
    ttlMs: number,
    loadMs: number,
    tags: readonly string[] | undefined,
  ): number {
    const policy = this.#policy;
    let slot = this.index.get(key);
    if (weight > policy.maximum) {
      if (slot !== undefined) this.remove(slot, 'too-large');
      this.#onRemoved(key, value, 'too-large');
      return -1;
    }
    if (slot !== undefined) {
      this.#untag(key, slot);
      policy.update(slot, weight);
    } else {
      slot = this.#allocate();
      this.keys[slot] = key;
      this.index.add(key, slot);
      policy.insert(slot, xxh32(key), weight);
    }
    this.values[slot] = value;
    if (softExp !== Infinity && !this.expiring) this.#startExpiring();
    if (this.expiring) {
      this.softExp[slot] = softExp;
      this.#flags[slot] = noStale ? NO_STALE : 0;
    }
    if (this.#ttlMs !== undefined) {
      this.#ttlMs[slot] = ttlMs;
      this.#loadMs![slot] = loadMs;
    }
    if (tags !== undefined) this.#tag(key, slot, tags);
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
    this.#untag(key, slot);
    this.keys[slot] = undefined;
    this.values[slot] = undefined;
    this.#free.push(slot);
    if (reason === 'expired') this.expirations++;
    this.#onRemoved(key, value, reason);
  }

  /** Makes every entry stale by `softExp` at the latest (they stay servable until their hard expiry). */
  markAllStale(softExp: number): void {
    if (!this.expiring) this.#startExpiring();
    const soft = this.softExp;
    for (const [, slot] of this.index.entries()) if (soft[slot]! > softExp) soft[slot] = softExp;
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
    this.#tagsBySlot.clear();
    this.#policy.clear();
    this.keys.fill(undefined);
    this.values.fill(undefined);
    this.#free.length = 0;
    this.#unused = 0;
  }

  /**
   * Removes hard-expired entries among the next `budget` slots (a cursor walks the slots so
   * successive calls cover the whole table). Returns the number removed.
   */
  sweep(now: number, budget: number): number {
    if (!this.expiring) return 0;
    let removed = 0;
    const n = Math.min(budget, this.#capacity);
    for (let i = 0; i < n; i++) {
      const slot = this.#sweepCursor;
      this.#sweepCursor = slot + 1 === this.#capacity ? 0 : slot + 1;
      if (this.keys[slot] !== undefined && this.hardExpOf(slot) <= now) {
        this.remove(slot, 'expired');
        removed++;
      }
    }
    return removed;
  }

  #allocate(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#unused === this.#capacity) this.#grow(Math.min(this.#capacity * 2, this.#maxSlots));
    return this.#unused++;
  }

  #startExpiring(): void {
    this.expiring = true;
    this.softExp = new Float64Array(this.#capacity).fill(Infinity);
    this.#flags = new Uint8Array(this.#capacity);
  }

  #grow(capacity: number): void {
    const old = this.#capacity;
    this.#policy.ensureSlots(capacity);
    if (this.expiring) {
      const soft = new Float64Array(capacity).fill(Infinity);
      soft.set(this.softExp);
      this.softExp = soft;
      const flags = new Uint8Array(capacity);
      flags.set(this.#flags);
      this.#flags = flags;
    }
    if (this.#ttlMs !== undefined) {
      const ttl = new Float32Array(capacity);
      ttl.set(this.#ttlMs);
      this.#ttlMs = ttl;
      const load = new Float32Array(capacity);
      load.set(this.#loadMs!);
      this.#loadMs = load;
    }
    for (let s = old; s < capacity; s++) {
      this.keys.push(undefined);
      this.values.push(undefined);
    }
    this.#capacity = capacity;
  }

  #tag(key: string, slot: number, tags: readonly string[]): void {
    this.#tagsBySlot.set(slot, tags);
    for (const tag of tags) {
      let keys = this.#byTag.get(tag);
      if (keys === undefined) this.#byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  #untag(key: string, slot: number): void {
    if (this.#tagsBySlot.size === 0) return;
    const tags = this.#tagsBySlot.get(slot);
    if (tags === undefined) return;
    this.#tagsBySlot.delete(slot);
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (keys === undefined) continue;
      keys.delete(key);
      if (keys.size === 0) this.#byTag.delete(tag);
    }
  }
}

/** Flag: the entry is never served stale (its hard expiry equals its soft expiry). */
const NO_STALE = 1;
