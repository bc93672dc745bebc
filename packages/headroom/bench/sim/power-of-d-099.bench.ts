/**
 * Reproduction 3 at λ = 0.99 (docs/sim.md, "Power of d choices"): Mitzenmacher's supermarket model
 * — n FIFO servers, μ = 1, Poisson arrivals at λ·n, each call to the least loaded of d random
 * servers by the real `p2c` picker over the real `outstanding` metric — where the n → ∞ formula
 * T_d(λ) = Σ_{i≥1} λ^((dⁱ−d)/(d−1)) gives 5.4320 (d = 2) and 3.8578 (d = 3) and a finite fleet
 * sits above it. Rows: d = 2, 3 at n = 100, 1,000, 10,000 (warm-up 1,000 service times from an
 * empty fleet, then `measured` service times; seeds 1…k, at n = 10,000 HEADROOM_BENCH_BIG_SEEDS,
 * default 1), the mean time in system, its 95%
 * interval over the seeds, and the excess over the formula; n·excess is what a 1/n correction
 * keeps constant. The notes give the relaxation from an empty start (mean per 100 service times,
 * n = 1,000, seed 1). HEADROOM_BENCH_D1=1 adds d = 1 (M/M/1, mean 100; relaxes over ~40,000
 * service times): 100 servers, warm-up 50,000, 200,000 measured — about three minutes.
 *
 * Virtual time: the figures do not depend on the machine's load (the wall times do).
 */
import { meanCi, runModel, supermarketMeanSojourn } from '../../src/sim/index.js';
import { report } from '../harness.js';

const LAMBDA = 0.99;
/** Seeds at n = 10,000 (10⁷ calls each): HEADROOM_BENCH_BIG_SEEDS, default 1. */
const BIG_SEEDS = Number(process.env['HEADROOM_BENCH_BIG_SEEDS'] ?? 1);

interface Case {
  readonly d: number;
  readonly n: number;
  readonly warmup: number;
  readonly measured: number;
  readonly seeds: number;
}

const CASES: Case[] = [
  ...(process.env['HEADROOM_BENCH_D1'] === '1' ? [{ d: 1, n: 100, warmup: 50_000, measured: 200_000, seeds: 1 }] : []),
  ...[2, 3].flatMap((d) => [
    { d, n: 100, warmup: 1000, measured: 10_000, seeds: 5 },
    { d, n: 1000, warmup: 1000, measured: 2000, seeds: 3 },
    { d, n: 10_000, warmup: 1000, measured: 1000, seeds: BIG_SEEDS },
  ]),
];

const picker = (d: number) => (d === 1 ? ('random' as const) : { type: 'p2c' as const, choices: d });

const run = (d: number, n: number, warmup: number, measured: number, seed: number, series?: number) =>
  runModel(
    {
      duration: warmup + measured,
      warmup,
      ...(series === undefined ? {} : { series }),
      arrivals: { type: 'poisson', ratePerSec: LAMBDA * n * 1000 },
      clients: { picker: picker(d), load: 'outstanding' },
      servers: [{ count: n, service: { type: 'exponential', mean: 1 } }],
    },
    seed,
  );

report('sim: power of d choices at λ = 0.99 — finite n against the n → ∞ formula', () => {
  const rows: (string | number)[][] = [];
  for (const c of CASES) {
    const started = Date.now();
    const means = Array.from({ length: c.seeds }, (_, i) => run(c.d, c.n, c.warmup, c.measured, i + 1).meanSojournMs);
    const wall = (Date.now() - started) / 1000;
    const formula = supermarketMeanSojourn(c.d, LAMBDA);
    const ci = meanCi(means);
    const excess = ci.mean / formula - 1;
    rows.push([
      c.d,
      c.n.toLocaleString('en-US'),
      `${c.warmup.toLocaleString('en-US')} + ${c.measured.toLocaleString('en-US')}`,
      c.seeds,
      `${ci.mean.toFixed(3)}${c.seeds > 1 ? ` ± ${ci.halfWidth.toFixed(3)}` : ''}`,
      means.length > 1 ? `${Math.min(...means).toFixed(3)}–${Math.max(...means).toFixed(3)}` : '–',
      formula.toFixed(4),
      `${(excess * 100).toFixed(2)}%`,
      (excess * c.n).toFixed(1),
      wall.toFixed(1),
    ]);
    process.stderr.write(`  d=${c.d} n=${c.n}: ${ci.mean.toFixed(3)} (${wall.toFixed(1)} s)\n`);
  }
  const relax = [2, 3].map((d) => {
    const s = run(d, 1000, 1, 1500, 1, 100).series!;
    return `d = ${d}: ${s.meanMs
      .slice(0, 15)
      .map((m) => m.toFixed(2))
      .join(', ')}`;
  });
  return {
    header: [
      'd',
      'n',
      'warm-up + measured (service times)',
      'seeds',
      'mean T (95% CI)',
      'range',
      'T_d (n → ∞)',
      'excess',
      'n × excess',
      'wall s',
    ],
    rows,
    notes: ['Mean time in system per 100 service times from an empty fleet (n = 1,000, seed 1), the first 1,500:', ...relax],
  };
});
