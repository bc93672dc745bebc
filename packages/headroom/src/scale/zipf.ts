/**
 * Zipf ranks: rank r (0-based) is drawn with probability (r + 1)^−s / H(n, s), the popularity law of
 * web caches (Breslau et al., "Web Caching and Zipf-like Distributions", INFOCOM 1999: s ≈ 0.6–1).
 *
 * Method: inversion by binary search in the cumulative table. Exact (no approximation of the
 * harmonic sums), one uniform draw per sample — so two samplers on one seeded stream stay in step,
 * and a replay of past traffic draws exactly what the live run would — O(log n) per draw, and
 * O(n) setup and memory (8 bytes per rank: 8 MB for a million keys). Rejection-inversion
 * (Hörmann & Derflinger 1996) needs O(1) memory but a variable number of draws per sample; for key
 * spaces up to a few million the table is the better trade.
 */
import type { Random } from '../core/random.js';
import { invalidScaleOption } from './models/errors.js';

/** Options of {@link ZipfSampler}. */
export interface ZipfOptions {
  /** Number of ranks (0..n−1), a positive integer (required). */
  readonly n: number;
  /** Exponent s ≥ 0 (0 = uniform; 0.99 is the usual web-cache figure) (required). */
  readonly exponent: number;
  /** The stream `next()` draws from (required: a sampler must be repeatable from a seed). */
  readonly random: Random;
}

/** Draws Zipf-distributed ranks; see the file comment. */
export class ZipfSampler {
  /** Number of ranks. */
  readonly n: number;
  readonly #cdf: Float64Array;
  readonly #random: Random;

  /**
   * @throws HR_SCALE_INVALID_OPTION on a bad `n` or `exponent`
   * @example
   * ```ts
   * const zipf = new ZipfSampler({ n: 100_000, exponent: 0.99, random: new SeededRandom(7) });
   * const rank = zipf.next(); // 0 is the most popular
   * ```
   */
  constructor(options: ZipfOptions) {
    const { n, exponent, random } = options;
    if (!(Number.isSafeInteger(n) && n >= 1)) throw invalidScaleOption('zipf.n', n, 'use a positive integer number of ranks');
    if (!(typeof exponent === 'number' && exponent >= 0 && Number.isFinite(exponent))) {
      throw invalidScaleOption('zipf.exponent', exponent, 'use a finite exponent ≥ 0');
    }
    if (typeof random?.next !== 'function') throw invalidScaleOption('zipf.random', random, 'pass a Random (e.g. new SeededRandom(seed))');
    this.n = n;
    this.#random = random;
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let r = 1; r <= n; r++) {
      sum += 1 / r ** exponent;
      this.#cdf[r - 1] = sum;
    }
    for (let i = 0; i < n; i++) this.#cdf[i]! /= sum;
  }

  /** Probability of `rank` (0-based) in one draw; 0 outside 0..n−1. */
  probability(rank: number): number {
    if (!(Number.isInteger(rank) && rank >= 0 && rank < this.n)) return 0;
    return this.#cdf[rank]! - (rank === 0 ? 0 : this.#cdf[rank - 1]!);
  }

  /**
   * One rank, 0..n−1 (one draw).
   * @param random - draw from this stream instead of the sampler's own (e.g. a replay of past traffic)
   */
  next(random: Random = this.#random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
