/**
 * Deadline: an AbortSignal plus the absolute clock time at which it fires (gRPC's deadline model,
 * as in "The Tail at Scale" and Google SRE book ch. 22 "deadline propagation"). A deadline only
 * shrinks: a child is never later than its parent, and what travels downstream is the *remaining*
 * time (see deadline-headers.ts), so each hop's own time is subtracted without synchronised clocks.
 *
 * The arithmetic (time left, may work start, a child's time) is the synchronous
 * {@link DeadlineBudget} of deadline-core.ts, which the simulator uses directly; this class adds
 * the signal and the timer. Cost: one clock timer per deadline, cancelled by `dispose()`. Limits: on the system clock the
 * signal fires within the timer granularity (~1 ms) after `atMs`, never before the timer is due.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { DeadlineExceededError } from '../core/errors.js';
import { DeadlineBudget } from './deadline-core.js';
import { durationOption, numberOption } from './options.js';

/** Options of {@link Deadline.after} and {@link Deadline.at}. */
export interface DeadlineOptions {
  /** Time source; default `systemClock`. */
  readonly clock?: Clock;
  /** Caller's cancellation, folded into the deadline's signal (its reason is kept). */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link Deadline.child}. */
export interface ChildDeadlineOptions {
  /** Upper bound for the child, ms from now (or '250ms'); the child is never later than the parent. Default: the parent's time. */
  readonly timeout?: Duration;
  /** Time kept back from the child for work after it returns (e.g. the response's way back), ms; default 0. */
  readonly reserve?: Duration;
  /** Extra cancellation for the child only (e.g. one attempt's signal). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A point in time (on an injected clock) by which work must be done, with a signal that aborts
 * then — with a `DeadlineExceededError` (`HR_CORE_DEADLINE_EXCEEDED`) — or earlier with the
 * caller's reason if the caller's signal aborts.
 *
 * @example
 * ```ts
 * const deadline = Deadline.after(200, { clock });
 * try {
 *   deadline.check(20);                        // not enough time left → throws, work not started
 *   await fetch(url, { signal: deadline.signal, headers: deadlineHeaders(deadline) });
 * } finally { deadline.dispose(); }
 * ```
 */
export class Deadline {
  /** Clock time (ms, `clock.now()` scale) at which the deadline fires. */
  readonly atMs: number;
  /** The clock the deadline runs on. */
  readonly clock: Clock;
  /** The synchronous core: the same deadline as plain time. */
  readonly core: DeadlineBudget;
  readonly #controller = new AbortController();
  #timer: TimerHandle | undefined;
  #unlinks: Array<() => void> = [];

  private constructor(atMs: number, clock: Clock, parents: ReadonlyArray<AbortSignal | undefined>) {
    this.atMs = atMs;
    this.clock = clock;
    this.core = new DeadlineBudget(atMs, { clock });
    for (const parent of parents) {
      if (parent === undefined) continue;
      if (parent.aborted) {
        this.#fire(parent.reason);
        return;
      }
      const onAbort = (): void => this.#fire(parent.reason);
      parent.addEventListener('abort', onAbort, { once: true });
      this.#unlinks.push(() => parent.removeEventListener('abort', onAbort));
    }
    const nowMs = clock.now();
    if (this.core.expired(nowMs)) this.#fire(this.#exceeded());
    else
      this.#timer = clock.setTimer(this.core.remainingMs(nowMs), () => {
        this.#timer = undefined;
        this.#fire(this.#exceeded());
      });
  }

  /**
   * A deadline `timeout` from now.
   * @param timeout - ms (or a string like '250ms'); 0 is already expired
   * @throws HR_CORE_INVALID_DURATION when the timeout is negative or malformed
   */
  static after(timeout: Duration, options: DeadlineOptions = {}): Deadline {
    const clock = options.clock ?? systemClock;
    const ms = durationOption('timeout', timeout, 0);
    return new Deadline(clock.now() + ms, clock, [options.signal]);
  }

  /**
   * A deadline at an absolute time on `options.clock`.
   * @param atMs - clock time in ms (`clock.now()` scale, not epoch)
   * @throws HR_LATENCY_INVALID_OPTION when `atMs` is not finite
   */
  static at(atMs: number, options: DeadlineOptions = {}): Deadline {
    numberOption('atMs', atMs, 0, -Infinity);
    return new Deadline(atMs, options.clock ?? systemClock, [options.signal]);
  }

  /** Aborts when the deadline passes (reason: `DeadlineExceededError`) or a linked signal aborts (its reason). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the signal aborted or the time has come. */
  get expired(): boolean {
    return this.#controller.signal.aborted || this.core.expired();
  }

  /** Milliseconds left (0 when expired; fractional on the system clock). */
  remainingMs(nowMs: number = this.clock.now()): number {
    if (this.#controller.signal.aborted) return 0;
    return this.core.remainingMs(nowMs);
  }

  /**
   * Refuses to start work that cannot finish: throws unless at least `neededMs` remain.
   * @param neededMs - the work's expected duration, ms; default 0 (only checks expiry)
   * @throws HR_CORE_DEADLINE_EXCEEDED when less than `neededMs` remain (or the signal already aborted with it)
   * @throws the signal's reason when a linked caller signal aborted
   */
  check(neededMs = 0): void {
    const signal = this.#controller.signal;
    if (signal.aborted) throw signal.reason;
    const nowMs = this.clock.now();
    if (!this.core.allows(neededMs, nowMs)) {
      const remainingMs = this.core.remainingMs(nowMs);
      throw new DeadlineExceededError(`Deadline too close: ${fmt(remainingMs)} ms left, the work needs ${fmt(neededMs)} ms; not started`, {
        remainingMs,
        neededMs,
        atMs: this.atMs,
      });
    }
  }

  /**
   * A deadline for a sub-call: no later than this one (minus `reserve`), optionally sooner.
   * Dispose it when the sub-call is done so this deadline's signal does not keep its listener.
   * @throws HR_LATENCY_INVALID_OPTION on a negative or malformed timeout or reserve
   */
  child(options: ChildDeadlineOptions = {}): Deadline {
    const reserveMs = durationOption('reserve', options.reserve, 0);
    const timeoutMs = options.timeout === undefined ? undefined : durationOption('timeout', options.timeout, 0);
    return new Deadline(this.core.childAtMs({ timeoutMs, reserveMs }), this.clock, [this.#controller.signal, options.signal]);
  }

  /** Cancels the timer and unlinks parent signals; the signal will not fire afterwards. Idempotent. */
  dispose(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#unlinkAll();
  }

  #fire(reason: unknown): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#unlinkAll();
    this.#controller.abort(reason);
  }

  #unlinkAll(): void {
    const unlinks = this.#unlinks;
    this.#unlinks = [];
    for (const unlink of unlinks) unlink();
  }

  #exceeded(): DeadlineExceededError {
    return new DeadlineExceededError('Deadline exceeded: the time budget ran out', { atMs: this.atMs });
  }
}

function fmt(ms: number): string {
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(3);
}
