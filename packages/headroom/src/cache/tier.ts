/**
 * The seam between the in-process cache and a shared tier under it (Redis, Redis Cluster, or
 * anything else that can hold entries for many processes). The cache owns L1 and the loader;
 * a tier stores entries, grants loading leases across processes and reports what other
 * processes changed. Times crossing this seam are wall-clock epoch ms, the only clock
 * processes share.
 */

/** An entry as a shared tier stores it. */
export interface TierEntry<V> {
  readonly value: V;
  /** When the value turns stale, epoch ms (Infinity: never). */
  readonly softExpiresAt: number;
  /** When the entry stops being servable, epoch ms (Infinity: never). */
  readonly hardExpiresAt: number;
  /** Tags of the entry. */
  readonly tags: readonly string[] | undefined;
}

/** The outcome of asking for the right to load a missing key. */
export type LeaseOutcome<V> =
  /** Another process stored the value meanwhile. */
  | { readonly kind: 'hit'; readonly entry: TierEntry<V> }
  /** This process loads; store with `set(key, entry, token)` or give it back with `releaseLease`. */
  | { readonly kind: 'granted'; readonly token: string }
  /**
   * Another process is loading; wait for `waitForKey`, at most `remainingMs`. `holder` names the
   * lease (the same holder asked again is still the same load, kept alive by its process).
   */
  | { readonly kind: 'busy'; readonly remainingMs: number; readonly holder: string };

/**
 * State of a tier's invalidation channel: `connecting` (not attached yet), `live` (proved to
 * deliver within the heartbeat), `silent` (connected, but a probe went unanswered: a stalled
 * server or a partition), `down` (connection lost), `closed`.
 */
export type ChannelState = 'connecting' | 'live' | 'silent' | 'down' | 'closed';

/** Whether a shared tier can be relied on now (see {@link SharedTier.health}). */
export interface TierHealth {
  /** The circuit breaker: `closed` (calls go through), `open` (refused at once), `half-open` (probing). */
  readonly circuit: 'closed' | 'open' | 'half-open';
  /** The invalidation channel; while it is not `live`, the cache does not trust L1. */
  readonly channel: ChannelState;
  /** When the channel last proved it delivers, epoch ms (0: never). */
  readonly lastHeardAt: number;
}

/**
 * Receives one read's outcome ({@link SharedTier.read}): exactly one of the two is called, once.
 * Neither may throw (a tier settles a batch of readers in one loop). A promise's
 * `{ resolve, reject }` pair fits.
 */
export interface TierReader<V> {
  /** The entry, or undefined (absent, expired, or retired), as `get` would resolve. */
  entry(entry: TierEntry<V> | undefined): void;
  /** The read failed, as `get` would reject. */
  error(error: unknown): void;
}

/** What a tier tells the cache about other processes. */
export interface TierListener {
  /** Another process wrote or deleted `key`. */
  keyChanged(key: string): void;
  /** Another process invalidated `tag`. */
  tagInvalidated(tag: string): void;
  /** Another process cleared the namespace. */
  cleared(): void;
  /**
   * The channel that carries these notifications can no longer be trusted (false: lost, or
   * silent — a probe went unanswered) or can again (true). Changes made elsewhere meanwhile
   * may have gone unheard.
   */
  connection(up: boolean): void;
  /** A stored value could not be decoded (it is treated as a miss). */
  codecError?(error: Error): void;
}

/** A shared tier. Every method may reject (timeouts, an open circuit): the cache then carries on with L1 and the loader. */
export interface SharedTier<V> {
  /** Name for events and stats, e.g. `redis`. */
  readonly name: string;
  /** Binds the tier to a cache's namespace and starts delivering notifications. Called once. */
  attach(namespace: string, listener: TierListener): Promise<void>;
  /** The entry of `key` (undefined when absent, expired, or retired by a tag or namespace version). */
  get(key: string): Promise<TierEntry<V> | undefined>;
  /**
   * `get` for the hot path, an L1 miss that the tier answers: the outcome goes to `reader`, so
   * a read costs no promise of its own.
   */
  read(key: string, reader: TierReader<V>): void;
  /** Entries of `keys`, as `get`. */
  getMany(keys: readonly string[]): Promise<(TierEntry<V> | undefined)[]>;
  /**
   * Stores an entry and tells the other processes. With `leaseToken` the write succeeds only if
   * that lease is still outstanding (not voided by a delete or a write) and no tag the lease
   * recorded was invalidated since; resolves to false when refused. Without a token, the write
   * voids every outstanding lease of the key. A call that rejects (timeout) may still take
   * effect later, but never over a newer write or invalidation of the key.
   */
  set(key: string, entry: TierEntry<V>, leaseToken?: string): Promise<boolean>;
  /** Stores many entries (no leases) and tells the other processes. */
  setMany(entries: readonly (readonly [string, TierEntry<V>])[]): Promise<void>;
  /** Deletes `key` and voids any outstanding lease on it; tells the other processes. */
  delete(key: string): Promise<void>;
  /** Retires every entry tagged `tag`; tells the other processes. */
  invalidateTag(tag: string): Promise<void>;
  /** Retires every entry of the namespace at once; tells the other processes. */
  clear(): Promise<void>;
  /**
   * Asks for the right to load `key`. `force` asks even when a (stale) value is present. `tags`
   * are those the loaded value will carry (`'dynamic'`: computed from it): a granted lease
   * records their versions now, before the loader reads the source, so an invalidation during
   * the load retires what it stores. The lease is kept alive until `set`/`releaseLease`.
   */
  lease(key: string, force: boolean, tags?: readonly string[] | 'dynamic'): Promise<LeaseOutcome<V>>;
  /** Gives a lease back unused (the loader failed), so another process may try at once. */
  releaseLease(key: string, token: string): Promise<void>;
  /** Resolves when another process changes `key`, after `timeoutMs`, or when `signal` aborts. */
  waitForKey(key: string, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Counters of the tier. */
  stats(): TierStats;
  /** The breaker's and the invalidation channel's state now. */
  health(): TierHealth;
  /** Stops notifications and releases connections the tier opened (not the ones it was given). */
  close(): Promise<void>;
}

/** Counters of a shared tier. */
export interface TierStats {
  /** Calls that completed. */
  readonly calls: number;
  /** Calls that failed (errors and timeouts). */
  readonly failures: number;
  /** Calls that timed out. */
  readonly timeouts: number;
  /** Calls refused at once because the circuit was open. */
  readonly rejected: number;
  /** Circuit state: closed (normal), open (refusing), half-open (probing). */
  readonly circuit: 'closed' | 'open' | 'half-open';
  /** Whether the notification channel is live (trusted). */
  readonly notifications: boolean;
  /** The notification channel's state. */
  readonly channel: ChannelState;
}
