/**
 * Where peak-EWMA metrics keep their two numbers (the estimate and its time stamp): in a
 * `Float64Array` chunk shared by up to {@link CHUNK_METRICS} metrics of one factory, instead of
 * two heap-boxed doubles per metric — reading a metric's numbers then touches one line of a
 * chunk that its neighbours keep warm, not two boxes scattered over the heap (with 10,000
 * endpoints, about 7% less CPU time in the simulator's fleet bench; docs/sim.md).
 *
 * Nothing is ever handed back: a chunk is only referenced by its metrics and by its factory
 * while it fills, so the garbage collector frees it once all of its metrics are gone — an
 * endpoint that comes and goes leaks nothing, and a load metric needs no `dispose`.
 */

/** Metrics per chunk: at most 63 unused cells (1 KB) stay alive for one long-lived metric. */
const CHUNK_METRICS = 64;

/** A metric's place: its chunk and the index of its estimate there (its time stamp is at `index + 1`). */
export interface EwmaCell {
  /** The chunk, shared with up to 63 other metrics. */
  readonly chunk: Float64Array;
  /** Index of the metric's estimate in the chunk; its time stamp follows it. */
  readonly index: number;
}

/** Hands out cells from fixed-size chunks, one factory's metrics after another. */
export class EwmaCells {
  #chunk = new Float64Array(2 * CHUNK_METRICS);
  #next = 0;

  /** A new cell holding estimate `costMs` and no time stamp (NaN). */
  take(costMs: number): EwmaCell {
    if (this.#next === this.#chunk.length) {
      this.#chunk = new Float64Array(2 * CHUNK_METRICS);
      this.#next = 0;
    }
    const chunk = this.#chunk;
    const index = this.#next;
    this.#next += 2;
    chunk[index] = costMs;
    chunk[index + 1] = Number.NaN;
    return { chunk, index };
  }
}
