/**
 * The system of record behind a cache (a database, a service), as the write strategies see it.
 */

/** Per-call context given to a {@link Source}. */
export interface SourceContext {
  /** Aborted when nobody waits for the result any more. */
  readonly signal?: AbortSignal;
}

/** A keyed store the cache sits in front of. Keys are the cache's string keys. */
export interface Source<V> {
  /** The current value, or undefined when absent. */
  get(key: string, context: SourceContext): Promise<V | undefined>;
  /** Writes a value. */
  set(key: string, value: V, context: SourceContext): Promise<void>;
  /** Removes a value. */
  delete(key: string, context: SourceContext): Promise<void>;
}

/** A source with a cache in front: reads go through the cache, writes follow the chosen strategy. */
export interface CachedSource<V> {
  /** Reads through the cache (single-flight, stale rules and early refresh of the cache apply). */
  get(key: string, options?: { readonly signal?: AbortSignal }): Promise<V | undefined>;
  /** Writes `value` to the source and the cache, as the strategy orders them. */
  set(key: string, value: V): Promise<void>;
  /** Deletes from the source and the cache. */
  delete(key: string): Promise<void>;
}
