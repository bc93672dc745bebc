/**
 * Write-behind (write-back): a write updates the cache and is acknowledged once queued; the
 * source is written later, in rounds — every `flushInterval`, or as soon as `maxBatch` keys are
 * waiting. Writes to one key coalesce (only the newest value is written) and are ordered (a key
 * is never written twice at once, so an older value cannot overwrite a newer one). Failed
 * writes are retried with exponential backoff and reported through events.
 *
 * In-process only: a crash loses what is still queued. (The durable variant keeps the queue
 * in a Redis Stream.) Reads through this object see queued values before the source has them.
 *
 * Costs: O(1) per write; a round is O(queued keys).
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import type { Duration } from '../../core/duration.js';
import { toError } from '../../core/errors.js';
import { Emitter, type Disposable, type Listener } from '../../core/events.js';
import { defaultRandom, type Random } from '../../core/random.js';
import type { Cache } from '../cache.js';
import { CacheClosedError, WriteBehindError, invalidOption } from '../errors.js';
import { backoffDelay, resolveBackoff, type Backoff, type BackoffOptions } from '../../core/backoff.js';
import { positiveDuration } from '../options.js';
import type { CachedSource, Source } from './source.js';

/** Options of {@link writeBehind}. */
export interface WriteBehindOptions {
  /** Start a round as soon as this many keys are queued. Default 100. */
  readonly maxBatch?: number;
  /** Start a round at least this often. Default '1s'. */
  readonly flushInterval?: Duration;
  /** Source writes running at once. Default 8. */
  readonly concurrency?: number;
  /** When this many keys are queued, `set`/`delete` wait for room (backpressure). Default 10,000. */
  readonly maxPending?: number;
  /** Retry delays of a failed write. Default `{ initial: '100ms', max: '30s', multiplier: 2, jitter: 'equal' }`. */
  readonly retryBackoff?: BackoffOptions;
  /** Attempts per write before it is given up (reported, dropped). Default Infinity: retry until it succeeds. */
  readonly maxAttempts?: number;
  /** Time source for the interval and backoff. Default the system clock. */
  readonly clock?: Clock;
  /** Randomness for backoff jitter. */
  readonly random?: Random;
}

/** Events of a write-behind queue. */
export type WriteBehindEvent =
  | { readonly type: 'written'; readonly key: string; readonly attempts: number }
  | { readonly type: 'write-error'; readonly key: string; readonly error: Error; readonly attempts: number; readonly retryInMs: number }
  | { readonly type: 'write-dropped'; readonly key: string; readonly error: Error; readonly attempts: number };

/** Counters of a write-behind queue. */
export interface WriteBehindStats {
  /** Keys waiting to be written. */
  readonly pending: number;
  /** Writes running now. */
  readonly inFlight: number;
  /** Source writes that succeeded. */
  readonly written: number;
  /** Writes replaced by a newer write to the same key before reaching the source. */
  readonly coalesced: number;
  /** Source writes that failed (each attempt). */
  readonly failed: number;
  /** Writes given up after `maxAttempts`. */
  readonly dropped: number;
}

/** A cache-fronted source whose writes reach the source later. */
export interface WriteBehind<V> extends CachedSource<V> {
  /** Writes everything queued now (ignoring backoff); rejects with HR_CACHE_WRITE_BEHIND_FAILED if some failed (they stay queued). */
  flush(): Promise<void>;
  /** Stops the interval, flushes, and refuses further writes (HR_CACHE_CLOSED). */
  close(): Promise<void>;
  /** Queue counters. */
  stats(): WriteBehindStats;
  /** Subscribes to write events. */
  on(listener: Listener<WriteBehindEvent>): Disposable;
}

interface Write<V> {
  readonly op: 'set' | 'delete';
  readonly value: V | undefined;
  attempts: number;
  notBefore: number;
}

/**
 * Puts `cache` in front of `source` with write-behind writes.
 * @throws HR_CACHE_INVALID_OPTION on an invalid option
 * @example
 * ```ts
 * const counters = writeBehind(new Cache<number>(), counterTable, { flushInterval: '500ms' });
 * await counters.set('views:home', 42); // acknowledged now, written within 500 ms
 * await counters.close();               // drains the queue
 * ```
 */
export function writeBehind<V>(cache: Cache<V, string>, source: Source<V>, options: WriteBehindOptions = {}): WriteBehind<V> {
  return new WriteBehindQueue(cache, source, options);
}

class WriteBehindQueue<V> implements WriteBehind<V> {
  readonly #cache: Cache<V, string>;
  readonly #source: Source<V>;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #maxBatch: number;
  readonly #intervalMs: number;
  readonly #concurrency: number;
  readonly #maxPending: number;
  readonly #backoff: Backoff;
  readonly #maxAttempts: number;
  readonly #pending = new Map<string, Write<V>>();
  readonly #inFlight = new Map<string, Write<V>>();
  readonly #events = new Emitter<WriteBehindEvent>();
  readonly #roomWaiters: (() => void)[] = [];
  #round: string[] = [];
  #roundIgnoresBackoff = false;
  #idleWaiters: (() => void)[] = [];
  #timer: TimerHandle | undefined;
  #closed = false;
  #written = 0;
  #coalesced = 0;
  #failed = 0;
  #dropped = 0;
  readonly #load = ({ key, signal }: { key: string; signal: AbortSignal }): Promise<V | undefined> => this.#source.get(key, { signal });

  constructor(cache: Cache<V, string>, source: Source<V>, options: WriteBehindOptions) {
    this.#cache = cache;
    this.#source = source;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? defaultRandom();
    this.#maxBatch = positiveInt(options.maxBatch ?? 100, 'writeBehind.maxBatch');
    this.#concurrency = positiveInt(options.concurrency ?? 8, 'writeBehind.concurrency');
    this.#maxPending = positiveInt(options.maxPending ?? 10_000, 'writeBehind.maxPending');
    this.#intervalMs = positiveDuration(options.flushInterval ?? '1s', 'writeBehind.flushInterval');
    this.#backoff = resolveBackoff(options.retryBackoff, 'cache.writeBehind.retryBackoff', {
      initialMs: 100,
      maxMs: 30_000,
      multiplier: 2,
      jitter: 'equal',
    });
    const maxAttempts = options.maxAttempts ?? Infinity;
    if (!(maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts > 0))) {
      throw invalidOption('writeBehind.maxAttempts', maxAttempts, 'use a positive integer, or Infinity to retry until it succeeds');
    }
    this.#maxAttempts = maxAttempts;
    this.#schedule();
  }

  get(key: string, options?: { readonly signal?: AbortSignal }): Promise<V | undefined> {
    // A queued or in-flight write is newer than anything the source holds.
    const queued = this.#pending.get(key) ?? this.#inFlight.get(key);
    if (queued !== undefined) return Promise.resolve(queued.value);
    return this.#cache.getOrLoad(key, this.#load, options);
  }

  set(key: string, value: V): Promise<void> {
    return this.#enqueue(key, 'set', value);
  }

  delete(key: string): Promise<void> {
    return this.#enqueue(key, 'delete', undefined);
  }

  async flush(): Promise<void> {
    const targets = new Set([...this.#pending.keys(), ...this.#inFlight.keys()]);
    const failedKeys: string[] = [];
    let cause: unknown;
    const onFailure = this.#events.on((event) => {
      if (event.type !== 'written' && targets.has(event.key)) {
        failedKeys.push(event.key);
        cause ??= event.error;
      }
    });
    try {
      // Each pass writes every queued target not already in flight; a key rewritten meanwhile
      // takes one more pass. Stop at the first pass with failures: those keys wait for backoff.
      while (failedKeys.length === 0 && [...targets].some((k) => this.#pending.has(k) || this.#inFlight.has(k))) {
        this.#startRound(true);
        await this.#idle();
      }
    } finally {
      onFailure.dispose();
    }
    if (failedKeys.length > 0) throw new WriteBehindError(failedKeys, cause);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#timer?.cancel();
    await this.flush();
  }

  stats(): WriteBehindStats {
    return {
      pending: this.#pending.size,
      inFlight: this.#inFlight.size,
      written: this.#written,
      coalesced: this.#coalesced,
      failed: this.#failed,
      dropped: this.#dropped,
    };
  }

  on(listener: Listener<WriteBehindEvent>): Disposable {
    return this.#events.on(listener);
  }

  async #enqueue(key: string, op: 'set' | 'delete', value: V | undefined): Promise<void> {
    if (this.#closed) throw new CacheClosedError('write-behind queue');
    const full = (): boolean => !this.#pending.has(key) && this.#pending.size >= this.#maxPending;
    while (full()) {
      this.#startRound(false);
      if (!full()) break;
      await new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      if (this.#closed) throw new CacheClosedError('write-behind queue');
    }
    // The cache first: readers see the new value at once.
    if (op === 'set') await this.#cache.set(key, value as V);
    else await this.#cache.delete(key);
    if (this.#pending.has(key)) this.#coalesced++;
    this.#pending.delete(key); // re-insert at the end: the queue stays oldest-first
    this.#pending.set(key, { op, value, attempts: 0, notBefore: 0 });
    if (this.#pending.size >= this.#maxBatch) this.#startRound(false);
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimer(this.#intervalMs, () => {
      if (this.#closed) return;
      this.#startRound(false);
      this.#schedule();
    });
  }

  /** Queues every eligible pending key for writing and starts as many writes as allowed. */
  #startRound(ignoreBackoff: boolean): void {
    const now = this.#clock.now();
    const queued = new Set(this.#round);
    for (const [key, write] of this.#pending) {
      if (queued.has(key) || this.#inFlight.has(key)) continue;
      if (ignoreBackoff || write.notBefore <= now) this.#round.push(key);
    }
    this.#roundIgnoresBackoff ||= ignoreBackoff;
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight.size < this.#concurrency && this.#round.length > 0) {
      const key = this.#round.shift()!;
      const write = this.#pending.get(key);
      if (write === undefined || this.#inFlight.has(key)) continue;
      if (!this.#roundIgnoresBackoff && write.notBefore > this.#clock.now()) continue;
      this.#pending.delete(key);
      this.#roomWaiters.shift()?.();
      this.#inFlight.set(key, write);
      void this.#write(key, write);
    }
    if (this.#round.length === 0) this.#roundIgnoresBackoff = false;
    if (this.#inFlight.size === 0 && this.#round.length === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  async #write(key: string, write: Write<V>): Promise<void> {
    write.attempts++;
    try {
      if (write.op === 'set') await this.#source.set(key, write.value as V, {});
      else await this.#source.delete(key, {});
      this.#written++;
      if (this.#events.active) this.#events.emit({ type: 'written', key, attempts: write.attempts });
    } catch (thrown) {
      this.#failed++;
      const error = toError(thrown, `The write-behind source write of key ${JSON.stringify(key)}`);
      if (this.#pending.has(key)) {
        // A newer write is queued; it supersedes this one, so nothing is retried.
      } else if (write.attempts >= this.#maxAttempts) {
        this.#dropped++;
        this.#events.emit({ type: 'write-dropped', key, error, attempts: write.attempts });
      } else {
        const retryInMs = backoffDelay(this.#backoff, write.attempts, this.#random);
        write.notBefore = this.#clock.now() + retryInMs;
        this.#pending.set(key, write);
        this.#events.emit({ type: 'write-error', key, error, attempts: write.attempts, retryInMs });
      }
    } finally {
      this.#inFlight.delete(key);
      this.#pump();
    }
  }

  #idle(): Promise<void> {
    if (this.#inFlight.size === 0 && this.#round.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

function positiveInt(value: number, option: string): number {
  if (!(Number.isInteger(value) && value > 0)) throw invalidOption(option, value, 'use a positive integer');
  return value;
}
