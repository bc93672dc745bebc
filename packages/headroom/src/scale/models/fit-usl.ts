/**
 * Fits the Universal Scalability Law to measurements by bounded nonlinear least squares, with the
 * R `usl` package's conventions (Moeding, `usl` 3.0.x, `usl()` with its default `nlxb` solver):
 * 0 ≤ α ≤ 1, 0 ≤ β ≤ 1, γ ≥ 0; start γ = max(X/N), α = 0.01, β = 0.0001; standard errors from
 * (JᵀJ)⁻¹·σ² at the solution with σ² = SSE/(n − 3); confidence intervals coefficient ± SE·t, where
 * R's `confint` takes t = qt(level, n − 1) — a one-sided quantile with n − 1 degrees of freedom
 * (checked against its published output). `interval: 'two-sided'` gives the textbook
 * qt((1 + level)/2, n − 3) instead, which is wider. The search also starts from two more points
 * and keeps the lowest sum of squares, so a start on the wrong side of a valley cannot stall it.
 */
import { invalidScaleOption, ScaleDataError } from './errors.js';
import { boundedLeastSquares } from './least-squares.js';
import { invert, type Matrix } from './matrix.js';
import { toThroughputPoints, type ScaleMeasurement, type ThroughputPoint } from './measurements.js';
import { studentTQuantile } from './student-t.js';
import { uslAmdahlLimit, uslOptimal, uslPeak, uslThroughput, type UslCoefficients, type UslPoint } from './usl.js';

/** How coefficient intervals are computed: R `usl`'s convention, or the textbook two-sided one. */
export type UslIntervalMethod = 'usl' | 'two-sided';

/** Options of {@link fitUsl}. */
export interface FitUslOptions {
  /** Confidence level of the intervals, in (0, 1); default 0.95. */
  readonly level?: number;
  /** `'usl'` (default): ± SE·qt(level, n − 1), as R `usl`; `'two-sided'`: ± SE·qt((1 + level)/2, n − 3). */
  readonly interval?: UslIntervalMethod;
}

/** A coefficient's estimate, standard error and confidence interval. */
export interface UslEstimate {
  /** The fitted value. */
  readonly value: number;
  /** Its standard error (`NaN` with exactly 3 points: no degrees of freedom are left). */
  readonly standardError: number;
  /** Lower end of the confidence interval. */
  readonly lower: number;
  /** Upper end of the confidence interval. */
  readonly upper: number;
}

/** One measured point with what the fit says about it. */
export interface UslFittedPoint extends ThroughputPoint {
  /** X(N) of the fitted curve. */
  readonly fitted: number;
  /** Measured − fitted. */
  readonly residual: number;
  /** Measured X / (γ·N): the share of linear scaling achieved (R `usl`'s efficiency). */
  readonly efficiency: number;
}

/** A USL fit: plain data, safe to `JSON.stringify` (non-finite numbers become `null`). */
export interface UslFit {
  /** Always `'usl'`. */
  readonly model: 'usl';
  /** The fitted coefficients. */
  readonly coefficients: UslCoefficients;
  /** Each coefficient's estimate, standard error and interval. */
  readonly estimates: { readonly alpha: UslEstimate; readonly beta: UslEstimate; readonly gamma: UslEstimate };
  /** The confidence level of the intervals. */
  readonly level: number;
  /** How the intervals were computed. */
  readonly interval: UslIntervalMethod;
  /** Coefficients that ended on a bound (e.g. `['beta']` when the data show no coherency cost). */
  readonly atBound: readonly ('alpha' | 'beta' | 'gamma')[];
  /** The measurements with fitted values, residuals and efficiency, in input order. */
  readonly points: readonly UslFittedPoint[];
  /** Residual sum of squares. */
  readonly sumOfSquares: number;
  /** Residual standard error √(SSE/(n − 3)) (R's `sigma`). */
  readonly sigma: number;
  /** Residual degrees of freedom, n − 3. */
  readonly degreesOfFreedom: number;
  /** Covariance of (α, β, γ): (JᵀJ)⁻¹·σ². */
  readonly covariance: readonly (readonly number[])[];
  /** The peak N* = √((1 − α)/β) and X(N*); `null` when β = 0 (no peak: the curve rises towards the Amdahl limit). */
  readonly peak: UslPoint | null;
  /** The Amdahl limit γ/α (`Infinity` when α = 0). */
  readonly amdahlLimit: number;
  /** R `usl`'s optimal load 1/α and X there; `null` when α = 0. */
  readonly optimal: UslPoint | null;
  /** Accepted solver steps. */
  readonly iterations: number;
}

const NAMES = ['alpha', 'beta', 'gamma'] as const;
const LOWER = [0, 0, 0];
const UPPER = [1, 1, Infinity];

/**
 * Fits X(N) = γN / (1 + α(N − 1) + βN(N − 1)) to the measurements.
 * @param measurements - (N, throughput) or (N, latencyMs) pairs; at least 3 over 3 distinct N
 * @param options - confidence level and interval method
 * @throws HR_SCALE_TOO_FEW_POINTS, HR_SCALE_INVALID_POINT, HR_SCALE_TOO_FEW_DISTINCT_N for unusable data
 * @throws HR_SCALE_FIT_FAILED when the search ends with γ = 0 or a singular Jacobian
 * @throws HR_SCALE_INVALID_OPTION for a level outside (0, 1) or an unknown interval method
 * @example
 * ```ts
 * const fit = fitUsl([{ n: 1, throughput: 955 }, { n: 2, throughput: 1879 }, { n: 4, throughput: 3549 }, { n: 8, throughput: 6531 }]);
 * fit.coefficients.alpha; fit.peak?.n;
 * ```
 */
export function fitUsl(measurements: readonly ScaleMeasurement[], options: FitUslOptions = {}): UslFit {
  const level = options.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw invalidScaleOption('level', level, 'pass a confidence level between 0 and 1, e.g. 0.95');
  const interval = options.interval ?? 'usl';
  if (interval !== 'usl' && interval !== 'two-sided') throw invalidScaleOption('interval', interval, "pass 'usl' or 'two-sided'");
  const points = toThroughputPoints(measurements);
  const gammaStart = Math.max(...points.map((p) => p.throughput / p.n));
  const evaluate = (theta: readonly number[]): { residuals: number[]; jacobian: Matrix } => ({
    residuals: points.map((p) => model(theta, p.n) - p.throughput),
    jacobian: jacobianAt(theta, points),
  });
  const starts = [
    [0.01, 0.0001, gammaStart],
    [0.1, 0, gammaStart],
    [0, 0.01, gammaStart],
  ];
  const best = starts
    .map((start) => boundedLeastSquares({ evaluate, start, lower: LOWER, upper: UPPER }))
    .reduce((a, b) => (b.sumOfSquares < a.sumOfSquares ? b : a));
  const [alpha, beta, gamma] = best.theta as [number, number, number];
  if (!(gamma > 0)) {
    throw new ScaleDataError(
      'HR_SCALE_FIT_FAILED',
      'The USL fit ended with γ = 0: the data do not rise with N at all. Check that N and X are in the right columns.',
      {
        gamma,
      },
    );
  }
  const coefficients: UslCoefficients = { alpha, beta, gamma };
  const m = points.length;
  const degreesOfFreedom = m - NAMES.length;
  const sigma = degreesOfFreedom > 0 ? Math.sqrt(best.sumOfSquares / degreesOfFreedom) : NaN;
  const inverse = invert(gramOf(jacobianAt(best.theta, points)));
  if (inverse === null) {
    throw new ScaleDataError(
      'HR_SCALE_FIT_FAILED',
      'The USL fit is degenerate (its Jacobian is singular), so it has no standard errors. Measure more spread-out values of N.',
      {
        alpha,
        beta,
        gamma,
      },
    );
  }
  const covariance = inverse.map((row) => row.map((v) => v * sigma * sigma));
  const t =
    interval === 'usl' ? studentTQuantile(level, m - 1) : degreesOfFreedom > 0 ? studentTQuantile((1 + level) / 2, degreesOfFreedom) : NaN;
  const estimate = (i: number): UslEstimate => {
    const value = best.theta[i]!;
    const standardError = Math.sqrt(covariance[i]![i]!);
    return { value, standardError, lower: value - standardError * t, upper: value + standardError * t };
  };
  return {
    model: 'usl',
    coefficients,
    estimates: { alpha: estimate(0), beta: estimate(1), gamma: estimate(2) },
    level,
    interval,
    atBound: NAMES.filter((_, i) => best.theta[i] === LOWER[i] || best.theta[i] === UPPER[i]),
    points: points.map((p) => {
      const fitted = uslThroughput(coefficients, p.n);
      return { ...p, fitted, residual: p.throughput - fitted, efficiency: p.throughput / gamma / p.n };
    }),
    sumOfSquares: best.sumOfSquares,
    sigma,
    degreesOfFreedom,
    covariance,
    peak: uslPeak(coefficients),
    amdahlLimit: uslAmdahlLimit(coefficients),
    optimal: uslOptimal(coefficients),
    iterations: best.iterations,
  };
}

/**
 * ∂X/∂(α, β, γ) at N: the row of the Jacobian for one point (also the gradient the delta-method
 * prediction band uses).
 */
export function uslGradient(c: UslCoefficients, n: number): [number, number, number] {
  const d = 1 + c.alpha * (n - 1) + c.beta * n * (n - 1);
  const top = c.gamma * n;
  return [(-top * (n - 1)) / (d * d), (-top * n * (n - 1)) / (d * d), n / d];
}

function model(theta: readonly number[], n: number): number {
  return uslThroughput({ alpha: theta[0]!, beta: theta[1]!, gamma: theta[2]! }, n);
}

function jacobianAt(theta: readonly number[], points: readonly ThroughputPoint[]): Matrix {
  const c = { alpha: theta[0]!, beta: theta[1]!, gamma: theta[2]! };
  return points.map((p) => uslGradient(c, p.n));
}

function gramOf(j: Matrix): Matrix {
  return [0, 1, 2].map((a) => [0, 1, 2].map((b) => j.reduce((s, row) => s + row[a]! * row[b]!, 0)));
}
