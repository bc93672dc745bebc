/** The side-by-side table of `headroom sim`: one column per variant, one row per figure. */
import { renderTable } from 'headroom';
import { loadDeviation, type MeanCi, type Replications, type RunResult } from 'headroom/sim';

/** One variant's replications, by name. */
export interface VariantResult {
  readonly name: string;
  readonly replications: Replications;
}

function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(digits);
}

function ci(c: MeanCi, digits = 3): string {
  return Number.isFinite(c.halfWidth) ? `${num(c.mean, digits)} ± ${num(c.halfWidth, 2)}` : num(c.mean, digits);
}

function pct(c: MeanCi): string {
  return Number.isFinite(c.halfWidth)
    ? `${(c.mean * 100).toFixed(2)}% ± ${(c.halfWidth * 100).toFixed(2)}`
    : `${(c.mean * 100).toFixed(2)}%`;
}

/** Requests per server as the spread Finagle's simulation tables show: (max − min) / mean and the coefficient of variation. */
export function loadSpread(served: readonly number[]): { readonly cv: number; readonly range: number } {
  const mean = served.reduce((a, b) => a + b, 0) / served.length;
  if (mean === 0) return { cv: 0, range: 0 };
  const sd = Math.sqrt(served.reduce((a, v) => a + (v - mean) ** 2, 0) / served.length);
  return { cv: sd / mean, range: (Math.max(...served) - Math.min(...served)) / mean };
}

/** Renders the table (means ± 95% half-widths when there are several replications). */
export function renderSimTable(results: readonly VariantResult[]): string {
  const rows: [string, (r: VariantResult) => string][] = [
    ['calls measured', (r) => String(r.replications.runs[0]!.calls)],
    ['mean time in system (ms)', (r) => ci(r.replications.summary.meanSojournMs, 4)],
    ['p50 (ms)', (r) => ci(r.replications.summary.p50Ms)],
    ['p99 (ms)', (r) => ci(r.replications.summary.p99Ms)],
    ['p99.9 (ms)', (r) => ci(r.replications.summary.p999Ms)],
    ['above SLO', (r) => pct(r.replications.summary.aboveSlo)],
    ['failed', (r) => pct(r.replications.summary.failedFraction)],
    ['extra requests ÷ originals (hedges, tied copies, retries)', (r) => pct(r.replications.summary.extraPerOriginal)],
    [
      'utilization',
      (r) => (Number.isFinite(r.replications.runs[0]!.utilization) ? `${(r.replications.runs[0]!.utilization * 100).toFixed(1)}%` : '–'),
    ],
    ['per-server load CV', (r) => loadSpread(r.replications.runs[0]!.served).cv.toFixed(3)],
    ...optionalRows(results),
    ["Little's law |L−λW|/L", (r) => r.replications.runs[0]!.little.relativeError.toExponential(1)],
    ['events', (r) => String(r.replications.runs[0]!.events)],
    ['trace hash (first seed)', (r) => r.replications.runs[0]!.traceHash],
  ];
  return renderTable(
    ['', ...results.map((r) => r.name)],
    rows.map(([label, f]) => [label, ...results.map(f)]),
  );
}

/** Rows for the parts of the model only some scenarios use (caches, limiters): shown when a variant has them. */
function optionalRows(results: readonly VariantResult[]): [string, (r: VariantResult) => string][] {
  const runs = (r: VariantResult): readonly RunResult[] => r.replications.runs;
  const meanOf = (r: VariantResult, f: (run: RunResult) => number | undefined): string => {
    const values = runs(r)
      .map(f)
      .filter((v): v is number => v !== undefined);
    return values.length === 0 ? '–' : `${((values.reduce((a, b) => a + b, 0) / values.length) * 100).toFixed(2)}%`;
  };
  const rows: [string, (r: VariantResult) => string][] = [];
  if (results.some((r) => runs(r).some((run) => run.retries > 0)))
    rows.push(['attempts per call (retry amplification)', (r) => meanNum(runs(r).map((run) => run.attempts / Math.max(1, run.calls)))]);
  if (results.some((r) => runs(r).some((run) => run.servedForNobody > 0)))
    rows.push(['served for nobody (per call)', (r) => meanOf(r, (run) => run.servedForNobody / Math.max(1, run.calls))]);
  if (results.some((r) => runs(r)[0]!.cache !== undefined)) rows.push(['cache hit ratio', (r) => meanOf(r, (run) => run.cache?.hitRatio)]);
  const partition = results.map((r) => runs(r)[0]!.partition).find((x) => x !== undefined);
  if (partition !== undefined) {
    rows.push([
      `placed above ⌈${partition.loadFactor}·m/n⌉ (of calls)`,
      (r) => meanOf(r, (run) => (run.partition === undefined ? undefined : run.partition.aboveCap / Math.max(1, run.partition.placements))),
    ]);
    rows.push(['worst load ÷ ⌈c·m/n⌉', (r) => meanNum(runs(r).map((run) => run.partition?.worstOverCap))]);
  }
  if (results.some((r) => runs(r)[0]!.limiter !== undefined))
    rows.push(['shed by the limiter', (r) => meanOf(r, (run) => run.limiter?.shedShare)]);
  if (results.some((r) => runs(r).some((run) => (run.limiter?.waited ?? 0) + (run.limiter?.shedAfterWait ?? 0) > 0))) {
    rows.push([
      'waited for a permit',
      (r) => meanOf(r, (run) => (run.limiter === undefined ? undefined : run.limiter.waited / Math.max(1, run.limiter.admitted))),
    ]);
    rows.push(['mean wait for a permit (ms)', (r) => meanNum(runs(r).map((run) => run.limiter?.meanWaitMs))]);
  }
  return rows;
}

function meanNum(values: readonly (number | undefined)[]): string {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? '–' : num(known.reduce((a, b) => a + b, 0) / known.length);
}

/** Fleets up to this size get the per-server load table. */
export const LOAD_TABLE_MAX_SERVERS = 32;

/**
 * Finagle's load distribution, side by side: one row per server with each variant's requests and
 * their deviation from optimal (total / servers), first seed; then the mean and largest deviation.
 */
export function renderLoadDeviationTable(results: readonly VariantResult[]): string {
  const dists = results.map((r) => loadDeviation(r.replications.runs[0]!.served));
  const cell = (load: number, pct: number): string => `${load} (${pct.toFixed(1)}%)`;
  const rows = dists[0]!.servers.map((_, i) => [`s${i}`, ...dists.map((d) => cell(d.servers[i]!.load, d.servers[i]!.deviationPercent))]);
  rows.push(['optimal (total / servers)', ...dists.map((d) => d.optimal.toFixed(2))]);
  rows.push(['mean |deviation|', ...dists.map((d) => `${d.meanDeviationPercent.toFixed(1)}%`)]);
  rows.push(['max |deviation|', ...dists.map((d) => `${d.maxDeviationPercent.toFixed(1)}%`)]);
  return renderTable(['requests per server (|dev| from optimal)', ...results.map((r) => r.name)], rows);
}
