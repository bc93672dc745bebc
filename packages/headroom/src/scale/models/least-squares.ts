/**
 * Bounded nonlinear least squares by Levenberg–Marquardt with an active set: minimise Σ rᵢ(θ)²
 * subject to lower ≤ θ ≤ upper.
 *
 * Each step solves (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr (Marquardt's scaling, so coefficients of very
 * different size — β ~ 1e-4 next to γ ~ 1e3 in a USL fit — move alike) over the free
 * coefficients only: a coefficient sitting on a bound whose gradient pushes it outward is held
 * there, which is how Nash's `nlsr::nlxb` (the R `usl` package's default solver) treats bounds. The
 * step is clipped to the box; it is kept when the sum of squares falls (λ shrinks) and retried
 * with a larger λ otherwise. The search ends when no step, however short, lowers the sum any more —
 * the fit is as exact as doubles allow, which golden tests against R need. O(iterations ×
 * n·k²) for n points and k coefficients.
 */
import { gradient, gram, solve, type Matrix } from './matrix.js';

/** The problem: residuals and their Jacobian at θ, a start and the box. */
export interface BoundedLeastSquaresProblem {
  /** Residuals r(θ) (model − observed) and the Jacobian ∂r/∂θ (one row per residual). */
  readonly evaluate: (theta: readonly number[]) => { readonly residuals: number[]; readonly jacobian: Matrix };
  /** Starting coefficients (clipped into the box). */
  readonly start: readonly number[];
  /** Lower bounds, one per coefficient (`-Infinity` for none). */
  readonly lower: readonly number[];
  /** Upper bounds, one per coefficient (`Infinity` for none). */
  readonly upper: readonly number[];
  /** Iteration cap, default 1000. */
  readonly maxIterations?: number;
}

/** Where the search ended. */
export interface BoundedLeastSquaresResult {
  /** The coefficients at the minimum found. */
  readonly theta: number[];
  /** Σ r² there. */
  readonly sumOfSquares: number;
  /** Accepted steps taken. */
  readonly iterations: number;
  /** False when the iteration cap stopped the search before it settled. */
  readonly converged: boolean;
}

/** Runs the bounded Levenberg–Marquardt search. */
export function boundedLeastSquares(problem: BoundedLeastSquaresProblem): BoundedLeastSquaresResult {
  const { lower, upper } = problem;
  const k = problem.start.length;
  const clip = (t: readonly number[]): number[] => t.map((v, i) => Math.min(upper[i]!, Math.max(lower[i]!, v)));
  let theta = clip(problem.start);
  let current = problem.evaluate(theta);
  let sse = sumOfSquares(current.residuals);
  let lambda = 1e-3;
  let iterations = 0;
  const maxIterations = problem.maxIterations ?? 1000;
  while (iterations < maxIterations) {
    const a = gram(current.jacobian, k);
    const g = gradient(current.jacobian, current.residuals, k);
    // Hold a coefficient on its bound when going downhill would push it further out.
    const free = [...Array(k).keys()].filter((i) => !((theta[i]! <= lower[i]! && g[i]! > 0) || (theta[i]! >= upper[i]! && g[i]! < 0)));
    if (free.length === 0) return { theta, sumOfSquares: sse, iterations, converged: true };
    const maxDiag = Math.max(...free.map((i) => a[i]![i]!));
    let improved = false;
    while (lambda <= 1e16) {
      const system = free.map((i) => free.map((j) => a[i]![j]! + (i === j ? lambda * Math.max(a[i]![i]!, 1e-12 * maxDiag) : 0)));
      const step = solve(
        system,
        free.map((i) => -g[i]!),
      );
      if (step !== null) {
        const next = [...theta];
        free.forEach((i, s) => (next[i] = theta[i]! + step[s]!));
        const candidateTheta = clip(next);
        const candidate = problem.evaluate(candidateTheta);
        const candidateSse = sumOfSquares(candidate.residuals);
        if (Number.isFinite(candidateSse) && candidateSse < sse) {
          theta = candidateTheta;
          current = candidate;
          sse = candidateSse;
          lambda = Math.max(lambda / 10, 1e-12);
          iterations++;
          improved = true;
          break;
        }
      }
      lambda *= 10;
    }
    if (!improved) return { theta, sumOfSquares: sse, iterations, converged: true };
  }
  return { theta, sumOfSquares: sse, iterations, converged: false };
}

function sumOfSquares(residuals: readonly number[]): number {
  let s = 0;
  for (const r of residuals) s += r * r;
  return s;
}
