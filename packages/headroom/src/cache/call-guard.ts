/**
 * Bounds every call to a shared tier: a timeout per call and a circuit breaker in front.
 *
 * Why not the client's per-command timeout: node-redis's per-command `timeout` (a timer and an
 * AbortSignal per command) cut GET throughput at 100 in flight to 0.18–0.25× of unbounded GETs in
 * three runs, while this guard kept 0.75–1.12× (`npm run bench -- "cache L2: a bound on every
 * call"`, 2026-12-06, on a busy machine: ratios within each run). All calls here
 * share one timeout, so their deadlines arrive in call order: a FIFO of pending calls and ONE
 * clock timer, armed for the oldest deadline, is enough. A call costs one small record. O(1)
 * amortised per call.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
import { CircuitOpenError, TierError, TierTimeoutError } from './errors.js';

interface Pending {
  readonly deadline: number;
  settled: boolean;
  /** Dropped once settled: a settled record can wait in the queue behind an older call. */
  reject: ((error: unknown) => void) | undefined;
}

/** Options of {@link CallGuard}. */
export interface CallGuardOptions {
  /** Name used in errors, e.g. `redis`. */
  readonly tier: string;
  readonly clock: Clock;
  /** Per-call timeout, ms. */
  readonly timeoutMs: number;
  readonly breaker: CircuitBreakerOptions;
  /** Told about every breaker state change. */
  readonly onStateChange?: (state: CircuitState) => void;
  /** Told when a call times out (the server may be stalled rather than gone). */
  readonly onTimeout?: () => void;
}

/** What an operation can ask about its own call. */
export interface GuardedCall {
  /** True once the caller was answered (or gave up): nothing more should be sent for this call. */
  readonly settled: boolean;
}

export class CallGuard {
  readonly #tier: string;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #breaker: CircuitBreaker;
  readonly #onTimeout: (() => void) | undefined;
  #queue: Pending[] = [];
  #head = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Infinity;
  /** Calls that completed, failed, timed out, or were refused. */
  calls = 0;
  failures = 0;
  timeouts = 0;
  rejected = 0;

  constructor(options: CallGuardOptions) {
    this.#tier = options.tier;
    this.#clock = options.clock;
    this.#timeoutMs = options.timeoutMs;
    this.#breaker = new CircuitBreaker(options.breaker, options.onStateChange);
    this.#onTimeout = options.onTimeout;
  }

  /** The breaker's state. */
  get state(): CircuitState {
    return this.#breaker.state;
  }

  /**
   * Runs `op` unless the circuit is open; rejects with HR_CACHE_TIER_TIMEOUT if it takes longer
   * than the timeout (its late outcome is then ignored), HR_CACHE_CIRCUIT_OPEN when refused,
   * HR_CACHE_TIER_FAILED wrapping any other failure. `op` is given its call's record: a command
   * it would send after the call settled (a retry, a fallback) could only run late.
   */
  run<T>(operation: string, op: (call: GuardedCall) => Promise<T>): Promise<T> {
    const now = this.#clock.now();
    if (!this.#breaker.allow(now)) {
      this.rejected++;
      return Promise.reject(new CircuitOpenError(this.#tier, this.#breaker.retryAfterMs(now)));
    }
    const pending: Pending = { deadline: now + this.#timeoutMs, settled: false, reject: undefined };
    let promise: Promise<T>;
    try {
      promise = op(pending);
    } catch (error) {
      pending.settled = true;
      return Promise.reject(this.#failed(operation, error));
    }
    return new Promise<T>((resolve, reject) => {
      pending.reject = reject;
      this.#queue.push(pending);
      this.#arm();
      promise.then(
        (value) => {
          if (pending.settled) return;
          pending.settled = true;
          // The record stays queued until every older call has settled too; it must not keep
          // the caller's continuation (and all it references) alive meanwhile.
          pending.reject = undefined;
          this.calls++;
          this.#breaker.record(this.#clock.now(), 'success');
          resolve(value);
        },
        (error: unknown) => {
          if (pending.settled) return;
          pending.settled = true;
          pending.reject = undefined;
          reject(this.#failed(operation, error));
        },
      );
    });
  }

  /** Rejects every pending call (the tier is closing). */
  abortAll(reason: unknown): void {
    for (let i = this.#head; i < this.#queue.length; i++) {
      const pending = this.#queue[i]!;
      if (!pending.settled) {
        pending.settled = true;
        pending.reject!(reason);
        pending.reject = undefined;
      }
    }
    this.#queue = [];
    this.#head = 0;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Infinity;
  }

  #failed(operation: string, error: unknown): Error {
    this.calls++;
    this.failures++;
    this.#breaker.record(this.#clock.now(), 'failure');
    return new TierError(this.#tier, operation, error);
  }

  /** Keeps one timer armed for the oldest unsettled deadline. */
  #arm(): void {
    this.#dropSettled();
    const front = this.#queue[this.#head];
    if (front === undefined) {
      this.#timer?.cancel();
      this.#timer = undefined;
      this.#timerAt = Infinity;
      return;
    }
    if (this.#timer !== undefined && this.#timerAt <= front.deadline) return;
    this.#timer?.cancel();
    this.#timerAt = front.deadline;
    this.#timer = this.#clock.setTimer(front.deadline - this.#clock.now(), this.#expire);
  }

  readonly #expire = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#clock.now();
    let timedOut = false;
    while (this.#head < this.#queue.length) {
      const pending = this.#queue[this.#head]!;
      if (!pending.settled) {
        if (pending.deadline > now) break;
        pending.settled = true;
        this.calls++;
        this.failures++;
        this.timeouts++;
        this.#breaker.record(now, 'failure');
        pending.reject!(new TierTimeoutError(this.#tier, this.#timeoutMs));
        pending.reject = undefined;
        timedOut = true;
      }
      this.#head++;
    }
    this.#arm();
    if (timedOut) this.#onTimeout?.();
  };

  #dropSettled(): void {
    const queue = this.#queue;
    while (this.#head < queue.length && queue[this.#head]!.settled) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
