/**
 * HedgePolicy — hedged (backup) requests, from Dean & Barroso, "The Tail at Scale" (CACM 2013):
 * send the request, and if it has not answered within a delay, send a copy (to another replica,
 * chosen by `attempt`); take the first answer and cancel the rest through their AbortSignals.
 *
 * - Delay: fixed (`delayMs`), or adaptive: the `percentile` of the last `windowSize` attempt
 *   latencies (Finagle's BackupRequestFilter uses the same idea). Cancelled attempts enter the
 *   window with their elapsed time, a lower bound, so the window does not forget the slow tail.
 * - At most `maxExtra` copies per call, and a {@link TokenBudget} caps extras to a ratio of calls,
 *   so a fleet-wide slowdown (every call slower than the delay) cannot multiply the load. A hedge
 *   the budget refuses is asked again each time the call's wait doubles, and only these re-asks
 *   may spend the lower half of the bucket: when tokens are scarce they go to the calls that have
 *   proven slowest (true stragglers) rather than to a burst of merely-slow ones.
 * - A failed attempt does not trigger a hedge: the call fails when no attempt is left in flight
 *   (compose with RetryPolicy for that).
 *
 * Cost per call: one timer per pending hedge, one AbortController per attempt; O(windowSize)
 * memmove per completed attempt in adaptive mode.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import { TokenBudget, type TokenBudgetOptions } from './budget.js';
import { CancelledError } from './cancelled.js';
import { durationOption, intOption, invalidOption, numberOption } from './options.js';
import type { AttemptContext, ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import type { Deadline } from './deadline.js';
import { invoke } from './signals.js';
import { SlidingPercentile } from './window.js';

/** Options of {@link HedgePolicy}. */
export interface HedgeOptions extends PolicyOptions {
  /** Fixed hedge delay, ms or '10ms'. When set, the adaptive delay is off. */
  readonly delay?: Duration;
  /** Adaptive delay: this percentile of recent attempt latencies, 0–100; default 95. */
  readonly percentile?: number;
  /** Attempt latencies kept for the adaptive delay; default 1,000. */
  readonly windowSize?: number;
  /** Samples needed before the adaptive delay is trusted; default 100. */
  readonly minSamples?: number;
  /** Delay used until `minSamples` are in, ms or '20ms'; default none (no hedging until then). */
  readonly initialDelay?: Duration;
  /** Smallest adaptive delay, ms or '1ms'; default 1 (a near-zero p95 would otherwise hedge every call). */
  readonly minDelay?: Duration;
  /** Most extra attempts per call (k); default 1. */
  readonly maxExtra?: number;
  /**
   * Budget for extra attempts: a shared `TokenBudget`, options for a new one, or `false` for none.
   * Default: 5% of calls, no time-based refill, burst of 10 (`{ ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0 }`).
   */
  readonly budget?: TokenBudget | TokenBudgetOptions | false;
}

/** Events of a {@link HedgePolicy}. */
export type HedgeEvent =
  | { readonly type: 'hedge'; readonly attempt: number; readonly afterMs: number }
  | { readonly type: 'refused'; readonly afterMs: number }
  | { readonly type: 'win'; readonly attempt: number; readonly latencyMs: number; readonly attempts: number };

/** Counters of a {@link HedgePolicy}. */
export interface HedgeStats {
  /** Calls to `execute`. */
  readonly calls: number;
  /** Extra attempts sent. */
  readonly hedges: number;
  /** Extra attempts the budget refused. */
  readonly refused: number;
  /** Successful calls won by attempt i (index 0 is the original). */
  readonly wins: readonly number[];
  /**
   * The delay a call starting now would use, ms; `undefined` while an adaptive policy without
   * `initialDelayMs` is still collecting its `minSamples` (no hedge would be sent).
   */
  readonly delayMs: number | undefined;
}

/**
 * Sends a backup copy of slow calls and keeps the first answer.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option, or both `delayMs` and `percentile`
 * @example
 * ```ts
 * const hedge = new HedgePolicy({ percentile: 95, budget: { ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0 } });
 * const replicas = ['http://a', 'http://b'];
 * const body = await hedge.execute(({ signal, attempt }) =>
 *   fetch(replicas[attempt % replicas.length] + '/item/7', { signal }).then((r) => r.text()));
 * ```
 */
export class HedgePolicy implements Policy {
  readonly #core: HedgeCore;

  constructor(options: HedgeOptions = {}) {
    this.#core = new HedgeCore(options);
  }

  /**
   * The hedge delay a call starting now would use, ms; `undefined` when no hedge would be sent
   * (adaptive, fewer than `minSamples` latencies seen, no `initialDelayMs`).
   */
  delayMs(): number | undefined {
    return this.#core.delayMs();
  }

  /** Subscribes to hedge, refused and win events. */
  on(listener: Listener<HedgeEvent>): Disposable {
    return this.#core.events.on(listener);
  }

  /** Counters since construction. */
  stats(): HedgeStats {
    const core = this.#core;
    return { calls: core.calls, hedges: core.hedges, refused: core.refused, wins: [...core.wins], delayMs: core.delayMs() };
  }

  /**
   * Runs `fn`, adding copies after the hedge delay; resolves with the first success.
   * @throws the last attempt's error when every attempt failed; the caller's `signal.reason` on abort
   */
  execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const core = this.#core;
    core.calls++;
    core.budget?.deposit();
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(core, fn, signal, options.deadline, resolve, reject).start(core.delayMs());
    });
  }
}

/** State shared by every call of one HedgePolicy (kept off the public class). */
class HedgeCore {
  readonly clock: Clock;
  readonly fixedMs: number | undefined;
  readonly percentile: number;
  readonly window: SlidingPercentile | undefined;
  readonly minSamples: number;
  readonly initialMs: number | undefined;
  readonly minDelayMs: number;
  readonly maxExtra: number;
  readonly budget: TokenBudget | undefined;
  readonly events = new Emitter<HedgeEvent>();
  readonly wins: number[] = [];
  calls = 0;
  hedges = 0;
  refused = 0;

  constructor(options: HedgeOptions) {
    this.clock = options.clock ?? systemClock;
    if (options.delay !== undefined && options.percentile !== undefined) {
      throw invalidOption('percentile', options.percentile, 'set either delay (fixed) or percentile (adaptive), not both');
    }
    this.fixedMs = options.delay === undefined ? undefined : durationOption('delay', options.delay, 0);
    this.percentile = numberOption('percentile', options.percentile, 95, 0, 100);
    this.window =
      this.fixedMs === undefined ? new SlidingPercentile(intOption('windowSize', options.windowSize, 1000, 1, 1_000_000)) : undefined;
    this.minSamples = intOption('minSamples', options.minSamples, 100, 1);
    this.initialMs = options.initialDelay === undefined ? undefined : durationOption('initialDelay', options.initialDelay, 0);
    this.minDelayMs = durationOption('minDelay', options.minDelay, 1);
    this.maxExtra = intOption('maxExtra', options.maxExtra, 1, 0, 16);
    const budget = options.budget;
    this.budget =
      budget === false
        ? undefined
        : budget instanceof TokenBudget
          ? budget
          : new TokenBudget({ clock: this.clock, ratio: 0.05, minPerSec: 0, maxTokens: 10, initialTokens: 0, ...budget });
  }

  delayMs(): number | undefined {
    if (this.fixedMs !== undefined) return this.fixedMs;
    const window = this.window!;
    if (window.count < this.minSamples) return this.initialMs;
    return Math.max(this.minDelayMs, window.percentile(this.percentile));
  }

  /**
   * Asks the budget for one extra attempt and counts the outcome. A first ask may not dip into the
   * reserved half of the bucket; a re-ask (the call has already waited twice the delay) may.
   */
  allowHedge(afterMs: number, attempt: number, reask: boolean): boolean {
    const budget = this.budget;
    if (budget !== undefined && !budget.tryWithdraw(this.clock.now(), reask ? 0 : Math.floor(budget.maxTokens / 2))) {
      this.refused++;
      if (this.events.active) this.events.emit({ type: 'refused', afterMs });
      return false;
    }
    this.hedges++;
    if (this.events.active) this.events.emit({ type: 'hedge', attempt, afterMs });
    return true;
  }

  /** Records an attempt's latency (or a lower bound for a cancelled one). */
  observe(latencyMs: number): void {
    this.window?.add(latencyMs);
  }

  won(attempt: number, latencyMs: number, attempts: number): void {
    while (this.wins.length <= attempt) this.wins.push(0);
    this.wins[attempt]!++;
    if (this.events.active) this.events.emit({ type: 'win', attempt, latencyMs, attempts });
  }
}

/** One `execute` call: its attempts, its hedge timer and its settlement. */
class HedgedCall<T> {
  readonly #policy: HedgeCore;
  readonly #fn: Operation<T>;
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: Deadline | undefined;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: unknown) => void;
  readonly #controllers: AbortController[] = [];
  readonly #startedMs: number[] = [];
  readonly #done: boolean[] = [];
  #inFlight = 0;
  #settled = false;
  #timer: TimerHandle | undefined;
  #reask = false;
  #delayMs: number | undefined;
  #callStartMs = 0;

  constructor(
    policy: HedgeCore,
    fn: Operation<T>,
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) {
    this.#policy = policy;
    this.#fn = fn;
    this.#signal = signal;
    this.#deadline = deadline;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  /** @param delayMs - the hedge delay; `undefined` sends no hedge */
  start(delayMs: number | undefined): void {
    this.#delayMs = delayMs;
    this.#callStartMs = this.#policy.clock.now();
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#launch();
    this.#schedule();
  }

  #schedule(): void {
    if (this.#settled || this.#delayMs === undefined || this.#controllers.length > this.#policy.maxExtra) return;
    this.#timer = this.#policy.clock.setTimer(this.#delayMs, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#settled) return;
    const afterMs = this.#policy.clock.now() - this.#callStartMs;
    if (!this.#policy.allowHedge(afterMs, this.#controllers.length, this.#reask)) {
      // Refused: ask again once the call has waited twice as long. Scarce tokens then go to the
      // calls that have proven slowest (true stragglers) rather than to a burst of merely-slow ones.
      this.#reask = true;
      this.#timer = this.#policy.clock.setTimer(Math.max(afterMs, this.#policy.minDelayMs), this.#onTimer);
      return;
    }
    this.#reask = false;
    this.#launch();
    this.#schedule();
  };

  #launch(): void {
    const attempt = this.#controllers.length;
    const controller = new AbortController();
    this.#controllers.push(controller);
    this.#startedMs.push(this.#policy.clock.now());
    this.#done.push(false);
    this.#inFlight++;
    const context: AttemptContext = { signal: controller.signal, attempt, deadline: this.#deadline };
    invoke(this.#fn, context).then(
      (value) => this.#onSuccess(attempt, value),
      (error: unknown) => this.#onFailure(attempt, error),
    );
  }

  #onSuccess(attempt: number, value: T): void {
    this.#inFlight--;
    this.#done[attempt] = true;
    if (this.#settled) return;
    const now = this.#policy.clock.now();
    const latencyMs = now - this.#startedMs[attempt]!;
    this.#policy.observe(latencyMs);
    const lost = new CancelledError('hedge-lost');
    for (let i = 0; i < this.#controllers.length; i++) {
      const controller = this.#controllers[i]!;
      if (!this.#done[i]) {
        this.#policy.observe(now - this.#startedMs[i]!);
        controller.abort(lost);
      }
    }
    this.#finish();
    this.#policy.won(attempt, now - this.#callStartMs, this.#controllers.length);
    this.#resolve(value);
  }

  #onFailure(attempt: number, error: unknown): void {
    this.#inFlight--;
    this.#done[attempt] = true;
    if (this.#settled || this.#inFlight > 0) return;
    this.#finish();
    this.#reject(error);
  }

  readonly #onAbort = (): void => {
    if (this.#settled) return;
    const reason: unknown = this.#signal!.reason;
    for (const controller of this.#controllers) controller.abort(reason);
    this.#finish();
    this.#reject(reason);
  };

  #finish(): void {
    this.#settled = true;
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
