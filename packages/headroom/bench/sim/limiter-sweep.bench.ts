/**
 * Which concurrency limiter should be the default? The production `ConcurrencyLimiter` with each
 * built-in algorithm — windowed Gradient2 (the module default), windowed Vegas (the lab's),
 * windowed AIMD (timeout 5× the median service time), windowed Gradient2 without its floor of 20
 * (minLimit 1) — and the static peers that need the server's size, fixed limits of c and 2c
 * (docs/latency.md found 2c the best fixed limit), in front of one server, in the simulator.
 *
 * Swept: servers of c = 4 and c = 40 workers; three service-time shapes (lognormal σ = 0.3;
 * bimodal stalls: 2% of requests take 10× the median; process-wide pauses: 50 ms every ~1 s);
 * offered load 0.5×, 1× and 2× the capacity. Each run offers 0.5× for 10 s, the load level for
 * 30 s, then 0.5× for 15 s. Measured in seconds 20–40 (after 10 s at the level): goodput as a
 * share of capacity, p99, shed share; after the level ends (2× only), time to recover — until the
 * first one-second window whose shed share is within 1 point of the share before the overload
 * (seconds 5–10) and whose p99 is within 20% of the p99 then.
 * Goodput is the share of what could be served: of the offered load below capacity, of capacity above.
 * Three seeds per cell; the table gives the mean and, for goodput, the range.
 *
 * Size: HEADROOM_BENCH_SEEDS seeds (default 3).
 */
import { runModel, type DistributionSpec, type LimiterSpec, type ModelSpec, type RunSeries } from '../../src/sim/index.js';
import { report, type ReportTable } from '../harness.js';
import { startSweep, writeSweep } from './sweep-data.js';
import { renderSweepChart } from './sweep-chart.js';

const SEEDS = Number(process.env['HEADROOM_BENCH_SEEDS'] ?? 3);
const MEDIAN_MS = 10;

interface Shape {
  readonly name: string;
  readonly service: DistributionSpec;
  readonly meanMs: number;
  readonly pauses?: ModelSpec['servers'][number]['pauses'];
}

const lognormal = (sigma: number): DistributionSpec => ({ type: 'lognormal', median: MEDIAN_MS, sigma });
const lognormalMean = (sigma: number): number => MEDIAN_MS * Math.exp((sigma * sigma) / 2);
const SHAPES: readonly Shape[] = [
  { name: 'lognormal σ=0.3', service: lognormal(0.3), meanMs: lognormalMean(0.3) },
  {
    name: 'bimodal stalls (2% at 10×)',
    service: { type: 'bimodal', fast: lognormal(0.2), slow: { type: 'constant', value: 10 * MEDIAN_MS }, slowProbability: 0.02 },
    meanMs: 0.98 * lognormalMean(0.2) + 0.02 * 10 * MEDIAN_MS,
  },
  {
    name: 'pauses (50 ms every ~1 s)',
    service: lognormal(0.2),
    // Workers stop 50 ms in every ~1.05 s: capacity falls by 50/1050.
    meanMs: lognormalMean(0.2) / (1 - 50 / 1050),
    pauses: { interval: { type: 'exponential', mean: 1000 }, duration: { type: 'constant', value: 50 } },
  },
];

const LIMITERS = (workers: number): readonly [string, LimiterSpec][] => [
  ['Gradient2 windowed (default)', { algorithm: 'gradient2' }],
  ['Gradient2 windowed, minLimit 1', { algorithm: 'gradient2', options: { minLimit: 1 } }],
  ['Vegas windowed (lab)', { algorithm: 'vegas' }],
  ['AIMD windowed (timeout 50 ms)', { algorithm: 'aimd', options: { timeout: 5 * MEDIAN_MS } }],
  [`fixed ${workers} (= c)`, { algorithm: 'fixed', limit: workers }],
  [`fixed ${2 * workers} (= 2c)`, { algorithm: 'fixed', limit: 2 * workers }],
];

interface Cell {
  goodput: number;
  p99: number;
  shed: number;
  recoverS: number;
  limit: number;
}

const avg = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / a.length;

function measure(shape: Shape, workers: number, level: number, limiter: LimiterSpec, seed: number): Cell {
  const capacity = (workers * 1000) / shape.meanMs;
  const r = runModel(
    {
      duration: '55s',
      warmup: '1s',
      series: '1s',
      arrivals: {
        type: 'timeline',
        points: [
          [0, capacity / 2],
          [10_000, capacity * level],
          [40_000, capacity / 2],
        ],
      },
      servers: [{ count: 1, workers, service: shape.service, ...(shape.pauses === undefined ? {} : { pauses: shape.pauses }), limiter }],
    },
    seed,
  );
  const s: RunSeries = r.series!;
  const slice = (a: readonly number[]): number[] => a.slice(20, 40);
  const shareAt = (i: number): number => s.shedPerSec[i]! / (s.okPerSec[i]! + s.failedPerSec[i]!);
  const before = avg(s.p99Ms.slice(5, 10));
  const shedBefore = avg([5, 6, 7, 8, 9].map(shareAt));
  let recoverS = NaN;
  if (level > 1) {
    for (let i = 40; i < s.atMs.length; i++) {
      if (shareAt(i) <= shedBefore + 0.01 && s.p99Ms[i]! <= 1.2 * before) {
        recoverS = i + 1 - 40;
        break;
      }
    }
  }
  const offered = avg(slice(s.okPerSec)) + avg(slice(s.failedPerSec));
  return {
    goodput: avg(slice(s.okPerSec)) / (capacity * Math.min(level, 1)),
    p99: avg(slice(s.p99Ms)),
    shed: offered > 0 ? avg(slice(s.shedPerSec)) / offered : 0,
    recoverS,
    limit: s.limit[39]!,
  };
}

/** One row of the table, as the chart reads it (means over the seeds; goodput and shed as fractions). */
export interface LimiterCell {
  readonly shape: string;
  readonly workers: number;
  readonly level: number;
  readonly limiter: string;
  readonly goodput: number;
  readonly goodputMin: number;
  readonly goodputMax: number;
  readonly p99: number;
  readonly shed: number;
  /** Seconds to recover after the 2× level, the worst seed; `null` below 2× or when a seed had not recovered within 15 s. */
  readonly recoverS: number | null;
  readonly limit: number;
}

report('sim: concurrency limiters × service shapes × load (goodput, p99, shed, recovery)', async (): Promise<ReportTable> => {
  const sweep = startSweep('npm run bench -- sim/limiter-sweep', SEEDS);
  const rows: (string | number)[][] = [];
  const out: LimiterCell[] = [];
  const total = SHAPES.length * 2 * 3 * LIMITERS(1).length;
  let done = 0;
  for (const shape of SHAPES) {
    for (const workers of [4, 40]) {
      for (const level of [0.5, 1, 2]) {
        for (const [name, limiter] of LIMITERS(workers)) {
          const cells = Array.from({ length: SEEDS }, (_, i) => measure(shape, workers, level, limiter, i + 1));
          const goodputs = cells.map((c) => c.goodput * 100);
          const recover = cells.map((c) => c.recoverS);
          out.push({
            shape: shape.name,
            workers,
            level,
            limiter: name,
            goodput: avg(cells.map((c) => c.goodput)),
            goodputMin: Math.min(...cells.map((c) => c.goodput)),
            goodputMax: Math.max(...cells.map((c) => c.goodput)),
            p99: avg(cells.map((c) => c.p99)),
            shed: avg(cells.map((c) => c.shed)),
            recoverS: level > 1 && !recover.some((x) => Number.isNaN(x)) ? Math.max(...recover) : null,
            limit: avg(cells.map((c) => c.limit)),
          });
          rows.push([
            shape.name,
            workers,
            `${level}×`,
            name,
            `${avg(goodputs).toFixed(1)} (${Math.min(...goodputs).toFixed(1)}–${Math.max(...goodputs).toFixed(1)})`,
            avg(cells.map((c) => c.p99)).toFixed(1),
            (avg(cells.map((c) => c.shed)) * 100).toFixed(1),
            level > 1 ? (recover.some((x) => Number.isNaN(x)) ? '> 15' : `${Math.max(...recover)}`) : '—',
            avg(cells.map((c) => c.limit)).toFixed(0),
          ]);
          process.stderr.write(`  ${++done}/${total}: ${shape.name}, c=${workers}, ${level}×, ${name}\n`);
        }
      }
    }
  }
  const run = sweep.finish();
  const json = writeSweep('limiter-sweep', { run, cells: out });
  const svg = json === undefined ? undefined : await renderSweepChart('limiter-sweep');
  return {
    header: ['service', 'c', 'load', 'limiter', 'goodput % (range)', 'p99 ms', 'shed %', 'recover s (max)', 'limit at 40 s'],
    rows,
    notes: [
      `${SEEDS} seeds per row (1…${SEEDS}); virtual time, so the figures do not depend on the machine's load.`,
      'goodput (% of min(offered, capacity)), p99 and shed over seconds 20–40 of the load level; recover: seconds after the 2× level ends until a window whose shed share is within 1 point, and p99 within 20%, of seconds 5–10 (before the overload).',
      `${run.date} at ${run.commit}, ${run.wallSeconds} s, 1-minute load average ${run.loadStart} at the start, ${run.loadEnd} at the end (virtual time: the figures do not depend on it).`,
      ...(json === undefined ? [] : [`Wrote ${json}${svg === undefined ? '' : ` and ${svg}`}.`]),
    ],
  };
});
