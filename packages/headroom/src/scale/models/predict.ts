/**
 * Prediction from a USL fit with an interval around each predicted X(N).
 *
 * - `'usl'` (default) is the R `usl` package's `predict(interval = "confidence")` (after Gunther's
 *   "Confidence bands for the Universal Scalability Law", 2010): one half-width for every N,
 *   √(SSE/(n − 1))·qt(level, n − 1). It matches R's published output; it does not widen away from
 *   the data.
 * - `'delta'` is the confidence band of the mean curve by the delta method: the half-width at N is
 *   qt((1 + level)/2, n − 3)·√(gᵀ·Cov·g) with g = ∂X/∂(α, β, γ) at N, so it is narrow where the
 *   measurements are and widens where the curve is extrapolated. The HTML report draws this one.
 */
import { invalidScaleOption } from './errors.js';
import { uslGradient, type UslFit } from './fit-usl.js';
import { studentTQuantile } from './student-t.js';
import { uslThroughput } from './usl.js';

/** Options of {@link predictUsl}. */
export interface PredictUslOptions {
  /** Confidence level in (0, 1); default: the fit's level. */
  readonly level?: number;
  /** `'usl'` (default, R's constant band) or `'delta'` (the delta-method band of the mean curve). */
  readonly interval?: 'usl' | 'delta';
}

/** A predicted throughput with its interval. */
export interface UslPrediction {
  /** The load N. */
  readonly n: number;
  /** X(N) of the fitted curve. */
  readonly throughput: number;
  /** Lower end of the interval. */
  readonly lower: number;
  /** Upper end of the interval. */
  readonly upper: number;
}

/**
 * Predicts X(N) with an interval at each load in `loads`.
 * @param fit - a fit from `fitUsl` (or its JSON read back)
 * @param loads - the loads N to predict at (positive)
 * @param options - level and interval kind
 * @throws HR_SCALE_INVALID_OPTION for a non-positive load, a level outside (0, 1) or an unknown interval
 * @example predictUsl(fit, [64, 128], { interval: 'delta' })
 */
export function predictUsl(fit: UslFit, loads: readonly number[], options: PredictUslOptions = {}): UslPrediction[] {
  const level = options.level ?? fit.level;
  if (!(level > 0 && level < 1)) throw invalidScaleOption('level', level, 'pass a confidence level between 0 and 1, e.g. 0.95');
  const interval = options.interval ?? 'usl';
  if (interval !== 'usl' && interval !== 'delta') throw invalidScaleOption('interval', interval, "pass 'usl' or 'delta'");
  const m = fit.points.length;
  const constantHalf = Math.sqrt(fit.sumOfSquares / (m - 1)) * studentTQuantile(level, m - 1);
  const t = fit.degreesOfFreedom > 0 ? studentTQuantile((1 + level) / 2, fit.degreesOfFreedom) : NaN;
  return loads.map((n) => {
    if (!(n > 0 && Number.isFinite(n))) throw invalidScaleOption('loads', n, 'pass positive finite loads N');
    const throughput = uslThroughput(fit.coefficients, n);
    let half = constantHalf;
    if (interval === 'delta') {
      const g = uslGradient(fit.coefficients, n);
      let variance = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) variance += g[i]! * fit.covariance[i]![j]! * g[j]!;
      half = t * Math.sqrt(Math.max(variance, 0));
    }
    return { n, throughput, lower: throughput - half, upper: throughput + half };
  });
}
