/**
 * One load run of `headroom scale run` / `sweep` against a URL: closed loop at a concurrency or
 * open loop at a rate, over the library's drivers and `HttpTarget`, with a live progress line every
 * second, the timeline kept for CSV, and the generator's own event-loop delay measured beside it
 * (when it is high, the generator, not the target, set the pace).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LatencyHistogram } from 'headroom';
import {
  HttpTarget,
  classifyHttp,
  constantRate,
  runClosedLoop,
  runOpenLoop,
  type HttpTargetOptions,
  type LoadProgress,
} from 'headroom/scale';
import { sig } from './format.js';

/** How to load the URL. */
export type LoadMode = { readonly kind: 'closed'; readonly concurrency: number } | { readonly kind: 'open'; readonly ratePerSec: number };

/** One second of the run. */
export interface TimelineRow {
  /** Seconds since the start. */
  readonly tSec: number;
  /** Completions (ok + failed) per second in the interval. */
  readonly completedPerSec: number;
  /** Successes per second. */
  readonly okPerSec: number;
  /** Failures in the interval. */
  readonly errors: number;
  /** Median latency of the interval's successes, ms. */
  readonly p50Ms: number;
  /** 99th-percentile latency of the interval's successes, ms. */
  readonly p99Ms: number;
  /** Requests in flight at the end of the interval. */
  readonly inFlight: number;
}

/** What one run measured. */
export interface LoadRunResult {
  /** The URL. */
  readonly url: string;
  /** Closed (concurrency) or open (rate). */
  readonly mode: LoadMode;
  /** Sending time, ms. */
  readonly durationMs: number;
  /** Requests sent. */
  readonly sent: number;
  /** Successes (2xx and 3xx). */
  readonly ok: number;
  /** Failures by kind (`http_503`, `ECONNREFUSED`…). */
  readonly failures: Readonly<Record<string, number>>;
  /** Successes per second over the sending period. */
  readonly throughputPerSec: number;
  /** Failures / sent. */
  readonly errorRate: number;
  /** Latency of every success (open loop: from intended send times). */
  readonly latency: LatencyHistogram;
  /** The generator's event-loop delay over the run (p99, max), ms. */
  readonly eventLoopDelayMs: { readonly p99: number; readonly max: number };
  /** Open loop: the driver's send lag p99 (actual − intended send), ms; closed loop: null. */
  readonly sendLagP99Ms: number | null;
  /** Notes for the reader: the generator fell behind, its event loop was busy. */
  readonly warnings: readonly string[];
  /** One row per second. */
  readonly timeline: readonly TimelineRow[];
}

/** Options of {@link runLoad}. */
export interface LoadRunOptions {
  /** The http(s) URL to request. */
  readonly url: string;
  /** Closed loop at a concurrency, or open loop at a rate. */
  readonly mode: LoadMode;
  /** How long to send, ms. */
  readonly durationMs: number;
  /** Method, headers, body, connections (default: the concurrency, or 64 open loop), pipelining. */
  readonly http: HttpTargetOptions;
  /** Stops sending when aborted (Ctrl-C). */
  readonly signal: AbortSignal;
  /** Receives the live progress line (without newline) every second; null for none. */
  readonly onLine: ((line: string) => void) | null;
  /** Receives each second's row (a worker thread forwards them); optional. */
  readonly onRow?: (row: TimelineRow) => void;
}

/** Runs the load and gathers the result. */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const { mode } = options;
  const connections = options.http.connections ?? (mode.kind === 'closed' ? mode.concurrency : 64);
  const target = new HttpTarget(options.url, { ...options.http, connections });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  // The drivers' timers are unref'd (a library must not hold a process open), and between sends of
  // an open loop nothing may be in flight: a listening MessagePort keeps this command alive until
  // the run resolves.
  const keepAlive = new MessageChannel();
  keepAlive.port1.on('message', () => undefined);
  const timeline: TimelineRow[] = [];
  const onProgress = (p: LoadProgress): void => {
    const seconds = (p.interval.endMs - p.interval.startMs) / 1000;
    if (seconds <= 0) return;
    const row: TimelineRow = {
      tSec: Math.round(p.elapsedMs / 100) / 10,
      completedPerSec: p.interval.ratePerSec,
      okPerSec: p.interval.latency.count / seconds,
      errors: p.interval.failures,
      p50Ms: p.interval.latency.p50,
      p99Ms: p.interval.latency.p99,
      inFlight: p.inFlight,
    };
    timeline.push(row);
    options.onRow?.(row);
    options.onLine?.(progressLine(row));
  };
  try {
    if (mode.kind === 'closed') {
      const r = await runClosedLoop(target.send, {
        concurrency: mode.concurrency,
        duration: options.durationMs,
        classify: classifyHttp,
        signal: options.signal,
        onProgress,
      });
      return finish(options, r.sent, r.ok, r.failures, r.throughputPerSec, r.recorder.histogram(), r.sentEndMs - r.startMs, null, false);
    }
    const r = await runOpenLoop(target.send, {
      schedule: constantRate(mode.ratePerSec, options.durationMs),
      classify: classifyHttp,
      signal: options.signal,
      onProgress,
    });
    const sendingMs = r.sentEndMs - r.startMs;
    return finish(
      options,
      r.sent,
      r.ok,
      r.failures,
      r.ok / (Math.max(sendingMs, 1) / 1000),
      r.recorder.histogram(),
      sendingMs,
      r.sendLag.p99,
      r.driverBehind,
    );
  } finally {
    keepAlive.port1.close();
    loop.disable();
    await target.close();
  }

  function finish(
    o: LoadRunOptions,
    sent: number,
    ok: number,
    failures: Readonly<Record<string, number>>,
    throughputPerSec: number,
    latency: LatencyHistogram,
    durationMs: number,
    sendLagP99Ms: number | null,
    driverBehind: boolean,
  ): LoadRunResult {
    const eventLoopDelayMs = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    const warnings: string[] = [];
    if (driverBehind) {
      warnings.push(
        `the generator fell behind its schedule (send lag p99 ${sig(sendLagP99Ms ?? 0)} ms): latencies include its own delay; add workers or lower --rate`,
      );
    }
    // 10 ms resolution: a delay well past it means the generator's loop was busy, not idle.
    if (eventLoopDelayMs.p99 > 30) {
      warnings.push(
        `the generator's event loop was delayed (p99 ${sig(eventLoopDelayMs.p99)} ms): it may have been the bottleneck, not the target`,
      );
    }
    const failed = Object.values(failures).reduce((a, b) => a + b, 0);
    return {
      url: o.url,
      mode: o.mode,
      durationMs,
      sent,
      ok,
      failures,
      throughputPerSec,
      errorRate: sent > 0 ? failed / sent : 0,
      latency,
      eventLoopDelayMs,
      sendLagP99Ms,
      warnings,
      timeline,
    };
  }
}

/** The live progress line of one interval. */
export function progressLine(row: TimelineRow): string {
  return `[${row.tSec.toFixed(0).padStart(4)}s] done ${sig(row.completedPerSec, 4).padStart(8)}/s  ok ${sig(row.okPerSec, 4).padStart(8)}/s  p50 ${sig(row.p50Ms, 3).padStart(6)} ms  p99 ${sig(row.p99Ms, 3).padStart(6)} ms  errors ${String(row.errors).padStart(5)}  in flight ${row.inFlight}`;
}

/** The timeline as CSV (one header line, one row per second). */
export function timelineCsv(timeline: readonly TimelineRow[]): string {
  const header = 't_sec,completed_per_sec,ok_per_sec,errors,p50_ms,p99_ms,in_flight';
  return `${[header, ...timeline.map((r) => [r.tSec, r.completedPerSec.toFixed(2), r.okPerSec.toFixed(2), r.errors, r.p50Ms, r.p99Ms, r.inFlight].join(','))].join('\n')}\n`;
}
