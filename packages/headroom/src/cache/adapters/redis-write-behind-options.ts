/**
 * The public shape of the durable write-behind queue (redis-write-behind.ts): its options and
 * what it offers beyond a cached source.
 */
import type { BackoffOptions } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import type { Duration } from '../../core/duration.js';
import type { Disposable, Listener } from '../../core/events.js';
import type { Random } from '../../core/random.js';
import type { WriteBehindEvent } from '../write/behind.js';
import type { CachedSource } from '../write/source.js';
import type { Codec } from './codec.js';

/** Options of {@link durableWriteBehind}. */
export interface DurableWriteBehindOptions<V> {
  /** A connected standalone node-redis client (`createClient`). Redis Cluster clients are not supported by this queue yet. */
  readonly client: unknown;
  /** Key prefix. Default `'hr'`. */
  readonly prefix?: string;
  /** Codec of queued values. Default JSON. */
  readonly codec?: Codec<V>;
  /** Entries drained per round. Default 100. */
  readonly batchSize?: number;
  /** How long a drainer blocks waiting for new entries. Default '200ms'. */
  readonly block?: Duration;
  /** Drain lock lease; a crashed drainer is replaced after this long. Default '5s'. */
  readonly lockTtl?: Duration;
  /** Backoff of failed source writes. Default `{ initial: '100ms', max: '10s', multiplier: 2, jitter: 'equal' }`. */
  readonly retryBackoff?: BackoffOptions;
  /** This process's consumer name. Default a random id. */
  readonly consumer?: string;
  /**
   * Whether this process drains the queue to the source (takes the drain lock when it is free).
   * `false`: it only queues writes (and reads through them); a process with `drain` left on
   * writes them. Default true.
   */
  readonly drain?: boolean;
  readonly clock?: Clock;
  readonly random?: Random;
}

/** A durable write-behind queue in front of a source. */
export interface DurableWriteBehind<V> extends CachedSource<V> {
  /**
   * Resolves once every write queued before the call — by this process or any other sharing the
   * stream — has reached the source, or was superseded by a newer write of its key. Writes
   * queued after the call, here or elsewhere, are not waited for (another producer cannot keep
   * it waiting). Whoever holds the drain lock does the writing: this process, or another one
   * when `drain` is false here.
   * @throws HR_CACHE_WRITE_BEHIND_FAILED (as a rejection) when they are not all written within `timeoutMs` (default 30 s): a source failing, or no process draining
   */
  flush(timeoutMs?: number): Promise<void>;
  /** Stops draining here and releases the lock (queued writes stay in Redis for another drainer). */
  close(): Promise<void>;
  /** Subscribes to write events. */
  on(listener: Listener<WriteBehindEvent>): Disposable;
  /** Source writes done by this process. */
  readonly written: number;
}
