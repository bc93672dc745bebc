/**
 * A recorded latency histogram as a simulator service-time distribution: `headroom lab --json`
 * output (one phase's latency CDF), an HdrHistogram percentile distribution (`.hgrm`, as
 * `outputPercentileDistribution` and wrk2 print it), an HdrHistogram interval log (`.hlog`, every
 * interval added up), or a plain log of latencies, one number per line. The result is an
 * `empirical` {@link DistributionSpec}: buckets of (upper value ms, share of samples).
 */
import { readFileSync } from 'node:fs';
import hdr from 'hdr-histogram-js';
import { HeadroomError } from '../core/errors.js';
import type { DistributionSpec } from './distributions.js';

/** Unit of the values in a histogram file (lab JSON is always ms). */
export type HistogramUnit = 'ns' | 'us' | 'ms' | 's';

const UNIT_MS: Readonly<Record<HistogramUnit, number>> = { ns: 1e-6, us: 1e-3, ms: 1, s: 1000 };

/** Options of {@link readLatencyHistogram}. */
export interface HistogramInputOptions {
  /** Unit of the file's values; default ms. Ignored for lab JSON (ms). */
  readonly unit?: HistogramUnit;
  /** For lab JSON: `scenario` (its baseline phase) or `scenario/phase label`; default the first scenario's baseline. */
  readonly phase?: string;
}

/** A histogram read from a file. */
export interface LoadedHistogram {
  /** The service-time distribution (`empirical`). */
  readonly service: DistributionSpec & { readonly type: 'empirical' };
  /** What the file was read as. */
  readonly format: 'lab-json' | 'hgrm' | 'hlog' | 'values';
  /** Samples it summarizes (lab JSON: the phase's successful requests). */
  readonly count: number;
  /** Median and 99th percentile of the distribution, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** What was read, for a person: e.g. `lab phase stalls/no hedging (4,810 requests)`. */
  readonly description: string;
}

/** A histogram file that cannot be used: the message names the file and the reason. */
export class HistogramFileError extends HeadroomError {
  /**
   * @param path - the file
   * @param reason - what is wrong and what would be accepted
   */
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super('HR_SIM_INVALID_HISTOGRAM', `Histogram ${path}: ${reason}`, { details: { path, reason } });
  }
}

/** Percentiles at which quantile-based inputs (plain values, HdrHistogram logs) are cut into buckets. */
const GRID: readonly number[] = [...Array.from({ length: 100 }, (_, i) => i), 99.5, 99.9, 99.95, 99.99, 100];

/** Buckets from (value ms, cumulative percentile) points, sorted by percentile; zero-weight points are kept only first. */
function bucketsFromCdf(points: readonly (readonly [ms: number, percentile: number])[], path: string): [number, number][] {
  const buckets: [number, number][] = [];
  let prevP = 0;
  let prevMs = -Infinity;
  for (const [ms, p] of points) {
    if (!(Number.isFinite(ms) && ms >= 0 && Number.isFinite(p)))
      throw new HistogramFileError(path, `a point (${ms} ms at ${p}%) is not a finite latency ≥ 0 at a percentile`);
    if (ms < prevMs || p < prevP)
      throw new HistogramFileError(path, 'its values or percentiles go down; expected a cumulative distribution');
    const weight = buckets.length === 0 ? 0 : p - prevP;
    if (buckets.length === 0 || weight > 0) buckets.push([ms, weight]);
    prevP = p;
    prevMs = ms;
  }
  if (buckets.length < 2 || buckets.every(([, w]) => w === 0))
    throw new HistogramFileError(path, 'it holds fewer than two distinct recorded points; record more requests');
  return buckets;
}

/** The q-th percentile of the buckets as the empirical sampler draws them (uniform between a bucket's lower and upper value). */
function percentileOf(buckets: readonly (readonly [number, number])[], q: number): number {
  const target = (q / 100) * buckets.reduce((a, [, w]) => a + w, 0);
  let sum = 0;
  for (let i = 1; i < buckets.length; i++) {
    const [ms, w] = buckets[i]!;
    if (w > 0 && sum + w >= target) {
      const lower = buckets[i - 1]![0];
      return lower + ((ms - lower) * (target - sum)) / w;
    }
    sum += w;
  }
  return buckets[buckets.length - 1]![0];
}

function loaded(format: LoadedHistogram['format'], buckets: [number, number][], count: number, description: string): LoadedHistogram {
  return {
    service: { type: 'empirical', buckets },
    format,
    count,
    p50Ms: percentileOf(buckets, 50),
    p99Ms: percentileOf(buckets, 99),
    description,
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fromLabJson(value: unknown, path: string, phase: string | undefined): LoadedHistogram {
  if (!isObject(value) || value['tool'] !== 'headroom lab' || !Array.isArray(value['scenarios']))
    throw new HistogramFileError(path, 'a JSON file that is not `headroom lab --json` output (no "tool": "headroom lab" and "scenarios")');
  const scenarios = value['scenarios'] as {
    name: string;
    phases: { label: string; role: string; ok: number; cdf: { percentile: number; ms: number }[] }[];
  }[];
  const choices = scenarios.flatMap((s) => s.phases.map((p) => `${s.name}/${p.label}`));
  const [scenarioName, label] =
    phase === undefined ? [scenarios[0]?.name, undefined] : [phase.split('/')[0], phase.split('/').slice(1).join('/') || undefined];
  const scenario = scenarios.find((s) => s.name === scenarioName);
  const p = scenario?.phases.find((x) => (label === undefined ? x.role === 'baseline' : x.label === label));
  if (scenario === undefined || p === undefined)
    throw new HistogramFileError(
      path,
      `no lab phase ${phase ?? '(first baseline)'}; choose one of ${choices.join(', ') || '(none: the run has no phases)'}`,
    );
  if (!Array.isArray(p.cdf) || p.ok === 0)
    throw new HistogramFileError(path, `lab phase ${scenario.name}/${p.label} recorded no successful request`);
  const buckets = bucketsFromCdf(
    p.cdf.map((c) => [c.ms, c.percentile] as const),
    path,
  );
  return loaded('lab-json', buckets, p.ok, `lab phase ${scenario.name}/${p.label} (${p.ok} requests)`);
}

function fromHgrm(text: string, path: string, scale: number): LoadedHistogram {
  const points: [number, number][] = [];
  let count = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^Value\b/.test(line)) continue;
    const f = line.split(/\s+/).map(Number);
    if (f.length < 3 || f.slice(0, 3).some((x) => !Number.isFinite(x)))
      throw new HistogramFileError(path, `line ${i + 1} ("${line.slice(0, 60)}") is not "Value Percentile TotalCount [1/(1-Percentile)]"`);
    points.push([f[0]! * scale, f[2]!]);
    count = f[2]!;
  }
  if (count === 0) throw new HistogramFileError(path, 'its TotalCount is 0: the histogram recorded nothing');
  return loaded('hgrm', bucketsFromCdf(points, path), count, `HdrHistogram percentile distribution (${count} samples)`);
}

function fromHlog(text: string, path: string, scale: number): LoadedHistogram {
  const reader = new hdr.HistogramLogReader(text);
  let total: ReturnType<hdr.HistogramLogReader['nextIntervalHistogram']> = null;
  let intervals = 0;
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    intervals++;
    if (total === null) total = h;
    else total.add(h);
  }
  if (total === null || total.totalCount === 0)
    throw new HistogramFileError(path, 'an HdrHistogram log with no readable interval (or only empty ones)');
  const h = total;
  const buckets = bucketsFromCdf(
    GRID.map((q) => [h.getValueAtPercentile(q) * scale, q] as const),
    path,
  );
  return loaded('hlog', buckets, h.totalCount, `HdrHistogram log (${intervals} intervals, ${h.totalCount} samples)`);
}

function fromValues(text: string, path: string, scale: number): LoadedHistogram {
  const values: number[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const v = Number(line);
    if (!(Number.isFinite(v) && v >= 0))
      throw new HistogramFileError(
        path,
        `line ${i + 1} ("${line.slice(0, 60)}") is not a latency; expected lab JSON, an HdrHistogram .hgrm or .hlog, or one number per line`,
      );
    values.push(v * scale);
  }
  if (values.length < 2) throw new HistogramFileError(path, `it holds ${values.length} latency value(s); record at least two`);
  values.sort((a, b) => a - b);
  const at = (q: number): number => values[Math.min(values.length - 1, Math.floor((q / 100) * values.length))]!;
  return loaded(
    'values',
    bucketsFromCdf(
      GRID.map((q) => [at(q), q] as const),
      path,
    ),
    values.length,
    `${values.length} latency values`,
  );
}

/**
 * Reads a latency histogram from text (see the module comment for the formats).
 * @param path - where it came from, for the messages
 * @throws HR_SIM_INVALID_HISTOGRAM naming `path` and what is wrong
 */
export function parseLatencyHistogram(text: string, path: string, options: HistogramInputOptions = {}): LoadedHistogram {
  const unit = options.unit ?? 'ms';
  if (!(unit in UNIT_MS)) throw new HistogramFileError(path, `unknown unit "${String(unit)}"; use ns, us, ms or s`);
  const scale = UNIT_MS[unit];
  const head = text.trimStart();
  if (head.startsWith('{')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new HistogramFileError(path, `not valid JSON: ${(e as Error).message}`);
    }
    return fromLabJson(value, path, options.phase);
  }
  if (/^\s*Value\s+Percentile\s+TotalCount/m.test(text)) return fromHgrm(text, path, scale);
  if (/^(Tag=\S+,)?\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?,[A-Za-z0-9+/=]{16,}\s*$/m.test(text)) return fromHlog(text, path, scale);
  return fromValues(text, path, scale);
}

/**
 * Reads a latency histogram file.
 * @throws HR_SIM_INVALID_HISTOGRAM naming `path` and the reason (unreadable, empty, not a known format)
 * @example readLatencyHistogram('lab.json', { phase: 'stalls/no hedging' }).service
 */
export function readLatencyHistogram(path: string, options: HistogramInputOptions = {}): LoadedHistogram {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new HistogramFileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (text.trim() === '') throw new HistogramFileError(path, 'the file is empty');
  return parseLatencyHistogram(text, path, options);
}
