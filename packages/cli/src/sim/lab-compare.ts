/**
 * Reproduction 8, the simulator against the lab: the lab's `slow-replica` and `stalls` scenarios
 * modelled from what one `headroom lab --json` run recorded, and the simulator's p50/p99 set beside
 * the lab's real-socket ones.
 *
 * Calibration uses each scenario's baseline phase only; the treatment phase is the prediction.
 * - stalls: the `no hedging` phase's latency CDF (round-robin, 3 identical replicas at low
 *   utilization) is every replica's service time; the model adds the lab's hedging (a backup
 *   after the recent p98, ≤ 1 extra attempt, 5% token budget, burst 10).
 * - slow-replica: round-robin sent exactly a third to replica 0, so the `round-robin` phase's CDF
 *   below its 66.7th percentile is the fast replicas' latency and above it the slow one's; the
 *   model adds P2C over peak-EWMA with the module's default decay.
 * Replicas are pure delays (their recorded latency already holds their queueing); one client;
 * Poisson arrivals at the phase's offered rate; the lab's warm-up and window; `SEEDS` seeds averaged.
 *
 * The lab client's own event-loop stalls, in the treatment phases: the lab records how late its
 * generator sent each request (`generatorLagMs`: p50, p99, max). A client that stalls for D every
 * I on average sends a request arriving in a stall late by the rest of it, so P(lag > x) =
 * (D − x)/(I + D) for x < D; taking D = the max lag and P(lag > p99) = 1% gives
 * I = 100·(max − p99) − D. Those stalls (`clients.stalls`: constant D, exponential gaps of mean I)
 * hold back the client's sends and the answers it reads, so a fast replica's RTT can include a
 * stall — the spike peak-EWMA remembers. Baselines get none: their recorded CDF already holds the
 * stalls' effect on latency.
 */
import { runModel, type DistributionSpec, type ModelSpec, type RunResult } from 'headroom/sim';

/** The parts of `headroom lab --json` output this reads. */
export interface LabJson {
  readonly settings: { readonly phaseDurationMs: number; readonly warmupMs: number };
  readonly environment: { readonly loadAverage: { readonly start: number; readonly end: number } };
  readonly scenarios: readonly {
    readonly name: string;
    readonly phases: readonly {
      readonly label: string;
      readonly role: 'baseline' | 'treatment';
      readonly offeredPerSec: number;
      readonly slowShare: number;
      readonly latencyMs: { readonly p50: number; readonly p99: number };
      readonly cdf: readonly { readonly percentile: number; readonly ms: number }[];
      /** How late the client sent requests, ms (older lab runs lack it: then no stalls are modelled). */
      readonly generatorLagMs?: { readonly p50: number; readonly p99: number; readonly max: number };
    }[];
  }[];
}

/** One row of the comparison. */
export interface LabComparisonRow {
  readonly scenario: string;
  readonly phase: string;
  readonly role: 'baseline (calibration)' | 'treatment (prediction)';
  readonly lab: { readonly p50: number; readonly p99: number; readonly slowShare: number };
  readonly sim: { readonly p50: number; readonly p99: number; readonly slowShare: number };
  /** The client stalls modelled from the lab's send lag (treatment phases), or null. */
  readonly clientStalls: { readonly durationMs: number; readonly meanIntervalMs: number } | null;
}

/** Seeds the simulator averages per phase. */
export const SEEDS = 10;

type Cdf = readonly { readonly percentile: number; readonly ms: number }[];

/** The part of a CDF between two percentiles, rescaled to 0–100, as empirical buckets. */
function cdfSlice(cdf: Cdf, from: number, to: number): DistributionSpec {
  const inside = cdf.filter((c) => c.percentile >= from && c.percentile <= to);
  const buckets: [number, number][] = [[inside[0]!.ms, 0]];
  for (let i = 1; i < inside.length; i++) buckets.push([inside[i]!.ms, inside[i]!.percentile - inside[i - 1]!.percentile]);
  return { type: 'empirical', buckets };
}

function mean(runs: readonly RunResult[], f: (r: RunResult) => number): number {
  return runs.reduce((a, r) => a + f(r), 0) / runs.length;
}

function simulate(model: ModelSpec): { p50: number; p99: number; slowShare: number } {
  const runs = Array.from({ length: SEEDS }, (_, i) => runModel(model, i + 1));
  return {
    p50: mean(runs, (r) => r.latency.p50),
    p99: mean(runs, (r) => r.latency.p99),
    slowShare: mean(runs, (r) => r.served[0]! / r.served.reduce((a, b) => a + b, 0)),
  };
}

/** Lags up to this (ms) are timer granularity, not stalls. */
const MIN_STALL_MS = 1;

/**
 * The client stalls that would give a phase's recorded send lag (see the file comment), or
 * undefined when the lab did not record it or the client never stalled past {@link MIN_STALL_MS}.
 */
export function stallsFromLag(
  lag: { readonly p99: number; readonly max: number } | undefined,
): NonNullable<ModelSpec['clients']>['stalls'] {
  if (lag === undefined || !(lag.max > MIN_STALL_MS)) return undefined;
  const durationMs = lag.max;
  const intervalMs = Math.max(durationMs, 100 * (lag.max - Math.max(0, lag.p99)) - durationMs);
  return { interval: { type: 'exponential', mean: intervalMs }, duration: { type: 'constant', value: durationMs } };
}

/** The comparison rows for the slow-replica and stalls scenarios present in a lab run. */
export function compareWithLab(lab: LabJson): LabComparisonRow[] {
  const rows: LabComparisonRow[] = [];
  const timing = (rate: number) => ({
    duration: lab.settings.warmupMs + lab.settings.phaseDurationMs,
    warmup: lab.settings.warmupMs,
    arrivals: { type: 'poisson' as const, ratePerSec: rate },
  });
  for (const scenario of lab.scenarios) {
    const base = scenario.phases.find((p) => p.role === 'baseline');
    if (base === undefined || (scenario.name !== 'stalls' && scenario.name !== 'slow-replica')) continue;
    const servers: ModelSpec['servers'] =
      scenario.name === 'stalls'
        ? [{ count: 3, workers: 'unbounded', service: cdfSlice(base.cdf, 0, 100) }]
        : [
            { count: 1, workers: 'unbounded', service: cdfSlice(base.cdf, 200 / 3, 100) },
            { count: 2, workers: 'unbounded', service: cdfSlice(base.cdf, 0, 200 / 3) },
          ];
    for (const phase of scenario.phases) {
      const clients: ModelSpec['clients'] =
        phase.role === 'baseline'
          ? { picker: 'round-robin' }
          : scenario.name === 'stalls'
            ? { picker: 'round-robin', hedge: { percentile: 98, maxExtra: 1, budget: { ratio: 0.05, maxTokens: 10 } } }
            : { picker: 'p2c', load: 'peak-ewma' };
      const stalls = phase.role === 'treatment' ? stallsFromLag(phase.generatorLagMs) : undefined;
      rows.push({
        scenario: scenario.name,
        phase: phase.label,
        role: phase.role === 'baseline' ? 'baseline (calibration)' : 'treatment (prediction)',
        lab: { p50: phase.latencyMs.p50, p99: phase.latencyMs.p99, slowShare: phase.slowShare },
        clientStalls:
          stalls === undefined
            ? null
            : { durationMs: (stalls.duration as { value: number }).value, meanIntervalMs: (stalls.interval as { mean: number }).mean },
        sim: simulate({ ...timing(phase.offeredPerSec), clients: stalls === undefined ? clients : { ...clients, stalls }, servers }),
      });
    }
  }
  return rows;
}
