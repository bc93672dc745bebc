/**
 * Finagle's balancer simulation in virtual time: wall time of each 45 s `finagle-slowmiddle` and
 * `finagle-coldstart` variant (11 backends, 1,250 req/s, 56,250 calls), against the 45 s Finagle's
 * own `Simulation` elapses in real time. Two warm-up runs per variant, then rounds that interleave
 * the six variants (seed = round); wall and process CPU time, median and range over the rounds,
 * with the 1-minute load average at the start and end.
 *
 * HEADROOM_BENCH_SIM_ROUNDS changes the rounds (default 5).
 */
import { loadavg } from 'node:os';
import { runModel, variantModels } from '../../src/sim/index.js';
import { finagleColdStart, finagleSlowMiddle } from '../../src/sim/scenarios/finagle.js';
import { report } from '../harness.js';

const ROUNDS = Number(process.env['HEADROOM_BENCH_SIM_ROUNDS'] ?? 5);
const REAL_MS = 45_000;

report('sim: Finagle balancer simulation, 45 s per variant, wall time vs real time', () => {
  const cases = [finagleSlowMiddle, finagleColdStart].flatMap((s) =>
    variantModels(s).map((v) => ({ name: `${s.name} / ${v.name}`, model: v.model, wall: [] as number[], cpu: [] as number[], calls: 0 })),
  );
  const loadStart = loadavg()[0]!;
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
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return {
    header: [
      'scenario / variant',
      'calls',
      'wall ms (median)',
      'wall ms range',
      '× real time (median)',
      '× range',
      'CPU ms (median)',
      '× real time by CPU',
    ],
    rows: cases.map((c) => [
      c.name,
      c.calls,
      median(c.wall).toFixed(1),
      `${Math.min(...c.wall).toFixed(1)}–${Math.max(...c.wall).toFixed(1)}`,
      Math.round(REAL_MS / median(c.wall)),
      `${Math.round(REAL_MS / Math.max(...c.wall))}–${Math.round(REAL_MS / Math.min(...c.wall))}`,
      median(c.cpu).toFixed(1),
      `${Math.round(REAL_MS / median(c.cpu))} (${Math.round(REAL_MS / Math.max(...c.cpu))}–${Math.round(REAL_MS / Math.min(...c.cpu))})`,
    ]),
    notes: [
      `${ROUNDS} interleaved rounds after 2 warm-up runs per variant; 1-minute load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end.`,
      '× real time: 45,000 ms (what Finagle’s Simulation elapses: it sleeps in real time) / wall ms; by CPU: / the process CPU time (user + system) of the run, which a busy machine inflates less than wall time.',
    ],
  };
});
