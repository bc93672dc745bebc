/**
 * Tied requests (Dean & Barroso, "The Tail at Scale", CACM 2013, §"Tied requests"): send the same
 * request to two servers, each tagged with the other's identity; the first server to *start
 * executing* it tells its twin to drop its copy. Unlike a hedge, the copy costs almost nothing
 * unless both servers start within one network hop of each other, and it goes out at once, so
 * queueing delay at either server is cut without waiting for a percentile.
 *
 * This file is the pure half: the client policy (`TiedPolicy`: ids, the short stagger, first
 * answer wins, a copy the server cancelled is not a failure) and the server registry
 * (`TiedRegistry`: waiting → started | cancelled, with tombstones for cancels that arrive before
 * the copy). The wire protocol lives in adapters/tied-http.ts. O(1) per request.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { HeadroomError, isHeadroomError } from '../core/errors.js';
import { defaultRandom, type Random } from '../core/random.js';
import { CancelledError } from './cancelled.js';
import type { Duration } from '../core/duration.js';
import { durationOption, intOption } from './options.js';
import type { AttemptContext, ExecuteOptions, PolicyOptions } from './policy.js';
import { invoke } from './signals.js';

/** The context a tied copy runs with: the attempt (0 or 1) and the id both copies share. */
export interface TiedContext extends AttemptContext {
  /** Id shared by the two copies; send it with each (see `tieHeaders`). */
  readonly tieId: string;
}

/**
 * A server answered that it dropped its copy because the twin started (`HR_LATENCY_TIE_CANCELLED`).
 * Throw it from the copy's function; the policy then waits for the twin.
 */
export class TieCancelledError extends HeadroomError {
  constructor(tieId: string) {
    super('HR_LATENCY_TIE_CANCELLED', `Tied copy ${tieId} was dropped by the server: its twin started first`, { details: { tieId } });
  }
}

/** Options of {@link TiedPolicy}. */
export interface TiedOptions extends PolicyOptions {
  /**
   * Delay before the second copy, ms; default 1. Dean suggests about twice the one-way network
   * delay, so that when both queues are empty the first server starts and cancels the twin before
   * it arrives (otherwise both may execute). Ms or '2ms'.
   */
  readonly delay?: Duration;
}

/** Counters of a {@link TiedPolicy}. */
export interface TiedStats {
  readonly calls: number;
  /** Second copies sent (every call sends one unless it settled within `delay`). */
  readonly secondCopies: number;
  /** Successes won by copy 0 and copy 1. */
  readonly wins: readonly [number, number];
  /** Copies a server reported as dropped (the twin ran). */
  readonly cancelledByServer: number;
}

/**
 * Client side of tied requests: two copies, the first answer wins, the loser is aborted.
 * @throws HR_LATENCY_INVALID_OPTION on a negative delay
 * @example
 * ```ts
 * const tied = new TiedPolicy();
 * const [a, b] = ['http://127.0.0.1:8001', 'http://127.0.0.1:8002'];
 * const text = await tied.execute(async ({ signal, attempt, tieId }) => {
 *   const [self, twin] = attempt === 0 ? [a, b] : [b, a];
 *   const res = await fetch(self + '/work', { signal, headers: tieHeaders(tieId, twin) });
 *   if (isTieCancelled(res.status, res.headers)) throw new TieCancelledError(tieId);
 *   return res.text();
 * });
 * ```
 */
export class TiedPolicy {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #delayMs: number;
  readonly #wins: [number, number] = [0, 0];
  #calls = 0;
  #secondCopies = 0;
  #cancelled = 0;

  constructor(options: TiedOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = (options.random ?? defaultRandom()).fork('tied');
    this.#delayMs = durationOption('delay', options.delay, 1);
  }

  /** Counters since construction. */
  stats(): TiedStats {
    return {
      calls: this.#calls,
      secondCopies: this.#secondCopies,
      wins: [this.#wins[0], this.#wins[1]],
      cancelledByServer: this.#cancelled,
    };
  }

  /** A fresh 64-bit tie id (hex) from the injected Random. */
  newTieId(): string {
    return hex8(this.#random.int(4294967296)) + hex8(this.#random.int(4294967296));
  }

  /**
   * Sends copy 0 now and copy 1 after `delayMs`; resolves with the first success.
   * @throws the copies' error when both fail (a real error is preferred over a tie cancellation)
   * @throws the caller's `signal.reason` on abort
   */
  execute<T>(fn: (context: TiedContext) => Promise<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    this.#calls++;
    const tieId = this.newTieId();
    return new Promise<T>((resolve, reject) => {
      const controllers = [new AbortController(), new AbortController()] as const;
      let settled = false;
      let failures = 0;
      let error: unknown;
      let timer: TimerHandle | undefined;
      const finish = (): void => {
        settled = true;
        timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        if (settled) return;
        finish();
        for (const c of controllers) c.abort(signal!.reason);
        reject(signal!.reason);
      };
      const launch = (attempt: 0 | 1): void => {
        const context: TiedContext = { signal: controllers[attempt].signal, attempt, deadline: options.deadline, tieId };
        invoke(fn, context).then(
          (value) => {
            if (settled) return;
            finish();
            this.#wins[attempt]++;
            controllers[1 - attempt]!.abort(new CancelledError('tie-lost'));
            resolve(value);
          },
          (e: unknown) => {
            if (isHeadroomError(e, 'HR_LATENCY_TIE_CANCELLED')) this.#cancelled++;
            if (settled) return;
            if (error === undefined || isHeadroomError(error, 'HR_LATENCY_TIE_CANCELLED')) error = e;
            // Copy 1 is always sent (unless the call settled), so the call fails when both have.
            if (++failures === 2) {
              finish();
              reject(error);
            }
          },
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      launch(0);
      timer = this.#clock.setTimer(this.#delayMs, () => {
        timer = undefined;
        if (settled) return;
        this.#secondCopies++;
        launch(1);
      });
    });
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Where a tied copy is on a server. */
export type TieState = 'waiting' | 'started' | 'cancelled';

/** A server's handle on one tied copy. */
export class TieTicket {
  /** The shared tie id. */
  readonly id: string;
  /** The twin's server (as announced by the client). */
  readonly peer: string;
  readonly #registry: TiedRegistry;
  readonly #controller = new AbortController();
  #state: TieState;

  /** @internal */
  constructor(registry: TiedRegistry, id: string, peer: string, cancelled: boolean) {
    this.#registry = registry;
    this.id = id;
    this.peer = peer;
    this.#state = cancelled ? 'cancelled' : 'waiting';
    if (cancelled) this.#controller.abort(new TieCancelledError(id));
  }

  /** The copy's state. */
  get state(): TieState {
    return this.#state;
  }

  /** Aborts (reason: `TieCancelledError`) when the twin cancels this copy while it waits. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Call just before executing: true means run it (and tell the twin to drop its copy);
   * false means the twin already started — answer "cancelled" without doing the work.
   */
  start(): boolean {
    if (this.#state !== 'waiting') return this.#state === 'started';
    this.#state = 'started';
    return true;
  }

  /** The twin asked us to drop this copy; true when it was still waiting. @internal */
  cancel(): boolean {
    if (this.#state !== 'waiting') return false;
    this.#state = 'cancelled';
    this.#controller.abort(new TieCancelledError(this.id));
    return true;
  }

  /** The request is over; forget it. Idempotent. */
  finish(): void {
    this.#registry.forget(this);
  }
}

/** Options of {@link TiedRegistry}. */
export interface TiedRegistryOptions {
  /** Clock for tombstone expiry; default `systemClock`. */
  readonly clock?: Clock;
  /** How long a cancel for a copy not yet arrived is remembered, ms or '10s'; default 10,000. */
  readonly tombstoneTtl?: Duration;
  /** Most remembered early cancels (oldest forgotten first); default 100,000. */
  readonly maxTombstones?: number;
}

/** What a cancel found. */
export type TieCancelResult = 'cancelled' | 'started' | 'unknown';

/**
 * Server side of tied requests: tracks copies by tie id so the twin's cancel can find them.
 * @example
 * ```ts
 * const ticket = registry.arrive(id, peer);   // on arrival
 * await waitForWorker(ticket.signal);         // queueing; aborts if the twin started
 * if (!ticket.start()) return replyCancelled();
 * notifyPeer(ticket);                         // the twin's copy is dropped
 * try { await work(); } finally { ticket.finish(); }
 * ```
 */
export class TiedRegistry {
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #maxTombstones: number;
  readonly #tickets = new Map<string, TieTicket>();
  // Insertion order is expiry order (one TTL), so pruning pops from the front.
  readonly #tombstones = new Map<string, number>();

  constructor(options: TiedRegistryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = durationOption('tombstoneTtl', options.tombstoneTtl, 10_000);
    this.#maxTombstones = intOption('maxTombstones', options.maxTombstones, 100_000, 0);
  }

  /** Copies currently tracked. */
  get size(): number {
    return this.#tickets.size;
  }

  /** Registers an arriving copy; it is born cancelled when its twin's cancel came first. */
  arrive(id: string, peer: string): TieTicket {
    const now = this.#clock.now();
    this.#prune(now);
    const early = this.#tombstones.delete(id);
    const ticket = new TieTicket(this, id, peer, early);
    if (!early) this.#tickets.set(id, ticket);
    return ticket;
  }

  /** The twin started: drop our copy if it is still waiting. */
  cancel(id: string): TieCancelResult {
    const ticket = this.#tickets.get(id);
    if (ticket !== undefined) return ticket.cancel() ? 'cancelled' : 'started';
    const now = this.#clock.now();
    this.#prune(now);
    if (this.#maxTombstones > 0) {
      if (this.#tombstones.size >= this.#maxTombstones) this.#tombstones.delete(this.#tombstones.keys().next().value!);
      this.#tombstones.set(id, now + this.#ttlMs);
    }
    return 'unknown';
  }

  /** @internal */
  forget(ticket: TieTicket): void {
    if (this.#tickets.get(ticket.id) === ticket) this.#tickets.delete(ticket.id);
  }

  #prune(now: number): void {
    for (const [id, expiresMs] of this.#tombstones) {
      if (expiresMs > now) break;
      this.#tombstones.delete(id);
    }
  }
}
