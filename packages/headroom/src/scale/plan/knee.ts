/**
 * The knee of an open-loop sweep: the lowest offered rate at which the service stops keeping up.
 * A rate *holds* when all three are true:
 *
 * - latency: its p99 is at most `latencyFactor` × the low-load p99 (the p99 at the lowest rate
 *   offered, floored at `latencyFloor` so a sub-millisecond baseline does not make noise a knee);
 * - throughput: the successes per second reach `minAchievedRatio` of the rate offered;
 * - errors: at most `maxErrorRate` of the requests failed.
 *
 * The knee is the first rate, in increasing order, that does not hold; the rate before it is the
 * highest sustainable rate measured. Queueing theory says why a knee exists: as utilisation ρ → 1,
 * waiting time grows as 1/(1 − ρ), so p99 turns sharply upward just below capacity, and past
 * capacity an open loop's queue (and its latency) grows for as long as the run lasts.
 */
import { parseOptionalDuration, type Duration } from '../../core/duration.js';
import { invalidScaleOption } from '../models/errors.js';

/** One rate of an open-loop sweep. */
export interface RatePoint {
  /** The rate offered (the schedule's), requests/s. */
  readonly offeredPerSec: number;
  /** Successes per second measured. */
  readonly achievedPerSec: number;
  /** p99 latency of the successes, ms (from intended send times). */
  readonly p99Ms: number;
  /** Failures / requests sent, in [0, 1]. */
  readonly errorRate: number;
}

/** Options of {@link findKnee}. */
export interface KneeOptions {
  /** p99 above this multiple of the low-load p99 is past the knee; default 3. */
  readonly latencyFactor?: number;
  /** The low-load p99 is taken as at least this, so sub-millisecond noise is no knee; default `'1ms'`. */
  readonly latencyFloor?: Duration;
  /** Achieved below this fraction of the offered rate is past the knee; default 0.95. */
  readonly minAchievedRatio?: number;
  /** A failed fraction above this is past the knee; default 0.01. */
  readonly maxErrorRate?: number;
}

/** A point with the verdict on it. */
export interface RatePointVerdict extends RatePoint {
  /** True when the rate holds (see the file comment). */
  readonly holds: boolean;
  /** Why it does not hold: `'latency'`, `'throughput'`, `'errors'` (empty when it holds). */
  readonly reasons: readonly ('latency' | 'throughput' | 'errors')[];
}

/** What {@link findKnee} found. */
export interface KneeResult {
  /** The points sorted by offered rate, each with its verdict. */
  readonly points: readonly RatePointVerdict[];
  /** The p99 above which a rate is past the knee, ms: latencyFactor × max(low-load p99, latencyFloor). */
  readonly latencyLimitMs: number;
  /** The first rate that does not hold, or null when every rate held (the knee is above the sweep). */
  readonly knee: RatePointVerdict | null;
  /** The highest rate below the knee (null when even the lowest rate did not hold). */
  readonly lastGood: RatePointVerdict | null;
}

/**
 * Finds the knee (see the file comment).
 * @throws HR_SCALE_INVALID_OPTION for no points, a non-finite or negative figure, or a bad option
 * @example
 * ```ts
 * findKnee([{ offeredPerSec: 100, achievedPerSec: 100, p99Ms: 2, errorRate: 0 }, …]).knee?.offeredPerSec;
 * ```
 */
export function findKnee(points: readonly RatePoint[], options: KneeOptions = {}): KneeResult {
  const latencyFactor = options.latencyFactor ?? 3;
  const minAchievedRatio = options.minAchievedRatio ?? 0.95;
  const maxErrorRate = options.maxErrorRate ?? 0.01;
  const floorMs = parseOptionalDuration(options.latencyFloor, 'latencyFloor', 1);
  if (!(latencyFactor > 1 && Number.isFinite(latencyFactor)))
    throw invalidScaleOption('latencyFactor', latencyFactor, 'pass a multiple above 1, e.g. 3');
  if (!(minAchievedRatio > 0 && minAchievedRatio <= 1))
    throw invalidScaleOption('minAchievedRatio', minAchievedRatio, 'pass a fraction in (0, 1], e.g. 0.95');
  if (!(maxErrorRate >= 0 && maxErrorRate < 1))
    throw invalidScaleOption('maxErrorRate', maxErrorRate, 'pass a fraction in [0, 1), e.g. 0.01');
  if (points.length === 0) throw invalidScaleOption('points', points, 'pass at least one measured rate');
  points.forEach((p, i) => {
    for (const key of ['offeredPerSec', 'achievedPerSec', 'p99Ms', 'errorRate'] as const) {
      if (!(Number.isFinite(p[key]) && p[key] >= 0)) throw invalidScaleOption(`points[${i}].${key}`, p[key], 'pass a finite number ≥ 0');
    }
  });
  const sorted = [...points].sort((a, b) => a.offeredPerSec - b.offeredPerSec);
  const latencyLimitMs = latencyFactor * Math.max(sorted[0]!.p99Ms, floorMs);
  const verdicts = sorted.map((p): RatePointVerdict => {
    const reasons: ('latency' | 'throughput' | 'errors')[] = [];
    if (p.p99Ms > latencyLimitMs) reasons.push('latency');
    if (p.achievedPerSec < minAchievedRatio * p.offeredPerSec) reasons.push('throughput');
    if (p.errorRate > maxErrorRate) reasons.push('errors');
    return { ...p, holds: reasons.length === 0, reasons };
  });
  const kneeIndex = verdicts.findIndex((v) => !v.holds);
  return {
    points: verdicts,
    latencyLimitMs,
    knee: kneeIndex < 0 ? null : verdicts[kneeIndex]!,
    lastGood: kneeIndex < 0 ? verdicts[verdicts.length - 1]! : kneeIndex === 0 ? null : verdicts[kneeIndex - 1]!,
  };
}
