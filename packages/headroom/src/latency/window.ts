/**
 * SlidingPercentile: a percentile over the last `size` samples (a count-based sliding window, as
 * Finagle's backup-request filter keeps over recent latencies). Samples sit in a ring buffer and
 * in a sorted copy; adding one to a full window replaces the oldest sample in the sorted copy:
 * two binary searches plus one `copyWithin` of the samples lying between the old value and the new
 * one (O(size) memmove at worst, a third of the window on average for independent samples),
 * reading a percentile is O(1). No allocation after construction.
 */
import { intOption, numberOption } from './options.js';

/**
 * Percentiles of the most recent samples.
 * @example
 * ```ts
 * const w = new SlidingPercentile(1000);
 * w.add(12.5);
 * w.percentile(95); // ms, or NaN while empty
 * ```
 */
export class SlidingPercentile {
  readonly #ring: Float64Array;
  readonly #sorted: Float64Array;
  #next = 0;
  #count = 0;

  /**
   * @param size - samples kept, 1–1,000,000
   * @throws HR_LATENCY_INVALID_OPTION when `size` is out of range
   */
  constructor(size: number) {
    const n = intOption('windowSize', size, 1000, 1, 1_000_000);
    this.#ring = new Float64Array(n);
    this.#sorted = new Float64Array(n);
  }

  /** Number of samples currently in the window. */
  get count(): number {
    return this.#count;
  }

  /** Adds a sample, evicting the oldest when the window is full. Non-finite values are ignored. */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const sorted = this.#sorted;
    const ring = this.#ring;
    const n = this.#count;
    if (n === ring.length) {
      // Replace the oldest in place: shift only the samples between its slot and the new one's.
      const old = ring[this.#next]!;
      const from = lowerBound(sorted, 0, n, old);
      if (value > old) {
        const to = lowerBound(sorted, from + 1, n, value) - 1;
        sorted.copyWithin(from, from + 1, to + 1);
        sorted[to] = value;
      } else {
        const to = lowerBound(sorted, 0, from, value);
        sorted.copyWithin(to + 1, to, from);
        sorted[to] = value;
      }
    } else {
      const at = lowerBound(sorted, 0, n, value);
      sorted.copyWithin(at + 1, at, n);
      sorted[at] = value;
      this.#count = n + 1;
    }
    ring[this.#next] = value;
    this.#next = this.#next + 1 === ring.length ? 0 : this.#next + 1;
  }

  /**
   * The nearest-rank percentile of the window.
   * @param p - percentile, 0–100
   * @returns the value, or NaN when the window is empty
   */
  percentile(p: number): number {
    numberOption('percentile', p, 0, 0, 100);
    const n = this.#count;
    if (n === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * n));
    return this.#sorted[rank - 1]!;
  }

  /** Forgets every sample. */
  clear(): void {
    this.#count = 0;
    this.#next = 0;
  }
}

/** The first index in [lo, hi) of sorted `a` whose value is not below `value` (hi when none). */
function lowerBound(a: Float64Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
