/**
 * The little dense linear algebra a three-coefficient least-squares fit needs: JᵀJ, Jᵀr, solving a
 * small symmetric system and inverting it (Gauss–Jordan with partial pivoting). Matrices are
 * arrays of rows; sizes here are at most 3×3 (the normal equations) and n×3 (the Jacobian).
 */

/** A dense matrix as an array of rows. */
export type Matrix = number[][];

/** JᵀJ of an n×k Jacobian. */
export function gram(jacobian: Matrix, k: number): Matrix {
  const out: Matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const row of jacobian) {
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[i]![j]! += row[i]! * row[j]!;
  }
  return out;
}

/** Jᵀr of an n×k Jacobian and n residuals. */
export function gradient(jacobian: Matrix, residuals: readonly number[], k: number): number[] {
  const out = new Array<number>(k).fill(0);
  jacobian.forEach((row, r) => {
    for (let i = 0; i < k; i++) out[i]! += row[i]! * residuals[r]!;
  });
  return out;
}

/**
 * The inverse of a square matrix, or `null` when it is singular (a pivot below `1e-300` after
 * scaling, or a non-finite entry).
 */
export function invert(a: Matrix): Matrix | null {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    const p = m[pivot]![col]!;
    if (!Number.isFinite(p) || Math.abs(p) < 1e-300) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const row = m[col]!;
    for (let j = 0; j < 2 * n; j++) row[j]! /= p;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]!;
      if (f === 0) continue;
      for (let j = 0; j < 2 * n; j++) m[r]![j]! -= f * row[j]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** Solves A·x = b for a small square A, or `null` when A is singular. */
export function solve(a: Matrix, b: readonly number[]): number[] | null {
  const inv = invert(a);
  if (inv === null) return null;
  return inv.map((row) => row.reduce((s, v, j) => s + v * b[j]!, 0));
}
