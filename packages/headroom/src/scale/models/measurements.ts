/**
 * What a USL fit takes: (N, X) pairs, or (N, latency) pairs turned into throughput by Little's
 * law (X = N / R, with R in seconds), checked before any arithmetic so that bad data gets an error
 * naming the point rather than a meaningless fit.
 */
import { ScaleDataError } from './errors.js';

/** One measurement: the load N and either its throughput or its mean latency. */
export type ScaleMeasurement =
  | {
      /** The load N: nodes, threads or requests in flight (> 0). */
      readonly n: number;
      /** Completed operations per second at that load (> 0). */
      readonly throughput: number;
    }
  | {
      /** The load N: requests in flight (the concurrency of a closed-loop run), > 0. */
      readonly n: number;
      /** Mean response time at that concurrency in ms (> 0); X = N / (latencyMs / 1000). */
      readonly latencyMs: number;
    };

/** A checked point: N and X, both positive and finite. */
export interface ThroughputPoint {
  /** The load N. */
  readonly n: number;
  /** The throughput X(N), per second. */
  readonly throughput: number;
}

/** The fewest points (and distinct load levels) a three-coefficient fit accepts. */
export const MIN_POINTS = 3;

/**
 * Checks measurements and converts latency points by Little's law.
 * @param measurements - at least 3, over at least 3 distinct N
 * @throws HR_SCALE_TOO_FEW_POINTS with fewer than 3 measurements
 * @throws HR_SCALE_INVALID_POINT when N, throughput or latency is missing, non-positive or not finite
 * @throws HR_SCALE_TOO_FEW_DISTINCT_N when the measurements cover fewer than 3 load levels
 */
export function toThroughputPoints(measurements: readonly ScaleMeasurement[]): ThroughputPoint[] {
  if (!Array.isArray(measurements) || measurements.length < MIN_POINTS) {
    const count = Array.isArray(measurements) ? measurements.length : 0;
    throw new ScaleDataError(
      'HR_SCALE_TOO_FEW_POINTS',
      `A USL fit needs at least ${MIN_POINTS} measurements (it has 3 coefficients); got ${count}. Measure more load levels.`,
      { count },
    );
  }
  const points = measurements.map((m, index) => toPoint(m, index));
  const distinct = new Set(points.map((p) => p.n)).size;
  if (distinct < MIN_POINTS) {
    throw new ScaleDataError(
      'HR_SCALE_TOO_FEW_DISTINCT_N',
      `A USL fit needs at least ${MIN_POINTS} different load levels N; the ${points.length} measurements cover ${distinct}. Measure more values of N.`,
      { distinct },
    );
  }
  return points;
}

function toPoint(m: ScaleMeasurement, index: number): ThroughputPoint {
  const bad = (field: string, value: unknown): never => {
    throw new ScaleDataError(
      'HR_SCALE_INVALID_POINT',
      `Measurement ${index + 1} has ${field} = ${String(value)}; N, throughput and latency must be positive finite numbers.`,
      { index, field, value: typeof value === 'number' ? value : String(value) },
    );
  };
  if (typeof m !== 'object' || m === null) return bad('the measurement', m);
  if (!isPositive(m.n)) return bad('n', m.n);
  if ('throughput' in m) {
    if (!isPositive(m.throughput)) return bad('throughput', m.throughput);
    return { n: m.n, throughput: m.throughput };
  }
  if ('latencyMs' in m) {
    if (!isPositive(m.latencyMs)) return bad('latencyMs', m.latencyMs);
    return { n: m.n, throughput: m.n / (m.latencyMs / 1000) };
  }
  return bad('neither throughput nor latencyMs', undefined);
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}
