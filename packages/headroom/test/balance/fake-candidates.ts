/** A plain Candidates for picker unit tests: fixed weights and loads, versions bumped by hand. */
import type { Candidates } from '../../src/balance/picker.js';

export class FakeCandidates implements Candidates {
  listVersion = 1;
  weightVersion = 1;
  readonly inflight: number[];

  constructor(
    public weights: number[],
    public loads: number[] = weights.map(() => 1),
  ) {
    this.inflight = weights.map(() => 0);
  }

  get totalInflight(): number {
    return this.inflight.reduce((a, b) => a + b, 0);
  }

  get size(): number {
    return this.weights.length;
  }

  weight(i: number): number {
    return this.weights[i]!;
  }

  load(i: number): number {
    return this.loads[i]!;
  }

  id(i: number): string {
    return `e${i}`;
  }

  /** Replace the weights (a weight change: only weightVersion moves). */
  setWeights(weights: number[]): void {
    this.weights = weights;
    this.weightVersion++;
  }
}

/** Counts of `picks` picks per candidate index. */
export function histogram(size: number, picks: number, pick: () => number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let k = 0; k < picks; k++) counts[pick()]!++;
  return counts;
}

/**
 * Asserts each count is within `z` binomial standard deviations of N·p (p from `shares`), and
 * returns a printable table of expected vs observed for the failure message.
 */
export function binomialCheck(counts: number[], shares: number[], z = 5): { ok: boolean; table: string } {
  const n = counts.reduce((a, b) => a + b, 0);
  const total = shares.reduce((a, b) => a + b, 0);
  let ok = true;
  const rows = counts.map((c, i) => {
    const p = shares[i]! / total;
    const expected = n * p;
    const tol = z * Math.sqrt(n * p * (1 - p)) + 1e-9;
    const good = Math.abs(c - expected) <= tol;
    ok &&= good;
    return `e${i}: expected ${expected.toFixed(1)} ± ${tol.toFixed(1)}, got ${c}${good ? '' : '  ✗'}`;
  });
  return { ok, table: `N=${n}\n${rows.join('\n')}` };
}
