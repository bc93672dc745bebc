/**
 * Amdahl's and Gustafson's laws: the speedup of work with a parallel fraction `p` on `n` workers.
 *
 * - Amdahl (1967), fixed problem size: S(n) = 1 / ((1 − p) + p / n), bounded by 1 / (1 − p).
 * - Gustafson (1988), problem grown with n (scaled speedup): S(n) = (1 − p) + p·n.
 *
 * The USL (usl.ts) reduces to Amdahl's law when β = 0, with α = 1 − p.
 */
import { invalidScaleOption } from './errors.js';

/**
 * Amdahl's speedup of a job whose fraction `parallelFraction` runs in parallel, on `n` workers.
 * @param parallelFraction - p in [0, 1]
 * @param n - number of workers, ≥ 1 (need not be an integer)
 * @throws HR_SCALE_INVALID_OPTION when p is outside [0, 1] or n < 1
 * @example amdahlSpeedup(0.95, 8) // 5.925925…
 */
export function amdahlSpeedup(parallelFraction: number, n: number): number {
  checkFraction(parallelFraction);
  checkWorkers(n);
  return 1 / (1 - parallelFraction + parallelFraction / n);
}

/**
 * The ceiling of Amdahl's speedup as n grows: 1 / (1 − p); `Infinity` when p = 1.
 * @param parallelFraction - p in [0, 1]
 * @throws HR_SCALE_INVALID_OPTION when p is outside [0, 1]
 * @example amdahlLimit(0.95) // 20
 */
export function amdahlLimit(parallelFraction: number): number {
  checkFraction(parallelFraction);
  return parallelFraction === 1 ? Infinity : 1 / (1 - parallelFraction);
}

/**
 * Gustafson's scaled speedup: the problem grows with the workers, so the serial part stays fixed.
 * @param parallelFraction - p in [0, 1], measured on the n-worker run
 * @param n - number of workers, ≥ 1
 * @throws HR_SCALE_INVALID_OPTION when p is outside [0, 1] or n < 1
 * @example gustafsonSpeedup(0.95, 8) // 7.65
 */
export function gustafsonSpeedup(parallelFraction: number, n: number): number {
  checkFraction(parallelFraction);
  checkWorkers(n);
  return 1 - parallelFraction + parallelFraction * n;
}

function checkFraction(p: number): void {
  if (!(p >= 0 && p <= 1)) throw invalidScaleOption('parallelFraction', p, 'pass a fraction between 0 and 1');
}

function checkWorkers(n: number): void {
  if (!(n >= 1 && Number.isFinite(n))) throw invalidScaleOption('n', n, 'pass a finite number of workers, at least 1');
}
