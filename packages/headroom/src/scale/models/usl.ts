/**
 * Gunther's Universal Scalability Law with three coefficients (Gunther, "Guerrilla Capacity
 * Planning", 2007; the R package `usl` 3.x):
 *
 *   X(N) = γ·N / (1 + α(N − 1) + β·N(N − 1))
 *
 * α is contention (the serial fraction: queueing for a shared resource), β is coherency (the
 * cost of keeping N workers consistent, which makes throughput fall past the peak), γ is the
 * throughput of one worker. β = 0 is Amdahl's law.
 */

/** The three USL coefficients. */
export interface UslCoefficients {
  /** Contention α ≥ 0 (dimensionless). */
  readonly alpha: number;
  /** Coherency β ≥ 0 (dimensionless). */
  readonly beta: number;
  /** Throughput at N = 1, γ > 0 (units of the measured throughput, e.g. requests/s). */
  readonly gamma: number;
}

/** A load level and the throughput the model gives there. */
export interface UslPoint {
  /** The load N (nodes, threads, concurrent requests). */
  readonly n: number;
  /** The throughput X(N). */
  readonly throughput: number;
}

/**
 * X(N) of the USL with the given coefficients.
 * @param c - the coefficients
 * @param n - the load N (any positive real)
 * @example uslThroughput({ alpha: 0.02, beta: 0.0001, gamma: 100 }, 10) // 845.7…
 */
export function uslThroughput(c: UslCoefficients, n: number): number {
  return (c.gamma * n) / (1 + c.alpha * (n - 1) + c.beta * n * (n - 1));
}

/**
 * The peak of the curve: N* = √((1 − α)/β) and X(N*). `null` when β = 0 (the curve only rises,
 * towards the Amdahl limit) or α ≥ 1 (it never rises).
 * @param c - the coefficients
 */
export function uslPeak(c: UslCoefficients): UslPoint | null {
  if (!(c.beta > 0) || c.alpha >= 1) return null;
  const n = Math.sqrt((1 - c.alpha) / c.beta);
  return { n, throughput: uslThroughput(c, n) };
}

/**
 * The Amdahl limit γ/α: the ceiling the throughput approaches when β = 0 (`Infinity` when α = 0).
 * With β > 0 the curve peaks below it.
 * @param c - the coefficients
 */
export function uslAmdahlLimit(c: UslCoefficients): number {
  return c.alpha > 0 ? c.gamma / c.alpha : Infinity;
}

/**
 * The point of optimal scalability N = 1/α (where the contention term equals the ideal one; R
 * `usl`'s `optimal.scalability`) and X there; `null` when α = 0.
 * @param c - the coefficients
 */
export function uslOptimal(c: UslCoefficients): UslPoint | null {
  if (!(c.alpha > 0)) return null;
  const n = 1 / c.alpha;
  return { n, throughput: uslThroughput(c, n) };
}
