/**
 * One in-flight load shared by every caller of the same key (single-flight, as Go's
 * `golang.org/x/sync/singleflight` and the "request coalescing" of CDNs).
 *
 * Each caller may bring its own AbortSignal: aborting it rejects that caller's wait only. The
 * shared load's own signal aborts when the last waiter leaves — unless a waiter without a
 * signal (or a background refresh) has pinned it. A flight can be *voided* (its key was written
 * or invalidated while it ran): its result still reaches its waiters, but is never stored —
 * the generation check that prevents stale sets (cf. the leases of Nishtala et al., "Scaling
 * Memcache at Facebook", NSDI 2013).
 *
 * O(1) per join and leave; one promise and one listener per caller with a signal.
 */

import type { TierEntry } from '../tier.js';

/** Called when every waiter has left an unsettled flight. */
export type AbandonHandler<V> = (flight: Flight<V>) => void;

export class Flight<V> {
  /** The key being loaded. */
  readonly key: string;
  /** When the load started (cache clock, ms). */
  readonly startedAt: number;
  #controller: AbortController | undefined;
  /** Settles with the load's outcome. Rejections are marked handled, so nobody is forced to listen. */
  readonly promise: Promise<V>;
  /** True for a background refresh (stale-while-revalidate or early refresh). */
  background = false;
  /** True when the shared tier answered (no loader ran: not counted as a load). */
  servedByTier = false;
  /** With a shared tier: the entry read from or written to it, whose expiry L1 adopts. */
  tierEntry: TierEntry<V> | undefined;
  /** True once the result must not be stored (the key changed while loading). */
  voided = false;
  /** Tags the result will carry: a list, a function of the value (unknown until it settles), or none. */
  tags: readonly string[] | 'dynamic' | undefined;
  #settled = false;
  #waiters = 0;
  #pinned = false;
  #handled = false;
  #resolve!: (value: V) => void;
  #reject!: (error: unknown) => void;
  readonly #onAbandon: AbandonHandler<V>;

  constructor(key: string, startedAt: number, onAbandon: AbandonHandler<V>) {
    this.key = key;
    this.startedAt = startedAt;
    this.#onAbandon = onAbandon;
    this.promise = new Promise<V>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /**
   * Aborted when every waiter has gone (or the cache closes); passed to the loader. Created on
   * first use: a load served by a shared tier never needs one, and AbortControllers are not cheap.
   */
  get signal(): AbortSignal {
    return (this.#controller ??= new AbortController()).signal;
  }

  /** True once the shared load was aborted. */
  get aborted(): boolean {
    return this.#controller?.signal.aborted ?? false;
  }

  /** True once resolved or rejected. */
  get settled(): boolean {
    return this.#settled;
  }

  /** Keeps the shared load running whatever the signalled waiters do (background refresh, or a waiter without a signal). */
  pin(): void {
    // Nobody may ever await a pinned background load: keep its failure from going unhandled.
    this.#markHandled();
    this.#pinned = true;
  }

  /**
   * Waits for the load. Without a signal the flight is pinned; with one, aborting it rejects
   * this wait with `signal.reason` and, if it was the last waiter, aborts the shared load.
   */
  join(signal: AbortSignal | undefined): Promise<V> {
    if (signal === undefined) {
      this.#pinned = true;
      return this.promise;
    }
    if (signal.aborted) {
      this.#markHandled();
      return Promise.reject(signal.reason);
    }
    if (this.#settled) return this.promise;
    this.#waiters++;
    return new Promise<V>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        this.#leave(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Resolves every waiter with `value`. Later calls are ignored. */
  resolve(value: V): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(value);
  }

  /** Rejects every waiter with `error`. Later calls are ignored. */
  reject(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#reject(error);
  }

  /** Aborts the shared load (e.g. the cache closes) and rejects every waiter with `reason`. */
  abort(reason: unknown): void {
    this.voided = true;
    (this.#controller ??= new AbortController()).abort(reason);
    this.reject(reason);
  }

  /** Marks the shared promise's rejection as handled (once): some flights end with no listener. */
  #markHandled(): void {
    if (this.#handled) return;
    this.#handled = true;
    this.promise.catch(noop);
  }

  #leave(reason: unknown): void {
    this.#waiters--;
    if (this.#waiters > 0 || this.#pinned || this.#settled) return;
    // Nobody is left to receive the result: stop the load, and never store what it returns.
    this.voided = true;
    (this.#controller ??= new AbortController()).abort(reason);
    this.#onAbandon(this);
  }
}

function noop(): void {}

/** What a loader receives for a flight (the signal is created only if the loader reads it). */
export class FlightContext<V> {
  readonly key: string;
  readonly stale: V | undefined;
  readonly #flight: Flight<V | undefined>;

  constructor(flight: Flight<V | undefined>, stale: V | undefined) {
    this.key = flight.key;
    this.stale = stale;
    this.#flight = flight;
  }

  get signal(): AbortSignal {
    return this.#flight.signal;
  }
}
