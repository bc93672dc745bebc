/**
 * Latency histogram on HdrHistogram (hdr-histogram-js, Gil Tene's design): values are kept in
 * microseconds at 3 significant digits, so any percentile is within 0.1% of the true value,
 * from 1 µs to hours (the range grows on demand). The API speaks milliseconds.
 *
 * Coordinated omission: a load generator that waits for a slow response before sending the next
 * request silently skips the requests that would have queued behind it. `recordCorrected` adds
 * the missing samples (value − interval, value − 2·interval, …), as HdrHistogram's
 * `recordValueWithExpectedInterval` does.
 *
 * Recording is the hot path of every simulated call, so {@link LatencyHistogram.record} does not
 * walk hdr-histogram-js's path of ten small calls per value (slow until V8 has compiled
 * them, which a short simulation never amortizes): it adds one to a pending count at the value's HdrHistogram index (the same
 * index, computed with a shift), and the pending counts go into the HdrHistogram — one
 * `recordValueWithCount` per index, with the exact smallest and largest values — before anything
 * reads it. The HdrHistogram ends in the same state as if every value had been recorded one by
 * one (test/core/histogram.test.ts compares every read and the encoding).
 */

import hdr, { type JsHistogram } from 'hdr-histogram-js';
import { InvalidOptionError } from './errors.js';

const US_PER_MS = 1000;
/** Values from here up (≈ 35.8 min) go straight into the HdrHistogram (beyond the shift's 31 bits). */
const PENDING_LIMIT_US = 2 ** 31;
/**
 * HdrHistogram's `subBucketHalfCountMagnitude` at 3 significant digits and a lowest discernible
 * value of 1: 2,048 sub-buckets (unit resolution up to 2,048), values in [2^k, 2^(k+1)) kept to
 * 2^(k−10) above that.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 10;
/** Counts covering every value below {@link PENDING_LIMIT_US}: 2^31 − 1 is at index 20·1,024 + 2,047. */
const PENDING_LENGTH = (20 << SUB_BUCKET_HALF_MAGNITUDE) + (2 << SUB_BUCKET_HALF_MAGNITUDE);

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
  readonly #h: JsHistogram;
  /** Counts not yet in `#h`, by HdrHistogram index (allocated on the first record). */
  #pending: Int32Array | undefined;
  #pendingCount = 0;
  #pendingMinUs = Infinity;
  #pendingMaxUs = 0;

  constructor() {
    // `useWebAssembly: false` builds a JsHistogram (an Int32Histogram), whose counts `meanOf` reads.
    this.#h = hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60 * 60 * 1000 * US_PER_MS,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
      useWebAssembly: false,
    }) as JsHistogram;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.#h.totalCount + this.#pendingCount;
  }

  /**
   * Records one latency.
   * @param ms - milliseconds, ≥ 0 (fractions kept to the microsecond)
   * @throws HR_CORE_INVALID_OPTION on a negative or non-finite value
   */
  record(ms: number): void {
    const us = toUs(ms);
    if (us >= PENDING_LIMIT_US || this.#pendingCount === 0x7fffffff) {
      this.#h.recordValue(us);
      return;
    }
    // HdrHistogram's countsArrayIndex: bucket b = max(⌊log2 us⌋ − 10, 0), index b·1024 + (us >> b).
    const b = 31 - Math.clz32(us) - SUB_BUCKET_HALF_MAGNITUDE;
    const index = b > 0 ? (b << SUB_BUCKET_HALF_MAGNITUDE) + (us >>> b) : us;
    (this.#pending ??= new Int32Array(PENDING_LENGTH))[index]!++;
    this.#pendingCount++;
    if (us < this.#pendingMinUs) this.#pendingMinUs = us;
    if (us > this.#pendingMaxUs) this.#pendingMaxUs = us;
  }

  /**
   * Moves the pending counts into the HdrHistogram: each index's count recorded at the index's
   * lowest value (the smallest value itself for the lowest index), then the largest value with a
   * count of 0 — so counts, total, min and max are what recording each value would have left.
   */
  #flush(): void {
    if (this.#pendingCount === 0) return;
    const h = this.#h;
    const pending = this.#pending!;
    const min = this.#pendingMinUs;
    const lo = h.countsArrayIndex(min);
    const hi = h.countsArrayIndex(this.#pendingMaxUs);
    for (let i = lo; i <= hi; i++) {
      const count = pending[i]!;
      if (count === 0) continue;
      pending[i] = 0;
      h.recordValueWithCount(i === lo ? min : h.valueFromIndex(i), count);
    }
    h.recordValueWithCount(this.#pendingMaxUs, 0);
    this.#pendingCount = 0;
    this.#pendingMinUs = Infinity;
    this.#pendingMaxUs = 0;
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
    this.#flush();
    return this.#h.totalCount === 0 ? 0 : this.#h.getValueAtPercentile(p) / US_PER_MS;
  }

  /** Adds every value of `other` into this histogram. */
  merge(other: LatencyHistogram): void {
    this.#flush();
    other.#flush();
    this.#h.add(other.#h);
  }

  /** Forgets every value. */
  reset(): void {
    this.#flush();
    this.#h.reset();
  }

  /** A copy of the current contents (for interval snapshots: copy, then reset). */
  clone(): LatencyHistogram {
    this.#flush();
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
    this.#flush();
    return hdr.encodeIntoCompressedBase64(this.#h);
  }

  /**
   * Restores a histogram from {@link LatencyHistogram.encode}.
   * @throws HR_CORE_INVALID_OPTION when the text is not an encoded histogram
   */
  static decode(text: string): LatencyHistogram {
    let decoded: JsHistogram;
    try {
      decoded = hdr.decodeFromCompressedBase64(text, 32, false) as JsHistogram; // not WebAssembly: a JsHistogram
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
    this.#flush();
    return this.#h.outputPercentileDistribution(ticksPerHalfDistance, US_PER_MS);
  }

  /** Count, min, mean, p50, p90, p99, p99.9 and max, in ms. */
  snapshot(): HistogramSnapshot {
    this.#flush();
    const h = this.#h;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
    return {
      count: h.totalCount,
      min: h.minNonZeroValue / US_PER_MS,
      mean: meanOf(h) / US_PER_MS,
      p50: h.getValueAtPercentile(50) / US_PER_MS,
      p90: h.getValueAtPercentile(90) / US_PER_MS,
      p99: h.getValueAtPercentile(99) / US_PER_MS,
      p999: h.getValueAtPercentile(99.9) / US_PER_MS,
      max: h.maxValue / US_PER_MS,
    };
  }
}

/**
 * HdrHistogram's mean (`h.mean`), to the bit: the same terms — each non-empty index's
 * median-equivalent value × its count — added in the same ascending order, then divided by the
 * total count. hdr-histogram-js gets there through its recorded-values iterator, a dozen small
 * calls per index of the counts array from 0 up (≈ 12,000 indices for latencies near 2 s), which
 * takes milliseconds in a process that has not compiled them yet; this loop reads the counts
 * directly and stops at the last recorded value.
 */
function meanOf(h: JsHistogram): number {
  const total = h.totalCount;
  if (total === 0) return 0;
  let sum = 0;
  let seen = 0;
  for (let i = 0; i < h.countsArrayLength && seen < total; i++) {
    const count = h.getCountAtIndex(i);
    if (count === 0) continue;
    sum += h.medianEquivalentValue(h.highestEquivalentValue(h.valueFromIndex(i))) * count;
    seen += count;
  }
  return sum / total;
}

function toUs(ms: number): number {
  if (!(ms >= 0 && Number.isFinite(ms))) {
    throw new InvalidOptionError('latency', ms, 'record a finite, non-negative number of milliseconds');
  }
  return Math.max(1, Math.round(ms * US_PER_MS));
}
