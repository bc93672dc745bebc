/**
 * Latency histogram on HdrHistogram (hdr-histogram-js, Gil Tene's design): values are kept in
 * microseconds at 3 significant digits, so any percentile is within 0.1% of the true value,
 * from 1 µs to hours (the range grows on demand). The API speaks milliseconds.
 *
 * Coordinated omission: a load generator that waits for a slow response before sending the next
 * request silently skips the requests that would have queued behind it. `recordCorrected` adds
 * the missing samples (value − interval, value − 2·interval, …), as HdrHistogram's
 * `recordValueWithExpectedInterval` does.
 */

import hdr from 'hdr-histogram-js';
import { InvalidOptionError } from './errors.js';

const US_PER_MS = 1000;

/** Summary of a histogram, all latencies in milliseconds. */
export interface HistogramSnapshot {
  /** Number of recorded values (including corrected ones). */
  readonly count: number;
  /** Smallest recorded value, ms (0 when empty). */
  readonly min: number;
  /** Arithmetic mean, ms. */
  readonly mean: number;
  /** Median, ms. */
  readonly p50: number;
  /** 90th percentile, ms. */
  readonly p90: number;
  /** 99th percentile, ms. */
  readonly p99: number;
  /** 99.9th percentile, ms. */
  readonly p999: number;
  /** Largest recorded value, ms. */
  readonly max: number;
}

/**
 * An HDR latency histogram with a millisecond API.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(12.5);
 * h.recordCorrected(250, 10); // a 250 ms stall in a 10 ms-interval load also records 240, 230, … 10
 * h.percentile(99);           // ms
 * ```
 */
export class LatencyHistogram {
  readonly #h: hdr.Histogram;

  constructor() {
    this.#h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60 * 60 * 1000 * US_PER_MS,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    });
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#h.totalCount;
  }

  /**
   * Records one latency.
   * @param ms - milliseconds, ≥ 0 (fractions kept to the microsecond)
   * @throws HR_CORE_INVALID_OPTION on a negative or non-finite value
   */
  record(ms: number): void {
    this.#h.recordValue(toUs(ms));
  }

  /**
   * Records one latency measured by a generator that intended to send every `expectedIntervalMs`,
   * back-filling the samples coordinated omission would hide.
   * @param ms - the measured latency, ms
   * @param expectedIntervalMs - the intended gap between requests, ms (> 0)
   */
  recordCorrected(ms: number, expectedIntervalMs: number): void {
    if (!(expectedIntervalMs > 0 && Number.isFinite(expectedIntervalMs))) {
      throw new InvalidOptionError('expectedIntervalMs', expectedIntervalMs, 'use a positive, finite number of milliseconds');
    }
    this.#h.recordValueWithExpectedInterval(toUs(ms), Math.max(1, Math.round(expectedIntervalMs * US_PER_MS)));
  }

  /**
   * The value at a percentile, ms.
   * @param p - percentile in [0, 100]
   */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new InvalidOptionError('percentile', p, 'use a number from 0 to 100');
    return this.#h.totalCount === 0 ? 0 : this.#h.getValueAtPercentile(p) / US_PER_MS;
  }

  /** Adds every value of `other` into this histogram. */
  merge(other: LatencyHistogram): void {
    this.#h.add(other.#h);
  }

  /** Forgets every value. */
  reset(): void {
    this.#h.reset();
  }

  /** A copy of the current contents (for interval snapshots: copy, then reset). */
  clone(): LatencyHistogram {
    const copy = new LatencyHistogram();
    copy.#h.add(this.#h);
    return copy;
  }

  /**
   * The histogram as compressed base64 (HdrHistogram's V2 encoding), to send to another thread or
   * process; {@link LatencyHistogram.decode} restores it exactly, so merged histograms equal one
   * histogram of every sample.
   */
  encode(): string {
    return hdr.encodeIntoCompressedBase64(this.#h);
  }

  /**
   * Restores a histogram from {@link LatencyHistogram.encode}.
   * @throws HR_CORE_INVALID_OPTION when the text is not an encoded histogram
   */
  static decode(text: string): LatencyHistogram {
    let decoded: hdr.Histogram;
    try {
      decoded = hdr.decodeFromCompressedBase64(text, 32, false);
    } catch (error) {
      throw new InvalidOptionError(
        'encoded histogram',
        text.slice(0, 32),
        `pass the output of LatencyHistogram.encode() (${String(error)})`,
      );
    }
    const h = new LatencyHistogram();
    h.#h.add(decoded);
    return h;
  }

  /**
   * HdrHistogram's percentile-distribution text (`outputPercentileDistribution`, the `.hgrm` format
   * HdrHistogram plotters read): one line per percentile step, values in ms, then the mean, max and
   * count footer.
   * @param ticksPerHalfDistance - percentile lines per halving of the distance to 100%, default 5 (as HdrHistogram)
   */
  percentileDistribution(ticksPerHalfDistance = 5): string {
    return this.#h.outputPercentileDistribution(ticksPerHalfDistance, US_PER_MS);
  }

  /** Count, min, mean, p50, p90, p99, p99.9 and max, in ms. */
  snapshot(): HistogramSnapshot {
    const h = this.#h;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: h.totalCount,
      min: h.minNonZeroValue / US_PER_MS,
      mean: h.mean / US_PER_MS,
      p50: h.getValueAtPercentile(50) / US_PER_MS,
      p90: h.getValueAtPercentile(90) / US_PER_MS,
      p99: h.getValueAtPercentile(99) / US_PER_MS,
      p999: h.getValueAtPercentile(99.9) / US_PER_MS,
      max: h.maxValue / US_PER_MS,
    };
  }
}

function toUs(ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) {
    throw new InvalidOptionError('latency', ms, 'record a finite, non-negative number of milliseconds');
  }
  return Math.max(1, Math.round(ms * US_PER_MS));
}
