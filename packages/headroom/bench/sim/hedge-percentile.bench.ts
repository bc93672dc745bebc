/**
 * Which percentile should the adaptive hedge delay default to? The lab hedges after the recent
 * p98, `HedgePolicy` defaulted to the p95. The real `HedgeCore` (the async policy's own core) in
 * the simulator, at its default budget (5% of calls, burst 10, first asks keep half the bucket),
 * for percentiles 90, 95, 98 and 99 and no hedging, on 10 servers × 4 workers picked by p2c over
 * `outstanding`, 0.25 ms one-way network.
 *
 * Swept: three service-time shapes with a 10 ms median (lognormal σ = 0.5; bimodal stalls: 2% of
 * requests take 10× the median; Pareto with shape 2.5) × utilization 30%, 60% and 85% of the
 * servers' capacity (before hedging). Each run: 33 s of Poisson arrivals, the first 3 s not
 * measured. Reported: p99 and p99.9 of the calls, and extra load (hedges ÷ calls), the mean over
 * the seeds and, for p99.9, the range.
 *
 * Size: HEADROOM_BENCH_SEEDS seeds (default 2). Virtual time: the figures do not depend on the
 * machine's load.
 */
import { runModel, type DistributionSpec } from '../../src/sim/index.js';
import { report, type ReportTable } from '../harness.js';
import { startSweep, writeSweep } from './sweep-data.js';
import { renderSweepChart } from './sweep-chart.js';

const SEEDS = Number(process.env['HEADROOM_BENCH_SEEDS'] ?? 2);
const MEDIAN = 10;
const WORKERS = 4;
const SERVERS = 10;

interface Shape {
  readonly name: string;
  readonly service: DistributionSpec;
  readonly meanMs: number;
}

const PARETO_SHAPE = 2.5;
const paretoScale = MEDIAN / Math.pow(2, 1 / PARETO_SHAPE);
const SHAPES: readonly Shape[] = [
  { name: 'lognormal σ=0.5', service: { type: 'lognormal', median: MEDIAN, sigma: 0.5 }, meanMs: MEDIAN * Math.exp(0.125) },
  {
    name: 'bimodal stalls (2% at 10×)',
    service: {
      type: 'bimodal',
      fast: { type: 'lognormal', median: MEDIAN, sigma: 0.2 },
      slow: { type: 'constant', value: 10 * MEDIAN },
      slowProbability: 0.02,
    },
    meanMs: 0.98 * MEDIAN * Math.exp(0.02) + 0.02 * 10 * MEDIAN,
  },
  {
    name: 'Pareto α=2.5',
    service: { type: 'pareto', scale: paretoScale, shape: PARETO_SHAPE },
    meanMs: (PARETO_SHAPE * paretoScale) / (PARETO_SHAPE - 1),
  },
];

const PERCENTILES: readonly (number | undefined)[] = [undefined, 90, 95, 98, 99];
const LOADS = [0.3, 0.6, 0.85];

const avg = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

/** One row of the table, as the chart reads it. */
export interface HedgeCell {
  readonly shape: string;
  readonly load: number;
  /** The hedge's percentile, `null` for no hedging. */
  readonly percentile: number | null;
  readonly p99: number;
  readonly p999: number;
  readonly p999Min: number;
  readonly p999Max: number;
  /** Hedges ÷ calls and refused asks ÷ calls, as fractions. */
  readonly extra: number;
  readonly refused: number;
}

report('sim: hedge percentile × service shape × load (p99, p99.9, extra load)', async (): Promise<ReportTable> => {
  const sweep = startSweep('npm run bench -- sim/hedge-percentile', SEEDS);
  const rows: (string | number)[][] = [];
  const cells: HedgeCell[] = [];
  const total = SHAPES.length * LOADS.length * PERCENTILES.length;
  let done = 0;
  for (const shape of SHAPES) {
    for (const load of LOADS) {
      const ratePerSec = ((SERVERS * WORKERS * 1000) / shape.meanMs) * load;
      for (const percentile of PERCENTILES) {
        const runs = Array.from({ length: SEEDS }, (_, i) =>
          runModel(
            {
              duration: '33s',
              warmup: '3s',
              arrivals: { type: 'poisson', ratePerSec },
              clients: { picker: 'p2c', load: 'outstanding', ...(percentile === undefined ? {} : { hedge: { percentile } }) },
              servers: [{ count: SERVERS, workers: WORKERS, service: shape.service }],
              network: { delay: { type: 'constant', value: 0.25 } },
            },
            i + 1,
          ),
        );
        const p999 = runs.map((r) => r.latency.p999);
        cells.push({
          shape: shape.name,
          load,
          percentile: percentile ?? null,
          p99: avg(runs.map((r) => r.latency.p99)),
          p999: avg(p999),
          p999Min: Math.min(...p999),
          p999Max: Math.max(...p999),
          extra: avg(runs.map((r) => r.hedges / r.calls)),
          refused: avg(runs.map((r) => r.hedgesRefused / r.calls)),
        });
        rows.push([
          shape.name,
          `${Math.round(load * 100)}%`,
          percentile === undefined ? 'no hedge' : `p${percentile}`,
          avg(runs.map((r) => r.latency.p99)).toFixed(1),
          `${avg(p999).toFixed(1)} (${Math.min(...p999).toFixed(1)}–${Math.max(...p999).toFixed(1)})`,
          (avg(runs.map((r) => r.hedges / r.calls)) * 100).toFixed(2),
          (avg(runs.map((r) => r.hedgesRefused / r.calls)) * 100).toFixed(2),
        ]);
        process.stderr.write(`  ${++done}/${total}: ${shape.name}, ${load * 100}%, ${percentile ?? 'none'}\n`);
      }
    }
  }
  const run = sweep.finish();
  const json = writeSweep('hedge-percentile', { run, cells });
  const svg = json === undefined ? undefined : await renderSweepChart('hedge-percentile');
  return {
    header: ['service', 'utilization', 'hedge at', 'p99 ms', 'p99.9 ms (range)', 'extra %', 'refused %'],
    rows,
    notes: [
      `${SEEDS} seed(s) per row (1…${SEEDS}), ${SERVERS} servers × ${WORKERS} workers, p2c + outstanding; HedgeCore at its default budget (5% of calls, burst 10).`,
      'extra %: hedges sent ÷ calls; refused %: hedge asks the budget refused ÷ calls (a refused call asks again when its wait has doubled).',
      `${run.date} at ${run.commit}, ${run.wallSeconds} s, 1-minute load average ${run.loadStart} at the start, ${run.loadEnd} at the end (virtual time: the figures do not depend on it).`,
      ...(json === undefined ? [] : [`Wrote ${json}${svg === undefined ? '' : ` and ${svg}`}.`]),
    ],
  };
});
