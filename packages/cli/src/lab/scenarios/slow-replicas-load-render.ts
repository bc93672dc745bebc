/** The lab `slow-replicas-load` scenario's terminal block: one row per case, then the probe overhead. */
import { renderTable } from 'headroom';
import type { SlowReplicasResult } from './slow-replicas-load.js';

/** Renders the scenario's result as text. */
export function renderSlowReplicasScenario(r: SlowReplicasResult): string {
  const cpu = (x: number | null): string => (x === null ? '–' : x.toFixed(0));
  const table = renderTable(
    ['case', 'ok/sent', 'p50 ms', 'p99 ms', 'p99.9 ms', 'to slow', 'probes/s', 'random picks', 'client CPU ms/s', 'replica CPU ms/s'],
    r.cases.map((c) => [
      c.label,
      `${c.ok}/${c.sent}`,
      c.latencyMs.p50.toFixed(1),
      c.latencyMs.p99.toFixed(1),
      c.latencyMs.p999.toFixed(1),
      `${(c.slowShare * 100).toFixed(1)}%`,
      c.probesPerSec.toFixed(0),
      `${(c.fallbackShare * 100).toFixed(0)}%`,
      cpu(c.clientCpuMsPerSec),
      cpu(c.replicaCpuMsPerSec),
    ]),
  );
  const o = r.probeOverhead;
  return [
    `${r.name} — ${r.slowReplicas} of ${r.replicas} replicas ${r.slowFactor}× slower, ${r.ratePerSec} reads/s (${Math.round(r.utilization * 100)}% of capacity), ` +
      `cases interleaved over ${r.rounds} rounds of ${(r.segmentMs / 1000).toFixed(1)} s each; load average ${r.loadAverage.start}–${r.loadAverage.end}`,
    table,
    `Prequal's probe overhead beside P2C + peak-EWMA: +${o.extraRequestsPerSec.toFixed(0)} requests/s (${o.extraRequestRatio.toFixed(2)} probes per query), ` +
      `client CPU ${o.clientCpuMsPerSec >= 0 ? '+' : ''}${o.clientCpuMsPerSec.toFixed(0)} ms/s, replica CPU ${o.replicaCpuMsPerSec === null ? '–' : `${o.replicaCpuMsPerSec >= 0 ? '+' : ''}${o.replicaCpuMsPerSec.toFixed(0)} ms/s`}` +
      ' (CPU differences are noisy on a shared machine).',
    `Before each segment the replicas drained what the previous one left queued: longest wait ${(r.drain.maxWaitMs / 1000).toFixed(1)} s` +
      (r.drain.notIdle === 0 ? '.' : `; ${r.drain.notIdle} wait(s) gave up with store queries still starting.`),
  ].join('\n\n');
}
