/**
 * The synchronous decision core of deadlines: the time left, whether work that needs `neededMs`
 * may start, when a child (sub-call) deadline falls, and what travels downstream — arithmetic on
 * one absolute clock time, with no timer or AbortSignal. `Deadline` (deadline.ts) adds the signal
 * and the timer and delegates its decisions here; the simulator uses this class directly. O(1).
 */
import type { Clock } from '../core/clock.js';

/**
 * A deadline as plain time: `atMs` on `clock`.
 * @example
 * ```ts
 * const budget = new DeadlineBudget(clock.now() + 200, { clock });
 * budget.allows(20);                                  // false when less than 20 ms are left
 * const downstream = budget.childAtMs({ reserveMs: 5 }); // what a sub-call must meet
 * ```
 */
export class DeadlineBudget {
  /** The clock `atMs` is on. */
  readonly clock: Clock;

  /**
   * @param atMs Clock time (ms) at which the deadline passes.
   * @param options `clock`: the clock `atMs` is on.
   */
  constructor(
    readonly atMs: number,
    options: { readonly clock: Clock },
  ) {
    this.clock = options.clock;
  }

  /** Milliseconds left, 0 when expired. */
  remainingMs(nowMs: number = this.clock.now()): number {
    return Math.max(0, this.atMs - nowMs);
  }

  /** True once the time has come. */
  expired(nowMs: number = this.clock.now()): boolean {
    return nowMs >= this.atMs;
  }

  /** True when work that needs `neededMs` may start: time is left, and at least `neededMs` of it. */
  allows(neededMs = 0, nowMs: number = this.clock.now()): boolean {
    const remainingMs = this.atMs - nowMs;
    return remainingMs > 0 && remainingMs >= neededMs;
  }

  /**
   * When a sub-call's deadline falls: never later than this one minus `reserveMs` (time kept for
   * the work after the sub-call returns), and no later than `timeoutMs` from now when given.
   */
  childAtMs(
    options: { readonly timeoutMs?: number | undefined; readonly reserveMs?: number } = {},
    nowMs: number = this.clock.now(),
  ): number {
    const atMs = this.atMs - (options.reserveMs ?? 0);
    return options.timeoutMs === undefined ? atMs : Math.min(atMs, nowMs + options.timeoutMs);
  }
}
