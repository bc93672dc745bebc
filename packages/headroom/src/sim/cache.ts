/**
 * A cache in front of a simulated server, run by the real eviction policy of `headroom/cache`
 * (W-TinyLFU by default, or LRU) over the calls' keys: a call whose key is cached is answered by
 * the server at once, without service time; a miss is served and its key inserted when the answer
 * leaves, evicting what the policy chooses. Only keys are modelled (no values, TTLs or
 * invalidation). O(1) per lookup and insert, as in the cache itself.
 */
import { evictionPolicy, type EvictionPolicy } from '../cache/index.js';
import { xxh32 } from '../core/hash.js';
import type { Random } from '../core/random.js';
import { invalidOption } from './errors.js';
import type { KeySource } from './keys.js';

/** A cache of `capacity` keys in front of each server of a group. */
export interface CacheSpec {
  /** Keys held, an integer ≥ 1. */
  readonly capacity: number;
  /** Eviction policy; default `'tinylfu'` (the cache's default). */
  readonly policy?: 'tinylfu' | 'lru';
}

/**
 * Validates a cache spec.
 * @throws HR_SIM_INVALID_OPTION naming the field under `path`
 */
export function checkCacheSpec(spec: CacheSpec, path: string): void {
  if (!(Number.isInteger(spec?.capacity) && spec.capacity >= 1))
    throw invalidOption(`${path}.capacity`, spec?.capacity, 'use a number of keys, an integer ≥ 1, e.g. 1000');
  if (spec.policy !== undefined && spec.policy !== 'tinylfu' && spec.policy !== 'lru')
    throw invalidOption(`${path}.policy`, spec.policy, 'use "tinylfu" or "lru"');
}

/** The keys one server has cached. */
export class ServerCache {
  /** Lookups that found their key, since the last {@link ServerCache.resetCounts}. */
  hits = 0;
  /** Lookups that did not. */
  misses = 0;
  readonly #policy: EvictionPolicy;
  readonly #keys: KeySource;
  readonly #slotOf = new Map<number, number>();
  readonly #rankOf: Int32Array;
  readonly #free: number[] = [];
  #unused = 0;

  constructor(spec: CacheSpec, keys: KeySource, random: Random) {
    // One slot more than the capacity: an insert comes before the eviction that makes room.
    const slots = spec.capacity + 1;
    this.#policy = evictionPolicy({ kind: spec.policy ?? 'tinylfu', maximum: spec.capacity, slots, random });
    this.#rankOf = new Int32Array(slots);
    this.#keys = keys;
  }

  /** Whether `rank` is cached (a hit counts as an access for the policy). */
  lookup(rank: number): boolean {
    const slot = this.#slotOf.get(rank);
    if (slot === undefined) {
      this.misses++;
      return false;
    }
    this.hits++;
    this.#policy.access(slot);
    return true;
  }

  /** The server answered a miss for `rank`: insert it, evicting what the policy chooses. */
  fill(rank: number): void {
    const policy = this.#policy;
    const present = this.#slotOf.get(rank);
    if (present !== undefined) {
      policy.access(present);
      return;
    }
    const slot = this.#free.pop() ?? this.#unused++;
    this.#rankOf[slot] = rank;
    this.#slotOf.set(rank, slot);
    policy.insert(slot, xxh32(this.#keys.name(rank)), 1);
    while (policy.weight > policy.maximum) {
      const victim = policy.victim();
      policy.remove(victim);
      this.#slotOf.delete(this.#rankOf[victim]!);
      this.#free.push(victim);
    }
  }

  /** Empties the cache (a crashed server restarts cold). */
  clear(): void {
    this.#policy.clear();
    this.#slotOf.clear();
    this.#free.length = 0;
    this.#unused = 0;
  }

  /** Starts counting hits and misses afresh (at the end of warm-up). */
  resetCounts(): void {
    this.hits = 0;
    this.misses = 0;
  }
}
