/**
 * `headroom scale run --workers N`: the load split over N worker threads so the generator is not
 * bound by one event loop. Each worker runs its share (concurrency or rate divided evenly) and
 * sends back its latency histogram encoded; the merge is exact (the encoding keeps every bucket's
 * count). The live line sums the workers' rates and shows the worst worker's p50/p99 for the
 * second. A worker that dies is reported in the result and on stderr, never silently dropped.
 */
import { Worker } from 'node:worker_threads';
import { LatencyHistogram } from 'headroom';
import { progressLine, type LoadMode, type LoadRunOptions, type LoadRunResult, type TimelineRow } from './load-run.js';

/** What a worker posts. */
export type WorkerMessage = { readonly type: 'row'; readonly row: TimelineRow } | WorkerDone;

/** A worker's final message: its result with the histogram encoded. */
export interface WorkerDone {
  readonly type: 'done';
  readonly result: Omit<LoadRunResult, 'latency' | 'timeline'> & { readonly latency: string };
}

/** One worker's part of a pooled run. */
export interface WorkerReport {
  /** 0-based worker number. */
  readonly index: number;
  /** Its share of the load. */
  readonly mode: LoadMode;
  /** Requests it sent and completed ok (0 when it died before reporting). */
  readonly sent: number;
  readonly ok: number;
  /** Why it is missing from the merge, or null when it reported. */
  readonly lost: string | null;
}

/** A pooled run: the merged result, per-worker reports. */
export interface PooledResult extends LoadRunResult {
  /** Every worker, including those that died. */
  readonly workers: readonly WorkerReport[];
}

/** Options of {@link runWorkerPool}. */
export interface WorkerPoolOptions extends LoadRunOptions {
  /** Worker threads, ≥ 1. */
  readonly workers: number;
  /** Called once the workers are started, with a way to terminate one (for tests of a lost worker). */
  readonly onStarted?: (pool: { terminate(index: number): void }) => void;
}

/** Splits a load evenly: concurrency by whole users, rate by equal parts. */
export function splitMode(mode: LoadMode, workers: number): LoadMode[] {
  const parts: LoadMode[] = [];
  for (let i = 0; i < workers; i++) {
    if (mode.kind === 'open') parts.push({ kind: 'open', ratePerSec: mode.ratePerSec / workers });
    else {
      const concurrency = Math.floor(mode.concurrency / workers) + (i < mode.concurrency % workers ? 1 : 0);
      if (concurrency > 0) parts.push({ kind: 'closed', concurrency });
    }
  }
  return parts;
}

/** Runs the load on worker threads and merges what they measured. */
export async function runWorkerPool(options: WorkerPoolOptions): Promise<PooledResult> {
  const modes = splitMode(options.mode, options.workers);
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './load-worker.ts' : './load-worker.js', import.meta.url);
  // Run from the TypeScript sources (npm start, the tests), a worker must register tsx itself
  // before it imports its entry: the main thread's --import hooks do not carry over to workers.
  const start = (workerData: unknown): Worker =>
    fromSource
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}); })`,
          { eval: true, workerData },
        )
      : new Worker(entry, { workerData });
  const rows = new Map<number, TimelineRow[]>();
  const settled = modes.map((mode, index) => {
    const worker = start({ url: options.url, mode, durationMs: options.durationMs, http: options.http });
    options.signal.addEventListener('abort', () => worker.postMessage('stop'), { once: true });
    const promise = new Promise<{ index: number; mode: LoadMode; done: WorkerDone | null; lost: string | null }>((resolve) => {
      let done: WorkerDone | null = null;
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'done') done = m;
        else addRow(rows, m.row, modes.length, options.onLine);
      });
      worker.on('error', (e) => resolve({ index, mode, done: null, lost: `worker ${index} failed: ${e.message}` }));
      worker.on('exit', (code) =>
        resolve(
          done !== null
            ? { index, mode, done, lost: null }
            : { index, mode, done: null, lost: `worker ${index} exited (code ${code}) before reporting` },
        ),
      );
    });
    return { worker, promise };
  });
  options.onStarted?.({ terminate: (i) => void settled[i]?.worker.terminate() });
  const outcomes = await Promise.all(settled.map((s) => s.promise));
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
    if (o.done === null) {
      warnings.push(`${o.lost ?? `worker ${o.index} lost`}: its requests are missing from these figures`);
      continue;
    }
    const r = o.done.result;
    latency.merge(LatencyHistogram.decode(r.latency));
    sent += r.sent;
    ok += r.ok;
    throughputPerSec += r.throughputPerSec;
    durationMs = Math.max(durationMs, r.durationMs);
    loopP99 = Math.max(loopP99, r.eventLoopDelayMs.p99);
    loopMax = Math.max(loopMax, r.eventLoopDelayMs.max);
    if (r.sendLagP99Ms !== null) lagP99 = Math.max(lagP99 ?? 0, r.sendLagP99Ms);
    for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    warnings.push(...r.warnings.map((w) => `worker ${o.index}: ${w}`));
  }
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return {
    url: options.url,
    mode: options.mode,
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
    timeline: [...rows.values()].map(mergeRows),
    workers: outcomes.map((o) => ({
      index: o.index,
      mode: o.mode,
      sent: o.done?.result.sent ?? 0,
      ok: o.done?.result.ok ?? 0,
      lost: o.lost,
    })),
  };
}

/** Collects one worker's row under its second; prints the merged line once every worker has sent it. */
function addRow(rows: Map<number, TimelineRow[]>, row: TimelineRow, workers: number, onLine: ((line: string) => void) | null): void {
  const second = Math.round(row.tSec);
  const list = rows.get(second) ?? [];
  list.push(row);
  rows.set(second, list);
  if (list.length === workers) onLine?.(`${progressLine(mergeRows(list))} (${workers} workers; p50/p99 of the worst)`);
}

function mergeRows(list: readonly TimelineRow[]): TimelineRow {
  return {
    tSec: Math.max(...list.map((r) => r.tSec)),
    completedPerSec: list.reduce((s, r) => s + r.completedPerSec, 0),
    okPerSec: list.reduce((s, r) => s + r.okPerSec, 0),
    errors: list.reduce((s, r) => s + r.errors, 0),
    p50Ms: Math.max(...list.map((r) => r.p50Ms)),
    p99Ms: Math.max(...list.map((r) => r.p99Ms)),
    inFlight: list.reduce((s, r) => s + r.inFlight, 0),
  };
}
