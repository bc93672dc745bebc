/**
 * Tied requests (Dean & Barroso, "The Tail at Scale", CACM 2013, §"Tied requests"): send the same
 * request to two servers, each tagged with the other's identity; the first server to *start
 * executing* it tells its twin to drop its copy. Unlike a hedge, the copy costs almost nothing
 * unless both servers start within one network hop of each other, and it goes out at once, so
 * queueing delay at either server is cut without waiting for a percentile.
 *
 * This file is the pure half: the client policy (`TiedPolicy`, the async driver of the synchronous
 * `TiedCore` in tied-core.ts: ids, the short stagger, first answer wins, a copy the server
 * cancelled is not a failure) and the server registry
 * (`TiedRegistry`: waiting → started | cancelled, with tombstones for cancels that arrive before
 * the copy). The wire protocol lives in adapters/tied-http.ts. O(1) per request.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { HeadroomError } from '../core/errors.js';
import { CancelledError } from './cancelled.js';
import type { Duration } from '../core/duration.js';
import { durationOption, intOption } from './options.js';
import type { AttemptContext, ExecuteOptions } from './policy.js';
import { invoke } from './signals.js';
import { TiedCore, type TiedOptions, type TiedStats } from './tied-core.js';

export { TiedCore, TiedRun, type TiedOptions, type TiedStats } from './tied-core.js';

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
  readonly #core: TiedCore;

  constructor(options: TiedOptions = {}) {
    this.#core = new TiedCore(options);
  }

  /** The synchronous decision core this policy drives (the simulator drives the same class). */
  get core(): TiedCore {
    return this.#core;
  }

  /** Counters since construction. */
  stats(): TiedStats {
    return this.#core.stats();
  }

  /** A fresh 64-bit tie id (hex) from the injected Random. */
  newTieId(): string {
    return this.#core.newTieId();
  }

  /**
   * Sends copy 0 now and copy 1 after `delayMs`; resolves with the first success.
   * @throws the copies' error when both fail (a real error is preferred over a tie cancellation)
   * @throws the caller's `signal.reason` on abort
   */
  execute<T>(fn: (context: TiedContext) => Promise<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const core = this.#core;
    const run = core.begin();
    return new Promise<T>((resolve, reject) => {
      const controllers = [new AbortController(), new AbortController()] as const;
      let timer: TimerHandle | undefined;
      const finish = (): void => {
        timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        if (run.settled) return;
        run.abandon();
        finish();
        for (const c of controllers) c.abort(signal!.reason);
        reject(signal!.reason);
      };
      const launch = (attempt: 0 | 1): void => {
        const context: TiedContext = { signal: controllers[attempt].signal, attempt, deadline: options.deadline, tieId: run.tieId };
        invoke(fn, context).then(
          (value) => {
            if (!run.succeeded(attempt)) return;
            finish();
            controllers[1 - attempt]!.abort(new CancelledError('tie-lost'));
            resolve(value);
          },
          (e: unknown) => {
            if (!run.failed(e)) return;
            finish();
            reject(run.error);
          },
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      launch(0);
      timer = core.clock.setTimer(core.delayMs, () => {
        timer = undefined;
        if (run.secondDue()) launch(1);
      });
    });
  }
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
