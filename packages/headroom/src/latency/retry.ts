/**
 * RetryPolicy: retries failed calls, but only within a {@link TokenBudget} (Finagle's retry
 * budget: a ratio of calls plus a minimum rate), only while the deadline leaves room for the
 * backoff and another attempt, and with exponential backoff jittered from the injected Random
 * through the core backoff helper (AWS Architecture Blog, "Exponential Backoff and Jitter",
 * Brooker 2015: full or equal jitter). A `LoadShedError` from downstream is honoured: the wait is at least its
 * `retryAfterMs`. This file is the async driver; every decision is the synchronous
 * {@link RetryCore}'s (retry-core.ts), which the simulator drives too. O(1) per attempt plus one
 * timer per backoff.
 */
import { sleep } from '../core/clock.js';
import type { Disposable, Listener } from '../core/events.js';
import { RetryCore, type RetryEvent, type RetryOptions } from './retry-core.js';
import type { ExecuteOptions, Operation, Policy } from './policy.js';
import { invoke } from './signals.js';

export { RetryCore, type RetryDecision, type RetryEvent, type RetryGiveUpReason, type RetryOptions } from './retry-core.js';

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
  readonly #core: RetryCore;

  constructor(options: RetryOptions = {}) {
    this.#core = new RetryCore(options);
  }

  /** The synchronous decision core this policy drives (the simulator drives the same class). */
  get core(): RetryCore {
    return this.#core;
  }

  /** Subscribes to retry and give-up events. */
  on(listener: Listener<RetryEvent>): Disposable {
    return this.#core.events.on(listener);
  }

  /** The backoff before retry number `retry` (1 = first retry), ms, drawn with the configured jitter. */
  backoffMs(retry: number): number {
    return this.#core.backoffMs(retry);
  }

  /**
   * Runs `fn`, retrying failures that `retryOn` accepts while attempts, budget and deadline allow.
   * @throws the last attempt's error when no retry is allowed; the caller's `signal.reason` on abort
   */
  async execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    const deadline = options.deadline;
    const core = this.#core;
    core.begin();
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted === true) throw signal.reason;
      try {
        return await invoke(fn, { signal: signal ?? NEVER, attempt, deadline });
      } catch (error) {
        // Re-read: the signal may have aborted while the attempt ran.
        if (aborted(signal)) throw signal!.reason;
        const decision = core.decide(error, attempt, deadline?.remainingMs());
        if (!decision.retry) throw error;
        if (decision.backoffMs > 0) await sleep(core.clock, decision.backoffMs, signal);
      }
    }
  }
}

const NEVER = new AbortController().signal;

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
