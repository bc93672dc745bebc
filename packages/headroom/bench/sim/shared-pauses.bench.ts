/**
 * Does it matter for P2C + peak-EWMA whether the fleet's pauses are shared? Reproduction 8 found
 * the lab's slow replica winning picks after *fleet-wide* stalls (every replica's loop late at
 * once on the 2-core machine), where the lab model gives each replica its own pauses. This sweep
 * runs the lab's fleet in virtual time — one replica of 40.6 ms (lognormal, σ 0.02) and two of
 * 4.45 ms (σ 0.08), unbounded workers, one client at 610 req/s Poisson with P2C + peak-EWMA at the
 * module defaults — with pauses of a fixed length, taken six ways: none; at exponential gaps, each
 * server its own (`servers[].pauses`, each on its own random clock) or every server at once
 * (`machinePauses`); at a constant gap, every server at once, the client's event loop only
 * (`clients.stalls`), or the client and every server at once (both on the same constant
 * schedule, so they coincide). It prints the share of the calls sent to the slow replica after a
 * 1 s warm-up, over seeds 1–4.
 *
 * Deterministic (virtual time): the figures do not depend on the machine. HEADROOM_BENCH_SIM_SECONDS
 * sets the simulated seconds per run (default 60).
 */
import type { ModelSpec, PauseSpec } from '../../src/sim/index.js';
import { runModel } from '../../src/sim/index.js';
import { report } from '../harness.js';

const SECONDS = Number(process.env['HEADROOM_BENCH_SIM_SECONDS'] ?? 60);
const SEEDS = [1, 2, 3, 4];
const WARMUP_MS = 1000;
const SETTINGS = [
  [6, 2000],
  [15, 2000],
  [30, 4000],
] as const;

type Where =
  | 'none'
  | 'each server its own, random gaps'
  | 'every server at once, random gaps'
  | 'every server at once, constant gaps'
  | 'client only, constant gaps'
  | 'client and every server at once, constant gaps';
const WHERE: readonly Where[] = [
  'none',
  'each server its own, random gaps',
  'every server at once, random gaps',
  'every server at once, constant gaps',
  'client only, constant gaps',
  'client and every server at once, constant gaps',
];

function spec(where: Where, lengthMs: number, everyMs: number): ModelSpec {
  const pause: PauseSpec = {
    interval: where.endsWith('random gaps') ? { type: 'exponential', mean: everyMs } : { type: 'constant', value: everyMs },
    duration: { type: 'constant', value: lengthMs },
  };
  const own = where.startsWith('each server') ? { pauses: pause } : {};
  return {
    duration: WARMUP_MS + SECONDS * 1000,
    warmup: WARMUP_MS,
    arrivals: { type: 'poisson', ratePerSec: 610 },
    clients: { picker: 'p2c', load: 'peak-ewma', ...(where.startsWith('client') ? { stalls: pause } : {}) },
    servers: [
      { count: 1, workers: 'unbounded', service: { type: 'lognormal', median: 40.6, sigma: 0.02 }, ...own },
      { count: 2, workers: 'unbounded', service: { type: 'lognormal', median: 4.45, sigma: 0.08 }, ...own },
    ],
    ...(where.includes('every server at once') ? { machinePauses: pause } : {}),
  };
}

/** Share of the calls sent after warm-up that went to server 0, %. */
function slowShare(model: ModelSpec, seed: number): number {
  const sent = [0, 0, 0];
  runModel(model, seed, {
    onDispatch: (atMs, _client, server) => {
      if (atMs >= WARMUP_MS) sent[server]!++;
    },
  });
  return (100 * sent[0]!) / (sent[0]! + sent[1]! + sent[2]!);
}

const range = (v: readonly number[]): string => `${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}`;

report(`sim: shared or independent pauses — share to the slow replica under P2C + peak-EWMA (${SECONDS} s, seeds 1–4)`, () => {
  const rows: (string | number)[][] = [];
  for (const [lengthMs, everyMs] of SETTINGS) {
    const own: number[] = [];
    for (const where of WHERE) {
      const shares = SEEDS.map((seed) => slowShare(spec(where, lengthMs, everyMs), seed));
      if (where === 'each server its own, random gaps') own.push(...shares);
      const vsOwn = where === 'every server at once, random gaps' ? range(shares.map((s, i) => s / own[i]!)) : '';
      rows.push([`${lengthMs} ms every ${everyMs / 1000} s`, where, range(shares), vsOwn]);
      process.stderr.write(`  ${lengthMs} ms every ${everyMs} ms, ${where}: ${range(shares)} %\n`);
    }
  }
  return {
    header: ['pauses', 'where', 'to the slow replica, % (range over seeds)', 'every server at once ÷ each its own (per seed)'],
    rows,
    notes: [
      'Random gaps are exponential with the mean shown; constant gaps put every paused process on one schedule (the first pause one gap after the start), so the client and the servers pause together.',
    ],
  };
});
