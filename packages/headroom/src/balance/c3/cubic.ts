/**
 * C3's per-replica rate control (Suresh, Canini, Schmid, Feldmann, NSDI 2015, §4.2), with the
 * constants of the paper and of its authors' simulator (github.com/lalithsuresh/absim):
 * a token bucket allowing `rate` requests per interval δ (20 ms), adapted on every response by
 * comparing it with the *receive* rate (responses per δ, exponentially averaged):
 *
 * - receiving faster than allowed → grow along the CUBIC curve
 *   R(T) = γ·(T − ∛(β·R₀/γ))³ + R₀ (T: ms since the last decrease, R₀: the rate before it,
 *   γ = C = 4·10⁻⁶), at most `maxStep` (10) per update;
 * - sending faster than receiving, and no increase for `hysteresis` (2) intervals → multiply the
 *   rate by β = 0.2 and remember R₀. (The curve restarts at (1 − β)·R₀, so the next increase brings
 *   the rate back to 0.8·R₀ within a step: the deep cut is short.)
 *
 * Synchronous, allocation-free; times in ms on the caller's clock.
 */

/** Constants of {@link CubicRate}. */
export interface CubicConfig {
  /** δ, the rate interval, ms; default 20. */
  readonly intervalMs: number;
  /** γ (the paper's C), curve steepness per ms³; default 4e-6. */
  readonly gamma: number;
  /** β, the multiplicative decrease; default 0.2. */
  readonly beta: number;
  /** Largest increase per update, requests per interval; default 10. */
  readonly maxStep: number;
  /** Intervals without an increase before a decrease is allowed; default 2. */
  readonly hysteresis: number;
  /** Bucket size, tokens; default 50. */
  readonly maxTokens: number;
  /** Rate of a replica not yet seen, requests per interval; default 5. */
  readonly initialRate: number;
}

/** The paper's constants. */
export const C3_CUBIC: CubicConfig = { intervalMs: 20, gamma: 4e-6, beta: 0.2, maxStep: 10, hysteresis: 2, maxTokens: 50, initialRate: 5 };

/** One replica's sending-rate limit. */
export class CubicRate {
  /** Allowed requests per interval. */
  rate: number;
  /** Responses per interval (exponentially averaged over intervals). */
  receiveRate: number;
  #tokens = 0;
  #lastSentMs = 0;
  #rateBeforeDecrease: number;
  #lastDecreaseMs = 0;
  #lastIncreaseMs = 0;
  #interval = 0;
  #countInInterval = 0;

  constructor(
    readonly config: CubicConfig,
    now: number,
  ) {
    this.rate = config.initialRate;
    this.receiveRate = config.initialRate;
    this.#rateBeforeDecrease = config.initialRate;
    this.#lastSentMs = now;
    this.#lastDecreaseMs = now;
    this.#lastIncreaseMs = now;
    this.#interval = Math.floor(now / config.intervalMs);
  }

  /** Tokens available at `now` (the bucket refills at `rate` per interval). */
  tokens(now: number): number {
    const t = this.#tokens + (this.rate / this.config.intervalMs) * (now - this.#lastSentMs);
    return t < this.config.maxTokens ? t : this.config.maxTokens;
  }

  /** Time from `now` until the bucket holds a whole token, ms (0 when it already does). */
  msUntilToken(now: number): number {
    const missing = 1 - this.tokens(now);
    return missing <= 0 ? 0 : (missing * this.config.intervalMs) / this.rate;
  }

  /** A request was sent at `now`: takes one token (the balance may go below 1 when sent over the limit). */
  sent(now: number): void {
    this.#tokens = this.tokens(now) - 1;
    this.#lastSentMs = now;
  }

  /** A response arrived at `now`: updates the receive rate, then the sending rate. */
  received(now: number): void {
    this.#countReceive(now);
    const c = this.config;
    if (this.rate < this.receiveRate) {
      this.#lastIncreaseMs = now;
      const r0 = this.#rateBeforeDecrease;
      const k = Math.cbrt((r0 * c.beta) / c.gamma);
      const next = c.gamma * (now - this.#lastDecreaseMs - k) ** 3 + r0;
      this.rate = next - this.rate > c.maxStep ? this.rate + c.maxStep : Math.max(next, 1e-4);
    } else if (this.rate > this.receiveRate && now - this.#lastIncreaseMs > c.intervalMs * c.hysteresis) {
      this.#rateBeforeDecrease = this.rate;
      this.rate = Math.max(this.rate * c.beta, 1e-4);
      this.#lastDecreaseMs = now;
    }
  }

  #countReceive(now: number): void {
    const interval = Math.floor(now / this.config.intervalMs);
    if (interval > this.#interval) {
      // Fold the finished interval in (weight 0.9 on the new count, as the authors' simulator),
      // then any empty intervals in between.
      this.receiveRate = 0.9 * this.#countInInterval + 0.1 * this.receiveRate;
      for (let k = this.#interval + 1; k < interval && this.receiveRate > 1e-9; k++) this.receiveRate *= 0.1;
      this.#interval = interval;
      this.#countInInterval = 0;
    }
    this.#countInInterval++;
  }
}
