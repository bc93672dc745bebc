/**
 * LatencyRecorder: measures latency the way that does not lie (Gil Tene, "How NOT to Measure
 * Latency", 2015). Each request is timed from its *intended* start — when an open-loop schedule
 * said it should begin — not from when a busy client got round to sending it, so a stall shows up
 * in every request it delayed (coordinated omission). For closed-loop generators that cannot know
 * the schedule, `recordCorrected` back-fills the hidden samples (HdrHistogram's method).
 *
 * Beside the latency it reports the process's own event-loop delay (`monitorEventLoopDelay`), so a
 * p99 caused by this process stalling is not blamed on the backend. Interval snapshots (copy,
 * then reset) give percentiles over time. Recording is O(1) and allocation-free.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import type { Disposable, Listener } from '../core/events.js';
import { LatencyHistogram, type HistogramSnapshot } from '../core/histogram.js';
import type { Duration } from '../core/duration.js';
import { atLeastOneMs } from './options.js';

/** A source of event-loop delay, in nanoseconds (the shape of Node's `IntervalHistogram`). */
export interface EventLoopDelaySource {
  enable(): unknown;
  disable(): unknown;
  reset(): void;
  percentile(p: number): number;
  readonly max: number;
  readonly mean: number;
  readonly count?: number;
}

/** Event-loop delay over an interval, ms. */
export interface EventLoopDelaySnapshot {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** One interval of a {@link LatencyRecorder}. */
export interface IntervalSnapshot {
  /** Interval start and end, clock ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** Latency of successes recorded in the interval, ms. */
  readonly latency: HistogramSnapshot;
  /** Successes and failures per second over the interval. */
  readonly ratePerSec: number;
  /** Failures recorded in the interval. */
  readonly failures: number;
  /** This process's event-loop delay over the interval, when monitored. */
  readonly eventLoopDelay: EventLoopDelaySnapshot | undefined;
}

/** Options of {@link LatencyRecorder}. */
export interface RecorderOptions {
  /** Clock that timestamps ends and intervals; default `systemClock`. */
  readonly clock?: Clock;
  /**
   * Event-loop delay source: true for Node's `monitorEventLoopDelay` (default), false for none,
   * or your own source. Call `close()` to stop it.
   */
  readonly eventLoop?: boolean | EventLoopDelaySource;
  /** Sampling resolution of the built-in event-loop monitor, ms or '10ms' (at least 1 ms); default 10 (Node's default). */
  readonly eventLoopResolution?: Duration;
}

/**
 * Records request latency from intended start times, with interval snapshots and event-loop delay.
 * @example
 * ```ts
 * const recorder = new LatencyRecorder();
 * const intendedMs = startMs + i * (1000 / ratePerSec);   // the open-loop schedule
 * await callBackend();
 * recorder.record(intendedMs);                           // latency = now − intended start
 * const sub = recorder.every(1000, (s) => console.log(s.latency.p99, s.eventLoopDelay?.p99));
 * ```
 */
export class LatencyRecorder {
  readonly #clock: Clock;
  readonly #total = new LatencyHistogram();
  readonly #interval = new LatencyHistogram();
  readonly #loop: EventLoopDelaySource | undefined;
  #intervalStartMs: number;
  #intervalFailures = 0;
  #totalFailures = 0;
  readonly #failuresByKind = new Map<string, number>();
  #closed = false;

  constructor(options: RecorderOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#intervalStartMs = this.#clock.now();
    const loop = options.eventLoop ?? true;
    if (loop === true) {
      const resolution = Math.max(1, Math.round(atLeastOneMs('eventLoopResolution', options.eventLoopResolution, 10)));
      this.#loop = monitorEventLoopDelay({ resolution });
    } else {
      this.#loop = loop === false ? undefined : loop;
    }
    this.#loop?.enable();
  }

  /**
   * Records a success timed from its intended start.
   * @param intendedStartMs - when the request should have started (clock ms)
   * @param endMs - when it finished; default now
   */
  record(intendedStartMs: number, endMs: number = this.#clock.now()): void {
    const ms = Math.max(0, endMs - intendedStartMs);
    this.#total.record(ms);
    this.#interval.record(ms);
  }

  /**
   * Records a failure (counted, not in the latency histogram).
   * @param kind - what kind of failure (e.g. `'timeout'`, `'shed'`), for {@link failuresByKind}; default `'failure'`
   */
  recordFailure(kind = 'failure'): void {
    this.#intervalFailures++;
    this.#totalFailures++;
    this.#failuresByKind.set(kind, (this.#failuresByKind.get(kind) ?? 0) + 1);
  }

  /**
   * Records a latency measured by a closed-loop generator that meant to send every
   * `expectedIntervalMs`, back-filling the requests a stall kept it from sending.
   */
  recordCorrected(latencyMs: number, expectedIntervalMs: number): void {
    this.#total.recordCorrected(latencyMs, expectedIntervalMs);
    this.#interval.recordCorrected(latencyMs, expectedIntervalMs);
  }

  /** Latency since construction (successes), ms. */
  total(): HistogramSnapshot {
    return this.#total.snapshot();
  }

  /** Failures since construction. */
  get failures(): number {
    return this.#totalFailures;
  }

  /** Failures since construction by the kind given to {@link recordFailure}, in first-seen order. */
  failuresByKind(): Record<string, number> {
    return Object.fromEntries(this.#failuresByKind);
  }

  /** A copy of the latency histogram of every success since construction (to merge, or read any percentile). */
  histogram(): LatencyHistogram {
    return this.#total.clone();
  }

  /** A percentile of all latency since construction, ms (0 when empty). */
  percentile(p: number): number {
    return this.#total.percentile(p);
  }

  /** Closes the current interval and returns it; the next interval starts now. */
  snapshot(): IntervalSnapshot {
    const endMs = this.#clock.now();
    const latency = this.#interval.snapshot();
    const seconds = (endMs - this.#intervalStartMs) / 1000;
    const loop = this.#loop;
    const snap: IntervalSnapshot = {
      startMs: this.#intervalStartMs,
      endMs,
      latency,
      ratePerSec: seconds > 0 ? (latency.count + this.#intervalFailures) / seconds : 0,
      failures: this.#intervalFailures,
      eventLoopDelay: loop === undefined ? undefined : loopSnapshot(loop),
    };
    this.#interval.reset();
    loop?.reset();
    this.#intervalFailures = 0;
    this.#intervalStartMs = endMs;
    return snap;
  }

  /**
   * Takes a snapshot every `interval` (ms or '1s', at least 1 ms) on the clock and hands it to `listener`. Snapshots close
   * intervals, so use one consumer (this, or your own `snapshot()` calls), not both.
   * @returns a handle that stops the timer
   */
  every(interval: Duration, listener: Listener<IntervalSnapshot>): Disposable {
    const ms = atLeastOneMs('interval', interval, 1000);
    let timer: TimerHandle | undefined;
    const tick = (): void => {
      if (this.#closed) return;
      timer = this.#clock.setTimer(ms, tick);
      listener(this.snapshot());
    };
    timer = this.#clock.setTimer(ms, tick);
    return { dispose: () => timer?.cancel() };
  }

  /** Stops the event-loop monitor; recording still works. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#loop?.disable();
  }
}

function loopSnapshot(loop: EventLoopDelaySource): EventLoopDelaySnapshot {
  // An IntervalHistogram with no sample yet reports max 0 and mean NaN.
  if (!(loop.max > 0)) return { p50: 0, p99: 0, max: 0, mean: 0 };
  return { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6, mean: loop.mean / 1e6 };
}
