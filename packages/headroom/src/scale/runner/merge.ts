/**
 * Merging the parts of a run that several workers (threads, or processes joined through Redis)
 * shared: counts add up, histograms merge exactly, the generator's own delays take the worst
 * worker's, and a worker that never reported is named — its share missing from the figures, never
 * silently dropped. Rows merge by second as they arrive, for the live progress line, with their
 * seconds' histograms merged exactly too: the line's p50 and p99 are of every worker's successes.
 */
import { LatencyHistogram } from '../../core/histogram.js';
import type { LoadPlan, LoadShape } from './load-plan.js';
import type { LoadResult, TimelineRow } from './load-result.js';

/** One worker's part of a shared run. */
export interface WorkerReport {
  /** 0-based worker number. */
  readonly index: number;
  /** Where it ran: `thread 1`, or a Redis worker's name (`host:pid`). */
  readonly name: string;
  /** Its share of the load. */
  readonly load: LoadShape;
  /** Requests it sent and completed ok (0 when it was lost before reporting). */
  readonly sent: number;
  readonly ok: number;
  /** Why it is missing from the merged figures, or null when it reported. */
  readonly lost: string | null;
}

/** A run shared by workers: the merged result and every worker's part. */
export interface SharedLoadResult extends LoadResult {
  /** Every worker, the lost ones included. */
  readonly workers: readonly WorkerReport[];
}

/** A worker's outcome as the merge takes it: its result, or why there is none. */
export interface WorkerOutcome {
  readonly index: number;
  readonly name: string;
  readonly load: LoadShape;
  readonly result: LoadResult | null;
  readonly lost: string | null;
}

/** Merges the workers' results into one (see the file comment). */
export function mergeLoadResults(plan: LoadPlan, outcomes: readonly WorkerOutcome[], timeline: readonly TimelineRow[]): SharedLoadResult {
  const latency = new LatencyHistogram();
  let sent = 0;
  let ok = 0;
  let throughputPerSec = 0;
  let durationMs = 0;
  let loopP99 = 0;
  let loopMax = 0;
  let lagP99: number | null = null;
  const failures: Record<string, number> = {};
  const warnings: string[] = [];
  for (const o of outcomes) {
    const r = o.result;
    if (r === null) {
      warnings.push(`${o.lost ?? `${o.name} lost`}: its requests are missing from these figures`);
      continue;
    }
    latency.merge(r.latency);
    sent += r.sent;
    ok += r.ok;
    throughputPerSec += r.throughputPerSec;
    durationMs = Math.max(durationMs, r.durationMs);
    loopP99 = Math.max(loopP99, r.eventLoopDelayMs.p99);
    loopMax = Math.max(loopMax, r.eventLoopDelayMs.max);
    if (r.sendLagP99Ms !== null) lagP99 = Math.max(lagP99 ?? 0, r.sendLagP99Ms);
    for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    warnings.push(...r.warnings.map((w) => `${o.name}: ${w}`));
  }
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return {
    url: plan.url,
    load: plan.load,
    durationMs,
    sent,
    ok,
    failures,
    throughputPerSec,
    errorRate: sent > 0 ? failed / sent : 0,
    latency,
    eventLoopDelayMs: { p99: loopP99, max: loopMax },
    sendLagP99Ms: lagP99,
    warnings,
    timeline,
    workers: outcomes.map((o) => ({
      index: o.index,
      name: o.name,
      load: o.load,
      sent: o.result?.sent ?? 0,
      ok: o.result?.ok ?? 0,
      lost: o.lost,
    })),
  };
}

/**
 * Collects the workers' rows by second and hands out a merged row once every worker still running
 * has sent its row for that second (a lost worker is no longer waited for). Rates add up; p50 and
 * p99 are read from the second's histograms merged.
 */
export class TimelineMerger {
  readonly #bySecond = new Map<number, TimelineRow[]>();
  readonly #latency = new Map<number, LatencyHistogram>();
  readonly #emitted = new Set<number>();
  #running: number;

  /** @param workers - how many workers send rows */
  constructor(workers: number) {
    this.#running = workers;
  }

  /**
   * Adds one worker's row and the histogram of its second's successes; returns the merged row of
   * its second when it completes that second, else null.
   */
  add(row: TimelineRow, latency: LatencyHistogram): TimelineRow | null {
    const second = Math.round(row.tSec);
    const list = this.#bySecond.get(second) ?? [];
    list.push(row);
    this.#bySecond.set(second, list);
    const merged = this.#latency.get(second);
    if (merged === undefined) this.#latency.set(second, latency.clone());
    else merged.merge(latency);
    if (this.#emitted.has(second) || list.length < this.#running) return null;
    this.#emitted.add(second);
    return mergeRows(list, this.#latency.get(second)!);
  }

  /** One worker will send no more rows. */
  lose(): void {
    this.#running--;
  }

  /** Every second's merged row, in order. */
  rows(): TimelineRow[] {
    return [...this.#bySecond.entries()].sort(([a], [b]) => a - b).map(([second, list]) => mergeRows(list, this.#latency.get(second)!));
  }
}

function mergeRows(list: readonly TimelineRow[], latency: LatencyHistogram): TimelineRow {
  const sum = (key: 'sentPerSec' | 'completedPerSec' | 'okPerSec' | 'errors' | 'inFlight'): number => list.reduce((s, r) => s + r[key], 0);
  return {
    tSec: Math.max(...list.map((r) => r.tSec)),
    sentPerSec: sum('sentPerSec'),
    completedPerSec: sum('completedPerSec'),
    okPerSec: sum('okPerSec'),
    errors: sum('errors'),
    p50Ms: latency.percentile(50),
    p99Ms: latency.percentile(99),
    inFlight: sum('inFlight'),
  };
}
