/** How each comparable figure of a phase is named, read and formatted (tables, verdicts, HTML). */
import type { MetricKey } from '../scenarios/types.js';
import type { PhaseResult } from './types.js';

/** One figure. */
export interface MetricDef {
  /** Column header / verdict label. */
  readonly label: string;
  /** Whether smaller is better. */
  readonly better: 'lower' | 'higher';
  /** True for ratios shown as percentages (compared by difference, not by factor). */
  readonly percent: boolean;
  /** The value in `phase`, or null when it does not apply. */
  readonly get: (phase: PhaseResult) => number | null;
  /** Display text. */
  readonly format: (value: number | null) => string;
}

const ms = (v: number | null): string => (v === null ? '–' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`);
const count = (v: number | null): string => (v === null ? '–' : Math.round(v).toLocaleString('en-US'));

/** Every metric by key. */
export const METRICS: Readonly<Record<MetricKey, MetricDef>> = {
  // No success, no latency: shown as "–", never as 0 ms.
  p50: { label: 'p50 ms', better: 'lower', percent: false, get: (p) => (p.ok === 0 ? null : p.latencyMs.p50), format: ms },
  p99: { label: 'p99 ms', better: 'lower', percent: false, get: (p) => (p.ok === 0 ? null : p.latencyMs.p99), format: ms },
  p999: { label: 'p99.9 ms', better: 'lower', percent: false, get: (p) => (p.ok === 0 ? null : p.latencyMs.p999), format: ms },
  okPerSec: { label: 'ok/s', better: 'higher', percent: false, get: (p) => p.okPerSec, format: count },
  errorRate: { label: 'errors', better: 'lower', percent: true, get: (p) => p.errorRate, format: pct },
  storeQps: { label: 'store q/s', better: 'lower', percent: false, get: (p) => p.storeQps, format: count },
  hitRatio: { label: 'hit ratio', better: 'higher', percent: true, get: (p) => p.hitRatio, format: pct },
  hotKeyQueries: { label: 'hot-key queries', better: 'lower', percent: false, get: (p) => p.hotKeyQueries, format: count },
  slowShare: { label: 'to slow replica', better: 'lower', percent: true, get: (p) => p.slowShare, format: pct },
  extraRequestRatio: { label: 'extra requests', better: 'lower', percent: true, get: (p) => p.extraRequestRatio, format: pct },
};

/** The standard table columns, before a scenario's extra column. */
export const STANDARD_COLUMNS: readonly MetricKey[] = ['okPerSec', 'p50', 'p99', 'p999', 'errorRate', 'storeQps', 'hitRatio'];

/**
 * "a → b" with the relative change when it means something, e.g. `612 → 41 (15× lower)`.
 * Percent metrics are compared by their values only.
 */
export function compare(def: MetricDef, a: number | null, b: number | null): string {
  const text = `${def.format(a)} → ${def.format(b)}`;
  if (def.percent || a === null || b === null || a <= 0 || b <= 0 || a === b) return text;
  const ratio = b / a;
  const change =
    ratio < 1
      ? ratio <= 0.5
        ? `${times(1 / ratio)} lower`
        : `−${((1 - ratio) * 100).toFixed(0)}%`
      : ratio >= 2
        ? `${times(ratio)} higher`
        : `+${((ratio - 1) * 100).toFixed(0)}%`;
  return `${text} (${change})`;
}

function times(factor: number): string {
  return `${factor >= 10 ? factor.toFixed(0) : factor.toFixed(1)}×`;
}
