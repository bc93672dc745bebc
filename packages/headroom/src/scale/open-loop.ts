/**
 * The open-loop load driver (wrk2; Gil Tene, "How NOT to Measure Latency", 2015). Requests go out
 * on an {@link ArrivalSchedule} whether or not earlier ones have answered, and every latency is
 * timed from the request's *intended* send time, not from when it actually went out. A target
 * that stalls for a second therefore shows every request that was due during the stall with the
 * time it waited — where a closed loop (send, wait, send) would have sent one request, recorded one
 * slow sample and hidden the rest: coordinated omission. No after-the-fact correction is needed.
 *
 * The driver is late when its own event loop is busy; that lateness is counted against the target
 * (the request did start late), so the driver also measures it — the *send lag*, actual minus
 * intended send time of every request — and says when it, not the target, set the pace.
 *
 * Time comes from the injected Clock: on a VirtualClock the schedule is exact and a test can
 * check every send time; on the SystemClock timers are real (and unref'd).
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { parseOptionalDuration, parsePositiveDuration, type Duration } from '../core/duration.js';
import { LatencyHistogram, type HistogramSnapshot } from '../core/histogram.js';
import { defaultRandom, type Random } from '../core/random.js';
import { LatencyRecorder, type IntervalSnapshot } from '../latency/index.js';
import { invalidScaleOption } from './models/errors.js';
import { arrivalOffsets, type ArrivalSchedule } from './schedule.js';

/** One request as the driver hands it to the target. */
export interface Arrival {
  /** 0 for the first request of the run, then 1, 2, … */
  readonly index: number;
  /** When the schedule meant it to go out, clock ms: time budgets (deadlines) should count from here. */
  readonly intendedMs: number;
  /** The run's signal: aborted when the run is. */
  readonly signal: AbortSignal;
}

/** How a target's promise settled. */
export type Settled<T> = { readonly status: 'fulfilled'; readonly value: T } | { readonly status: 'rejected'; readonly reason: unknown };

/** The label of a success: latency is recorded for it; every other label is a failure of that kind. */
export const SUCCESS = 'ok';

/** Options of {@link runOpenLoop}. */
export interface OpenLoopOptions<T> {
  /** When to send (required). */
  readonly schedule: ArrivalSchedule;
  /** Time source; default `systemClock`. */
  readonly clock?: Clock;
  /** Draws Poisson gaps (give a seeded one to repeat a schedule); default `defaultRandom()`. */
  readonly random?: Random;
  /** Stops sending when aborted (requests in flight get it too); the run then resolves with `aborted: true`. */
  readonly signal?: AbortSignal;
  /**
   * Names how one request ended: {@link SUCCESS} (`'ok'`) records its latency, anything else counts
   * as a failure of that kind. Default: fulfilled → `'ok'`, rejected → `'error'`. Must not throw.
   */
  readonly classify?: (settled: Settled<T>) => string;
  /** How often {@link OpenLoopOptions.onProgress} is called; default `'1s'`. */
  readonly progressInterval?: Duration;
  /**
   * Called every `progressInterval` and once more when the last request has settled, with the
   * recorder's interval snapshot (so only then does the driver close the recorder's intervals).
   * Must not throw.
   */
  readonly onProgress?: (progress: LoadProgress) => void;
  /** Called once when the whole schedule has been sent, before the requests in flight settle. Must not throw. */
  readonly onSent?: (sent: number) => void;
  /**
   * Where successes and failures are recorded (give your own to watch it live, or to monitor the
   * event loop); default a new `LatencyRecorder` on `clock` without event-loop monitoring. With
   * `onProgress` the driver takes its interval snapshots, so nothing else should.
   */
  readonly recorder?: LatencyRecorder;
  /** Send lag (p99) above which the result says the driver fell behind; default `'10ms'`. */
  readonly lagTolerance?: Duration;
}

/** What the driver reports every `progressInterval`. */
export interface LoadProgress {
  /** Time since the run started, ms. */
  readonly elapsedMs: number;
  /** Requests sent so far. */
  readonly sent: number;
  /** Requests sent and not yet settled. */
  readonly inFlight: number;
  /** The interval since the last report: latency of its successes, completions per second, failures. */
  readonly interval: IntervalSnapshot;
  /**
   * The interval's successes as a histogram, ms (the same values as `interval.latency`), so that
   * intervals from several workers merge exactly; yours to keep.
   */
  readonly latency: LatencyHistogram;
  /** The latest send of the interval relative to its intended time, ms (0 when nothing was sent). */
  readonly maxSendLagMs: number;
  /** True on the last call, made once every request has settled. */
  readonly final: boolean;
}

/** What one run measured. */
export interface OpenLoopResult {
  /** When the run started, sending ended, and the last request settled, clock ms. */
  readonly startMs: number;
  readonly sentEndMs: number;
  readonly endMs: number;
  /** Requests sent. */
  readonly sent: number;
  /** Successes of this run; their latency, from intended send time, is in `recorder`. */
  readonly ok: number;
  /** Failures of this run by the kind `classify` named. */
  readonly failures: Readonly<Record<string, number>>;
  /** Every success's latency and every failure, as recorded (total, interval and histogram views). */
  readonly recorder: LatencyRecorder;
  /** How late each request went out (actual − intended send time), ms. */
  readonly sendLag: HistogramSnapshot;
  /**
   * True when the send lag's p99 exceeded `lagTolerance`: the driver could not keep its schedule, so
   * its latencies include its own delay and its rate may be below the schedule's.
   */
  readonly driverBehind: boolean;
  /** True when the signal stopped the run before the schedule ended. */
  readonly aborted: boolean;
}

/**
 * Sends `target` requests on `options.schedule`, open loop (see the file comment), and resolves
 * once every request has settled. The returned promise never rejects once started: a target's
 * rejection is a failure of the kind `classify` names.
 * @example
 * ```ts
 * const result = await runOpenLoop(() => fetch('http://127.0.0.1:8080/'), {
 *   schedule: constantRate(200, '10s'),
 *   onProgress: (p) => console.log(p.interval.ratePerSec, p.interval.latency.p99),
 * });
 * result.recorder.total().p99; // ms, from intended send times
 * ```
 * @throws HR_SCALE_INVALID_OPTION on a bad schedule or option; HR_CORE_INVALID_DURATION on a bad duration
 */
export function runOpenLoop<T>(target: (arrival: Arrival) => Promise<T>, options: OpenLoopOptions<T>): Promise<OpenLoopResult> {
  if (typeof target !== 'function') throw invalidScaleOption('target', target, 'pass an async function that sends one request');
  const clock = options.clock ?? systemClock;
  const progressMs = parsePositiveDuration(options.progressInterval, 'progressInterval', 1000);
  const lagToleranceMs = parseOptionalDuration(options.lagTolerance, 'lagTolerance', 10);
  const arrivals = arrivalOffsets(options.schedule, { random: options.random ?? defaultRandom() });
  const first = arrivals.next(); // validates the schedule now, before anything starts
  const signal = options.signal ?? new AbortController().signal;
  const classify = options.classify ?? defaultClassify;
  return new Promise<OpenLoopResult>((resolve) => {
    const recorder = options.recorder ?? new LatencyRecorder({ clock, eventLoop: false });
    const sendLag = new LatencyHistogram();
    const startMs = clock.now();
    let next = first;
    let sent = 0;
    let ok = 0;
    const failures: Record<string, number> = {};
    let inFlight = 0;
    let sentEndMs = -1;
    let intervalLagMs = 0;
    let sendTimer: TimerHandle | null = null;
    let progressTimer: TimerHandle | null = null;
    let intervalLatency = new LatencyHistogram();

    const progress = (final: boolean): void => {
      const lag = intervalLagMs;
      intervalLagMs = 0;
      const interval = recorder.snapshot();
      const latency = intervalLatency;
      intervalLatency = new LatencyHistogram();
      options.onProgress?.({ elapsedMs: clock.now() - startMs, sent, inFlight, interval, latency, maxSendLagMs: lag, final });
    };
    const finishIfDone = (): void => {
      if (sentEndMs < 0 || inFlight > 0) return;
      progressTimer?.cancel();
      if (options.onProgress !== undefined) progress(true);
      if (options.recorder === undefined) recorder.close();
      alive?.cancel();
      const lagSnapshot = sendLag.snapshot();
      resolve({
        startMs,
        sentEndMs,
        endMs: clock.now(),
        sent,
        ok,
        failures,
        recorder,
        sendLag: lagSnapshot,
        driverBehind: lagSnapshot.p99 > lagToleranceMs,
        aborted: signal.aborted && next.done !== true,
      });
    };
    const settle = (arrival: Arrival, settled: Settled<T>): void => {
      const kind = classify(settled);
      if (kind === SUCCESS) {
        ok++;
        const endMs = clock.now();
        recorder.record(arrival.intendedMs, endMs);
        intervalLatency.record(Math.max(0, endMs - arrival.intendedMs));
      } else {
        failures[kind] = (failures[kind] ?? 0) + 1;
        recorder.recordFailure(kind);
      }
      inFlight--;
      finishIfDone();
    };
    const send = (intendedMs: number): void => {
      const lagMs = Math.max(0, clock.now() - intendedMs);
      sendLag.record(lagMs);
      if (lagMs > intervalLagMs) intervalLagMs = lagMs;
      const arrival: Arrival = { index: sent++, intendedMs, signal };
      inFlight++;
      let call: Promise<T>;
      try {
        call = target(arrival);
      } catch (error) {
        call = Promise.reject(error);
      }
      Promise.resolve(call).then(
        (value) => settle(arrival, { status: 'fulfilled', value }),
        (reason: unknown) => settle(arrival, { status: 'rejected', reason }),
      );
    };
    const endSending = (): void => {
      sendTimer?.cancel();
      signal.removeEventListener('abort', endSending);
      if (sentEndMs >= 0) return;
      sentEndMs = clock.now();
      options.onSent?.(sent);
      finishIfDone();
    };
    const tick = (): void => {
      sendTimer = null;
      while (next.done !== true && !signal.aborted && startMs + next.value <= clock.now()) {
        send(startMs + next.value);
        next = arrivals.next();
      }
      if (next.done === true || signal.aborted) return endSending();
      sendTimer = clock.setTimer(Math.max(0, startMs + next.value - clock.now()), tick);
    };
    const everyInterval = (): void => {
      progressTimer = clock.setTimer(progressMs, everyInterval);
      progress(false);
    };

    // The driver's timers, like every Headroom timer, do not keep the process alive; the run does.
    const alive = clock.keepAlive?.();
    if (signal.aborted) return endSending();
    signal.addEventListener('abort', endSending, { once: true });
    if (options.onProgress !== undefined) progressTimer = clock.setTimer(progressMs, everyInterval);
    tick();
  });
}

function defaultClassify(settled: Settled<unknown>): string {
  return settled.status === 'fulfilled' ? SUCCESS : 'error';
}
