/**
 * How a replica answers a product read in one phase: straight from the store, or through a cache.
 * Every store query goes through the phase's {@link StoreGate}, so store load is counted the same
 * way in every mode.
 */
import type { RedisLike } from 'headroom/cache';
import type { Product } from './catalog-data.js';
import type { MutableCounters } from './app.js';
import type { ReplicaPhaseConfig } from './protocol.js';
import type { CatalogStore } from './store.js';
import type { StoreGate } from './store-gate.js';

/** A product read path. */
export interface ReadPath {
  /** The product, or undefined when it does not exist. */
  read(id: number): Promise<Product | undefined>;
  /** Forgets any cached copy of `id` (after a write). */
  invalidate(id: number): Promise<void>;
  /** Releases what the path holds (cache timers, connections). */
  close(): Promise<void>;
  /**
   * Replays one past request into the cache, straight to the store on a miss (no emulated round
   * trip, no counters): warm-up, see warm-replay.ts. Resolves true when a read queried the store.
   * Absent when the path caches nothing.
   */
  readonly replay?: (id: number, write: boolean) => Promise<boolean>;
}

/** What a read path is built from. */
export interface ReadPathContext {
  readonly config: ReplicaPhaseConfig;
  readonly store: CatalogStore;
  readonly gate: StoreGate;
  readonly counters: MutableCounters;
  /**
   * The replica's Redis connection, the run's key prefix and the tier's per-call timeout (`--redis`;
   * undefined: the tier's default), or null for in-process caching only.
   */
  readonly redis: { readonly client: RedisLike; readonly prefix: string; readonly timeoutMs: number | undefined } | null;
}

/** Loads one product through the gate, counting the query (shared by every mode). */
export function loadProduct(ctx: ReadPathContext, id: number): Promise<Product | undefined> {
  ctx.counters.readQueries++;
  return ctx.gate.run(() => ctx.store.getProduct(id), ctx.config.cache.hotKey?.id === id);
}

/** Every read is a store query. */
export function storeOnlyReadPath(ctx: ReadPathContext): ReadPath {
  return {
    read: (id) => loadProduct(ctx, id),
    invalidate: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
