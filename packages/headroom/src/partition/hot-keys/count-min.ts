/**
 * Count-min sketch with conservative update. Sources: Cormode & Muthukrishnan, "An Improved Data
 * Stream Summary: The Count-Min Sketch and its Applications", J. Algorithms 2005; conservative
 * update from Estan & Varghese, SIGCOMM 2002. With width w and depth d, an estimate exceeds the
 * true weight by more than (e/w)·W with probability at most e^−d (W = total weight); it never
 * underestimates.
 *
 * Rows are indexed by double hashing (Kirsch & Mitzenmacher, 2006) from two xxh32 values, so an
 * update costs two hashes regardless of depth. Complexity O(d) per update and query, w·d·8 bytes.
 * Counters are float64 so decayed (real-valued) weights fit; `scale` renormalises them.
 */
import { xxh32 } from '../../core/hash.js';
import { invalidOptionError } from '../errors.js';

/** Options of {@link CountMinSketch}. */
export interface CountMinOptions {
  /** Counters per row; default 2048 (error ≤ 0.13% of the total with probability 1 − e^−depth). */
  readonly width?: number;
  /** Rows; default 4 (failure probability e^−4 ≈ 1.8%). */
  readonly depth?: number;
  /** Hash seed (32-bit integer), default 0. */
  readonly seed?: number;
}

/**
 * A count-min sketch over string keys.
 * @throws HR_PARTITION_INVALID_OPTION for a width outside 16..2^24 or a depth outside 1..16
 * @example
 * ```ts
 * const cms = new CountMinSketch({ width: 2048, depth: 4 });
 * cms.add('user:42');
 * cms.estimate('user:42'); // ≥ 1
 * ```
 */
export class CountMinSketch {
  /** Counters per row. */
  readonly width: number;
  /** Number of rows. */
  readonly depth: number;
  readonly #seed: number;
  readonly #cells: Float64Array;
  readonly #index: Int32Array;

  constructor(options: CountMinOptions = {}) {
    const width = options.width ?? 2048;
    const depth = options.depth ?? 4;
    const seed = options.seed ?? 0;
    if (!(Number.isInteger(width) && width >= 16 && width <= 2 ** 24))
      throw invalidOptionError('width', width, 'use an integer in 16..16777216');
    if (!(Number.isInteger(depth) && depth >= 1 && depth <= 16)) throw invalidOptionError('depth', depth, 'use an integer in 1..16');
    if (!Number.isInteger(seed)) throw invalidOptionError('seed', seed, 'use an integer seed');
    this.width = width;
    this.depth = depth;
    this.#seed = seed >>> 0;
    this.#cells = new Float64Array(width * depth);
    this.#index = new Int32Array(depth);
  }

  #locate(key: string): void {
    const h1 = xxh32(key, this.#seed);
    const h2 = xxh32(key, this.#seed ^ 0x9e3779b9) | 1;
    for (let r = 0; r < this.depth; r++) this.#index[r] = r * this.width + (((h1 + Math.imul(r, h2)) >>> 0) % this.width);
  }

  /**
   * Adds `weight` to `key` (conservative update: only cells at the current minimum grow) and
   * returns the new estimate.
   */
  add(key: string, weight = 1): number {
    this.#locate(key);
    const cells = this.#cells;
    let min = Infinity;
    for (let r = 0; r < this.depth; r++) min = Math.min(min, cells[this.#index[r]!]!);
    const target = min + weight;
    for (let r = 0; r < this.depth; r++) {
      const i = this.#index[r]!;
      if (cells[i]! < target) cells[i] = target;
    }
    return target;
  }

  /** Estimated weight of `key` (never below the true weight). */
  estimate(key: string): number {
    this.#locate(key);
    let min = Infinity;
    for (let r = 0; r < this.depth; r++) min = Math.min(min, this.#cells[this.#index[r]!]!);
    return min;
  }

  /** Multiplies every counter by `factor` (renormalising decayed weights). */
  scale(factor: number): void {
    const cells = this.#cells;
    for (let i = 0; i < cells.length; i++) cells[i]! *= factor;
  }

  /** Bytes held by the counters. */
  get byteLength(): number {
    return this.#cells.byteLength;
  }
}
