/**
 * Latency models for injected delays: a fixed delay, a uniform, normal, log-normal or
 * exponential distribution, a list of recorded samples (drawn uniformly), or a recorded
 * histogram given as percentiles (drawn by inverse-CDF interpolation between the points).
 * Every draw takes the injected {@link Random}; O(1) per draw (O(log p) for p percentile points).
 */
import { parseDuration, type Duration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import { chaosOption } from './errors.js';

/**
 * A latency: a {@link Duration} (fixed), or one of the distributions (times are Durations):
 * - `{ uniform: [min, max] }`
 * - `{ normal: { mean, stddev } }` (clamped at 0)
 * - `{ lognormal: { median, sigma } }` (sigma of the underlying normal, unitless)
 * - `{ exponential: { mean } }`
 * - `{ samples: [ms, ...] }` recorded latencies, each equally likely
 * - `{ percentiles: { '50': ms, '99': ms, '100': ms } }` a recorded histogram's percentiles
 */
export type LatencySpec =
  | Duration
  | { readonly uniform: readonly [Duration, Duration] }
  | { readonly normal: { readonly mean: Duration; readonly stddev: Duration } }
  | { readonly lognormal: { readonly median: Duration; readonly sigma: number } }
  | { readonly exponential: { readonly mean: Duration } }
  | { readonly samples: readonly number[] }
  | { readonly percentiles: Readonly<Record<string, number>> };

/** A compiled latency model: `draw(random)` returns a delay in ms (≥ 0). */
export interface LatencyModel {
  /** One delay in ms. */
  draw(random: Random): number;
  /** The spec it was built from (for journals and reports). */
  readonly spec: LatencySpec;
}

/**
 * Compiles a {@link LatencySpec}.
 * @throws HR_CHAOS_INVALID_OPTION (or HR_CORE_INVALID_DURATION) naming `option` when the spec is malformed
 * @example latencyModel({ uniform: [5, 50] }, 'latency').draw(random) // 5 ≤ x < 50
 */
export function latencyModel(spec: LatencySpec, option = 'latency'): LatencyModel {
  if (typeof spec === 'number' || typeof spec === 'string') {
    const ms = parseDuration(spec, option);
    return { spec, draw: () => ms };
  }
  if (typeof spec !== 'object' || spec === null) throw chaosOption(option, spec, 'use a duration or a distribution object');
  if ('uniform' in spec) {
    if (!Array.isArray(spec.uniform) || spec.uniform.length !== 2) throw chaosOption(`${option}.uniform`, spec.uniform, 'use [min, max]');
    const min = parseDuration(spec.uniform[0], `${option}.uniform[0]`);
    const max = parseDuration(spec.uniform[1], `${option}.uniform[1]`);
    if (max < min) throw chaosOption(`${option}.uniform`, spec.uniform, 'use [min, max] with min ≤ max');
    return { spec, draw: (r) => min + r.next() * (max - min) };
  }
  if ('normal' in spec) {
    const meanMs = parseDuration(spec.normal.mean, `${option}.normal.mean`);
    const stddevMs = parseDuration(spec.normal.stddev, `${option}.normal.stddev`);
    return { spec, draw: (r) => Math.max(0, meanMs + stddevMs * gaussian(r)) };
  }
  if ('lognormal' in spec) {
    const medianMs = parseDuration(spec.lognormal.median, `${option}.lognormal.median`);
    const sigma = spec.lognormal.sigma;
    if (medianMs <= 0 || !finite(sigma) || sigma < 0)
      throw chaosOption(`${option}.lognormal`, spec.lognormal, 'use { median > 0, sigma ≥ 0 }');
    const mu = Math.log(medianMs);
    return { spec, draw: (r) => Math.exp(mu + sigma * gaussian(r)) };
  }
  if ('exponential' in spec) {
    const meanMs = parseDuration(spec.exponential.mean, `${option}.exponential.mean`);
    return { spec, draw: (r) => -meanMs * Math.log(1 - r.next()) };
  }
  if ('samples' in spec) {
    const samples = spec.samples;
    if (!Array.isArray(samples) || samples.length === 0 || !samples.every((s) => finite(s) && s >= 0)) {
      throw chaosOption(`${option}.samples`, samples, 'use a non-empty array of latencies in ms (each ≥ 0)');
    }
    const copy = [...samples];
    return { spec, draw: (r) => copy[r.int(copy.length)]! };
  }
  if ('percentiles' in spec) return percentileModel(spec, option);
  throw chaosOption(option, spec, 'use a duration or one of uniform, normal, lognormal, exponential, samples, percentiles');
}

function percentileModel(spec: { readonly percentiles: Readonly<Record<string, number>> }, option: string): LatencyModel {
  const points = Object.entries(spec.percentiles)
    .map(([p, ms]) => [Number(p) / 100, ms] as const)
    .sort((a, b) => a[0] - b[0]);
  const valid =
    points.length > 0 &&
    points.every(
      ([q, ms], i) => q > 0 && q <= 1 && finite(ms) && ms >= 0 && (i === 0 || (q > points[i - 1]![0] && ms >= points[i - 1]![1])),
    );
  if (!valid) {
    throw chaosOption(
      `${option}.percentiles`,
      spec.percentiles,
      "use percentiles in (0, 100] mapped to non-decreasing ms, e.g. { '50': 10, '99': 80, '100': 200 }",
    );
  }
  // Below the first point the delay rises linearly from 0 ms at q = 0.
  const qs = [0, ...points.map((p) => p[0])];
  const ms = [0, ...points.map((p) => p[1])];
  const top = qs[qs.length - 1]!;
  return {
    spec,
    draw: (r) => {
      const u = r.next() * top;
      let lo = 0;
      let hi = qs.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (qs[mid]! <= u) lo = mid;
        else hi = mid;
      }
      const span = qs[hi]! - qs[lo]!;
      return ms[lo]! + (span === 0 ? 0 : ((u - qs[lo]!) / span) * (ms[hi]! - ms[lo]!));
    },
  };
}

function finite(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A standard normal draw (Box-Muller; one of the pair is discarded to keep the model stateless). */
function gaussian(random: Random): number {
  const u = 1 - random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
