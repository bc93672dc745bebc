/** Turns one phase's raw measurements and replica counters into its {@link PhaseResult}. */
import type { PhaseMeasurement } from '../load/driver.js';
import { cdfPoints, round } from '../load/phase-recorder.js';
import type { PhaseSpec } from '../scenarios/types.js';
import type { ReplicaStats } from '../service/protocol.js';
import { machineLimit } from './keep-up.js';
import type { PhaseResult } from './types.js';

/**
 * Figures of one phase, from its measurements and the replicas' counters over the measured
 * window (store load is a rate over the window, so it excludes the drain after it; hedges, and
 * whether the window's stalls were abandoned, are counted until the last request finished).
 * @param storeCapacityPerSec - each replica's modelled store capacity, queries/s (index order)
 * @param steadyWarmup - the warm-up replay before the phase, if any
 */
export function phaseResult(
  phase: PhaseSpec,
  durationMs: number,
  m: PhaseMeasurement,
  storeCapacityPerSec: readonly number[],
  steadyWarmup: PhaseResult['steadyWarmup'] = null,
): PhaseResult {
  const r = m.recorder;
  const finished = r.okCount + r.errorCount;
  const delta = (key: Count, i: number): number => m.windowEnd.stats[i]![key] - m.start.stats[i]![key];
  const total = (key: Count): number => m.windowEnd.stats.reduce((n, _, i) => n + delta(key, i), 0);
  const requests = m.windowEnd.stats.map((_, i) => delta('requests', i));
  const totalRequests = requests.reduce((a, b) => a + b, 0);
  const reads = total('reads');
  const storeQueries = total('storeQueries');
  const seconds = durationMs / 1000;
  const attempts = m.end.attempts - m.start.attempts;
  const utilization = Math.max(0, ...m.windowEnd.stats.map((_, i) => delta('storeQueries', i) / seconds / storeCapacityPerSec[i]!));
  const figures = {
    label: phase.label,
    role: phase.role,
    summary: phase.summary,
    durationMs,
    sent: m.sent,
    ok: r.okCount,
    okPerSec: round(m.okCompletedInWindow / seconds, 1),
    errors: r.errors,
    errorRate: finished === 0 ? 0 : round(r.errorCount / finished, 4),
    latencyMs: roundSnapshot(r.ok.snapshot()),
    cdf: cdfPoints(r.ok),
    timeline: r.timeline,
    storeQueries,
    storeQps: round(storeQueries / seconds, 1),
    hotKeyQueries: total('hotKeyQueries'),
    hitRatio: phase.cacheMode === 'off' || reads === 0 ? null : round(total('readsWithoutQuery') / reads, 4),
    replicaRequests: requests,
    slowShare: totalRequests === 0 ? 0 : round(requests[0]! / totalRequests, 4),
    extraRequestRatio: m.sent === 0 ? 0 : round(Math.max(0, attempts - m.sent) / m.sent, 4),
    connectionsOpened: m.end.connections - m.start.connections,
    clientCpuMs: round(m.end.cpuMs - m.start.cpuMs, 1),
    shedByReplicas: total('shed'),
    stalledRequests: total('stalls'),
    stalledAbandoned: m.end.stats.reduce((n, s, i) => n + abandonedInWindow(s, m.start.stats[i]!, m.windowEnd.stats[i]!), 0),
    generatorLagMs: m.generatorLagMs,
    replicaCdf: r.replicaCdfs(requests.length),
    replicaAttemptsBySecond: r.replicaAttemptsBySecond(requests.length),
    clientLoopDelay: m.clientLoopDelay,
    steadyWarmup,
    offeredPerSec: round(m.sent / seconds, 1),
    answeredPerSec: round(m.answeredInWindow / seconds, 1),
    storeUtilization: round(utilization, 4),
  };
  return { ...figures, machineLimit: machineLimit(figures) };
}

/** The replica counters that are counts. */
type Count = { [K in keyof ReplicaStats]: ReplicaStats[K] extends number ? K : never }[keyof ReplicaStats];

/** How many of the stalls a replica began within the window (numbered from `start` to `windowEnd`) were abandoned by the time of `end`. */
function abandonedInWindow(end: ReplicaStats, start: ReplicaStats, windowEnd: ReplicaStats): number {
  return end.abandonedStalls.filter((n) => n >= start.stalls && n < windowEnd.stalls).length;
}

function roundSnapshot(s: PhaseResult['latencyMs']): PhaseResult['latencyMs'] {
  return {
    count: s.count,
    min: round(s.min, 3),
    mean: round(s.mean, 3),
    p50: round(s.p50, 3),
    p90: round(s.p90, 3),
    p99: round(s.p99, 3),
    p999: round(s.p999, 3),
    max: round(s.max, 3),
  };
}
