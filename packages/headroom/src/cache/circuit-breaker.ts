/**
 * A circuit breaker as a pure decider: it is told about outcomes and the time, and answers
 * whether to try. After `failureThreshold` consecutive failures it opens and refuses calls for
 * the first delay of its backoff; then it lets one probe through (half-open): success closes it,
 * failure re-opens it for the backoff's next delay (by default twice as long, up to 30 s), so a
 * dead dependency is probed ever less often.
 *
 * Source: M. Nygard, "Release It!" (2007); the open periods are the core backoff
 * (core/backoff.ts), so jitter can spread the probes of many processes. O(1) per call, no timers.
 */
import { backoffDelay, type Backoff } from '../core/backoff.js';
import type { Outcome } from '../core/outcome.js';
import type { Random } from '../core/random.js';

/** Options of {@link CircuitBreaker}, validated. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** Open periods: the first open uses attempt 1, each failed probe the next attempt. */
  readonly backoff: Backoff;
  /** Draws the jitter of open periods (none with `jitter: 'none'`). */
  readonly random: Random;
}

/** Breaker state. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #onChange: (state: CircuitState) => void;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openUntil = 0;
  /** Opens since the circuit last closed: the backoff attempt of the next open period. */
  #opens = 0;
  #probing = false;

  /** @param onChange - told about every state change */
  constructor(options: CircuitBreakerOptions, onChange: (state: CircuitState) => void = () => {}) {
    this.#options = options;
    this.#onChange = onChange;
  }

  /** Current state. */
  get state(): CircuitState {
    return this.#state;
  }

  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  retryAfterMs(now: number): number {
    return this.#state === 'open' ? Math.max(0, this.#openUntil - now) : 0;
  }

  /** Whether a call may go ahead now; in half-open state only one probe at a time. */
  allow(now: number): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (now < this.#openUntil) return false;
      this.#set('half-open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /**
   * A call ended at `now` with `outcome`: `'success'` closes the circuit, `'failure'` counts toward
   * opening it (or re-opens a half-open one), `'ignored'` changes nothing but frees a probe slot.
   */
  record(now: number, outcome: Outcome): void {
    if (outcome === 'success') {
      this.#failures = 0;
      if (this.#state !== 'closed') {
        this.#probing = false;
        this.#opens = 0;
        this.#set('closed');
      }
    } else if (outcome === 'failure') {
      if (this.#state === 'half-open') {
        this.#probing = false;
        this.#open(now);
      } else if (this.#state === 'closed' && ++this.#failures >= this.#options.failureThreshold) {
        this.#open(now);
      }
    } else if (this.#state === 'half-open') {
      this.#probing = false;
    }
  }

  #open(now: number): void {
    this.#failures = 0;
    this.#opens++;
    this.#openUntil = now + backoffDelay(this.#options.backoff, this.#opens, this.#options.random);
    this.#set('open');
  }

  #set(state: CircuitState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }
}
