/**
 * A circuit breaker as a pure decider: it is told about outcomes and the time, and answers
 * whether to try. After `failureThreshold` consecutive failures it opens and refuses calls for
 * `openMs`; then it lets one probe through (half-open): success closes it, failure re-opens it
 * for twice as long (up to `maxOpenMs`), so a dead dependency is probed ever less often.
 *
 * Source: M. Nygard, "Release It!" (2007); the exponential re-open follows common practice
 * (e.g. Envoy's outlier ejection doubles its ejection time). O(1) per call, no timers.
 */

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failureThreshold: number;
  /** First open period, ms. */
  readonly openMs: number;
  /** Longest open period after repeated failed probes, ms. */
  readonly maxOpenMs: number;
}

/** Breaker state. */
export type CircuitState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #onChange: (state: CircuitState) => void;
  #state: CircuitState = 'closed';
  #failures = 0;
  #openUntil = 0;
  #openMs: number;
  #probing = false;

  /** @param onChange - told about every state change */
  constructor(options: CircuitBreakerOptions, onChange: (state: CircuitState) => void = () => {}) {
    this.#options = options;
    this.#openMs = options.openMs;
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

  /** A call succeeded. */
  success(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') {
      this.#probing = false;
      this.#openMs = this.#options.openMs;
      this.#set('closed');
    }
  }

  /** A call failed at `now`. */
  failure(now: number): void {
    if (this.#state === 'half-open') {
      this.#probing = false;
      this.#openMs = Math.min(this.#options.maxOpenMs, this.#openMs * 2);
      this.#open(now);
    } else if (this.#state === 'closed' && ++this.#failures >= this.#options.failureThreshold) {
      this.#open(now);
    }
  }

  #open(now: number): void {
    this.#failures = 0;
    this.#openUntil = now + this.#openMs;
    this.#set('open');
  }

  #set(state: CircuitState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#onChange(state);
  }
}
