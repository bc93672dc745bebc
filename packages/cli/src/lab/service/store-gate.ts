/**
 * The replica's way into the store: a connection pool of `poolSize` slots (FIFO wait), an
 * emulated network round trip of `latencyMs` per query, and counters. A database on another host
 * costs a round trip on every query; the embedded SQLite file costs microseconds, which would hide
 * what caching and load shedding buy. The delay is a sleep, not CPU work, so the lab's figures do
 * not depend on how busy this machine's two cores are. Capacity of one replica's store path is
 * therefore `poolSize / latencyMs` queries per ms — the number the overload scenario doubles.
 */
import { type Clock, sleep, HeadroomError } from 'headroom';

/** Options of a {@link StoreGate}. */
export interface StoreGateOptions {
  /** Concurrent queries allowed (the pool size), ≥ 1. */
  readonly poolSize: number;
  /** Emulated round trip added to each query, ms, ≥ 0. */
  readonly latencyMs: number;
  /** Time source for the emulated round trip. */
  readonly clock: Clock;
}

/** Counters of one gate since it was made. */
export interface StoreGateCounters {
  /** Queries run (reads and writes). */
  readonly queries: number;
  /** Queries whose key was the configured hot key. */
  readonly hotKeyQueries: number;
  /** Most queries waiting for a slot at once. */
  readonly maxQueued: number;
}

/** A bounded pool in front of the store; see the file comment. */
export class StoreGate {
  readonly #options: StoreGateOptions;
  readonly #waiters: ((error?: Error) => void)[] = [];
  #head = 0;
  #busy = 0;
  #closed = false;
  #queries = 0;
  #hotKeyQueries = 0;
  #maxQueued = 0;

  constructor(options: StoreGateOptions) {
    this.#options = options;
  }

  /**
   * Runs one query when a slot is free, after the emulated round trip.
   * @param query - the store call
   * @param hot - whether this query is for the hot key (counted apart)
   * @throws HR_LAB_GATE_CLOSED when the gate was closed (the phase ended) while the query waited
   */
  async run<T>(query: () => Promise<T>, hot: boolean): Promise<T> {
    await this.#acquire();
    try {
      this.#queries++;
      if (hot) this.#hotKeyQueries++;
      if (this.#options.latencyMs > 0) await sleep(this.#options.clock, this.#options.latencyMs);
      return await query();
    } finally {
      this.#release();
    }
  }

  /** Counters so far. */
  counters(): StoreGateCounters {
    return { queries: this.#queries, hotKeyQueries: this.#hotKeyQueries, maxQueued: this.#maxQueued };
  }

  /** Fails every waiting query at once (running ones finish), so a new phase starts with an empty queue. */
  close(): void {
    this.#closed = true;
    const error = new HeadroomError('HR_LAB_GATE_CLOSED', 'The lab phase ended while this query waited for a store connection.');
    while (this.#head < this.#waiters.length) this.#waiters[this.#head++]!(error);
  }

  #acquire(): Promise<void> {
    if (this.#closed) {
      return Promise.reject(new HeadroomError('HR_LAB_GATE_CLOSED', 'The lab phase ended while this query waited for a store connection.'));
    }
    if (this.#busy < this.#options.poolSize) {
      this.#busy++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push((error) => (error === undefined ? resolve() : reject(error)));
      const queued = this.#waiters.length - this.#head;
      if (queued > this.#maxQueued) this.#maxQueued = queued;
    });
  }

  #release(): void {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = noop;
      // Compact once the consumed prefix dominates, so the array does not grow for the whole phase.
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters.splice(0, this.#head);
        this.#head = 0;
      }
      next();
      return;
    }
    this.#busy--;
  }
}

function noop(): void {}
