/**
 * TokenBudget: caps *extra* work (retries, hedges) to a ratio of the original requests plus a
 * small minimum rate — the retry budget of Finagle (`RetryBudget`: percentCanRetry + minRetriesPerSec)
 * and gRPC's retry throttling, as a token bucket:
 *
 * - each original request deposits `ratio` tokens;
 * - time deposits `minPerSec` tokens per second (so a quiet client can still retry);
 * - the balance never exceeds `maxTokens` (the largest burst of extras);
 * - one extra attempt withdraws one whole token, or is refused.
 *
 * Hence, over any run: extras ≤ ratio × requests + minPerSec × seconds + initialTokens — a
 * fleet-wide slowdown cannot multiply the load. O(1) time and memory; a synchronous decider.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { numberOption } from './options.js';

/** Options of {@link TokenBudget}. Defaults are Finagle's retry budget (20% + 10/s, 10 s of reserve). */
export interface TokenBudgetOptions {
  /** Clock for the time-based refill; default `systemClock`. */
  readonly clock?: Clock;
  /** Tokens each original request earns: the allowed extra load as a fraction, 0–1; default 0.2. */
  readonly ratio?: number;
  /** Tokens earned per second regardless of traffic; default 10. */
  readonly minPerSec?: number;
  /** Largest balance (burst of extras), ≥ 1; default 100. */
  readonly maxTokens?: number;
  /** Balance at start, 0–maxTokens; default `maxTokens`. */
  readonly initialTokens?: number;
}

/** Counters of a {@link TokenBudget}. */
export interface TokenBudgetStats {
  /** Original requests deposited. */
  readonly requests: number;
  /** Extra attempts allowed. */
  readonly withdrawn: number;
  /** Extra attempts refused for lack of tokens. */
  readonly refused: number;
  /** Current balance (after refill to now). */
  readonly tokens: number;
}

/**
 * A token bucket that meters extra attempts against original requests.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example
 * ```ts
 * const budget = new TokenBudget({ ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0 });
 * budget.deposit();                 // once per original request
 * if (budget.tryWithdraw()) { … }   // once per extra attempt
 * ```
 */
export class TokenBudget {
  readonly #clock: Clock;
  readonly #ratio: number;
  readonly #perMs: number;
  readonly #max: number;
  #tokens: number;
  #lastMs: number;
  #requests = 0;
  #withdrawn = 0;
  #refused = 0;

  constructor(options: TokenBudgetOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#ratio = numberOption('ratio', options.ratio, 0.2, 0, 1);
    this.#perMs = numberOption('minPerSec', options.minPerSec, 10, 0) / 1000;
    this.#max = numberOption('maxTokens', options.maxTokens, 100, 1);
    this.#tokens = numberOption('initialTokens', options.initialTokens, this.#max, 0, this.#max);
    this.#lastMs = this.#clock.now();
  }

  /** Records one original request (earns `ratio` tokens). */
  deposit(nowMs: number = this.#clock.now()): void {
    this.#refill(nowMs);
    this.#requests++;
    this.#tokens = Math.min(this.#max, this.#tokens + this.#ratio);
  }

  /** The largest balance. */
  get maxTokens(): number {
    return this.#max;
  }

  /**
   * Takes one token for an extra attempt.
   * @param keepTokens - tokens that must remain afterwards: a reserve this request may not touch
   *   (lets a caller rank its extras; default 0)
   * @returns true when the attempt may go; false when the budget is spent
   */
  tryWithdraw(nowMs: number = this.#clock.now(), keepTokens = 0): boolean {
    this.#refill(nowMs);
    // The epsilon absorbs float drift of repeated ratio additions (20 × 0.05 must make 1 token).
    if (this.#tokens - keepTokens >= 1 - 1e-9) {
      this.#tokens = Math.max(0, this.#tokens - 1);
      this.#withdrawn++;
      return true;
    }
    this.#refused++;
    return false;
  }

  /** Counters and the current balance. */
  stats(nowMs: number = this.#clock.now()): TokenBudgetStats {
    this.#refill(nowMs);
    return { requests: this.#requests, withdrawn: this.#withdrawn, refused: this.#refused, tokens: this.#tokens };
  }

  #refill(nowMs: number): void {
    const elapsedMs = nowMs - this.#lastMs;
    if (elapsedMs > 0) {
      this.#lastMs = nowMs;
      if (this.#perMs > 0) this.#tokens = Math.min(this.#max, this.#tokens + elapsedMs * this.#perMs);
    }
  }
}
