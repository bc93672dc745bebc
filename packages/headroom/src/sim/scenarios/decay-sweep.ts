/**
 * The peak-EWMA decay sweep: the models behind `npm run bench -- sim/peak-ewma-decay` and the
 * `client-stalls` built-in. Three replicas of 8 workers (lognormal service, median 5 ms) behind
 * one client, at a utilization of the fleet's real capacity, with one of three service shapes and
 * one of three clients (no stalls, a quiet one, a busy one), balanced by round-robin or by P2C over
 * peak-EWMA with decay τ.
 */
import type { DistributionSpec } from '../distributions.js';
import type { ClientSpec, ModelSpec, PauseSpec } from '../model-spec.js';
import type { Scenario } from '../scenario.js';

/** Service-time shapes of the sweep. */
export type SweepShape = 'slow-replica' | 'lognormal' | 'stalls';
/** Client event-loop behaviours of the sweep. */
export type SweepClient = 'none' | 'quiet' | 'busy';

/** Replicas, workers per replica and the fast service time (median ms, σ) of every sweep model. */
export const SWEEP_REPLICAS = 3;
const WORKERS = 8;
const MEDIAN_MS = 5;
const SIGMA = 0.3;
const SLOW_FACTOR = 10;

/** Client stalls: a quiet client pauses ~10 ms every ~5 s (GC); a busy one ~20 ms (up to ~100) every ~0.5 s (a loaded machine). */
export const SWEEP_CLIENT_STALLS: Readonly<Record<Exclude<SweepClient, 'none'>, PauseSpec>> = {
  quiet: { interval: { type: 'exponential', mean: '5s' }, duration: { type: 'lognormal', median: '10ms', sigma: 0.5 } },
  busy: { interval: { type: 'exponential', mean: '500ms' }, duration: { type: 'lognormal', median: '20ms', sigma: 0.7 } },
};

function lognormalMean(median: number, sigma: number): number {
  return median * Math.exp((sigma * sigma) / 2);
}

/** Each shape's service distribution and its mean, ms. */
const SHAPES: Readonly<Record<SweepShape, { readonly service: DistributionSpec; readonly meanMs: number; readonly slowReplica: boolean }>> =
  {
    // Replica 0 10× slower (the lab's and the end-to-end bench's case).
    'slow-replica': {
      service: { type: 'lognormal', median: MEDIAN_MS, sigma: SIGMA },
      meanMs: lognormalMean(MEDIAN_MS, SIGMA),
      slowReplica: true,
    },
    // A heavy lognormal body (σ = 1: p99 ≈ 10× the median) on every replica.
    lognormal: { service: { type: 'lognormal', median: MEDIAN_MS, sigma: 1 }, meanMs: lognormalMean(MEDIAN_MS, 1), slowReplica: false },
    // 0.5% of requests stall 250 ms on any replica (the lab's stalls at half the rate, so that p99
    // measures the queueing behind stalls rather than the stalls themselves).
    stalls: {
      service: {
        type: 'bimodal',
        fast: { type: 'lognormal', median: MEDIAN_MS, sigma: SIGMA },
        slow: { type: 'constant', value: 250 },
        slowProbability: 0.005,
      },
      meanMs: 0.995 * lognormalMean(MEDIAN_MS, SIGMA) + 1.25,
      slowReplica: false,
    },
  };

/** Requests per second that load every replica of the fleet to `utilization` of its capacity under an even split. */
export function sweepRate(shape: SweepShape, utilization: number): number {
  return ((SWEEP_REPLICAS * WORKERS) / SHAPES[shape].meanMs) * 1000 * utilization;
}

/** The balancing of one sweep variant: round-robin, or P2C over peak-EWMA with decay τ (ms). */
export type SweepBalancer = { readonly type: 'round-robin' } | { readonly type: 'peak-ewma'; readonly decayMs: number };

/** One model of the sweep. */
export function decaySweepModel(options: {
  readonly shape: SweepShape;
  readonly utilization: number;
  readonly client: SweepClient;
  readonly balancer: SweepBalancer;
  readonly duration?: string;
}): ModelSpec {
  const s = SHAPES[options.shape];
  const b = options.balancer;
  const clients: ClientSpec = {
    ...(b.type === 'round-robin' ? { picker: 'round-robin' } : { picker: 'p2c', load: { type: 'peak-ewma', decay: b.decayMs } }),
    ...(options.client === 'none' ? {} : { stalls: SWEEP_CLIENT_STALLS[options.client] }),
  };
  return {
    duration: options.duration ?? '60s',
    warmup: '10s',
    arrivals: { type: 'poisson', ratePerSec: sweepRate(options.shape, options.utilization) },
    clients,
    // The slow replica waits 10× longer per request (a slow dependency, as in the lab), with 10× the
    // workers, so its capacity equals the others' and round-robin's even split does not overload it.
    servers: s.slowReplica
      ? [
          { count: 1, workers: WORKERS * SLOW_FACTOR, service: { type: 'lognormal', median: MEDIAN_MS * SLOW_FACTOR, sigma: SIGMA } },
          { count: SWEEP_REPLICAS - 1, workers: WORKERS, service: s.service },
        ]
      : [{ count: SWEEP_REPLICAS, workers: WORKERS, service: s.service }],
    network: { delay: { type: 'constant', value: 0.1 } },
  };
}

/** The sweep's most telling cell as a built-in: a busy client, a 10× slower replica, 20% load; round-robin and τ = 1, 3, 10 s. */
export const clientStalls: Scenario = (() => {
  const cell = (balancer: SweepBalancer): ModelSpec =>
    decaySweepModel({ shape: 'slow-replica', utilization: 0.2, client: 'busy', balancer });
  const model = cell({ type: 'round-robin' });
  return {
    name: 'client-stalls',
    description:
      "A busy client (event-loop stalls of ~20 ms every ~0.5 s) in front of 3 replicas, one 10× slower, at 20% load: a stalled RTT becomes a fast replica's peak-EWMA cost and is remembered for about τ·ln(spike/rtt), so the slow replica's share grows with τ. One cell of `npm run bench -- sim/peak-ewma-decay`.",
    model,
    variants: [
      { name: 'round-robin', clients: model.clients! },
      ...[1000, 3000, 10_000].map((decayMs) => ({
        name: `p2c+peak-ewma τ=${decayMs / 1000}s`,
        clients: cell({ type: 'peak-ewma', decayMs }).clients!,
      })),
    ],
  };
})();
