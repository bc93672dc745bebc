/** The lab `scale` scenario's terminal block: the levels, the fit summary and the caveat beside them. */
import { renderTable } from 'headroom';
import { renderFitSummary } from '../../scale/fit-summary.js';
import type { ScaleScenarioResult } from './scale.js';

/** Renders the scenario's result as text. */
export function renderScaleScenario(r: ScaleScenarioResult): string {
  const table = renderTable(
    ['concurrency N', 'X (ok/s)', 'p50 ms', 'p99 ms', 'errors', 'load1'],
    r.levels.map((l) => [
      String(l.concurrency),
      l.throughputPerSec.toFixed(0),
      l.p50Ms.toFixed(2),
      l.p99Ms.toFixed(2),
      String(l.errors),
      l.load1.toFixed(1),
    ]),
  );
  const fit =
    r.fit === null
      ? `USL not fitted: ${r.fitError ?? 'no levels measured'}`
      : renderFitSummary(r.fit, `the reference service, ${r.replicas} replicas`);
  return [
    `scale — How far the reference service scales (closed loop, ${r.durationMsPerLevel / 1000} s per concurrency, reads round-robin over ${r.replicas} replicas, no cache)`,
    table,
    fit,
    r.caveat,
  ].join('\n\n');
}
