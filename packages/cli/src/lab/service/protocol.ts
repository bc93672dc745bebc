/**
 * Messages between the lab (parent) and its replica processes over Node's IPC channel. The parent
 * starts each replica with a {@link ReplicaInit}, then reconfigures it at each phase and polls its
 * counters; every request carries an id and gets exactly one reply.
 */
import type { StoreSpec } from './store.js';

/** Everything a replica needs to start (passed as JSON in argv). */
export interface ReplicaInit {
  /** Replica number, 0-based. */
  readonly index: number;
  /** Port to listen on (0 = OS-assigned). */
  readonly port: number;
  /** The catalog store. */
  readonly store: StoreSpec;
  /** Redis URL for the cache's shared tier, or null for in-process only. */
  readonly redisUrl: string | null;
  /** Redis key prefix unique to this lab run: every key the run writes starts with `<prefix>:` (or `{<prefix>:`). */
  readonly keyPrefix: string;
  /** Per-call timeout of the Redis tier, ms; absent: the tier's default (250 ms). */
  readonly redisTimeoutMs?: number;
  /** `--trace-picks <file>`: the client's trace; the replica then records its loop stalls and GC pauses next to it (stall-recorder.ts). */
  readonly tracePath?: string;
  /** With `tracePath`: the shortest loop lag the replica records as a stall, ms (`--stall-threshold`; default 3). */
  readonly stallThresholdMs?: number;
}

/** How the replica caches product reads in a phase. */
export type CacheMode =
  /** Every read goes to the store. */
  | 'off'
  /** Plain cache-aside (get, on a miss load and set) with no request coalescing: the naive baseline. */
  | 'aside'
  /** The cache module's `getOrLoad`: single-flight loads, TTLs, eviction. */
  | 'cache';

/** A replica's behaviour during one phase. */
export interface ReplicaPhaseConfig {
  /** Phase label (for logs and errors). */
  readonly phase: string;
  /** Seed for this replica's fault injection in this phase. */
  readonly seed: number;
  /** Store pool size and emulated round trip. */
  readonly store: { readonly poolSize: number; readonly latencyMs: number };
  /** Read caching. */
  readonly cache: {
    readonly mode: CacheMode;
    /** Entries kept per replica. */
    readonly maxEntries: number;
    /** Time to live of a cached product, ms. */
    readonly ttlMs: number;
    /** A product id cached with its own (short) TTL, and whose store queries are counted apart. */
    readonly hotKey: { readonly id: number; readonly ttlMs: number } | null;
  };
  /** Injected faults. */
  readonly faults: {
    /** This replica's store round trip is this many times as long (1 = normal). */
    readonly slowFactor: number;
    /** Probability that a request stalls before it is handled. */
    readonly stallProbability: number;
    /** How long a stall lasts, ms. */
    readonly stallMs: number;
  };
  /** Whether the replica sheds load with the adaptive concurrency limiter. */
  readonly limiter: boolean;
}

/** A replica's counters since its last configure. */
export interface ReplicaStats {
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  /** Reads answered without their own store query (cache hits and coalesced waits). */
  readonly readsWithoutQuery: number;
  readonly storeQueries: number;
  readonly hotKeyQueries: number;
  /** Requests rejected by the limiter. */
  readonly shed: number;
  /** Requests stalled by fault injection. */
  readonly stalls: number;
  /**
   * Stalls whose caller hung up before they ended (a hedge answered first, or the deadline passed),
   * by number: stall n is the (n+1)th since the last configure.
   */
  readonly abandonedStalls: readonly number[];
  readonly maxStoreQueue: number;
}

/**
 * Past requests a replica replays into its cache before a steady-state phase is measured (see
 * warm-replay.ts): the next stretch of its share of the phase's traffic.
 */
export interface WarmBlock {
  /** Each request's time, ms since the warm-up began, ascending. */
  readonly atMs: readonly number[];
  /** Each request's product id. */
  readonly ids: readonly number[];
  /** 1 for a write (a stock update, which drops the cached copy), 0 for a read. */
  readonly writes: readonly number[];
}

/** What replaying one {@link WarmBlock} did. */
export interface WarmCount {
  /** Reads replayed (failed ones excepted). */
  readonly reads: number;
  /** Reads that had to query the store (cache misses). */
  readonly queries: number;
  /** Requests whose replay failed (e.g. the Redis tier timed out); a warm-up carries on past them. */
  readonly failed: number;
  /** The first failure's message, or null. */
  readonly error: string | null;
}

/** Parent → replica. */
export type ParentMessage =
  | { readonly type: 'configure'; readonly id: number; readonly config: ReplicaPhaseConfig }
  | { readonly type: 'stats'; readonly id: number }
  | { readonly type: 'warm'; readonly id: number; readonly block: WarmBlock };

/** Replica → parent. */
export type ReplicaMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'reply'; readonly id: number; readonly stats?: ReplicaStats; readonly warm?: WarmCount; readonly error?: string }
  /** `errno`: the system error code of a failed listen (EADDRINUSE, EACCES…), when that is what failed. */
  | { readonly type: 'fatal'; readonly code: string; readonly message: string; readonly errno?: string };
