/**
 * Collects one phase's measurements: latency of successful requests (whole phase and per interval)
 * in core LatencyHistograms, outcome counts, and a timeline of interval points. Latency percentiles
 * cover successful responses only — a rejected request answered in 1 ms would otherwise make an
 * overloaded service look fast — and errors are counted beside them, by kind.
 */
import { LatencyHistogram } from 'headroom';

/** How a request ended. */
export type Outcome = 'ok' | 'timeout' | 'shed' | 'http' | 'network';

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

/** Records outcomes and cuts the timeline. */
export class PhaseRecorder {
  /** Successes over the whole measured phase. */
  readonly ok = new LatencyHistogram();
  readonly #interval = new LatencyHistogram();
  readonly timeline: TimelinePoint[] = [];
  #errors = { timeout: 0, shed: 0, http: 0, network: 0 };
  #okCount = 0;
  #intervalOk = 0;
  #intervalErrors = 0;
  #lastCutSec = 0;

  /** Records one finished request. */
  record(outcome: Outcome, latencyMs: number): void {
    if (outcome === 'ok') {
      this.ok.record(latencyMs);
      this.#interval.record(latencyMs);
      this.#okCount++;
      this.#intervalOk++;
    } else {
      this.#errors[outcome]++;
      this.#intervalErrors++;
    }
  }

  /** Successful requests so far. */
  get okCount(): number {
    return this.#okCount;
  }

  /** Errors so far, by kind. */
  get errors(): ErrorCounts {
    return { ...this.#errors };
  }

  /** Total errors so far. */
  get errorCount(): number {
    const e = this.#errors;
    return e.timeout + e.shed + e.http + e.network;
  }

  /**
   * Closes the current interval and appends its point.
   * @param tSec - seconds since the phase started measuring
   * @param storeQueries - store queries made during the interval (all replicas)
   */
  cut(tSec: number, storeQueries: number): TimelinePoint {
    const spanSec = Math.max(1e-3, tSec - this.#lastCutSec);
    const has = this.#intervalOk > 0;
    const point: TimelinePoint = {
      tSec: round(tSec, 3),
      completedPerSec: round((this.#intervalOk + this.#intervalErrors) / spanSec, 1),
      okPerSec: round(this.#intervalOk / spanSec, 1),
      errorsPerSec: round(this.#intervalErrors / spanSec, 1),
      p50: has ? round(this.#interval.percentile(50), 3) : null,
      p99: has ? round(this.#interval.percentile(99), 3) : null,
      p999: has ? round(this.#interval.percentile(99.9), 3) : null,
      storeQps: round(storeQueries / spanSec, 1),
    };
    this.timeline.push(point);
    this.#interval.reset();
    this.#intervalOk = 0;
    this.#intervalErrors = 0;
    this.#lastCutSec = tSec;
    return point;
  }
}

/** Latency at each percentile of a "nines" scale (0, 50, 90, 99, 99.9, 99.99 and points between), for CDF plots. */
export function cdfPoints(histogram: LatencyHistogram): { readonly percentile: number; readonly ms: number }[] {
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
