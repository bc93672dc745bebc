/**
 * Builds an eviction policy by kind, for the cache and for anything else that orders keys the
 * same way (the simulator's caches, benchmarks): W-TinyLFU or LRU behind the {@link EvictionPolicy}
 * seam.
 */
import type { Random } from '../../core/random.js';
import { LruPolicy } from './lru.js';
import type { EvictionKind, EvictionPolicy } from './policy.js';
import { TinyLfuPolicy } from './tinylfu.js';

/** Options of {@link evictionPolicy}. */
export interface EvictionPolicyOptions {
  /** Which policy; default `'tinylfu'`. */
  readonly kind?: EvictionKind;
  /** Maximum total weight (entries when unweighted). */
  readonly maximum: number;
  /** Slots tracked from the start (the policy grows with `ensureSlots`); default `maximum + 1`. */
  readonly slots?: number;
  /** Whether slots carry weights; default false. */
  readonly weighted?: boolean;
  /** Draws TinyLFU's hash-flooding guard (LRU draws nothing). */
  readonly random: Random;
}

/**
 * A new eviction policy.
 * @example const policy = evictionPolicy({ maximum: 1000, random: new SeededRandom(1) });
 */
export function evictionPolicy(options: EvictionPolicyOptions): EvictionPolicy {
  const { maximum, random } = options;
  const slots = options.slots ?? maximum + 1;
  const weighted = options.weighted ?? false;
  return options.kind === 'lru' ? new LruPolicy(maximum, slots, weighted) : new TinyLfuPolicy(maximum, slots, weighted, random);
}
