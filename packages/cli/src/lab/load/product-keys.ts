/**
 * The lab's product ids with Zipf-distributed popularity: ranks come from headroom/scale's
 * `ZipfSampler` and map to product ids 1..n through a seeded permutation, so the popular products
 * are scattered over the id space as in a real catalog rather than being ids 1, 2, 3…
 */
import type { Random } from 'headroom';
import { ZipfSampler } from 'headroom/scale';

/** Draws product ids (1..n) with Zipf-distributed popularity. */
export class ProductKeys {
  readonly #zipf: ZipfSampler;
  readonly #idOfRank: Int32Array;

  /**
   * @param n - number of products (ids 1..n), ≥ 1
   * @param exponent - Zipf exponent s ≥ 0 (0 = uniform; 0.99 is the usual web-cache figure)
   * @param random - draws; the permutation comes from `random.fork('zipf-permutation')`
   * @throws HR_SCALE_INVALID_OPTION on a bad n or exponent (the lab's options are checked first)
   */
  constructor(n: number, exponent: number, random: Random) {
    this.#zipf = new ZipfSampler({ n, exponent, random });
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
    return this.#zipf.probability(rank);
  }

  /**
   * One product id (one draw).
   * @param random - draw from this stream instead of the sampler's own (e.g. past traffic for a warm-up)
   */
  next(random?: Random): number {
    return this.#idOfRank[this.#zipf.next(random)]!;
  }
}
