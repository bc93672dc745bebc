/**
 * The peak-EWMA decay sweep that settles `peakEwma()`'s default τ: P2C over peak-EWMA with τ =
 * 0.5, 1, 3 and 10 s, and round-robin as the reference, on three replicas (8 workers, lognormal
 * service, median 5 ms) behind one client, for every combination of
 *
 * - service shape: replica 0 ten times slower (a slow dependency: 10× the time, 10× the workers),
 *   a heavy lognormal body (σ = 1) everywhere, or 0.5% of requests stalling 250 ms anywhere;
 * - load: 20%, 50%, 80% of each replica's capacity under an even split;
 * - client: no event-loop stalls, a quiet client (~10 ms every ~5 s), a busy one (~20 ms, up to
 *   ~100, every ~0.5 s) — `SWEEP_CLIENT_STALLS` in src/sim/scenarios/decay-sweep.ts.
 *
 * Each cell runs 60 s of simulated time (10 s warm-up) on HEADROOM_BENCH_SIM_SEEDS seeds
 * (default 3) and reports the mean over seeds of p99 ÷ round-robin's p99 in the same cell and
 * seed, and (slow-replica shape) the share of requests sent to the slow replica. The summary
 * ranks each τ by its regret: p99 ÷ the best τ's p99 in the same cell, worst and mean over cells,
 * for the quiet and the busy client.
 */
import { loadavg } from 'node:os';
import { runModel } from '../../src/sim/index.js';
import { decaySweepModel, type SweepClient, type SweepShape } from '../../src/sim/scenarios/decay-sweep.js';
import { report, type ReportTable } from '../harness.js';
import { startSweep, writeSweep } from './sweep-data.js';
import { renderSweepChart } from './sweep-chart.js';

const SEEDS = Number(process.env['HEADROOM_BENCH_SIM_SEEDS'] ?? 3);
const TAUS = [500, 1000, 3000, 10_000];
const SHAPES: SweepShape[] = ['slow-replica', 'lognormal', 'stalls'];
const LOADS = [0.2, 0.5, 0.8];
const CLIENTS: SweepClient[] = ['none', 'quiet', 'busy'];

/** One cell of the table, as the chart reads it (per τ, in the order of `taus`). */
export interface DecayCell {
  readonly shape: SweepShape;
  readonly load: number;
  readonly client: SweepClient;
  /** Per τ: mean over seeds of p99 / round-robin p99, and of the slow replica's share. */
  readonly p99Ratio: number[];
  readonly p99Ms: number[];
  readonly slowShare: number[];
  readonly taus: readonly number[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const tauLabel = (ms: number): string => `τ = ${ms / 1000} s`;

function runCell(shape: SweepShape, load: number, client: SweepClient): DecayCell {
  const ratio = TAUS.map(() => [] as number[]);
  const p99 = TAUS.map(() => [] as number[]);
  const share = TAUS.map(() => [] as number[]);
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rr = runModel(decaySweepModel({ shape, utilization: load, client, balancer: { type: 'round-robin' } }), seed);
    TAUS.forEach((decayMs, i) => {
      const r = runModel(decaySweepModel({ shape, utilization: load, client, balancer: { type: 'peak-ewma', decayMs } }), seed);
      ratio[i]!.push(r.latency.p99 / rr.latency.p99);
      p99[i]!.push(r.latency.p99);
      share[i]!.push(r.served[0]! / r.served.reduce((a, b) => a + b, 0));
    });
  }
  return { shape, load, client, p99Ratio: ratio.map(mean), p99Ms: p99.map(mean), slowShare: share.map(mean), taus: TAUS };
}

report('sim: peak-EWMA decay sweep (p99 ÷ round-robin, share to the slow replica)', async (): Promise<ReportTable> => {
  const loadStart = loadavg()[0]!;
  const sweep = startSweep('npm run bench -- sim/peak-ewma-decay', SEEDS);
  const cells: DecayCell[] = [];
  const total = SHAPES.length * LOADS.length * CLIENTS.length;
  for (const shape of SHAPES)
    for (const load of LOADS)
      for (const client of CLIENTS) {
        cells.push(runCell(shape, load, client));
        process.stderr.write(`  ${cells.length}/${total}: ${shape}, ${load * 100}%, ${client} client\n`);
      }
  const rows = cells.map((c) => [
    c.shape,
    `${c.load * 100}%`,
    c.client,
    ...TAUS.map((_, i) => `${c.p99Ratio[i]!.toFixed(2)}${c.shape === 'slow-replica' ? ` · ${(c.slowShare[i]! * 100).toFixed(2)}%` : ''}`),
  ]);
  // Regret of each τ: its p99 over the best τ's p99 in the same cell.
  const regret = (client: SweepClient): string[] =>
    TAUS.map((_, i) => {
      const r = cells.filter((c) => c.client === client).map((c) => c.p99Ms[i]! / Math.min(...c.p99Ms));
      return `${Math.max(...r).toFixed(2)} / ${mean(r).toFixed(3)}`;
    });
  for (const client of CLIENTS) rows.push(['regret (worst / mean)', 'all', client, ...regret(client)]);
  const run = sweep.finish();
  const json = writeSweep('peak-ewma-decay', { run, cells });
  const svg = json === undefined ? undefined : await renderSweepChart('peak-ewma-decay');
  return {
    header: ['shape', 'load', 'client', ...TAUS.map(tauLabel)],
    rows,
    notes: [
      `Cells: mean over ${SEEDS} seeds of p99 ÷ round-robin's p99 (same cell, same seed); slow-replica cells add the share of requests sent to the slow replica.`,
      "Regret: p99 ÷ the best τ's p99 in the same cell, worst and mean over the 9 cells of that client.",
      `1-minute load average ${loadStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (virtual time: the figures do not depend on it).`,
      `${run.date} at ${run.commit}, ${run.wallSeconds} s.`,
      ...(json === undefined ? [] : [`Wrote ${json}${svg === undefined ? '' : ` and ${svg}`}.`]),
    ],
  };
});
