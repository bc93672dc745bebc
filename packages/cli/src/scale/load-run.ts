/**
 * What `headroom scale run` and `sweep` print while and after they load a URL: the live progress
 * line, the description of the load, the per-second timeline as CSV. The runs themselves are the
 * library's (headroom/scale: `runLoadPlan`, `runLoadWorkers`, `runLoadOverRedis`).
 */
import { parseDuration } from 'headroom';
import type { LoadShape, TimelineRow } from 'headroom/scale';
import { sig } from './format.js';

/** The live progress line of one second (open loop: with the rate actually sent). */
export function progressLine(row: TimelineRow, open: boolean): string {
  const sent = open ? `sent ${sig(row.sentPerSec, 4).padStart(8)}/s  ` : '';
  return `[${row.tSec.toFixed(0).padStart(4)}s] ${sent}done ${sig(row.completedPerSec, 4).padStart(8)}/s  ok ${sig(row.okPerSec, 4).padStart(8)}/s  p50 ${sig(row.p50Ms, 3).padStart(6)} ms  p99 ${sig(row.p99Ms, 3).padStart(6)} ms  errors ${String(row.errors).padStart(5)}  in flight ${row.inFlight}`;
}

/** The timeline as CSV (one header line, one row per second). */
export function timelineCsv(timeline: readonly TimelineRow[]): string {
  const header = 't_sec,sent_per_sec,completed_per_sec,ok_per_sec,errors,p50_ms,p99_ms,in_flight';
  const rows = timeline.map((r) =>
    [r.tSec, r.sentPerSec.toFixed(2), r.completedPerSec.toFixed(2), r.okPerSec.toFixed(2), r.errors, r.p50Ms, r.p99Ms, r.inFlight].join(
      ',',
    ),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** The load in words: `closed loop, concurrency 8` or `open loop, 100→2,000 req/s over 30 s, then 2,000 req/s for 10 s`. */
export function describeLoad(load: LoadShape): string {
  if (load.kind === 'closed') return `closed loop, concurrency ${load.concurrency}`;
  const steps = load.schedule.steps.map((s) => {
    const seconds = `${sig(parseDuration(s.duration, 'duration') / 1000, 3)} s`;
    const to = s.toRatePerSec ?? s.ratePerSec;
    return to === s.ratePerSec ? `${sig(s.ratePerSec)} req/s for ${seconds}` : `${sig(s.ratePerSec)}→${sig(to)} req/s over ${seconds}`;
  });
  return `open loop (${load.schedule.arrivals} arrivals), ${steps.join(', then ')} (latency from intended send times)`;
}
