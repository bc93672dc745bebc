/**
 * The internal state of one cache, shared by the parts that make it up (cache.ts, the public
 * API; load-lifecycle.ts, loads and their outcomes; tier-glue.ts, the shared tier), plus the
 * small operations on it that several of them need. Not exported from the module's door.
 *
 * The public class keeps its own references to what a hit reads (store, policy, clock, key
 * function, hit counter), so the hot paths pay no indirection through this object.
 */
import type { Clock } from '../core/clock.js';
import { Emitter } from '../core/events.js';
import { LatencyHistogram } from '../core/histogram.js';
import type { Random } from '../core/random.js';
import { InvalidKeyError, invalidOption } from './errors.js';
import { evictionPolicy } from './eviction/factory.js';
import type { EvictionPolicy } from './eviction/policy.js';
import { KeyIndex } from './key-index.js';
import { LocalStore } from './local-store.js';
import { resolveEarlyRefresh, type ResolvedEarlyRefresh, type ResolvedOptions } from './options.js';
import type { Flight } from './stampede/single-flight.js';
import type { CacheEvent, EarlyRefresh, RemovalReason, Tags } from './types.js';

/** Failure state of a key whose reloads keep failing. */
export interface FailureState {
  failures: number;
  retryAt: number;
}

/** Everything a cache holds, built from its resolved options. Fields are shared, not copied. */
export class CacheState<V, K> {
  readonly options: ResolvedOptions<V, K>;
  readonly namespace: string;
  readonly store: LocalStore;
  readonly policy: EvictionPolicy;
  readonly clock: Clock;
  readonly random: Random;
  readonly keyFn: ((key: K) => string) | undefined;
  readonly sizeOf: ((value: V, key: string) => number) | undefined;
  readonly ttlMs: number;
  readonly jitter: number;
  readonly swrMs: number;
  readonly sieMs: number;
  readonly staleMs: number;
  readonly negativeTtlMs: number;
  readonly early: ResolvedEarlyRefresh;
  readonly flights = new KeyIndex<Flight<V | undefined>>();
  readonly failures = new Map<string, FailureState>();
  readonly events = new Emitter<CacheEvent>();
  readonly loadTime = new LatencyHistogram();
  /** Fresh hits counted outside the public class (batch lookups); the class counts its own. */
  hits = 0;
  staleHits = 0;
  misses = 0;
  loads = 0;
  loadErrors = 0;
  refreshes = 0;
  refused = 0;
  l2Hits = 0;
  l2Errors = 0;
  closed = false;
  /**
   * True while the tier's invalidation channel is not live (lost, or silent): L1 cannot learn of
   * changes made elsewhere, so it only backs stale-if-error (see {@link untrustedSoftExpiry}).
   */
  tierDown = false;
  lastEarlyRaw: EarlyRefresh | false | undefined;
  lastEarly: ResolvedEarlyRefresh = { strategy: 'none' };

  constructor(o: ResolvedOptions<V, K>) {
    this.options = o;
    this.namespace = o.namespace;
    this.clock = o.clock;
    this.random = o.random;
    this.keyFn = o.keyFn;
    this.sizeOf = o.sizeOf;
    this.ttlMs = o.ttlMs;
    this.jitter = o.jitter;
    this.swrMs = o.swrMs;
    this.sieMs = o.sieMs;
    this.staleMs = Math.max(o.swrMs, o.sieMs);
    this.negativeTtlMs = o.negativeTtlMs;
    this.early = o.earlyRefresh;
    // Slot arrays start small and double as entries arrive (a large maxEntries costs nothing
    // until used). Entries are inserted before the victim is chosen, hence one spare slot.
    const maxSlots = o.weighted ? Infinity : o.maximum + 1;
    const slots = Math.min(maxSlots, 1024);
    this.policy = evictionPolicy({
      kind: o.eviction,
      maximum: o.maximum,
      slots,
      weighted: o.weighted,
      random: o.random.fork('cache.admission'),
    });
    this.store = new LocalStore(this.policy, slots, maxSlots, this.staleMs, this.#onRemoved);
    if (o.earlyRefresh.strategy !== 'none') this.store.trackEarlyRefresh();
  }

  readonly #onRemoved = (key: string, _value: unknown, reason: RemovalReason): void => {
    if (this.events.active) this.events.emit({ type: 'removed', key, reason });
  };
}

/** The string key of `key`, checked. */
export function keyOf<V, K>(state: CacheState<V, K>, key: K): string {
  const keyFn = state.keyFn;
  if (keyFn === undefined) {
    if (typeof key === 'string') return key;
    throw new InvalidKeyError(key, false);
  }
  const k = keyFn(key);
  if (typeof k !== 'string') throw new InvalidKeyError(k, true);
  return k;
}

/** Voids the running load of `k`, if any: its result will not be stored. */
export function voidFlight<V, K>(state: CacheState<V, K>, k: string): void {
  const flight = state.flights.get(k);
  if (flight === undefined) return;
  flight.voided = true;
  state.flights.delete(k);
}

/** Removes the slot once it is past its hard expiry. */
export function expireIfHard<V, K>(state: CacheState<V, K>, slot: number): void {
  if (state.clock.now() >= state.store.hardExpOf(slot)) state.store.remove(slot, 'expired');
}

/** A per-call early-refresh option, resolved (the last one is remembered, so a constant option resolves once). */
export function earlyFor<V, K>(state: CacheState<V, K>, raw: EarlyRefresh | false): ResolvedEarlyRefresh {
  if (raw !== state.lastEarlyRaw) {
    state.lastEarly = resolveEarlyRefresh(raw, 'earlyRefresh');
    state.lastEarlyRaw = raw;
    if (state.lastEarly.strategy !== 'none') state.store.trackEarlyRefresh();
  }
  return state.lastEarly;
}

/** The weight of a value by the `sizeOf` option. @throws HR_CACHE_INVALID_OPTION for a bad result */
export function weigh<V, K>(state: CacheState<V, K>, value: V, k: string): number {
  const size = state.sizeOf!(value, k);
  if (!(Number.isInteger(size) && size >= 0 && size < 2 ** 32)) {
    throw invalidOption(
      'sizeOf',
      size,
      `sizeOf returned this for key ${JSON.stringify(k)}; it must return a non-negative integer number of bytes below 2^32`,
    );
  }
  return size;
}

/**
 * The soft expiry of an entry L1 cannot vouch for — written while the invalidation channel is
 * not live, or held when it stopped being live: past the stale-while-revalidate window, so its
 * next read revalidates it (a reload, through L2) before serving, and it only backs
 * stale-if-error meanwhile.
 */
export function untrustedSoftExpiry<V, K>(state: CacheState<V, K>, now: number): number {
  return now - state.swrMs;
}

/** Writes L1 with an already jittered TTL; while the tier's channel is not live the entry is born untrusted. */
export function writeLocal<V, K>(
  state: CacheState<V, K>,
  k: string,
  value: V,
  ttl: number,
  loadMs: number,
  tags: readonly string[] | undefined,
): void {
  let soft = Infinity;
  if (state.tierDown) soft = untrustedSoftExpiry(state, state.clock.now());
  else if (ttl !== Infinity) soft = state.clock.now() + ttl;
  const weight = state.sizeOf === undefined ? 1 : weigh(state, value, k);
  state.store.write(k, value, weight, soft, false, ttl === Infinity ? 0 : ttl, loadMs, tags);
}

/** Removes every entry tagged `tag` here and voids the loads that may produce one. */
export function invalidateTagHere<V, K>(state: CacheState<V, K>, tag: string, origin: 'local' | 'remote'): number {
  const tagged = state.store.keysWithTag(tag);
  let removed = 0;
  if (tagged !== undefined) {
    for (const k of [...tagged]) if (state.store.removeKey(k, 'invalidated')) removed++;
  }
  for (const [k, flight] of [...state.flights.entries()]) {
    if (flight.tags === 'dynamic' || (flight.tags !== undefined && flight.tags.includes(tag))) voidFlight(state, k);
  }
  if (state.events.active) state.events.emit({ type: 'invalidated', scope: 'tag', target: tag, origin });
  return removed;
}

/** Retires every entry here and voids every running load. */
export function clearHere<V, K>(state: CacheState<V, K>, origin: 'local' | 'remote'): void {
  for (const [, flight] of state.flights.entries()) flight.voided = true;
  state.flights.clear();
  state.failures.clear();
  state.store.clear();
  if (state.events.active) state.events.emit({ type: 'invalidated', scope: 'clear', target: state.namespace, origin });
}

/** The tags of a value: the list given, or the tag function's result. @throws HR_CACHE_INVALID_OPTION for a bad list */
export function resolveTags<V>(tags: Tags<V> | undefined, value: V): readonly string[] | undefined {
  if (tags === undefined) return undefined;
  const list = typeof tags === 'function' ? tags(value) : tags;
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string' && t !== '')) {
    throw invalidOption('tags', list, 'use an array of non-empty strings (or a function of the value returning one)');
  }
  return list.length === 0 ? undefined : list;
}
