/**
 * The synchronous decision core of hedged requests: everything `HedgePolicy` decides, with no
 * promise, timer or AbortController — so the same object runs under the async policy (a thin
 * driver, hedge.ts) and inside the simulator's event loop (`headroom/sim`).
 *
 * - {@link HedgeCore} is per policy: the delay (fixed, or the `percentile` of the last
 *   `windowSize` attempt latencies from a {@link SlidingPercentile}), the {@link TokenBudget} for
 *   extra attempts, the counters and the events.
 * - {@link HedgeRun} is per call: which attempts are open, when the next decision is due
 *   ({@link HedgeRun.nextCheckMs}), whether a backup goes now ({@link HedgeRun.due}: asks the
 *   budget; a refused call asks again once its wait has doubled, and only such re-asks may spend
 *   the lower half of the bucket), and which attempt won ({@link HedgeRun.succeeded}: its latency
 *   and the open losers' elapsed times, lower bounds, enter the window).
 *
 * A driver that keeps its calls in plain numbers (the simulator) skips the per-call object: the
 * same decisions are {@link HedgeCore.start}, {@link HedgeCore.checkAfterMs},
 * {@link HedgeCore.decide} and, for a win, {@link HedgeCore.observe} + {@link HedgeCore.won};
 * `HedgeRun` is those calls plus its own bookkeeping of the open attempts.
 *
 * Time is passed in (`nowMs`, on the clock the budget was built with); nothing here awaits.
 * O(1) per decision plus the window's O(windowSize) memmove per observed latency.
 */
import { systemClock, type Clock } from '../core/clock.js';
import type { Duration } from '../core/duration.js';
import { Emitter } from '../core/events.js';
import { TokenBudget, type TokenBudgetOptions } from './budget.js';
import { durationOption, intOption, invalidOption, numberOption } from './options.js';
import type { PolicyOptions } from './policy.js';
import { SlidingPercentile } from './window.js';

/** Options of {@link HedgePolicy} and {@link HedgeCore}. */
export interface HedgeOptions extends PolicyOptions {
  /** Fixed hedge delay, ms or '10ms'. When set, the adaptive delay is off. */
  readonly delay?: Duration;
  /** Adaptive delay: this percentile of recent attempt latencies, 0–100; default {@link DEFAULT_HEDGE_PERCENTILE}. */
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

/** The adaptive hedge delay's default percentile (see docs/sim.md, "Choosing the hedge percentile"). */
export const DEFAULT_HEDGE_PERCENTILE = 95;

/** Events of a {@link HedgePolicy} (and its {@link HedgeCore}). */
export type HedgeEvent =
  /** A backup went out `afterMs` after the call started; `delayMs` is the hedge delay the call used. */
  | { readonly type: 'hedge'; readonly attempt: number; readonly afterMs: number; readonly delayMs: number }
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
 * Policy-wide state and decisions of hedging, synchronous.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option, or both `delay` and `percentile`
 * @example
 * ```ts
 * const core = new HedgeCore({ clock, delay: 10 });
 * const run = core.begin(clock.now());
 * run.launch(clock.now());                       // send attempt 0
 * // … when run.nextCheckMs(now) ms have passed:
 * if (run.due(clock.now())) run.launch(clock.now()); // send a backup
 * const losers = run.succeeded(0, clock.now());   // bitmask of attempts to cancel
 * ```
 */
export class HedgeCore {
  /** The clock the budget refills on (and the async driver's timers run on). */
  readonly clock: Clock;
  /** Most extra attempts per call. */
  readonly maxExtra: number;
  /** Smallest adaptive delay (and re-ask wait), ms. */
  readonly minDelayMs: number;
  /** The budget for extra attempts, or undefined without one. */
  readonly budget: TokenBudget | undefined;
  /** Hedge, refused and win events. */
  readonly events = new Emitter<HedgeEvent>();
  readonly #fixedMs: number | undefined;
  readonly #percentile: number;
  readonly #window: SlidingPercentile | undefined;
  readonly #minSamples: number;
  readonly #initialMs: number | undefined;
  readonly #wins: number[] = [];
  #calls = 0;
  #hedges = 0;
  #refused = 0;

  constructor(options: HedgeOptions = {}) {
    this.clock = options.clock ?? systemClock;
    if (options.delay !== undefined && options.percentile !== undefined) {
      throw invalidOption('percentile', options.percentile, 'set either delay (fixed) or percentile (adaptive), not both');
    }
    this.#fixedMs = options.delay === undefined ? undefined : durationOption('delay', options.delay, 0);
    this.#percentile = numberOption('percentile', options.percentile, DEFAULT_HEDGE_PERCENTILE, 0, 100);
    this.#window =
      this.#fixedMs === undefined ? new SlidingPercentile(intOption('windowSize', options.windowSize, 1000, 1, 1_000_000)) : undefined;
    this.#minSamples = intOption('minSamples', options.minSamples, 100, 1);
    this.#initialMs = options.initialDelay === undefined ? undefined : durationOption('initialDelay', options.initialDelay, 0);
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

  /**
   * The hedge delay a call starting now would use, ms; `undefined` when no hedge would be sent
   * (adaptive, fewer than `minSamples` latencies seen, no `initialDelay`).
   */
  delayMs(): number | undefined {
    if (this.#fixedMs !== undefined) return this.#fixedMs;
    const window = this.#window!;
    if (window.count < this.#minSamples) return this.#initialMs;
    return Math.max(this.minDelayMs, window.percentile(this.#percentile));
  }

  /** A call starts: counts it, earns its budget share, and returns its per-call state (send attempt 0 with `launch`). */
  begin(nowMs: number = this.clock.now()): HedgeRun {
    return new HedgeRun(this, nowMs, this.start(nowMs));
  }

  /**
   * A call starts, for a driver that keeps the call's state in plain numbers (the simulator's
   * call table; {@link HedgeRun} is the object form): counts it, earns its budget share.
   * @returns the hedge delay the call uses, ms, or -1 when it sends no backup
   */
  start(nowMs: number): number {
    this.#calls++;
    this.budget?.deposit(nowMs);
    return this.delayMs() ?? -1;
  }

  /**
   * When an unsettled call's next hedge decision is due, from its plain state: it started at
   * `startMs` with delay `delayMs` (-1: none, from {@link HedgeCore.start}), has launched
   * `launched` attempts, and its last ask was refused (`reask`).
   * @returns ms from now until {@link HedgeCore.decide}, or -1 when none is due (no delay, or `maxExtra` backups sent)
   */
  checkAfterMs(nowMs: number, startMs: number, delayMs: number, launched: number, reask: boolean): number {
    if (delayMs < 0) return -1;
    if (reask) return Math.max(nowMs - startMs, this.minDelayMs);
    return launched > this.maxExtra ? -1 : delayMs;
  }

  /**
   * An unsettled call's hedge decision is due: true when a backup goes now (attempt `launched`),
   * false when the budget refused it — the call then re-asks (`reask` true next time), and only
   * re-asks may spend the reserved half of the bucket. `delayMs` is the call's hedge delay (from
   * {@link HedgeCore.start}), reported in the `hedge` event.
   */
  decide(nowMs: number, startMs: number, launched: number, reask: boolean, delayMs: number): boolean {
    return this.allowHedge(nowMs, nowMs - startMs, launched, reask, delayMs);
  }

  /** Records an attempt's latency (or a lower bound for a cancelled one) in the adaptive window. */
  observe(latencyMs: number): void {
    this.#window?.add(latencyMs);
  }

  /** Counters since construction. */
  stats(): HedgeStats {
    return { calls: this.#calls, hedges: this.#hedges, refused: this.#refused, wins: [...this.#wins], delayMs: this.delayMs() };
  }

  /** Asks the budget for one extra attempt (a first ask keeps the reserved half of the bucket) and counts the outcome. @internal */
  allowHedge(nowMs: number, afterMs: number, attempt: number, reask: boolean, delayMs: number): boolean {
    const budget = this.budget;
    if (budget !== undefined && !budget.tryWithdraw(nowMs, reask ? 0 : Math.floor(budget.maxTokens / 2))) {
      this.#refused++;
      if (this.events.active) this.events.emit({ type: 'refused', afterMs });
      return false;
    }
    this.#hedges++;
    if (this.events.active) this.events.emit({ type: 'hedge', attempt, afterMs, delayMs });
    return true;
  }

  /**
   * Counts a win of attempt `attempt` after `latencyMs` since the call started. A driver settles a
   * win by observing the winner's latency, then each still-open loser's elapsed time in attempt
   * order ({@link HedgeCore.observe}), then calling this — as {@link HedgeRun.succeeded} does.
   */
  won(attempt: number, latencyMs: number, attempts: number): void {
    while (this.#wins.length <= attempt) this.#wins.push(0);
    this.#wins[attempt]!++;
    if (this.events.active) this.events.emit({ type: 'win', attempt, latencyMs, attempts });
  }
}

/** One hedged call's decisions: its attempts, the next decision time, the winner. */
export class HedgeRun {
  /** When the call started (clock ms). */
  readonly startMs: number;
  /** The hedge delay this call uses; undefined: it sends no backup. */
  readonly delayMs: number | undefined;
  readonly #delay: number;
  /** True once an attempt won, every attempt failed, or the caller gave up. */
  settled = false;
  readonly #core: HedgeCore;
  // send times: attempt 0's in a field, later ones in an array made only when a backup goes
  // (most calls send one attempt; this object lives as long as the call)
  #launched = 0;
  #firstSentMs = 0;
  #laterSentMs: number[] | undefined = undefined;
  #open = 0;
  #reask = false;

  /** @internal use {@link HedgeCore.begin} */
  constructor(core: HedgeCore, startMs: number, delayMs: number) {
    this.#core = core;
    this.startMs = startMs;
    this.#delay = delayMs;
    this.delayMs = delayMs < 0 ? undefined : delayMs;
  }

  /** Attempts launched so far. */
  get attempts(): number {
    return this.#launched;
  }

  /** True while attempt `i` has neither answered nor been cancelled. */
  isOpen(i: number): boolean {
    return (this.#open & (1 << i)) !== 0;
  }

  /** Registers an attempt sent now; returns its index (0 is the original). */
  launch(nowMs: number): number {
    const i = this.#launched++;
    if (i === 0) this.#firstSentMs = nowMs;
    else (this.#laterSentMs ??= []).push(nowMs);
    this.#open |= 1 << i;
    return i;
  }

  /**
   * How long from now until the next hedge decision ({@link HedgeRun.due}), ms; `undefined` when
   * none is due (settled, no delay, or `maxExtra` backups sent).
   */
  nextCheckMs(nowMs: number): number | undefined {
    if (this.settled) return undefined;
    const wait = this.#core.checkAfterMs(nowMs, this.startMs, this.#delay, this.#launched, this.#reask);
    return wait < 0 ? undefined : wait;
  }

  /**
   * The hedge delay has passed: true when a backup should be sent now (then call `launch`), false
   * when the budget refused it (then ask again after `nextCheckMs`) or the call is settled.
   */
  due(nowMs: number): boolean {
    if (this.settled) return false;
    const allowed = this.#core.decide(nowMs, this.startMs, this.#launched, this.#reask, this.#delay);
    this.#reask = !allowed;
    return allowed;
  }

  /**
   * Attempt `i` answered successfully and wins (when the call is not settled yet): its latency and
   * each open loser's elapsed time enter the window, and the win is counted.
   * @returns a bitmask of the attempts to cancel (bit j: attempt j), 0 when the call was already settled
   */
  succeeded(i: number, nowMs: number): number {
    this.#open &= ~(1 << i);
    if (this.settled) return 0;
    this.settled = true;
    const core = this.#core;
    core.observe(nowMs - this.#sentAt(i));
    const losers = this.#open;
    for (let j = 0; j < this.#launched; j++) if ((losers & (1 << j)) !== 0) core.observe(nowMs - this.#sentAt(j));
    this.#open = 0;
    core.won(i, nowMs - this.startMs, this.#launched);
    return losers;
  }

  /**
   * Attempt `i` failed. A failure sends no backup; the call fails when no attempt is left open.
   * @returns true when the call has now failed (it is settled)
   */
  failed(i: number): boolean {
    this.#open &= ~(1 << i);
    if (this.settled || this.#open !== 0) return false;
    this.settled = true;
    return true;
  }

  /** The caller gave up (abort, timeout): the call is settled and nothing is observed. */
  abandon(): void {
    this.settled = true;
    this.#open = 0;
  }

  #sentAt(i: number): number {
    return i === 0 ? this.#firstSentMs : this.#laterSentMs![i - 1]!;
  }
}
