/**
 * The eviction seam. A policy orders the cache's slots and picks victims; it never touches keys
 * or values, so the same policy drives the cache, the hit-ratio benchmark and the simulator.
 * Every method is synchronous and O(1) (amortised).
 */

/** Name of an eviction policy. */
export type EvictionKind = 'tinylfu' | 'lru';

/** Orders slots `0 … capacity-1` and chooses which to evict when over `maximum` weight. */
export interface EvictionPolicy {
  readonly kind: EvictionKind;
  /** Maximum total weight (entries when unweighted). */
  readonly maximum: number;
  /** Total weight of the tracked slots. */
  readonly weight: number;
  /** Grows internal arrays so slots up to `capacity - 1` can be tracked. */
  ensureSlots(capacity: number): void;
  /** Tracks a new slot holding a key with 32-bit `hash` and `weight` (1 when unweighted). */
  insert(slot: number, hash: number, weight: number): void;
  /** Records a hit on a tracked slot. */
  access(slot: number): void;
  /** Records a new weight for a tracked slot (its value was replaced); counts as an access. */
  update(slot: number, weight: number): void;
  /** Stops tracking a slot (deleted, expired, or chosen by `victim`). */
  remove(slot: number): void;
  /** The slot to evict next; call only while `weight > maximum`. */
  victim(): number;
  /** Forgets every slot (frequency history included). */
  clear(): void;
}
