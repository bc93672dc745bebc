/**
 * Fleet scale: 10,000 servers (4 workers, lognormal service, median 2 ms) at 80% load, calls
 * picked by the real p2c + peak-EWMA and hedged at the p95 with the real window and budget.
 * Reports wall time, events/s, calls/s and the heap in use after each of 3 runs.
 *
 * Size: HEADROOM_BENCH_SIM_CALLS calls (default 1,000,000; the goal is 10,000,000 in ≤ 60 s).
 * Not yet: the bare typed-array loop of the same model the goal compares against.
 */
import { runModel, type ModelSpec } from '../../src/sim/index.js';
import { report } from '../harness.js';

const CALLS = Number(process.env['HEADROOM_BENCH_SIM_CALLS'] ?? 1_000_000);
const SERVERS = 10_000;

report(`sim: ${SERVERS} servers × ${CALLS} calls, p2c + peak-EWMA + hedging at the p95`, () => {
  // Capacity: 4 workers / 2.27 ms mean service ≈ 1,762 calls/s per server; 80% of it.
  const ratePerSec = SERVERS * 1762 * 0.8;
  const model: ModelSpec = {
    duration: (CALLS / ratePerSec) * 1000,
    arrivals: { type: 'poisson', ratePerSec },
    clients: { picker: 'p2c', load: 'peak-ewma', hedge: { percentile: 95 } },
    servers: [{ count: SERVERS, workers: 4, service: { type: 'lognormal', median: '2ms', sigma: 0.5 } }],
  };
  const rows: (string | number)[][] = [];
  for (let run = 1; run <= 3; run++) {
    const t0 = performance.now();
    const r = runModel(model, run);
    const seconds = (performance.now() - t0) / 1000;
    const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
    rows.push([
      run,
      seconds.toFixed(1),
      (r.events / seconds / 1e6).toFixed(2),
      Math.round(r.calls / 0.9 / seconds),
      r.latency.p99,
      (r.extraLoad * 100).toFixed(2),
      heapMb.toFixed(0),
    ]);
    process.stderr.write(`  run ${run}/3: ${seconds.toFixed(1)} s\n`);
  }
  return {
    header: ['run', 'wall s', 'M events/s', 'calls/s', 'p99 ms', 'hedges %', 'heap MB after'],
    rows,
    notes: ['calls/s counts every call, warm-up included; heap MB is process.memoryUsage().heapUsed after the run.'],
  };
});
