/**
 * Replications: 8 seeds of the fleet model (`fleet-model.ts`, 1,000 servers, 200,000 calls each)
 * through `replicate` in 1 and in 2 worker threads, interleaved over rounds (the order rotates).
 * Reports wall time (median and range), the speed-up of 2 threads over 1, and whether every
 * replication's trace hash is the same in both (and in every round).
 *
 * Sizes: HEADROOM_BENCH_SIM_REP_CALLS calls per replication (default 200,000),
 * HEADROOM_BENCH_SIM_ROUNDS rounds (default 3).
 */
import { loadavg } from 'node:os';
import { replicate } from '../../src/sim/index.js';
import { report } from '../harness.js';
import { fleetModel } from './fleet-model.js';
import { median, range } from '../summary.js';

const CALLS = Number(process.env['HEADROOM_BENCH_SIM_REP_CALLS'] ?? 200_000);
const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 3);
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
const THREADS = [1, 2];

report(`sim: 8 replications (1,000 servers × ${CALLS} calls each) in 1 vs 2 worker threads`, async () => {
  const spec = fleetModel(CALLS, 1000).spec;
  const times: Record<number, number[]> = { 1: [], 2: [] };
  const hashes = new Set<string>();
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < THREADS.length; i++) {
      const threads = THREADS[(i + round) % THREADS.length]!;
      const t0 = performance.now();
      const r = await replicate(spec, { seeds: SEEDS, threads });
      const s = (performance.now() - t0) / 1000;
      times[threads]!.push(s);
      hashes.add(r.runs.map((x) => x.traceHash).join(' '));
      loads.push(loadavg()[0]!);
      process.stderr.write(`  round ${round + 1}/${ROUNDS}, ${threads} thread(s): ${s.toFixed(1)} s\n`);
    }
  }
  const speedups = times[1]!.map((t, i) => t / times[2]![i]!);
  return {
    header: ['worker threads', 'wall s (median)', 'range over rounds', '1 thread ÷ this (per round)'],
    rows: THREADS.map((t) => [
      t,
      median(times[t]!).toFixed(1),
      range(times[t]!, 1),
      t === 1 ? '1.00' : `${median(speedups).toFixed(2)} (${range(speedups, 2)})`,
    ]),
    notes: [
      `${ROUNDS} interleaved rounds; wall time includes starting the workers. Load average (1 min) after each case ${range(loads, 1)}.`,
      hashes.size === 1
        ? `trace hashes identical in 1 and 2 threads in every round: ${[...hashes][0]}`
        : `TRACE HASHES DIFFER between runs: ${[...hashes].join(' | ')}`,
    ],
  };
});
