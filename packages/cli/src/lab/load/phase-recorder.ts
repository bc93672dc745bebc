/**
 * One phase's measurements, kept by headroom/latency's `LatencyRecorder` (the load driver records
 * into it): latency of successful requests from their intended send times, errors by kind, and a
 * timeline of interval points cut from the driver's interval snapshots. Latency percentiles
 * cover successful responses only — a rejected request answered in 1 ms would otherwise make an
 * overloaded service look fast — and errors are counted beside them, by kind.
 */
import { type Clock, LatencyHistogram } from 'headroom';
import { LatencyRecorder, type IntervalSnapshot } from 'headroom/latency';

/** How a request ended (the kinds the load driver is told; `'ok'` is its success label). */
export type RequestOutcome = 'ok' | 'timeout' | 'shed' | 'http' | 'network';

/** Errors by kind. */
export interface ErrorCounts {
  /** The client's deadline passed first. */
  readonly timeout: number;
  /** The service rejected it to protect itself (HTTP 503). */
  readonly shed: number;
  /** Any other non-2xx status. */
  readonly http: number;
  /** Connection errors. */
  readonly network: number;
}

/** One point of a phase's timeline (one interval). */
export interface TimelinePoint {
  /** End of the interval, seconds since the phase started measuring. */
  readonly tSec: number;
  /** Requests completed in the interval, per second. */
  readonly completedPerSec: number;
  /** Successful requests per second. */
  readonly okPerSec: number;
  /** Failed requests per second. */
  readonly errorsPerSec: number;
  /** Latency percentiles of the interval's successes, ms (null when none succeeded). */
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  /** Store queries per second across replicas. */
  readonly storeQps: number;
}

/** A phase's recorder and timeline. */
export class PhaseRecorder {
  /** Where the load driver records (successes' latency, failures by kind). */
  readonly recorder: LatencyRecorder;
  readonly timeline: TimelinePoint[] = [];
  /** Each replica's successful attempts as the client saw them (attempt sent → answer read), ms, by replica index. */
  readonly #replicas: LatencyHistogram[] = [];
  /** Successful attempts per second of the window they were sent in, per replica (`[second][replica]`). */
  readonly #bySecond: number[][] = [];
  readonly #clock: Clock;
  #windowStartMs = Number.NaN;
  #seconds = 1;

  /** @param clock - the phase's clock (interval snapshots are timed on it) */
  constructor(clock: Clock) {
    this.#clock = clock;
    this.recorder = new LatencyRecorder({ clock, eventLoop: false });
  }

  /**
   * Opens the measured window: attempts are counted per second of it from now on.
   * @param durationMs - the window's length (an attempt sent after it, a late hedge, counts in its last second)
   */
  startWindow(durationMs: number): void {
    this.#windowStartMs = this.#clock.now();
    this.#seconds = Math.max(1, Math.ceil(durationMs / 1000));
    this.#bySecond.length = 0;
  }

  /** Successes over the whole measured phase (a copy). */
  get ok(): LatencyHistogram {
    return this.recorder.histogram();
  }

  /**
   * Records one successful attempt of a window request at replica `replica` (hedges included: each
   * attempt at its own replica), timed from when the attempt was sent.
   */
  readonly recordAttempt = (replica: number, ms: number): void => {
    while (this.#replicas.length <= replica) this.#replicas.push(new LatencyHistogram());
    this.#replicas[replica]!.record(Math.max(0, ms));
    if (Number.isNaN(this.#windowStartMs)) return;
    const second = Math.min(this.#seconds - 1, Math.max(0, Math.floor((this.#clock.now() - ms - this.#windowStartMs) / 1000)));
    while (this.#bySecond.length < this.#seconds) this.#bySecond.push([]);
    const row = this.#bySecond[second]!;
    while (row.length <= replica) row.push(0);
    row[replica]!++;
  };

  /**
   * Successful attempts per second of the window, by the second each was sent in, per replica
   * (`[second][replica]`, index order, zeros filled in); empty before {@link startWindow}.
   */
  replicaAttemptsBySecond(replicas: number): number[][] {
    if (Number.isNaN(this.#windowStartMs)) return [];
    return Array.from({ length: this.#seconds }, (_, s) => Array.from({ length: replicas }, (_, i) => this.#bySecond[s]?.[i] ?? 0));
  }

  /** Each replica's attempt latency so far, as nines-grid CDFs (index order; empty for a replica that answered none). */
  replicaCdfs(replicas: number): { readonly percentile: number; readonly ms: number }[][] {
    return Array.from({ length: replicas }, (_, i) => (this.#replicas[i] === undefined ? [] : cdfPoints(this.#replicas[i]!)));
  }

  /** Successful requests so far. */
  get okCount(): number {
    return this.recorder.total().count;
  }

  /** Errors so far, by kind. */
  get errors(): ErrorCounts {
    const byKind = this.recorder.failuresByKind();
    return { timeout: byKind['timeout'] ?? 0, shed: byKind['shed'] ?? 0, http: byKind['http'] ?? 0, network: byKind['network'] ?? 0 };
  }

  /** Total errors so far. */
  get errorCount(): number {
    return this.recorder.failures;
  }

  /**
   * Appends the point of one closed interval.
   * @param interval - the recorder's snapshot of the interval (the driver's progress report)
   * @param tSec - seconds since the phase started measuring, at the interval's end
   * @param storeQueries - store queries made during the interval (all replicas)
   */
  cut(interval: IntervalSnapshot, tSec: number, storeQueries: number): TimelinePoint {
    const spanSec = Math.max(1e-3, (interval.endMs - interval.startMs) / 1000);
    const ok = interval.latency.count;
    const has = ok > 0;
    const point: TimelinePoint = {
      tSec: round(tSec, 3),
      completedPerSec: round((ok + interval.failures) / spanSec, 1),
      okPerSec: round(ok / spanSec, 1),
      errorsPerSec: round(interval.failures / spanSec, 1),
      p50: has ? round(interval.latency.p50, 3) : null,
      p99: has ? round(interval.latency.p99, 3) : null,
      p999: has ? round(interval.latency.p999, 3) : null,
      storeQps: round(storeQueries / spanSec, 1),
    };
    this.timeline.push(point);
    return point;
  }
}

/** Latency at each percentile of a "nines" scale (0, 50, 90, 99, 99.9, 99.99 and points between), for CDF plots. */
export function cdfPoints(
  histogram: Pick<LatencyHistogram, 'count' | 'percentile'>,
): { readonly percentile: number; readonly ms: number }[] {
  if (histogram.count === 0) return [];
  const points: { percentile: number; ms: number }[] = [];
  // x = number of nines: p = 100·(1 − 10^−x), from 0 (p0) to 4 (p99.99), in steps of 0.1.
  for (let tenths = 0; tenths <= 40; tenths++) {
    const percentile = round(100 * (1 - 10 ** (-tenths / 10)), 4);
    points.push({ percentile, ms: round(histogram.percentile(percentile), 3) });
  }
  points.push({ percentile: 100, ms: round(histogram.percentile(100), 3) });
  return points;
}

/** Rounds to `digits` decimals (for compact JSON). */
export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
