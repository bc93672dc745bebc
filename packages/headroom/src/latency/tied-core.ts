/**
 * The synchronous decision core of tied requests (client side): the stagger before copy 1, the
 * tie id, which copy wins, and when the call has failed (both copies failed; a copy its server
 * dropped because the twin started is not an error while the twin runs). `TiedPolicy` is the
 * async driver over it (tied.ts); the simulator drives the same class. The server side,
 * `TiedRegistry`, is synchronous already. O(1) per decision; nothing here awaits.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { isHeadroomError } from '../core/errors.js';
import { defaultRandom, type Random } from '../core/random.js';
import { durationOption } from './options.js';
import type { PolicyOptions } from './policy.js';

/** Options of {@link TiedPolicy} and {@link TiedCore}. */
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
 * Policy-wide state of tied requests: the stagger, ids from the injected Random, counters.
 * @throws HR_LATENCY_INVALID_OPTION (HR_CORE_INVALID_DURATION) on a negative or malformed delay
 * @example
 * ```ts
 * const core = new TiedCore({ random, delay: 1 });
 * const run = core.begin();          // send copy 0 tagged run.tieId
 * // after core.delayMs: if (run.secondDue()) send copy 1
 * if (run.succeeded(0)) { … abort copy 1 … }
 * ```
 */
export class TiedCore {
  /** The clock the async driver's stagger timer runs on. */
  readonly clock: Clock;
  /** Delay before copy 1, ms. */
  readonly delayMs: number;
  readonly #random: Random;
  /** @internal */ calls = 0;
  /** @internal */ secondCopies = 0;
  /** @internal */ readonly wins: [number, number] = [0, 0];
  /** @internal */ cancelledByServer = 0;

  constructor(options: TiedOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#random = (options.random ?? defaultRandom()).fork('tied');
    this.delayMs = durationOption('delay', options.delay, 1);
  }

  /** A fresh 64-bit tie id (hex) from the injected Random. */
  newTieId(): string {
    return hex8(this.#random.int(4294967296)) + hex8(this.#random.int(4294967296));
  }

  /** A call starts: counts it and returns its per-call state with a fresh tie id (send copy 0 now). */
  begin(): TiedRun {
    this.calls++;
    return new TiedRun(this, this.newTieId());
  }

  /** Counters since construction. */
  stats(): TiedStats {
    return {
      calls: this.calls,
      secondCopies: this.secondCopies,
      wins: [this.wins[0], this.wins[1]],
      cancelledByServer: this.cancelledByServer,
    };
  }
}

/** One tied call: two copies, the first success wins, it fails only when both copies have failed. */
export class TiedRun {
  /** Id shared by the two copies. */
  readonly tieId: string;
  /** True once a copy won, both failed, or the caller gave up. */
  settled = false;
  /** The error to report when the call failed (a real error is preferred over a tie cancellation). */
  error: unknown = undefined;
  readonly #core: TiedCore;
  #failures = 0;

  /** @internal use {@link TiedCore.begin} */
  constructor(core: TiedCore, tieId: string) {
    this.#core = core;
    this.tieId = tieId;
  }

  /** The stagger has passed: true when copy 1 should be sent now (the call is not settled). */
  secondDue(): boolean {
    if (this.settled) return false;
    this.#core.secondCopies++;
    return true;
  }

  /** Copy `attempt` (0 or 1) succeeded: true when it wins (then abort the other copy), false when the call was settled already. */
  succeeded(attempt: 0 | 1): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.#core.wins[attempt]++;
    return true;
  }

  /**
   * A copy failed. Copy 1 is always sent unless the call settled, so the call fails when both have.
   * @param tieCancelled - the server dropped the copy because its twin started (default: read from `error`)
   * @returns true when the call has now failed; `error` holds what to report
   */
  failed(error: unknown, tieCancelled: boolean = isHeadroomError(error, 'HR_LATENCY_TIE_CANCELLED')): boolean {
    if (tieCancelled) this.#core.cancelledByServer++;
    if (this.settled) return false;
    if (this.error === undefined || isHeadroomError(this.error, 'HR_LATENCY_TIE_CANCELLED')) this.error = error;
    if (++this.#failures < 2) return false;
    this.settled = true;
    return true;
  }

  /** The caller gave up: the call is settled. */
  abandon(): void {
    this.settled = true;
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
