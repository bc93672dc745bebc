/**
 * RetryPolicy: retries failed calls, but only within a {@link TokenBudget} (Finagle's retry
 * budget: a ratio of calls plus a minimum rate), only while the deadline leaves room for the
 * backoff and another attempt, and with exponential backoff jittered from the injected Random
 * (AWS Architecture Blog, "Exponential Backoff and Jitter", Brooker 2015: full, equal,
 * decorrelated). A `LoadShedError` from downstream is honoured: the wait is at least its
 * `retryAfterMs`. O(1) per attempt plus one timer per backoff.
 */
import { systemClock, sleep, type Clock } from '../core/clock.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import { defaultRandom, type Random } from '../core/random.js';
import { isHeadroomError, LoadShedError } from '../core/errors.js';
import { TokenBudget, type TokenBudgetOptions } from './budget.js';
import { intOption, invalidOption, numberOption } from './options.js';
import type { ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import { invoke } from './signals.js';

/** Jitter strategies of the AWS backoff article. */
export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

/** Backoff settings of {@link RetryPolicy}. */
export interface BackoffOptions {
  /** First backoff, ms; default 25. */
  readonly baseMs?: number;
  /** Largest backoff, ms; default 1,000. */
  readonly maxMs?: number;
  /** Growth per retry; default 2. */
  readonly multiplier?: number;
  /** Jitter; default 'full' (uniform in [0, backoff]). */
  readonly jitter?: Jitter;
}

/** Options of {@link RetryPolicy}. */
export interface RetryOptions extends PolicyOptions {
  /** Attempts in total, including the first, 1–100; default 3. */
  readonly maxAttempts?: number;
  /**
   * Retry budget: a shared `TokenBudget`, options for a new one, or `false` for none (not advised).
   * Default: Finagle's — 20% of calls plus 10 retries/s, at most 100 banked.
   */
  readonly budget?: TokenBudget | TokenBudgetOptions | false;
  /** Backoff between attempts. */
  readonly backoff?: BackoffOptions;
  /**
   * Which errors are worth another attempt; default: all except aborts, deadlines and invalid options.
   * @param error - the failed attempt's error
   * @param attempt - index of the attempt that failed (0 = first)
   */
  readonly retryOn?: (error: unknown, attempt: number) => boolean;
  /** Least time a retry needs after its backoff, ms; a retry that would not fit the deadline is not made. Default 0. */
  readonly minAttemptMs?: number;
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
 * const retry = new RetryPolicy({ maxAttempts: 3, backoff: { baseMs: 20, jitter: 'full' } });
 * const data = await retry.execute(({ signal }) => fetch(url, { signal }).then((r) => r.json()));
 * ```
 */
export class RetryPolicy implements Policy {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #maxAttempts: number;
  readonly #budget: TokenBudget | undefined;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #multiplier: number;
  readonly #jitter: Jitter;
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
    const backoff = options.backoff ?? {};
    this.#baseMs = numberOption('backoff.baseMs', backoff.baseMs, 25, 0);
    this.#maxMs = numberOption('backoff.maxMs', backoff.maxMs, 1000, this.#baseMs);
    this.#multiplier = numberOption('backoff.multiplier', backoff.multiplier, 2, 1);
    const jitter = backoff.jitter ?? 'full';
    if (!['none', 'full', 'equal', 'decorrelated'].includes(jitter)) {
      throw invalidOption('backoff.jitter', jitter, "use 'none', 'full', 'equal' or 'decorrelated'");
    }
    this.#jitter = jitter;
    this.#retryOn = options.retryOn ?? defaultRetryOn;
    this.#minAttemptMs = numberOption('minAttemptMs', options.minAttemptMs, 0, 0);
  }

  /** Subscribes to retry and give-up events. */
  on(listener: Listener<RetryEvent>): Disposable {
    return this.#events.on(listener);
  }

  /**
   * The backoff before retry number `retry` (1 = first retry), ms, drawn with the configured jitter.
   * @param previousMs - the previous backoff (decorrelated jitter grows from it)
   */
  backoffMs(retry: number, previousMs = this.#baseMs): number {
    const capped = Math.min(this.#maxMs, this.#baseMs * this.#multiplier ** (retry - 1));
    const r = this.#random.next();
    switch (this.#jitter) {
      case 'none':
        return capped;
      case 'full':
        return r * capped;
      case 'equal':
        return capped / 2 + (r * capped) / 2;
      case 'decorrelated':
        return Math.min(this.#maxMs, this.#baseMs + r * (Math.max(this.#baseMs, previousMs * 3) - this.#baseMs));
    }
  }

  /**
   * Runs `fn`, retrying failures that `retryOn` accepts while attempts, budget and deadline allow.
   * @throws the last attempt's error when no retry is allowed; the caller's `signal.reason` on abort
   */
  async execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    const deadline = options.deadline;
    this.#budget?.deposit();
    let previousMs = this.#baseMs;
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted === true) throw signal.reason;
      try {
        return await invoke(fn, { signal: signal ?? NEVER, attempt, deadline });
      } catch (error) {
        // Re-read: the signal may have aborted while the attempt ran.
        if (aborted(signal)) throw signal!.reason;
        const giveUp = this.#giveUp(error, attempt);
        if (giveUp !== undefined) throw this.#emitGiveUp(attempt, giveUp, error);
        let backoffMs = this.backoffMs(attempt + 1, previousMs);
        previousMs = backoffMs;
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
