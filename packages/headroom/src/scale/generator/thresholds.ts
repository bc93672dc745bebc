/**
 * Pass/fail thresholds for CI, in k6's spirit: `p99<50ms`, `p99.9<=200ms`, `mean<10ms`,
 * `errors<1%`, `rps>=1000`. A run that breaks one exits non-zero (`headroom scale run --threshold`).
 */
import type { LatencyHistogram } from '../../core/histogram.js';
import { invalidScaleOption } from '../models/errors.js';

/** One parsed threshold. */
export interface Threshold {
  /** The text it was parsed from. */
  readonly text: string;
  /** What it constrains: a latency percentile (`p99`, `p99.9`…), `mean`, `max`, `errors` (fraction) or `rps`. */
  readonly metric: string;
  /** The comparison that must hold. */
  readonly op: '<' | '<=' | '>' | '>=';
  /** The limit: ms for latency, a fraction (0.01 for 1%) for errors, requests/s for rps. */
  readonly limit: number;
}

/** What a run measured, as thresholds read it. */
export interface ThresholdInput {
  /** Latency of the successes. */
  readonly latency: LatencyHistogram;
  /** Failures / requests, in [0, 1]. */
  readonly errorRate: number;
  /** Successes per second. */
  readonly ratePerSec: number;
}

/** A threshold with what was measured. */
export interface ThresholdResult extends Threshold {
  /** The measured value, in the limit's unit. */
  readonly actual: number;
  /** Whether the comparison held. */
  readonly passed: boolean;
}

const PATTERN = /^\s*(p\d+(?:\.\d+)?|mean|max|errors|rps)\s*(<=|>=|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|us|%|rps|\/s)?\s*$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, us: 0.001 };

/**
 * Parses a threshold.
 * @throws HR_SCALE_INVALID_OPTION naming the text and the accepted forms
 * @example parseThreshold('p99<50ms') // { metric: 'p99', op: '<', limit: 50 }
 */
export function parseThreshold(text: string): Threshold {
  const m = PATTERN.exec(text);
  const bad = (): never => {
    throw invalidScaleOption('threshold', text, "use <metric><op><value>, e.g. 'p99<50ms', 'mean<=10ms', 'errors<1%', 'rps>=1000'");
  };
  if (m === null) return bad();
  const [, metric, op, value, unit] = m as unknown as [string, string, Threshold['op'], string, string | undefined];
  const n = Number(value);
  if (metric === 'errors') {
    if (unit !== undefined && unit !== '%') return bad();
    return { text, metric, op, limit: unit === '%' ? n / 100 : n };
  }
  if (metric === 'rps') {
    if (unit !== undefined && unit !== 'rps' && unit !== '/s') return bad();
    return { text, metric, op, limit: n };
  }
  if (metric.startsWith('p') && !(Number(metric.slice(1)) <= 100)) return bad();
  if (unit === undefined || UNIT_MS[unit] === undefined) return bad();
  return { text, metric, op, limit: n * UNIT_MS[unit]! };
}

/** Checks every threshold against a run. */
export function evaluateThresholds(thresholds: readonly Threshold[], input: ThresholdInput): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = measure(t.metric, input);
    const passed =
      t.op === '<' ? actual < t.limit : t.op === '<=' ? actual <= t.limit : t.op === '>' ? actual > t.limit : actual >= t.limit;
    return { ...t, actual, passed };
  });
}

function measure(metric: string, input: ThresholdInput): number {
  if (metric === 'errors') return input.errorRate;
  if (metric === 'rps') return input.ratePerSec;
  const snapshot = input.latency.snapshot();
  if (metric === 'mean') return snapshot.mean;
  if (metric === 'max') return snapshot.max;
  return input.latency.percentile(Number(metric.slice(1)));
}
