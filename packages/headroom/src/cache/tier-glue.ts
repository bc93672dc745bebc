/**
 * The glue between a cache and its shared tier (L2): attaching to the tier's notifications,
 * the host the tiered loads run against (tiered-load.ts), shared entries with wall-clock
 * expiry, forwarding writes and invalidations after their local effect, and what other
 * processes' notifications do here. Exists only for a cache with an `l2`.
 */
import { toError } from '../core/errors.js';
import { jitteredTtl } from './freshness.js';
import { clearHere, invalidateTagHere, resolveTags, untrustedSoftExpiry, voidFlight, type CacheState } from './cache-state.js';
import { positiveDuration } from './options.js';
import type { Flight } from './stampede/single-flight.js';
import type { SharedTier, TierEntry, TierListener } from './tier.js';
import type { TierHost } from './tiered-load.js';
import type { LoadOptions } from './types.js';

/** How a load is settled; the load lifecycle provides it. */
export interface FlightSettler<V> {
  loaded(flight: Flight<V | undefined>, value: V | undefined, options: LoadOptions<V> | undefined): void;
  failed(flight: Flight<V | undefined>, error: unknown): void;
}

/** One cache's connection to its shared tier. */
export class TierGlue<V, K> {
  readonly tier: SharedTier<V>;
  /** Resolves once the tier is attached (never rejects). */
  readonly attached: Promise<void>;
  /** What tiered loads need from the cache, built once (no closure per load). */
  readonly host: TierHost<V>;
  readonly #state: CacheState<V, K>;
  readonly #settler: FlightSettler<V>;
  #isAttached = false;

  /** Attaches to the tier's notifications at once; a failed attach marks the tier down. */
  constructor(state: CacheState<V, K>, tier: SharedTier<V>, settler: FlightSettler<V>) {
    this.#state = state;
    this.tier = tier;
    this.#settler = settler;
    this.attached = tier
      .attach(state.namespace, this.#listener)
      .catch((error: unknown) => {
        // Without notifications L1 cannot be trusted; calls to the tier fail over on their own.
        state.tierDown = true;
        this.tierFailed('attach', error);
      })
      .finally(() => {
        this.#isAttached = true;
      });
    this.host = {
      tier,
      attached: this.attached,
      isAttached: () => this.#isAttached,
      fresh: (entry) => entry.softExpiresAt > state.clock.wallNow(),
      entryFor: (value, options) => {
        if (value === undefined || value === null) {
          return state.negativeTtlMs > 0
            ? this.entry(value, jitteredTtl(state.negativeTtlMs, state.jitter, state.random), undefined, true)
            : undefined;
        }
        const ttlMs = options?.ttl === undefined ? state.ttlMs : positiveDuration(options.ttl, 'ttl');
        return this.entry(value, jitteredTtl(ttlMs, state.jitter, state.random), resolveTags(options?.tags, value), false);
      },
      tierFailed: (operation, error) => this.tierFailed(operation, error),
      l2Hit: () => void state.l2Hits++,
      loaded: (flight, value, options) => settler.loaded(flight, value, options),
      failed: (flight, error) => settler.failed(flight, error),
    };
  }

  /** The shared-tier entry for a value with an already jittered TTL (wall-clock expiry). */
  entry(value: V | undefined, ttl: number, tags: readonly string[] | undefined, negative: boolean): TierEntry<V> {
    const wall = this.#state.clock.wallNow();
    const soft = ttl === Infinity ? Infinity : wall + ttl;
    const hard = soft === Infinity ? Infinity : negative ? soft : soft + this.#state.staleMs;
    return { value: value as V, softExpiresAt: soft, hardExpiresAt: hard, tags };
  }

  /** Sends a write or invalidation to the tier after the local effect; rejects (after an event) if it fails. */
  call(operation: string, call: (tier: SharedTier<V>) => Promise<unknown>): Promise<void> {
    return this.attached
      .then(() => call(this.tier))
      .then(
        () => undefined,
        (error: unknown) => {
          this.tierFailed(operation, error);
          throw error;
        },
      );
  }

  /** Records a tier failure (stats, event). */
  tierFailed(operation: string, error: unknown): void {
    const state = this.#state;
    state.l2Errors++;
    if (state.events.active) state.events.emit({ type: 'tier-error', operation, error: toError(error, `The shared tier's ${operation}`) });
  }

  /** Settles a batch flight with the tier's entry. */
  readonly fillFromTier = (flight: Flight<V | undefined>, entry: TierEntry<V>): void => {
    flight.tierEntry = entry;
    flight.servedByTier = true;
    this.#state.l2Hits++;
    this.#settler.loaded(flight, entry.value, undefined);
  };

  /** Notifications from other processes. */
  readonly #listener: TierListener = {
    keyChanged: (key) => {
      const state = this.#state;
      voidFlight(state, key);
      state.failures.delete(key);
      state.store.removeKey(key, 'invalidated');
      if (state.events.active) state.events.emit({ type: 'invalidated', scope: 'key', target: key, origin: 'remote' });
    },
    tagInvalidated: (tag) => void invalidateTagHere(this.#state, tag, 'remote'),
    cleared: () => clearHere(this.#state, 'remote'),
    connection: (up) => {
      const state = this.#state;
      state.tierDown = !up;
      // Changes made elsewhere while we cannot hear them would go unnoticed: stop trusting L1,
      // and revalidate what it holds on each entry's next read once the channel is back.
      if (!up) state.store.markAllStale(untrustedSoftExpiry(state, state.clock.now()));
      if (state.events.active) state.events.emit({ type: 'tier-connection', up });
    },
    codecError: (error) => this.tierFailed('decode', error),
  };
}
