/**
 * How fast the lab's machine answered, moment by moment: slowness that stops no event loop (a
 * busy 2-core machine shares its cores out in slices too short for a lag detector) still shows in
 * the answers. Each answered round trip of a window is divided by its replica's median there; the
 * median of those ratios in each bin of {@link SPEED_BIN_MS} is the machine's slow-down factor for
 * that bin (1 in a bin with no answer), the same for every replica. `sim-vs-lab --picks` replays a
 * treatment window's factors on the simulated replicas (the simulator's `slow` faults), with each
 * replica's body first made as narrow as it would be at a steady speed ({@link steadySpeedRatios}):
 * the recorded body already holds the factors' spread, which would otherwise count twice. To
 * predict rather than replay, it draws a treatment's speed from its baseline window's factors
 * ({@link resampledTimeline}).
 */
import type { Random } from 'headroom';
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

/**
 * A timeline of `bins` bins drawn from `source` in blocks (a moving-block bootstrap): each block is
 * `blockBins` consecutive bins of the source from a start drawn uniformly among the full blocks it
 * holds (the whole source, when it is shorter than a block), the last block cut to fit. So the draw
 * has the source's factors, and how they bunch within a block's span, and nothing of the source's
 * order beyond it. Deterministic for `random`'s seed.
 * @throws RangeError when `source` has no bin or `bins` or `blockBins` is not a positive integer
 */
export function resampledTimeline(source: SpeedTimeline, bins: number, blockBins: number, random: Random): SpeedTimeline {
  if (source.factors.length === 0) throw new RangeError('resampledTimeline: the source timeline has no bin to draw from');
  for (const [name, n] of [
    ['bins', bins],
    ['blockBins', blockBins],
  ] as const)
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`resampledTimeline: ${name} must be a positive integer, got ${n}`);
  const block = Math.min(blockBins, source.factors.length);
  const starts = source.factors.length - block + 1;
  const factors: number[] = [];
  while (factors.length < bins) {
    const from = random.int(starts);
    factors.push(...source.factors.slice(from, from + Math.min(block, bins - factors.length)));
  }
  return { binMs: source.binMs, factors };
}
