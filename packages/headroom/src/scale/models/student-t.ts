/**
 * Student's t distribution: the quantile that turns a standard error into a confidence interval.
 *
 * The CDF goes through the regularized incomplete beta function I_x(a, b), evaluated by its
 * continued fraction with the modified Lentz method (Abramowitz & Stegun 26.5.8, 26.7.1); the
 * quantile inverts the CDF by bisection, to the last bit a double holds (~60 steps). Accurate to
 * ~1e-12 for df ≥ 1, which is far more than a confidence interval needs.
 */
import { invalidScaleOption } from './errors.js';

/**
 * The p-quantile of Student's t with `df` degrees of freedom: the t with P(T ≤ t) = p.
 * @param p - probability in (0, 1)
 * @param df - degrees of freedom, > 0
 * @throws HR_SCALE_INVALID_OPTION when p is outside (0, 1) or df ≤ 0
 * @example studentTQuantile(0.975, 10) // 2.228138…
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw invalidScaleOption('p', p, 'pass a probability strictly between 0 and 1');
  if (!(df > 0 && Number.isFinite(df))) throw invalidScaleOption('df', df, 'pass a positive number of degrees of freedom');
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 200 && hi - lo > Number.EPSILON * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * P(T ≤ t) for Student's t with `df` degrees of freedom.
 * @param t - any real
 * @param df - degrees of freedom, > 0
 */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b), the regularized incomplete beta function, for x in [0, 1]. */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(a * Math.log(x) + b * Math.log(1 - x) - logBeta(a, b));
  // The continued fraction converges fast for x < (a + 1)/(a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** The continued fraction of I_x(a, b) (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 1000; m++) {
    const m2 = 2 * m;
    for (const coefficient of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + coefficient * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + coefficient / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
      if (Math.abs(d * c - 1) < 1e-16) return h;
    }
  }
  return h;
}

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const g = 7;
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}
