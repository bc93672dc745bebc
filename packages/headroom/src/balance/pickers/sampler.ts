/**
 * The one sampler without replacement of the balance module: `k` distinct indices out of `n`,
 * uniformly, by a partial Fisher–Yates shuffle of a permutation the sampler keeps between draws —
 * O(k) per draw and no allocation once the permutation exists. Shuffling any permutation this
 * way gives a uniform sample, so the permutation need not be restored between draws; C3 and
 * `prequalSync` both draw through it. Internal: not exported from `headroom/balance`.
 */
import type { Random } from '../../core/random.js';

/** Uniform samples of distinct indices out of `0 … size − 1` (see the file comment). */
export class IndexSampler {
  #order = new Int32Array(0);

  /** The number of indices sampled from (0 before the first {@link reset}). */
  get size(): number {
    return this.#order.length;
  }

  /**
   * The kept permutation of `0 … size − 1`; after {@link draw}`(k)` its first `k` entries are the
   * sample. The sampler's own array: read it before the next draw or reset.
   */
  get order(): Int32Array {
    return this.#order;
  }

  /** Starts over from the identity permutation of `0 … n − 1` (when the candidate list changed). */
  reset(n: number): void {
    const order = this.#order.length === n ? this.#order : new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    this.#order = order;
  }

  /**
   * Shuffles the first `k` places (`k` ≤ {@link size}): `order[0 … k)` becomes a uniform sample
   * without replacement, drawing `k` numbers from `random`. Returns {@link order}.
   */
  draw(k: number, random: Random): Int32Array {
    const order = this.#order;
    const n = order.length;
    for (let j = 0; j < k; j++) {
      const i = j + Math.floor(random.next() * (n - j));
      const t = order[j]!;
      order[j] = order[i]!;
      order[i] = t;
    }
    return order;
  }
}
