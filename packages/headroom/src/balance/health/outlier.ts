/**
 * Passive outlier detection: take endpoints out of rotation from what real requests show.
 * Source: Envoy's outlier detection (consecutive 5xx, success-rate statistics, growing
 * ejection time, max ejection %), plus a latency rule in the same spirit (Envoy has none):
 *
 * - **consecutive errors**: N failures in a row eject at once;
 * - **success rate**: every `interval`, among endpoints with ≥ `requestVolume` requests (at least
 *   `minimumHosts` of them), eject those below mean − `stdevFactor`·σ;
 * - **latency**: every `interval`, among endpoints with ≥ `requestVolume` requests (at least
 *   `minimumHosts`), eject those whose p`percentile` exceeds `factor` × the median of the others'
 *   and `minLatency`;
 * - an ejection lasts the `ejectionBackoff` delay for its ejection count (the core backoff:
 *   `initial`·`multiplier`^(n−1), at most `max`; Envoy grows linearly, base × n, which the
 *   default multiplier 2 matches for the first two ejections and then outgrows); each `initial`
 *   an endpoint then stays in service forgives one past ejection;
 * - at most `maxEjectionPercent` of the endpoints are ejected at once (always at least one).
 *
 * The interval rules cost O(n log n) per interval; nothing here runs per request except two
 * counter updates and, with the latency rule, one histogram record. Limits: success rate needs
 * ≥ 5 busy endpoints by default (statistics on 3 are noise); ejection cannot fix a fleet-wide
 * problem — that is what the panic threshold is for.
 */
import { backoffDelay, resolveBackoff, type Backoff, type BackoffOptions } from '../../core/backoff.js';
import { parseOptionalDuration, parsePositiveDuration, type Duration } from '../../core/duration.js';
import type { Random } from '../../core/random.js';
import type { Member } from '../endpoint.js';
import { requireInteger, requireNonNegative, requirePercent, requirePositive } from '../options.js';

/** Success-rate rule options. */
export interface SuccessRateOutlierOptions {
  /** Endpoints with enough volume needed before the rule runs; default 5. */
  readonly minimumHosts?: number;
  /** Requests an endpoint needs in the interval to be judged; default 100. */
  readonly requestVolume?: number;
  /** Eject below mean − stdevFactor × σ; default 1.9 (Envoy's 1900/1000). */
  readonly stdevFactor?: number;
}

/** Latency rule options. */
export interface LatencyOutlierOptions {
  /** Which percentile to compare, default 99. */
  readonly percentile?: number;
  /** Eject when the endpoint's percentile exceeds factor × the peers' median; default 3. */
  readonly factor?: number;
  /** Never eject for a percentile below this, ms or '5ms'; default 5 ms. */
  readonly minLatency?: Duration;
  /** Endpoints with enough volume needed before the rule runs; default 3. */
  readonly minimumHosts?: number;
  /** Requests an endpoint needs in the interval to be judged; default 100. */
  readonly requestVolume?: number;
}

/** Options of outlier detection. */
export interface OutlierOptions {
  /** Failures in a row that eject an endpoint, or `false` to disable the rule; default 5. */
  readonly consecutiveErrors?: number | false;
  /** Evaluation interval of the success-rate and latency rules, ms or '10s'; default 10 s. */
  readonly interval?: Duration;
  /**
   * How long an ejection lasts, by its count: default `{ initial: '30s', max: '300s', multiplier: 2, jitter: 'none' }`
   * (30 s, 60 s, 120 s, 240 s, then 300 s). `initial` is also how long in service forgives one past ejection.
   */
  readonly ejectionBackoff?: BackoffOptions;
  /** Most endpoints ejected at once, % of those not draining (at least one is always allowed); default 10. */
  readonly maxEjectionPercent?: number;
  /** Success-rate rule: options, `true` for defaults, `false` to disable; default enabled. */
  readonly successRate?: SuccessRateOutlierOptions | boolean;
  /** Latency rule: options, `true` for defaults, `false` to disable; default disabled. */
  readonly latency?: LatencyOutlierOptions | boolean;
}

/** Outlier settings after validation. */
export interface OutlierConfig {
  readonly consecutiveErrors: number;
  readonly intervalMs: number;
  readonly ejectionBackoff: Backoff;
  readonly maxEjectionPercent: number;
  readonly successRate: Required<SuccessRateOutlierOptions> | undefined;
  readonly latency: LatencyOutlierConfig | undefined;
}

/** Latency rule settings after validation. */
export interface LatencyOutlierConfig {
  readonly percentile: number;
  readonly factor: number;
  readonly minLatencyMs: number;
  readonly minimumHosts: number;
  readonly requestVolume: number;
}

/**
 * Validates outlier options and fills defaults.
 * @throws HR_BALANCE_INVALID_OPTION naming the first bad option
 */
export function resolveOutlier(options: OutlierOptions): OutlierConfig {
  const ce = options.consecutiveErrors ?? 5;
  const sr = options.successRate ?? true;
  const lat = options.latency ?? false;
  return {
    consecutiveErrors: ce === false ? 0 : requireInteger('outlier.consecutiveErrors', ce, 1, '5'),
    intervalMs: parsePositiveDuration(options.interval, 'outlier.interval', 10_000),
    ejectionBackoff: resolveBackoff(options.ejectionBackoff, 'outlier.ejectionBackoff', {
      initialMs: 30_000,
      maxMs: 300_000,
      multiplier: 2,
      jitter: 'none',
    }),
    maxEjectionPercent: requirePercent('outlier.maxEjectionPercent', options.maxEjectionPercent ?? 10, '10'),
    successRate:
      sr === false
        ? undefined
        : {
            minimumHosts: requireInteger('outlier.successRate.minimumHosts', (sr === true ? undefined : sr.minimumHosts) ?? 5, 2, '5'),
            requestVolume: requireInteger(
              'outlier.successRate.requestVolume',
              (sr === true ? undefined : sr.requestVolume) ?? 100,
              1,
              '100',
            ),
            stdevFactor: requireNonNegative('outlier.successRate.stdevFactor', (sr === true ? undefined : sr.stdevFactor) ?? 1.9, '1.9'),
          },
    latency:
      lat === false
        ? undefined
        : {
            percentile: requirePercent('outlier.latency.percentile', (lat === true ? undefined : lat.percentile) ?? 99, '99'),
            factor: requirePositive('outlier.latency.factor', (lat === true ? undefined : lat.factor) ?? 3, '3'),
            minLatencyMs: parseOptionalDuration(lat === true ? undefined : lat.minLatency, 'outlier.latency.minLatency', 5),
            minimumHosts: requireInteger('outlier.latency.minimumHosts', (lat === true ? undefined : lat.minimumHosts) ?? 3, 2, '3'),
            requestVolume: requireInteger('outlier.latency.requestVolume', (lat === true ? undefined : lat.requestVolume) ?? 100, 1, '100'),
          },
  };
}

/**
 * Duration of the next ejection of `member` at `now`: the ejection backoff's delay for its
 * ejection count, after forgiving one past ejection per `initial` spent in service since its last
 * readmission. Updates `member.ejections`; draws from `random` only when the backoff has jitter.
 */
export function nextEjectionMs<T>(config: OutlierConfig, member: Member<T>, now: number, random: Random): number {
  const backoff = config.ejectionBackoff;
  if (member.ejections > 0) {
    const forgiven = Math.floor((now - member.readmittedAtMs) / backoff.initialMs);
    member.ejections = Math.max(0, member.ejections - forgiven);
  }
  member.ejections++;
  return backoffDelay(backoff, member.ejections, random);
}

/** Endpoints whose interval success rate is below mean − k·σ of those with enough volume. */
export function successRateOutliers<T>(rule: Required<SuccessRateOutlierOptions>, members: readonly Member<T>[]): Member<T>[] {
  const judged = members.filter((m) => m.intervalSuccesses + m.intervalFailures >= rule.requestVolume);
  if (judged.length < rule.minimumHosts) return [];
  const rates = judged.map((m) => m.intervalSuccesses / (m.intervalSuccesses + m.intervalFailures));
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const variance = rates.reduce((a, r) => a + (r - mean) * (r - mean), 0) / rates.length;
  const threshold = mean - rule.stdevFactor * Math.sqrt(variance);
  return judged.filter((_, i) => rates[i]! < threshold);
}

/** Endpoints whose interval latency percentile exceeds factor × the median of the others'. */
export function latencyOutliers<T>(rule: LatencyOutlierConfig, members: readonly Member<T>[]): Member<T>[] {
  const judged = members.filter((m) => m.latencies !== undefined && m.latencies.count >= rule.requestVolume);
  if (judged.length < rule.minimumHosts) return [];
  const values = judged.map((m) => m.latencies!.percentile(rule.percentile));
  const sorted = [...values].sort((a, b) => a - b);
  return judged.filter((_, i) => {
    const v = values[i]!;
    if (v < rule.minLatencyMs) return false;
    const peerMedian = medianWithout(sorted, sorted.indexOf(v));
    return v > rule.factor * peerMedian;
  });
}

/** Median of `sorted` with the element at `skip` left out. */
function medianWithout(sorted: readonly number[], skip: number): number {
  const m = sorted.length - 1;
  const at = (j: number): number => sorted[j < skip ? j : j + 1]!;
  return m % 2 === 1 ? at((m - 1) / 2) : (at(m / 2 - 1) + at(m / 2)) / 2;
}
