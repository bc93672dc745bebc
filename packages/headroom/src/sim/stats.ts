/**
 * Statistics the simulator keeps while it runs: time-averaged queue-length fractions across the
 * fleet (integrated lazily, O(1) per change) and the 95% confidence interval of a mean over
 * replications (Student's t).
 */

/**
 * Time-averaged distribution of per-server queue lengths: how long each length 0 … K (K meaning
 * "K or more") was held, summed over servers. `fractionAtLeast(k)` is the supermarket model's s_k.
 */
export class LengthTail {
  readonly #count: Float64Array;
  readonly #area: Float64Array;
  readonly #stamp: Float64Array;
  readonly #max: number;

  /**
   * @param servers - servers in the fleet (all start empty)
   * @param max - longest length tracked separately
   * @param now - start time, ms
   */
  constructor(servers: number, max: number, now: number) {
    this.#max = max;
    this.#count = new Float64Array(max + 1);
    this.#area = new Float64Array(max + 1);
    this.#stamp = new Float64Array(max + 1).fill(now);
    this.#count[0] = servers;
  }

  /** A server's length went from `from` to `to` at `now`. */
  change(from: number, to: number, now: number): void {
    const a = from < this.#max ? from : this.#max;
    const b = to < this.#max ? to : this.#max;
    if (a === b) return;
    this.#touch(a, now);
    this.#touch(b, now);
    this.#count[a]!--;
    this.#count[b]!++;
  }

  /** Forgets the time held so far (end of warm-up). */
  reset(now: number): void {
    this.#area.fill(0);
    this.#stamp.fill(now);
  }

  /** Fraction of server-time spent with at least `k` jobs, from the last reset to `now`. */
  fractionsAtLeast(now: number): number[] {
    let total = 0;
    const held: number[] = [];
    for (let i = 0; i <= this.#max; i++) {
      const h = this.#area[i]! + this.#count[i]! * (now - this.#stamp[i]!);
      held.push(h);
      total += h;
    }
    const out: number[] = new Array<number>(this.#max + 1).fill(0);
    let tail = 0;
    for (let i = this.#max; i >= 0; i--) {
      tail += held[i]!;
      out[i] = total > 0 ? tail / total : 0;
    }
    return out;
  }

  #touch(i: number, now: number): void {
    this.#area[i]! += this.#count[i]! * (now - this.#stamp[i]!);
    this.#stamp[i] = now;
  }
}

/** Two-sided 95% Student-t quantiles for 1 … 30 degrees of freedom (beyond: {@link t95Beyond30}). */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** A mean over replications with its 95% confidence interval. */
export interface MeanCi {
  /** Sample mean. */
  readonly mean: number;
  /** Half-width of the 95% interval (NaN with fewer than 2 values). */
  readonly halfWidth: number;
  /** Number of values. */
  readonly n: number;
}

/**
 * Mean and 95% confidence half-width (Student's t) of independent replications.
 * @example meanCi([1.02, 0.98, 1.01]) // { mean: 1.003…, halfWidth: 0.05…, n: 3 }
 */
export function meanCi(values: readonly number[]): MeanCi {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, halfWidth: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, halfWidth: Number.NaN, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const t = n - 1 <= T95.length ? T95[n - 2]! : t95Beyond30(n - 1);
  return { mean, halfWidth: t * Math.sqrt(variance / n), n };
}

/**
 * t₀.₉₇₅ for ν > 30 degrees of freedom by the Cornish–Fisher expansion around z = 1.96 (within
 * 1e-4 of the tables there: 2.0227 at 39, 2.0003 at 60, 1.9799 at 120); 1.96 alone would make the
 * interval up to 3% too narrow.
 */
function t95Beyond30(nu: number): number {
  const z = 1.959964;
  const z3 = z ** 3;
  const z5 = z ** 5;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu * nu);
}
