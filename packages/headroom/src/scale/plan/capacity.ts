/**
 * Capacity planning on a USL fit: the smallest N that delivers a target throughput, or the news
 * that the target lies past the peak (or past the Amdahl limit when β = 0), naming the peak.
 *
 * X(N) = t solves tβN² + (tα − tβ − γ)N + t(1 − α) = 0; the smaller positive root is where the
 * rising side of the curve first reaches t (the larger one is on the retrograde side). With
 * β = 0 it is N = t(1 − α)/(γ − tα), finite only below the limit γ/α.
 */
import { invalidScaleOption } from '../models/errors.js';
import { predictUsl } from '../models/predict.js';
import { uslPeak, uslThroughput, type UslCoefficients, type UslPoint } from '../models/usl.js';
import type { UslFit } from '../models/fit-usl.js';

/** The answer to "how many for this throughput?". */
export type CapacityPlan =
  | {
      /** The target is reachable on the rising side of the curve. */
      readonly reachable: true;
      /** The target throughput. */
      readonly target: number;
      /** The exact load where X(N) = target (a real number). */
      readonly exactN: number;
      /** The whole number of nodes to provision: ⌈exactN⌉, at least 1. */
      readonly n: number;
      /** X at that whole N. */
      readonly throughputAtN: number;
      /**
       * N so that the lower end of the fit's prediction interval (R `usl`'s band) reaches the
       * target; `null` if that is past the peak, or when only coefficients were given.
       */
      readonly nWithMargin: number | null;
      /** The peak, if the curve has one. */
      readonly peak: UslPoint | null;
    }
  | {
      /** The target is more than the system can ever deliver. */
      readonly reachable: false;
      /** The target throughput. */
      readonly target: number;
      /** `'past-peak'` (β > 0: X(N*) < target) or `'past-limit'` (β = 0: target ≥ γ/α). */
      readonly reason: 'past-peak' | 'past-limit';
      /** The peak (β > 0), where adding more stops helping. */
      readonly peak: UslPoint | null;
      /** The Amdahl limit γ/α. */
      readonly limit: number;
    };

/**
 * How many nodes (or whatever N counted) a target throughput needs.
 * @param fit - a fit from `fitUsl` (or its JSON read back), or bare coefficients (then no margin)
 * @param targetThroughput - the throughput to reach, in the fit's units (> 0)
 * @throws HR_SCALE_INVALID_OPTION when the target is not a positive finite number
 * @example planCapacity(fit, 5000) // { reachable: true, n: 7, … } or { reachable: false, reason: 'past-peak', peak }
 */
export function planCapacity(fit: UslFit | { readonly coefficients: UslCoefficients }, targetThroughput: number): CapacityPlan {
  if (!(targetThroughput > 0 && Number.isFinite(targetThroughput))) {
    throw invalidScaleOption('target', targetThroughput, 'pass a positive throughput, e.g. 5000 (requests per second)');
  }
  const c = fit.coefficients;
  const exactN = solveForN(c, targetThroughput);
  const limit = c.alpha > 0 ? c.gamma / c.alpha : Infinity;
  if (exactN === null) {
    return { reachable: false, target: targetThroughput, reason: c.beta > 0 ? 'past-peak' : 'past-limit', peak: uslPeak(c), limit };
  }
  const n = Math.max(1, Math.ceil(exactN - 1e-9));
  const band = 'points' in fit ? predictUsl(fit, [1])[0] : undefined;
  const margin = band === undefined ? NaN : band.throughput - band.lower;
  const withMargin = Number.isFinite(margin) ? solveForN(c, targetThroughput + margin) : null;
  return {
    reachable: true,
    target: targetThroughput,
    exactN,
    n,
    throughputAtN: uslThroughput(c, n),
    nWithMargin: withMargin === null ? null : Math.max(1, Math.ceil(withMargin - 1e-9)),
    peak: uslPeak(c),
  };
}

/** The smallest N > 0 with X(N) = t on the rising side, or `null` when X never reaches t. */
function solveForN(c: UslCoefficients, t: number): number | null {
  const { alpha, beta, gamma } = c;
  if (beta === 0) {
    const denominator = gamma - t * alpha;
    return denominator > 0 ? (t * (1 - alpha)) / denominator : null;
  }
  const a = t * beta;
  const b = t * alpha - t * beta - gamma;
  const k = t * (1 - alpha);
  const discriminant = b * b - 4 * a * k;
  if (discriminant < 0 || b >= 0) return null;
  // The smaller root, written to avoid cancellation: 2k / (−b + √disc).
  return (2 * k) / (-b + Math.sqrt(discriminant));
}
