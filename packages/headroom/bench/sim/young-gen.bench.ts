/**
 * What `headroom sim` gains from running a model in a worker thread with a larger V8 young
 * generation (`replicate`'s `youngGenerationMb`, default 192 MB, as `node --max-semi-space-size=64`):
 * one replication of the fleet model (`fleet-model.ts`: 10,000 servers, p2c + peak-EWMA + hedging)
 * run three ways, interleaved over rounds (the order rotates):
 * - in this thread, V8's default heap (what `headroom sim` did before: `--threads 0`);
 * - in one worker thread, V8's default heap (`--young-gen 0`): the worker's own cost;
 * - in one worker thread with the default young generation (`headroom sim`'s default).
 *
 * Reported per case: wall and CPU time (the whole process, every thread; median and range), the
 * per-round CPU ratio to the in-this-thread case, and whether every run's trace hash is the same.
 * Sizes: HEADROOM_BENCH_SIM_CALLS calls (default 1,000,000), HEADROOM_BENCH_SIM_ROUNDS rounds
 * (default 3).
 */
import { loadavg } from 'node:os';
import { DEFAULT_YOUNG_GENERATION_MB, replicate } from '../../src/sim/index.js';
import { report } from '../harness.js';
import { fleetModel, SERVERS } from './fleet-model.js';
import { median, range } from '../summary.js';

const CALLS = Number(process.env['HEADROOM_BENCH_SIM_CALLS'] ?? 1_000_000);
const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 3);
const HERE = 'this thread, V8 default heap (--threads 0)';
const WORKER = 'worker thread, V8 default heap (--young-gen 0)';
const YOUNG = `worker thread, young generation ${DEFAULT_YOUNG_GENERATION_MB} MB (default)`;
const CASES: Record<string, { readonly threads: number; readonly youngGenerationMb: number }> = {
  [HERE]: { threads: 0, youngGenerationMb: 0 },
  [WORKER]: { threads: 1, youngGenerationMb: 0 },
  [YOUNG]: { threads: 1, youngGenerationMb: DEFAULT_YOUNG_GENERATION_MB },
};

report(`sim: ${SERVERS} servers × ${CALLS} calls in this thread vs a worker thread with a larger young generation`, async () => {
  const spec = fleetModel(CALLS).spec;
  const names = Object.keys(CASES);
  const wall: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const hashes = new Set<string>();
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await replicate(spec, { seeds: [1], ...CASES[name]! });
      const wallS = (performance.now() - t0) / 1000;
      const used = process.cpuUsage(cpu0);
      wall[name]!.push(wallS);
      cpu[name]!.push((used.user + used.system) / 1e6);
      hashes.add(r.runs[0]!.traceHash);
      loads.push(loadavg()[0]!);
      process.stderr.write(`  round ${round + 1}/${ROUNDS}, ${name}: ${wallS.toFixed(1)} s wall, ${cpu[name]!.at(-1)!.toFixed(1)} s CPU\n`);
    }
  }
  return {
    header: ['case', 'wall s (median)', 'wall range', 'CPU s (median)', 'CPU range', 'CPU ÷ this thread (per round)'],
    rows: names.map((n) => {
      const ratios = cpu[n]!.map((c, i) => c / cpu[HERE]![i]!);
      return [
        n,
        median(wall[n]!).toFixed(1),
        range(wall[n]!, 1),
        median(cpu[n]!).toFixed(1),
        range(cpu[n]!, 1),
        `${median(ratios).toFixed(2)} (${range(ratios, 2)})`,
      ];
    }),
    notes: [
      `${ROUNDS} interleaved rounds; CPU time of the whole process (every thread), wall time includes starting the worker. Load average (1 min) after each case ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
      hashes.size === 1
        ? `trace hash identical in every case and round: ${[...hashes][0]}`
        : `TRACE HASHES DIFFER: ${[...hashes].join(' | ')}`,
    ],
  };
});
