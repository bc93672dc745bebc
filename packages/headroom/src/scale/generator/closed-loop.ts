/**
 * The closed-loop driver (as autocannon and wrk run): `concurrency` virtual users, each sending a
 * request, waiting for its answer, and sending the next, for a fixed duration. Its throughput at
 * concurrency N is the X(N) a USL fit takes (`headroom scale sweep`).
 *
 * A closed loop understates latency when the target stalls: a user stuck behind a stall sends
 * nothing, so the requests that would have arrived meanwhile are never sent and never counted
 * (coordinated omission). Use the open-loop driver (`runOpenLoop`) to measure latency at a rate;
 * use this one to measure how much a system completes at a given concurrency.
 *
 * Latency is timed from each request's actual send; time comes from the injected Clock. The
 * target must take time (a real request, or a timer on a VirtualClock).
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { parseDuration, parsePositiveDuration, type Duration } from '../../core/duration.js';
import { LatencyHistogram } from '../../core/histogram.js';
import { LatencyRecorder } from '../../latency/index.js';
import { invalidScaleOption } from '../models/errors.js';
import { SUCCESS, type Arrival, type LoadProgress, type Settled } from '../open-loop.js';

/** Options of {@link runClosedLoop}. */
export interface ClosedLoopOptions<T> {
  /** Virtual users, each with one request in flight at a time (a positive integer). */
  readonly concurrency: number;
  /** How long to send (required), e.g. `'10s'`. Requests in flight at the end are awaited. */
  readonly duration: Duration;
  /** Time source; default `systemClock`. */
  readonly clock?: Clock;
  /** Stops sending when aborted; the run then resolves with `aborted: true`. */
  readonly signal?: AbortSignal;
  /** Names how a request ended: `'ok'` records its latency, anything else is a failure of that kind. Must not throw. */
  readonly classify?: (settled: Settled<T>) => string;
  /** How often `onProgress` is called; default `'1s'`. */
  readonly progressInterval?: Duration;
  /** Called every `progressInterval` and once at the end (`maxSendLagMs` is always 0 here). Must not throw. */
  readonly onProgress?: (progress: LoadProgress) => void;
}

/** What a closed-loop run measured. */
export interface ClosedLoopResult {
  /** The concurrency it ran at. */
  readonly concurrency: number;
  /** When it started and when the last request settled, clock ms. */
  readonly startMs: number;
  readonly endMs: number;
  /** When sending stopped (the duration elapsed, or the signal fired), clock ms. */
  readonly sentEndMs: number;
  /** Requests sent. */
  readonly sent: number;
  /** Successes; their latency is in `recorder`. */
  readonly ok: number;
  /** Failures by kind. */
  readonly failures: Readonly<Record<string, number>>;
  /** Completed successes per second over the sending period: X(N). */
  readonly throughputPerSec: number;
  /** Every success's latency and every failure. */
  readonly recorder: LatencyRecorder;
  /** True when the signal stopped the run early. */
  readonly aborted: boolean;
}

/**
 * Runs `target` closed loop at `options.concurrency` for `options.duration`.
 * @throws HR_SCALE_INVALID_OPTION for a bad concurrency or target; HR_CORE_INVALID_DURATION for a bad duration
 * @example
 * ```ts
 * const r = await runClosedLoop(() => fetch('http://127.0.0.1:8080/'), { concurrency: 8, duration: '5s' });
 * r.throughputPerSec; r.recorder.total().p99;
 * ```
 */
export function runClosedLoop<T>(target: (arrival: Arrival) => Promise<T>, options: ClosedLoopOptions<T>): Promise<ClosedLoopResult> {
  if (typeof target !== 'function') throw invalidScaleOption('target', target, 'pass an async function that sends one request');
  const concurrency = options.concurrency;
  if (!(Number.isInteger(concurrency) && concurrency >= 1))
    throw invalidScaleOption('concurrency', concurrency, 'pass a whole number of virtual users, at least 1');
  const durationMs = parseDuration(options.duration, 'duration');
  if (!(durationMs > 0)) throw invalidScaleOption('duration', options.duration, "pass a positive duration such as '10s'");
  const progressMs = parsePositiveDuration(options.progressInterval, 'progressInterval', 1000);
  const clock: Clock = options.clock ?? systemClock;
  const signal = options.signal ?? new AbortController().signal;
  const classify = options.classify ?? ((s: Settled<T>) => (s.status === 'fulfilled' ? SUCCESS : 'error'));
  return new Promise<ClosedLoopResult>((resolve) => {
    const recorder = new LatencyRecorder({ clock, eventLoop: false });
    const startMs = clock.now();
    let sent = 0;
    let inFlight = 0;
    let users = concurrency;
    let sentEndMs = -1;
    let progressTimer: TimerHandle | null = null;
    let intervalLatency = new LatencyHistogram();
    const stopSending = (): void => {
      if (sentEndMs < 0) sentEndMs = clock.now();
    };
    const endTimer = clock.setTimer(durationMs, stopSending);
    signal.addEventListener('abort', stopSending, { once: true });
    const progress = (final: boolean): void => {
      const latency = intervalLatency;
      intervalLatency = new LatencyHistogram();
      const interval = recorder.snapshot();
      options.onProgress?.({ elapsedMs: clock.now() - startMs, sent, inFlight, interval, latency, maxSendLagMs: 0, final });
    };
    const finish = (): void => {
      endTimer.cancel();
      progressTimer?.cancel();
      signal.removeEventListener('abort', stopSending);
      progress(true);
      recorder.close();
      const ok = recorder.total().count;
      const sendingMs = Math.max(sentEndMs - startMs, 1e-9);
      resolve({
        concurrency,
        startMs,
        endMs: clock.now(),
        sentEndMs,
        sent,
        ok,
        failures: recorder.failuresByKind(),
        throughputPerSec: ok / (sendingMs / 1000),
        recorder,
        aborted: signal.aborted,
      });
    };
    const next = (): void => {
      if (sentEndMs < 0 && clock.now() - startMs >= durationMs) stopSending();
      if (sentEndMs >= 0) {
        if (--users === 0) finish();
        return;
      }
      const beganMs = clock.now();
      const arrival: Arrival = { index: sent++, intendedMs: beganMs, signal };
      inFlight++;
      let call: Promise<T>;
      try {
        call = target(arrival);
      } catch (error) {
        call = Promise.reject(error);
      }
      const settle = (settled: Settled<T>): void => {
        inFlight--;
        const kind = classify(settled);
        if (kind === SUCCESS) {
          const endMs = clock.now();
          recorder.record(beganMs, endMs);
          intervalLatency.record(Math.max(0, endMs - beganMs));
        } else recorder.recordFailure(kind);
        next();
      };
      Promise.resolve(call).then(
        (value) => settle({ status: 'fulfilled', value }),
        (reason: unknown) => settle({ status: 'rejected', reason }),
      );
    };
    const everyInterval = (): void => {
      progressTimer = clock.setTimer(progressMs, everyInterval);
      progress(false);
    };
    progressTimer = clock.setTimer(progressMs, everyInterval);
    if (signal.aborted) stopSending();
    for (let i = 0; i < concurrency; i++) next();
  });
}
