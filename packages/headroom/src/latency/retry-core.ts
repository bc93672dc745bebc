/**
 * The synchronous decision core of retries: after a failed attempt, retry or give up — by attempts
 * left, by `retryOn`, by the deadline (room for the backoff and another attempt) and by the
 * {@link TokenBudget} (Finagle's retry budget) — and how long to back off (exponential with the
 * injected Random's jitter; at least a `LoadShedError`'s `retryAfterMs`). `RetryPolicy` is the
 * async driver over it (retry.ts); the simulator drives the same class. O(1) per decision.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { backoffDelay, resolveBackoff, type Backoff, type BackoffOptions } from '../core/backoff.js';
import type { Duration } from '../core/duration.js';
import { Emitter } from '../core/events.js';
import { defaultRandom, type Random } from '../core/random.js';
import { isHeadroomError, LoadShedError } from '../core/errors.js';
import { TokenBudget, type TokenBudgetOptions } from './budget.js';
import { durationOption, intOption } from './options.js';
import type { PolicyOptions } from './policy.js';

/** Options of {@link RetryPolicy} and {@link RetryCore}. */
export interface RetryOptions extends PolicyOptions {
  /** Attempts in total, including the first, 1–100; default 3. */
  readonly maxAttempts?: number;
  /**
   * Retry budget: a shared `TokenBudget`, options for a new one, or `false` for none (not advised).
   * Default: Finagle's — 20% of calls plus 10 retries/s, at most 100 banked.
   */
  readonly budget?: TokenBudget | TokenBudgetOptions | false;
  /** Backoff between attempts; default `{ initial: 25, max: 1000, multiplier: 2, jitter: 'full' }` (uniform in [0, ceiling]). */
  readonly backoff?: BackoffOptions;
  /**
   * Which errors are worth another attempt; default: all except aborts, deadlines and invalid options.
   * @param error - the failed attempt's error
   * @param attempt - index of the attempt that failed (0 = first)
   */
  readonly retryOn?: (error: unknown, attempt: number) => boolean;
  /** Least time a retry needs after its backoff (ms or '20ms'); a retry that would not fit the deadline is not made. Default 0. */
  readonly minAttempt?: Duration;
}

/** Why a retry was not made. */
export type RetryGiveUpReason = 'attempts' | 'budget' | 'deadline' | 'not-retryable';

/** Events of a {@link RetryPolicy} (and its {@link RetryCore}). */
export type RetryEvent =
  | { readonly type: 'retry'; readonly attempt: number; readonly backoffMs: number; readonly error: unknown }
  | { readonly type: 'give-up'; readonly attempt: number; readonly reason: RetryGiveUpReason; readonly error: unknown };

/** What to do after a failed attempt: retry after `backoffMs`, or give up for `reason`. */
export type RetryDecision =
  { readonly retry: true; readonly backoffMs: number } | { readonly retry: false; readonly reason: RetryGiveUpReason };

/**
 * Retry decisions, synchronous.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example
 * ```ts
 * const core = new RetryCore({ clock, random, maxAttempts: 3 });
 * core.begin();                                    // once per call (earns budget)
 * const d = core.decide(error, 0, deadline.remainingMs());
 * if (d.retry) scheduleAfter(d.backoffMs);         // else give up: d.reason
 * ```
 */
export class RetryCore {
  /** The clock the budget refills on (and the async driver sleeps on). */
  readonly clock: Clock;
  /** Retry and give-up events. */
  readonly events = new Emitter<RetryEvent>();
  readonly #random: Random;
  readonly #maxAttempts: number;
  readonly #budget: TokenBudget | undefined;
  readonly #backoff: Backoff;
  readonly #retryOn: (error: unknown, attempt: number) => boolean;
  readonly #minAttemptMs: number;

  constructor(options: RetryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.#random = (options.random ?? defaultRandom()).fork('retry');
    this.#maxAttempts = intOption('maxAttempts', options.maxAttempts, 3, 1, 100);
    const budget = options.budget;
    this.#budget =
      budget === false ? undefined : budget instanceof TokenBudget ? budget : new TokenBudget({ clock: this.clock, ...budget });
    this.#backoff = resolveBackoff(options.backoff, 'backoff', { initialMs: 25, maxMs: 1000, multiplier: 2, jitter: 'full' });
    this.#retryOn = options.retryOn ?? defaultRetryOn;
    this.#minAttemptMs = durationOption('minAttempt', options.minAttempt, 0);
  }

  /** The budget retries spend, or undefined without one. */
  get budget(): TokenBudget | undefined {
    return this.#budget;
  }

  /** A call starts: earns its share of the retry budget. */
  begin(nowMs: number = this.clock.now()): void {
    this.#budget?.deposit(nowMs);
  }

  /** The backoff before retry number `retry` (1 = first retry), ms, drawn with the configured jitter. */
  backoffMs(retry: number): number {
    return backoffDelay(this.#backoff, retry, this.#random);
  }

  /**
   * Attempt `attempt` (0 = first) failed with `error`: retry or give up.
   * @param remainingMs - time left before the call's deadline, ms; undefined without a deadline
   * @param nowMs - clock time, for the budget's refill
   * @param retryable - whether the error is worth a retry; default `retryOn(error, attempt)`
   */
  decide(error: unknown, attempt: number, remainingMs?: number, nowMs: number = this.clock.now(), retryable?: boolean): RetryDecision {
    if (attempt + 1 >= this.#maxAttempts) return this.#giveUp(attempt, 'attempts', error);
    if (!(retryable ?? this.#retryOn(error, attempt))) return this.#giveUp(attempt, 'not-retryable', error);
    let backoffMs = this.backoffMs(attempt + 1);
    if (error instanceof LoadShedError) backoffMs = Math.max(backoffMs, error.retryAfterMs);
    if (remainingMs !== undefined && remainingMs < backoffMs + this.#minAttemptMs) return this.#giveUp(attempt, 'deadline', error);
    if (this.#budget !== undefined && !this.#budget.tryWithdraw(nowMs)) return this.#giveUp(attempt, 'budget', error);
    if (this.events.active) this.events.emit({ type: 'retry', attempt: attempt + 1, backoffMs, error });
    return { retry: true, backoffMs };
  }

  #giveUp(attempt: number, reason: RetryGiveUpReason, error: unknown): RetryDecision {
    if (this.events.active) this.events.emit({ type: 'give-up', attempt, reason, error });
    return { retry: false, reason };
  }
}

/** Default `retryOn`: everything except cancellations, passed deadlines and invalid input. */
function defaultRetryOn(error: unknown): boolean {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return false;
  if (isHeadroomError(error)) {
    return !(error.code === 'HR_CORE_DEADLINE_EXCEEDED' || error.code === 'HR_LATENCY_CANCELLED' || error.code.endsWith('_INVALID_OPTION'));
  }
  return true;
}
