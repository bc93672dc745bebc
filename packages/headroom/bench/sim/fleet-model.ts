/**
 * The fleet benches' model, shared by their cases: 10,000 servers × 4 FIFO workers, lognormal
 * service (median 2 ms, σ 0.5: mean 2.27 ms, so ≈ 1,762 calls/s per server), Poisson arrivals at
 * 80% of capacity for as long as `calls` arrivals take, one client with p2c + peak-EWMA (its default τ, 3 s),
 * hedging at the p95 of a 1,000-latency window with a 5% budget.
 */
import type { ModelSpec } from '../../src/sim/index.js';
import type { BareFleetOptions } from './bare-fleet.js';

/** Servers in the fleet. */
export const SERVERS = 10_000;

/** Workers per server. */
export const WORKERS = 4;

/**
 * The model (with `servers` servers of `workers` workers, default {@link SERVERS} × {@link WORKERS})
 * as a `runModel` spec and as the bare loop's options (seed aside). The rate is 80% of the fleet's
 * capacity (≈ 440.5 calls/s per worker), so `calls` sets the work whatever the fleet's shape.
 */
export function fleetModel(calls: number, servers = SERVERS, workers = WORKERS): { spec: ModelSpec; bare: Omit<BareFleetOptions, 'seed'> } {
  const ratePerSec = servers * workers * 440.5 * 0.8;
  const durationMs = (calls / ratePerSec) * 1000;
  return {
    spec: {
      duration: durationMs,
      arrivals: { type: 'poisson', ratePerSec },
      clients: { picker: 'p2c', load: 'peak-ewma', hedge: { percentile: 95 } },
      servers: [{ count: servers, workers, service: { type: 'lognormal', median: '2ms', sigma: 0.5 } }],
    },
    bare: { servers, workers, ratePerSec, durationMs, medianMs: 2, sigma: 0.5, percentile: 95 },
  };
}
