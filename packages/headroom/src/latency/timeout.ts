/**
 * DeadlinePolicy: runs an operation under a deadline — the caller's, shortened to `timeoutMs` —
 * and refuses to start it when less than `minRemainingMs` is left ("don't start work that cannot
 * finish", Google SRE book ch. 22). The returned promise rejects at the deadline even when the
 * operation ignores its signal, so a call never overruns its deadline by more than the clock's
 * timer granularity. O(1) per call: one deadline (one timer).
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { Deadline } from './deadline.js';
import { durationOption, invalidOption } from './options.js';
import type { ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import { invoke, raceAbort } from './signals.js';

/** Options of {@link DeadlinePolicy}. */
export interface DeadlinePolicyOptions extends PolicyOptions {
  /** Longest a call may take, ms or '250ms'; the caller's deadline still wins when sooner. Default: no own bound. */
  readonly timeoutMs?: Duration;
  /**
   * Least time that must remain to start the call, ms — a number, or a function read at each call
   * (e.g. `() => recorder.percentile(50)`). Default 0 (only an expired deadline is refused).
   */
  readonly minRemainingMs?: number | (() => number);
}

/**
 * Bounds every call by a deadline and refuses calls that cannot finish in time.
 * @throws HR_LATENCY_INVALID_OPTION when `timeoutMs` is malformed or neither a timeout nor a caller deadline exists at call time
 * @example
 * ```ts
 * const policy = new DeadlinePolicy({ timeoutMs: '300ms', minRemainingMs: 5 });
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
    this.#timeoutMs = options.timeoutMs === undefined ? undefined : durationOption('timeoutMs', options.timeoutMs, 0);
    const min = options.minRemainingMs ?? 0;
    if (typeof min === 'number' && !(min >= 0 && Number.isFinite(min))) {
      throw invalidOption('minRemainingMs', min, 'use a finite number ≥ 0 or a function returning one');
    }
    this.#minRemaining = min;
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
      return Promise.reject(invalidOption('timeoutMs', undefined, 'set timeoutMs, or pass a deadline to execute()'));
    }
    const deadline =
      parent === undefined
        ? Deadline.after(timeoutMs!, { clock: this.#clock, signal: options.signal })
        : parent.child(timeoutMs === undefined ? { signal: options.signal } : { timeoutMs, signal: options.signal });
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
