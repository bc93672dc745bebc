/**
 * Time distributions of the model (service times, network delays, pause lengths and intervals),
 * described as plain data so a scenario file can hold them, and compiled once into samplers.
 *
 * - exponential (inverse transform), constant, uniform;
 * - lognormal from its median and σ (Box–Muller, one normal per draw);
 * - Pareto (Lomax-free, type I: scale xₘ, shape α; inverse transform);
 * - mixture / bimodal: a weighted choice among parts (e.g. 98% fast, 2% stalled);
 * - empirical: a recorded latency histogram as (value, count) buckets — a draw picks a bucket
 *   by its count (binary search over the cumulative counts) and a uniform point between the
 *   previous bucket's value and its own, as HdrHistogram's linear iteration does.
 */
import { parseDuration, type Duration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import { invalidOption } from './errors.js';

/** A distribution of times in ms, as scenario data. */
export type DistributionSpec =
  | { readonly type: 'constant'; readonly value: Duration }
  | { readonly type: 'exponential'; readonly mean: Duration }
  | { readonly type: 'uniform'; readonly min: Duration; readonly max: Duration }
  | { readonly type: 'lognormal'; readonly median: Duration; readonly sigma: number }
  | { readonly type: 'pareto'; readonly scale: Duration; readonly shape: number }
  | { readonly type: 'bimodal'; readonly fast: DistributionSpec; readonly slow: DistributionSpec; readonly slowProbability: number }
  | { readonly type: 'mixture'; readonly parts: readonly { readonly weight: number; readonly dist: DistributionSpec }[] }
  | { readonly type: 'empirical'; readonly buckets: readonly (readonly [valueMs: number, count: number])[] };

/** A compiled distribution. */
export interface Sampler {
  /** One draw, ms (≥ 0). */
  sample(random: Random): number;
  /** The distribution's mean, ms (Infinity for a Pareto with shape ≤ 1). */
  readonly meanMs: number;
}

function positive(path: string, v: unknown, example: string): number {
  if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw invalidOption(path, v, `use a positive number, e.g. ${example}`);
  return v;
}

function positiveDuration(path: string, v: Duration): number {
  const ms = parseDuration(v, path);
  if (ms > 0) return ms;
  throw invalidOption(path, v, "use a positive duration, e.g. '5ms'");
}

function nonNegative(path: string, v: unknown, example: string): number {
  if (!(typeof v === 'number' && v >= 0 && Number.isFinite(v))) throw invalidOption(path, v, `use a non-negative number, e.g. ${example}`);
  return v;
}

function probability(path: string, v: unknown): number {
  if (!(typeof v === 'number' && v >= 0 && v <= 1)) throw invalidOption(path, v, 'use a probability from 0 to 1, e.g. 0.01');
  return v;
}

/**
 * Compiles a distribution spec.
 * @param path - where the spec sits in its scenario, for error messages (e.g. `servers.service`)
 * @throws HR_SIM_INVALID_OPTION naming the field and what is accepted
 * @example sampler({ type: 'lognormal', median: '5ms', sigma: 0.8 }).sample(random)
 */
export function sampler(spec: DistributionSpec, path = 'distribution'): Sampler {
  if (typeof spec !== 'object' || spec === null)
    throw invalidOption(path, spec, 'use an object with a type, e.g. { "type": "exponential", "mean": "1ms" }');
  switch (spec.type) {
    case 'constant': {
      const ms = parseDuration(spec.value, `${path}.value`);
      return { meanMs: ms, sample: () => ms };
    }
    case 'exponential': {
      const mean = positiveDuration(`${path}.mean`, spec.mean);
      return { meanMs: mean, sample: (r) => -Math.log(1 - r.next()) * mean };
    }
    case 'uniform': {
      const min = parseDuration(spec.min, `${path}.min`);
      const max = parseDuration(spec.max, `${path}.max`);
      if (max < min) throw invalidOption(`${path}.max`, spec.max, `use a duration ≥ min (${min} ms)`);
      return { meanMs: (min + max) / 2, sample: (r) => min + (max - min) * r.next() };
    }
    case 'lognormal': {
      const median = positiveDuration(`${path}.median`, spec.median);
      const sigma = nonNegative(`${path}.sigma`, spec.sigma, '0.5');
      return {
        meanMs: median * Math.exp((sigma * sigma) / 2),
        sample: (r) => median * Math.exp(sigma * Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next())),
      };
    }
    case 'pareto': {
      const scale = positiveDuration(`${path}.scale`, spec.scale);
      const shape = positive(`${path}.shape`, spec.shape, '2.5');
      return {
        meanMs: shape > 1 ? (shape * scale) / (shape - 1) : Infinity,
        sample: (r) => scale / Math.pow(1 - r.next(), 1 / shape),
      };
    }
    case 'bimodal': {
      const p = probability(`${path}.slowProbability`, spec.slowProbability);
      const fast = sampler(spec.fast, `${path}.fast`);
      const slow = sampler(spec.slow, `${path}.slow`);
      return {
        meanMs: (1 - p) * fast.meanMs + p * slow.meanMs,
        sample: (r) => (r.next() < p ? slow.sample(r) : fast.sample(r)),
      };
    }
    case 'mixture':
      return mixture(spec.parts, path);
    case 'empirical':
      return empirical(spec.buckets, path);
    default:
      throw invalidOption(
        `${path}.type`,
        (spec as { type?: unknown }).type,
        'use one of constant, exponential, uniform, lognormal, pareto, bimodal, mixture, empirical',
      );
  }
}

function mixture(parts: readonly { readonly weight: number; readonly dist: DistributionSpec }[], path: string): Sampler {
  if (!Array.isArray(parts) || parts.length === 0) throw invalidOption(`${path}.parts`, parts, 'use a non-empty list of { weight, dist }');
  const weights = parts.map((p, i) => positive(`${path}.parts.${i}.weight`, p.weight, '1'));
  const samplers = parts.map((p, i) => sampler(p.dist, `${path}.parts.${i}.dist`));
  const total = weights.reduce((a, b) => a + b, 0);
  let sum = 0;
  const cumulative = weights.map((w) => (sum += w / total));
  return {
    meanMs: samplers.reduce((m, s, i) => m + (s.meanMs * weights[i]!) / total, 0),
    sample: (r) => {
      const u = r.next();
      let i = 0;
      while (i < cumulative.length - 1 && u >= cumulative[i]!) i++;
      return samplers[i]!.sample(r);
    },
  };
}

function empirical(buckets: readonly (readonly [number, number])[], path: string): Sampler {
  if (!Array.isArray(buckets) || buckets.length === 0)
    throw invalidOption(`${path}.buckets`, buckets, 'use a non-empty list of [valueMs, count] pairs in increasing valueMs');
  const values = new Float64Array(buckets.length);
  const cumulative = new Float64Array(buckets.length);
  let total = 0;
  let mean = 0;
  let previous = 0;
  buckets.forEach((b, i) => {
    if (!Array.isArray(b) || b.length !== 2) throw invalidOption(`${path}.buckets.${i}`, b, 'use a [valueMs, count] pair');
    const v = nonNegative(`${path}.buckets.${i}.0`, b[0], '12.5');
    const c = nonNegative(`${path}.buckets.${i}.1`, b[1], '3');
    if (v < previous) throw invalidOption(`${path}.buckets.${i}.0`, v, `list buckets in increasing value (the one before is ${previous})`);
    const low = i === 0 ? v : previous;
    mean += (c * (low + v)) / 2;
    total += c;
    values[i] = v;
    cumulative[i] = total;
    previous = v;
  });
  if (total <= 0) throw invalidOption(`${path}.buckets`, buckets, 'give at least one bucket a positive count');
  return {
    meanMs: mean / total,
    sample: (r) => {
      const u = r.next() * total;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      const v = values[lo]!;
      const low = lo === 0 ? v : values[lo - 1]!;
      return low + (v - low) * r.next();
    },
  };
}
