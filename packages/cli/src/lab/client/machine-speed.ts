/**
 * How fast the lab's machine answered, moment by moment: slowness that stops no event loop (a
 * busy 2-core machine shares its cores out in slices too short for a lag detector) still shows in
 * the answers. Each answered round trip of a window is divided by its replica's median there; the
 * median of those ratios in each bin of {@link SPEED_BIN_MS} is the machine's slow-down factor for
 * that bin (1 in a bin with no answer), the same for every replica. `sim-vs-lab --picks` replays a
 * treatment window's factors on the simulated replicas (the simulator's `slow` faults), with each
 * replica's body first made as narrow as it would be at a steady speed ({@link steadySpeedRatios}):
 * the recorded body already holds the factors' spread, which would otherwise count twice.
 */
import { quantileOf, quantilesOf } from '../quantile.js';
import type { RoundTrip } from './round-trips.js';

/** Width of a bin, ms. */
export const SPEED_BIN_MS = 20;

/** A window's slow-down factor per bin, from its start. */
export interface SpeedTimeline {
  readonly binMs: number;
  readonly factors: readonly number[];
}

/** Round trips below `excludeFromMs` in `[startMs, endMs)`, each over its replica's median there. */
function relative(
  trips: readonly RoundTrip[],
  startMs: number,
  endMs: number,
  excludeFromMs: number,
): { t: number; replica: number; ratio: number }[] {
  const kept = trips.filter((r) => r.t >= startMs && r.t < endMs && r.ms < excludeFromMs);
  const medians = new Map<number, number>();
  for (const replica of new Set(kept.map((r) => r.replica)))
    medians.set(
      replica,
      quantileOf(
        kept.filter((r) => r.replica === replica).map((r) => r.ms),
        0.5,
      ),
    );
  return kept.map((r) => ({ t: r.t, replica: r.replica, ratio: r.ms / medians.get(r.replica)! }));
}

/**
 * The window's slow-down factor per bin (see the file comment).
 * @param excludeFromMs - round trips this long or longer are left out (the injected stalls)
 */
export function speedTimeline(trips: readonly RoundTrip[], startMs: number, endMs: number, excludeFromMs: number): SpeedTimeline {
  const bins: number[][] = Array.from({ length: Math.max(1, Math.ceil((endMs - startMs) / SPEED_BIN_MS)) }, () => []);
  for (const r of relative(trips, startMs, endMs, excludeFromMs)) bins[Math.floor((r.t - startMs) / SPEED_BIN_MS)]!.push(r.ratio);
  return { binMs: SPEED_BIN_MS, factors: bins.map((b) => (b.length === 0 ? 1 : quantileOf(b, 0.5))) };
}

/**
 * For each replica, how much narrower its round trips would be at a steady speed: at each
 * percentile of `percentiles`, the round trips' quantile with each divided by its bin's factor in
 * `timeline`, over their quantile as recorded (`[percentile, ratio]` pairs; none for a replica
 * without an answer).
 * @param excludeFromMs - round trips this long or longer are left out (the injected stalls)
 */
export function steadySpeedRatios(
  trips: readonly RoundTrip[],
  timeline: SpeedTimeline,
  startMs: number,
  endMs: number,
  excludeFromMs: number,
  replicas: number,
  percentiles: readonly number[],
): [number, number][][] {
  const kept = trips.filter((r) => r.t >= startMs && r.t < endMs && r.ms < excludeFromMs);
  return Array.from({ length: replicas }, (_, k) => {
    const raw = kept.filter((r) => r.replica === k);
    if (raw.length === 0) return [];
    const steady = raw.map((r) => r.ms / (timeline.factors[Math.floor((r.t - startMs) / timeline.binMs)] ?? 1));
    const ms = raw.map((r) => r.ms);
    const qs = percentiles.map((p) => p / 100);
    const atSteady = quantilesOf(steady, qs);
    const recorded = quantilesOf(ms, qs);
    return percentiles.map((p, i): [number, number] => [p, atSteady[i]! / recorded[i]!]);
  });
}
