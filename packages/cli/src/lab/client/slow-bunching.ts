/**
 * Whether slow answers come in bunches: of a window's round trips, the slow ones — above their
 * replica's p95 in the window, leaving out the injected stalls — counted in bins of
 * {@link BUNCH_BIN_MS}. Two figures, about 1 and 0 when each answer is slow on its own chance:
 * - the index of dispersion of the slow answers per bin (variance ÷ mean): larger when slow answers
 *   arrive together, at one replica or at several;
 * - the correlation of the replicas' slow answers per bin (Pearson's, the mean over pairs of
 *   replicas): towards 1 when the replicas are slow at the same moments — the machine, not one of
 *   them.
 * A hedge's delay is a recent percentile, so bunches of slow answers move it: the lab's round trips
 * (`rtt` lines of a `--trace-picks` file) and the model's (`runModel`'s `onRoundTrip`) are summed
 * up by the same function, for `sim-vs-lab --picks`.
 */
import { quantileOf } from '../quantile.js';
import type { RoundTrip, WindowRoundTrips } from './round-trips.js';

/** Width of a bin, ms. */
export const BUNCH_BIN_MS = 20;

/** How bunched a window's slow answers were (see the file comment). */
export interface Bunching {
  /** Answers counted (below the injected stalls), and of those the slow ones. */
  readonly answers: number;
  readonly slow: number;
  /** Variance ÷ mean of the slow answers per bin. */
  readonly dispersion: number;
  /** The mean over pairs of replicas of the correlation of their slow answers per bin (NaN with one replica). */
  readonly correlation: number;
}

/**
 * Sums up the round trips read in `[startMs, endMs)`.
 * @param replicas - the replicas answering (0 … replicas − 1)
 * @param excludeFromMs - round trips this long or longer are left out (the injected stalls)
 * @returns null when the window holds no slow answer
 */
export function bunching(
  trips: readonly RoundTrip[],
  replicas: number,
  startMs: number,
  endMs: number,
  excludeFromMs: number,
): Bunching | null {
  const inWindow = trips.filter((r) => r.t >= startMs && r.t < endMs && r.ms < excludeFromMs && r.replica < replicas);
  const byReplica = Array.from({ length: replicas }, (_, k) => inWindow.filter((r) => r.replica === k).map((r) => r.ms));
  const p95 = byReplica.map((ms) => (ms.length === 0 ? Infinity : quantileOf(ms, 0.95)));
  const bins = Math.max(1, Math.ceil((endMs - startMs) / BUNCH_BIN_MS));
  const slowAt = Array.from({ length: replicas }, () => new Float64Array(bins));
  for (const r of inWindow) if (r.ms > p95[r.replica]!) slowAt[r.replica]![Math.floor((r.t - startMs) / BUNCH_BIN_MS)]!++;
  const total = new Float64Array(bins);
  for (const counts of slowAt) counts.forEach((n, b) => (total[b]! += n));
  const slow = total.reduce((a, n) => a + n, 0);
  if (slow === 0) return null;
  const mean = slow / bins;
  let correlations = 0;
  let pairs = 0;
  for (let i = 0; i < replicas; i++)
    for (let j = i + 1; j < replicas; j++) {
      correlations += pearson(slowAt[i]!, slowAt[j]!);
      pairs++;
    }
  return {
    answers: inWindow.length,
    slow,
    dispersion: variance(total) / mean,
    correlation: pairs === 0 ? Number.NaN : correlations / pairs,
  };
}

function variance(xs: Float64Array): number {
  const mean = xs.reduce((a, x) => a + x, 0) / xs.length;
  return xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length;
}

/** Pearson's correlation of two series of the same length (0 when either is constant). */
function pearson(xs: Float64Array, ys: Float64Array): number {
  const n = xs.length;
  const mx = xs.reduce((a, x) => a + x, 0) / n;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  let sxy = 0;
  for (let k = 0; k < n; k++) sxy += (xs[k]! - mx) * (ys[k]! - my);
  const sx = Math.sqrt(variance(xs));
  const sy = Math.sqrt(variance(ys));
  return sx === 0 || sy === 0 ? 0 : sxy / n / (sx * sy);
}

/** One phase's bunching in a pick trace. */
export interface PhaseBunching extends Bunching {
  readonly scenario: string;
  readonly phase: string;
}

/**
 * The bunching of each phase's measured window, from its answered round trips
 * ({@link windowRoundTrips}; the replicas are those they name).
 * @param excludeFromMs - round trips this long or longer are left out (the injected stalls)
 */
export function summariseBunching(windows: readonly WindowRoundTrips[], excludeFromMs: number): PhaseBunching[] {
  return windows.flatMap((w) => {
    const b = bunching(w.trips, w.replicas, w.start, w.end, excludeFromMs);
    return b === null ? [] : [{ scenario: w.scenario, phase: w.phase, ...b }];
  });
}
