/**
 * RetryPolicy: retries failed calls, but only within a {@link TokenBudget} (Finagle's retry
 * budget: a ratio of calls plus a minimum rate), only while the deadline leaves room for the
 * backoff and another attempt, and with exponential backoff jittered from the injected Random
 * through the core backoff helper (AWS Architecture Blog, "Exponential Backoff and Jitter",
 * Brooker 2015: full or equal jitter). A `LoadShedError` from downstream is honoured: the wait is at least its
 * `retryAfterMs`. O(1) per attempt plus one timer per backoff.
 */
import { systemClock, sleep, type Clock } from '../core/clock.js';
import { backoffDelay, resolveBackoff, type Backoff, type BackoffOptions } from '../core/backoff.js';
import { type Duration } from '../core/duration.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import { defaultRandom, type Random } from '../core/random.js';
import { isHeadroomError, LoadShedError } from '../core/errors.js';
import { TokenBudget, type TokenBudgetOptions } from './budget.js';
import { durationOption, intOption } from './options.js';
import type { ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import { invoke } from './signals.js';

/** Options of {@link RetryPolicy}. */
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

/** Events of a {@link RetryPolicy}. */
export type RetryEvent =
  | { readonly type: 'retry'; readonly attempt: number; readonly backoffMs: number; readonly error: unknown }
  | {
      readonly type: 'give-up';
      readonly attempt: number;
      readonly reason: 'attempts' | 'budget' | 'deadline' | 'not-retryable';
      readonly error: unknown;
    };

/**
 * Retries within a budget and a deadline, with jittered backoff.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example
 * ```ts
 * const retry = new RetryPolicy({ maxAttempts: 3, backoff: { initial: '20ms', jitter: 'full' } });
 * const data = await retry.execute(({ signal }) => fetch(url, { signal }).then((r) => r.json()));
 * ```
 */
export class RetryPolicy implements Policy {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #maxAttempts: number;
  readonly #budget: TokenBudget | undefined;
  readonly #backoff: Backoff;
  readonly #retryOn: (error: unknown, attempt: number) => boolean;
  readonly #minAttemptMs: number;
  readonly #events = new Emitter<RetryEvent>();

  constructor(options: RetryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#random = (options.random ?? defaultRandom()).fork('retry');
    this.#maxAttempts = intOption('maxAttempts', options.maxAttempts, 3, 1, 100);
    const budget = options.budget;
    this.#budget =
      budget === false ? undefined : budget instanceof TokenBudget ? budget : new TokenBudget({ clock: this.#clock, ...budget });
    this.#backoff = resolveBackoff(options.backoff, 'backoff', { initialMs: 25, maxMs: 1000, multiplier: 2, jitter: 'full' });
    this.#retryOn = options.retryOn ?? defaultRetryOn;
    this.#minAttemptMs = durationOption('minAttempt', options.minAttempt, 0);
  }

  /** Subscribes to retry and give-up events. */
  on(listener: Listener<RetryEvent>): Disposable {
    return this.#events.on(listener);
  }

  /** The backoff before retry number `retry` (1 = first retry), ms, drawn with the configured jitter. */
  backoffMs(retry: number): number {
    return backoffDelay(this.#backoff, retry, this.#random);
  }

  /**
   * Runs `fn`, retrying failures that `retryOn` accepts while attempts, budget and deadline allow.
   * @throws the last attempt's error when no retry is allowed; the caller's `signal.reason` on abort
   */
  async execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    const deadline = options.deadline;
    this.#budget?.deposit();
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted === true) throw signal.reason;
      try {
        return await invoke(fn, { signal: signal ?? NEVER, attempt, deadline });
      } catch (error) {
        // Re-read: the signal may have aborted while the attempt ran.
        if (aborted(signal)) throw signal!.reason;
        const giveUp = this.#giveUp(error, attempt);
        if (giveUp !== undefined) throw this.#emitGiveUp(attempt, giveUp, error);
        let backoffMs = this.backoffMs(attempt + 1);
        if (error instanceof LoadShedError) backoffMs = Math.max(backoffMs, error.retryAfterMs);
        if (deadline !== undefined && deadline.remainingMs() < backoffMs + this.#minAttemptMs) {
          throw this.#emitGiveUp(attempt, 'deadline', error);
        }
        if (this.#budget !== undefined && !this.#budget.tryWithdraw()) throw this.#emitGiveUp(attempt, 'budget', error);
        if (this.#events.active) this.#events.emit({ type: 'retry', attempt: attempt + 1, backoffMs, error });
        if (backoffMs > 0) await sleep(this.#clock, backoffMs, signal);
      }
    }
  }

  #giveUp(error: unknown, attempt: number): 'attempts' | 'not-retryable' | undefined {
    if (attempt + 1 >= this.#maxAttempts) return 'attempts';
    return this.#retryOn(error, attempt) ? undefined : 'not-retryable';
  }

  #emitGiveUp(attempt: number, reason: 'attempts' | 'budget' | 'deadline' | 'not-retryable', error: unknown): unknown {
    if (this.#events.active) this.#events.emit({ type: 'give-up', attempt, reason, error });
    return error;
  }
}

const NEVER = new AbortController().signal;

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Default `retryOn`: everything except cancellations, passed deadlines and invalid input. */
function defaultRetryOn(error: unknown): boolean {
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return false;
  if (isHeadroomError(error)) {
    return !(error.code === 'HR_CORE_DEADLINE_EXCEEDED' || error.code === 'HR_LATENCY_CANCELLED' || error.code.endsWith('_INVALID_OPTION'));
  }
  return true;
}
