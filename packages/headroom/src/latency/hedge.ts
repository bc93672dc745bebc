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
 * This file is the async driver (timers, AbortControllers, promises); every decision above is
 * made by the synchronous {@link HedgeCore} / {@link HedgeRun} of hedge-core.ts, which the
 * simulator drives too. Cost per call: one timer per pending hedge, one AbortController per
 * attempt; O(windowSize) memmove per completed attempt in adaptive mode.
 */
import type { TimerHandle } from '../core/clock.js';
import type { Disposable, Listener } from '../core/events.js';
import { CancelledError } from './cancelled.js';
import { HedgeCore, type HedgeEvent, type HedgeOptions, type HedgeRun, type HedgeStats } from './hedge-core.js';
import type { AttemptContext, ExecuteOptions, Operation, Policy } from './policy.js';
import type { Deadline } from './deadline.js';
import { invoke } from './signals.js';

export { DEFAULT_HEDGE_PERCENTILE, type HedgeEvent, type HedgeOptions, type HedgeStats } from './hedge-core.js';

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

  /** The synchronous decision core this policy drives (the simulator drives the same class). */
  get core(): HedgeCore {
    return this.#core;
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
    return this.#core.stats();
  }

  /**
   * Runs `fn`, adding copies after the hedge delay; resolves with the first success.
   * @throws the last attempt's error when every attempt failed; the caller's `signal.reason` on abort
   */
  execute<T>(fn: Operation<T>, options: ExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const core = this.#core;
    return new Promise<T>((resolve, reject) => {
      new HedgedCall(core, core.begin(core.clock.now()), fn, signal, options.deadline, resolve, reject).start();
    });
  }
}

/** One `execute` call: the async driver of a {@link HedgeRun} — timers, AbortControllers, settlement. */
class HedgedCall<T> {
  readonly #core: HedgeCore;
  readonly #run: HedgeRun;
  readonly #fn: Operation<T>;
  readonly #signal: AbortSignal | undefined;
  readonly #deadline: Deadline | undefined;
  readonly #resolve: (value: T) => void;
  readonly #reject: (error: unknown) => void;
  readonly #controllers: AbortController[] = [];
  #timer: TimerHandle | undefined;

  constructor(
    core: HedgeCore,
    run: HedgeRun,
    fn: Operation<T>,
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
    resolve: (value: T) => void,
    reject: (error: unknown) => void,
  ) {
    this.#core = core;
    this.#run = run;
    this.#fn = fn;
    this.#signal = signal;
    this.#deadline = deadline;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#launch();
    this.#schedule();
  }

  #schedule(): void {
    const waitMs = this.#run.nextCheckMs(this.#core.clock.now());
    if (waitMs !== undefined) this.#timer = this.#core.clock.setTimer(waitMs, this.#onTimer);
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    if (this.#run.due(this.#core.clock.now())) this.#launch();
    this.#schedule();
  };

  #launch(): void {
    const attempt = this.#run.launch(this.#core.clock.now());
    const controller = new AbortController();
    this.#controllers.push(controller);
    const context: AttemptContext = { signal: controller.signal, attempt, deadline: this.#deadline };
    invoke(this.#fn, context).then(
      (value) => this.#onSuccess(attempt, value),
      (error: unknown) => this.#onFailure(attempt, error),
    );
  }

  #onSuccess(attempt: number, value: T): void {
    if (this.#run.settled) return;
    const losers = this.#run.succeeded(attempt, this.#core.clock.now());
    if (losers !== 0) {
      const lost = new CancelledError('hedge-lost');
      for (let i = 0; i < this.#controllers.length; i++) if ((losers & (1 << i)) !== 0) this.#controllers[i]!.abort(lost);
    }
    this.#finish();
    this.#resolve(value);
  }

  #onFailure(attempt: number, error: unknown): void {
    if (!this.#run.failed(attempt)) return;
    this.#finish();
    this.#reject(error);
  }

  readonly #onAbort = (): void => {
    if (this.#run.settled) return;
    this.#run.abandon();
    const reason: unknown = this.#signal!.reason;
    for (const controller of this.#controllers) controller.abort(reason);
    this.#finish();
    this.#reject(reason);
  };

  #finish(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }
}
