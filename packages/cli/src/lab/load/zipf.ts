/**
 * Seeded Zipf key chooser: rank r (1-based) is drawn with probability ∝ 1/r^s, by binary search
 * in a precomputed CDF (O(n) memory and setup, O(log n) per draw; exact, no approximation).
 * Ranks map to product ids through a seeded permutation, so the popular products are scattered
 * over the id space as in a real catalog rather than being ids 1, 2, 3…
 */
import type { Random } from 'headroom';
import { invalidLabOption } from '../errors.js';

/** Draws product ids (1..n) with Zipf-distributed popularity. */
export class ZipfKeys {
  readonly #cdf: Float64Array;
  readonly #idOfRank: Int32Array;
  readonly #random: Random;

  /**
   * @param n - number of keys (ids 1..n), ≥ 1
   * @param exponent - Zipf exponent s ≥ 0 (0 = uniform; 0.99 is the usual web-cache figure)
   * @param random - draws; the permutation comes from `random.fork('zipf-permutation')`
   * @throws HR_LAB_INVALID_OPTION on a bad n or exponent
   */
  constructor(n: number, exponent: number, random: Random) {
    if (!(Number.isSafeInteger(n) && n >= 1)) throw invalidLabOption('products', n, 'use a positive integer');
    if (!(exponent >= 0 && Number.isFinite(exponent))) throw invalidLabOption('zipf', exponent, 'use a finite exponent ≥ 0');
    this.#random = random;
    this.#cdf = new Float64Array(n);
    let sum = 0;
    for (let r = 1; r <= n; r++) {
      sum += 1 / r ** exponent;
      this.#cdf[r - 1] = sum;
    }
    for (let i = 0; i < n; i++) this.#cdf[i]! /= sum;
    this.#idOfRank = new Int32Array(n);
    for (let i = 0; i < n; i++) this.#idOfRank[i] = i + 1;
    const shuffle = random.fork('zipf-permutation');
    for (let i = n - 1; i > 0; i--) {
      const j = shuffle.int(i + 1);
      const t = this.#idOfRank[i]!;
      this.#idOfRank[i] = this.#idOfRank[j]!;
      this.#idOfRank[j] = t;
    }
  }

  /** The id at popularity rank `rank` (0 = most popular). */
  idAtRank(rank: number): number {
    return this.#idOfRank[rank]!;
  }

  /** Probability that one draw returns the id at `rank` (0-based). */
  probabilityOfRank(rank: number): number {
    return this.#cdf[rank]! - (rank === 0 ? 0 : this.#cdf[rank - 1]!);
  }

  /**
   * One product id.
   * @param random - draw from this stream instead of the sampler's own (e.g. past traffic for a warm-up)
   */
  next(random: Random = this.#random): number {
    const u = random.next();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#cdf[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    return this.#idOfRank[lo]!;
  }
}
