/**
 * DeadlinePolicy: runs an operation under a deadline — the caller's, shortened to `timeout` —
 * and refuses to start it when less than `minRemaining` is left ("don't start work that cannot
 * finish", Google SRE book ch. 22). The returned promise rejects at the deadline even when the
 * operation ignores its signal, so a call never overruns its deadline by more than the clock's
 * timer granularity. O(1) per call: one deadline (one timer).
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { Deadline } from './deadline.js';
import { durationOption, invalidOption } from './options.js';
import type { ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import { raceAbort } from '../core/abort.js';
import { invoke } from './signals.js';

/** Options of {@link DeadlinePolicy}. */
export interface DeadlinePolicyOptions extends PolicyOptions {
  /** Longest a call may take, ms or '250ms'; the caller's deadline still wins when sooner. Default: no own bound. */
  readonly timeout?: Duration;
  /**
   * Least time that must remain to start the call: a duration (ms or '5ms'), or a function read at each
   * call returning ms (e.g. `() => recorder.percentile(50)`). Default 0 (only an expired deadline is refused).
   */
  readonly minRemaining?: Duration | (() => number);
}

/**
 * Bounds every call by a deadline and refuses calls that cannot finish in time.
 * @throws HR_CORE_INVALID_DURATION when `timeout` or `minRemaining` is malformed; HR_LATENCY_INVALID_OPTION when neither a timeout nor a caller deadline exists at call time
 * @example
 * ```ts
 * const policy = new DeadlinePolicy({ timeout: '300ms', minRemaining: '5ms' });
 * const body = await policy.execute(({ signal, deadline }) =>
 *   fetch(url, { signal, headers: deadlineHeaders(deadline!) }).then((r) => r.text()));
 * ```
 */
export class DeadlinePolicy implements Policy {
  readonly #clock: Clock;
  readonly #timeoutMs: number | undefined;
  readonly #minRemaining: number | (() => number);

  constructor(options: DeadlinePolicyOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#timeoutMs = options.timeout === undefined ? undefined : durationOption('timeout', options.timeout, 0);
    const min = options.minRemaining ?? 0;
    this.#minRemaining = typeof min === 'function' ? min : durationOption('minRemaining', min, 0);
  }

  /**
   * Runs `fn` with `{ signal, attempt: 0, deadline }`.
   * @throws HR_CORE_DEADLINE_EXCEEDED (rejection) when too little time is left to start, or the deadline passes
   * @throws the caller's `signal.reason` when the caller aborts
   */
  execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const parent = options.deadline;
    const timeoutMs = this.#timeoutMs;
    if (parent === undefined && timeoutMs === undefined) {
      return Promise.reject(invalidOption('timeout', undefined, 'set timeout, or pass a deadline to execute()'));
    }
    const deadline =
      parent === undefined
        ? Deadline.after(timeoutMs!, { clock: this.#clock, signal: options.signal })
        : parent.child(timeoutMs === undefined ? { signal: options.signal } : { timeout: timeoutMs, signal: options.signal });
    try {
      const min = this.#minRemaining;
      deadline.check(typeof min === 'number' ? min : min());
    } catch (error) {
      deadline.dispose();
      return Promise.reject(error);
    }
    const done = raceAbort(invoke(fn, { signal: deadline.signal, attempt: 0, deadline }), deadline.signal);
    return done.finally(() => deadline.dispose());
  }
}
