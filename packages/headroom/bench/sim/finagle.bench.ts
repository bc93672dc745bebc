/**
 * Finagle's balancer simulation in virtual time: wall time of each 45 s `finagle-slowmiddle` and
 * `finagle-coldstart` variant (11 backends, 1,250 req/s, 56,250 calls), against the 45 s Finagle's
 * own `Simulation` elapses in real time. Two figures per variant:
 *
 * - warm: two warm-up runs per variant, then rounds that interleave the six variants in this
 *   process (seed = round) — a variant run once the JIT has compiled the simulator;
 * - cold: the variant as the first `runModel` of a fresh child process (`finagle.child.ts`), the
 *   modules loaded but nothing compiled — what one `headroom sim finagle-…` run pays; the child's
 *   start-up (node + tsx loading the sources) is reported apart, in the notes;
 * - floor (cold only): the same number of calls as one typed-array loop (`finagle-floor.ts`) in a
 *   fresh child the same way — what a cold run costs when only the arithmetic is left to compile.
 *
 * Wall and process CPU time, median and range over the rounds, and a cold run's main-thread CPU
 * time (Linux), with the 1-minute load average at the start and end. HEADROOM_BENCH_SIM_ROUNDS changes the warm rounds (default 5),
 * HEADROOM_BENCH_SIM_COLD_ROUNDS the cold ones (default 3; one child per variant per round).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { runModel, variantModels } from '../../src/sim/index.js';
import { finagleColdStart, finagleSlowMiddle } from '../../src/sim/scenarios/finagle.js';
import { report } from '../harness.js';

const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 5);
const COLD_ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_COLD_ROUNDS'] ?? 3);
const REAL_MS = 45_000;
const CHILD = fileURLToPath(new URL('./finagle.child.ts', import.meta.url));
/** Calls of the floor loop: 45 s at 1,250 a second, as a variant's. */
const FLOOR_CALLS = 56_250;

interface ColdRun {
  readonly loadedMs: number;
  readonly wallMs: number;
  readonly cpuMs: number;
  /** The child's main thread alone (null off Linux). */
  readonly mainMs: number | null;
}

function coldRun(scenario: string, variant: number, seed: number): ColdRun {
  const out = execFileSync(
    process.execPath,
    ['--conditions=headroom-source', '--import', 'tsx', CHILD, scenario, String(variant), String(seed)],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as ColdRun;
}

report('sim: Finagle balancer simulation, 45 s per variant, wall time vs real time', () => {
  const cases = [finagleSlowMiddle, finagleColdStart].flatMap((s) =>
    variantModels(s).map((v, i) => ({
      name: `${s.name} / ${v.name}`,
      scenario: s.name,
      variant: i,
      model: v.model,
      wall: [] as number[],
      cpu: [] as number[],
      cold: [] as ColdRun[],
      calls: 0,
    })),
  );
  const floor: ColdRun[] = [];
  const loadStart = loadavg()[0]!;
  for (let round = 1; round <= COLD_ROUNDS; round++) {
    for (let i = 0; i <= cases.length; i++) {
      const c = cases[(i + round) % (cases.length + 1)];
      if (c === undefined) floor.push(coldRun('floor', 0, round));
      else c.cold.push(coldRun(c.scenario, c.variant, round));
    }
    process.stderr.write(`  cold round ${round}/${COLD_ROUNDS}\n`);
  }
  for (const c of cases) for (let i = 0; i < 2; i++) runModel(c.model, 100 + i);
  for (let round = 1; round <= ROUNDS; round++) {
    const order = cases.map((_, i) => cases[(i + round) % cases.length]!);
    for (const c of order) {
      const t0 = performance.now();
      const u0 = process.cpuUsage();
      c.calls = runModel(c.model, round).calls;
      const u = process.cpuUsage(u0);
      c.wall.push(performance.now() - t0);
      c.cpu.push((u.user + u.system) / 1000);
    }
    process.stderr.write(`  round ${round}/${ROUNDS}\n`);
  }
  const loadEnd = loadavg()[0]!;
  const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const times = (ms: readonly number[]): string =>
    `${Math.round(REAL_MS / median(ms))} (${Math.round(REAL_MS / Math.max(...ms))}–${Math.round(REAL_MS / Math.min(...ms))})`;
  const loaded = cases.flatMap((c) => c.cold.map((r) => r.loadedMs));
  const mainMs = (runs: readonly ColdRun[]): string =>
    runs.every((r) => r.mainMs !== null) ? median(runs.map((r) => r.mainMs!)).toFixed(1) : '—';
  const cold = (runs: readonly ColdRun[]): (string | number)[] => [
    median(runs.map((r) => r.wallMs)).toFixed(1),
    times(runs.map((r) => r.wallMs)),
    median(runs.map((r) => r.cpuMs)).toFixed(1),
    times(runs.map((r) => r.cpuMs)),
    mainMs(runs),
  ];
  return {
    header: [
      'scenario / variant',
      'calls',
      'warm: wall ms (median)',
      'warm: × real time (wall)',
      'warm: CPU ms (median)',
      'warm: × real time by CPU',
      'cold: wall ms (median)',
      'cold: × real time (wall)',
      'cold: CPU ms (median)',
      'cold: × real time by CPU',
      'cold: main-thread CPU ms (median)',
    ],
    rows: [
      ...cases.map((c) => [
        c.name,
        c.calls,
        median(c.wall).toFixed(1),
        times(c.wall),
        median(c.cpu).toFixed(1),
        times(c.cpu),
        ...cold(c.cold),
      ]),
      ['floor: one typed-array loop (finagle-floor.ts)', FLOOR_CALLS, '—', '—', '—', '—', ...cold(floor)],
    ],
    notes: [
      `warm: ${ROUNDS} interleaved rounds after 2 warm-up runs per variant; cold: ${COLD_ROUNDS} rounds of one fresh child process per variant, its first runModel; 1-minute load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end.`,
      `cold children's start-up before the run (node + tsx loading the sources): ${Math.round(median(loaded))} ms median (${Math.round(Math.min(...loaded))}–${Math.round(Math.max(...loaded))}), not counted in the cold figures; a cold run's CPU time includes the JIT compiling on its background threads.`,
      "cold main-thread CPU: the child's main thread alone (Linux /proc/thread-self/schedstat), without the JIT's background threads and the time spent waiting for a core — on a busy machine wall time is mostly that wait.",
      '× real time (median, range over rounds): 45,000 ms (what Finagle’s Simulation elapses: it sleeps in real time) / wall ms; by CPU: / the process CPU time (user + system) of the run, which a busy machine inflates less than wall time.',
    ],
  };
});
