/**
 * Runs a {@link LoadPlan} on this event loop: an {@link HttpTarget} driven by the closed-loop or
 * the open-loop driver, a row per second, and the generator's own event-loop delay measured beside
 * the latencies (when it is high, the generator, not the target, set the pace). Worker threads and
 * Redis workers each run their share of a plan with this.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseDuration } from '../../core/duration.js';
import type { LatencyHistogram } from '../../core/histogram.js';
import { classifyHttp, HttpTarget } from '../adapters/http-target.js';
import { runClosedLoop } from '../generator/closed-loop.js';
import { runOpenLoop, type LoadProgress } from '../open-loop.js';
import { resolveSchedule, scheduleDurationMs } from '../schedule.js';
import { validatePlan, type LoadPlan } from './load-plan.js';
import type { LoadResult, TimelineRow } from './load-result.js';

/** Options of {@link runLoadPlan}. */
export interface RunLoadPlanOptions {
  /** Stops sending when aborted; requests in flight are awaited. */
  readonly signal?: AbortSignal;
  /** Receives each second's row, and the second's successes as a histogram (to merge across workers). Must not throw. */
  readonly onProgress?: (row: TimelineRow, latency: LatencyHistogram) => void;
}

/** Event-loop delay p99 (ms) above which a run warns that the generator may have been the bottleneck. */
const LOOP_DELAY_WARN_MS = 30;

/**
 * Runs the plan here and resolves with what it measured (never rejects once the plan is valid:
 * connection errors are failures of their kind).
 * @throws HR_SCALE_INVALID_OPTION for a bad plan; HR_CORE_PEER_MISSING without undici
 * @example
 * ```ts
 * const r = await runLoadPlan({ url: 'http://127.0.0.1:8080/', load: { kind: 'closed', concurrency: 8, duration: '5s' } });
 * r.throughputPerSec; r.latency.percentile(99);
 * ```
 */
export async function runLoadPlan(plan: LoadPlan, options: RunLoadPlanOptions = {}): Promise<LoadResult> {
  validatePlan(plan);
  const { load } = plan;
  const connections = plan.http?.connections ?? (load.kind === 'closed' ? load.concurrency : 64);
  const target = new HttpTarget(plan.url, { ...plan.http, connections });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const timeline: TimelineRow[] = [];
  let lastSent = 0;
  const onProgress = (p: LoadProgress): void => {
    const seconds = (p.interval.endMs - p.interval.startMs) / 1000;
    if (seconds <= 0) return;
    const row: TimelineRow = {
      tSec: Math.round(p.elapsedMs / 100) / 10,
      sentPerSec: (p.sent - lastSent) / seconds,
      completedPerSec: p.interval.ratePerSec,
      okPerSec: p.interval.latency.count / seconds,
      errors: p.interval.failures,
      p50Ms: p.interval.latency.p50,
      p99Ms: p.interval.latency.p99,
      inFlight: p.inFlight,
    };
    lastSent = p.sent;
    timeline.push(row);
    options.onProgress?.(row, p.latency);
  };
  const signal = options.signal ?? new AbortController().signal;
  try {
    const r =
      load.kind === 'closed'
        ? await runClosedLoop(target.send, {
            concurrency: load.concurrency,
            duration: parseDuration(load.duration, 'plan.load.duration'),
            classify: classifyHttp,
            signal,
            onProgress,
          })
        : await runOpenLoop(target.send, { schedule: load.schedule, classify: classifyHttp, signal, onProgress });
    const durationMs = r.sentEndMs - r.startMs;
    const open = 'sendLag' in r;
    // Closed loop: X(N) over the sending period. Open loop: over the schedule's length or, when the
    // target fell behind, until the last answer — so a target that cannot keep up shows its real rate.
    const spanMs =
      load.kind === 'closed'
        ? durationMs
        : Math.max(r.endMs - r.startMs, r.aborted ? 0 : scheduleDurationMs(resolveSchedule(load.schedule)));
    const eventLoopDelayMs = { p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 };
    const warnings: string[] = [];
    if (open && r.driverBehind) {
      warnings.push(
        `the generator fell behind its schedule (send lag p99 ${r.sendLag.p99.toPrecision(3)} ms): latencies include its own delay; add workers or lower the rate`,
      );
    }
    // 10 ms resolution: a delay well past it means the generator's loop was busy, not idle.
    if (eventLoopDelayMs.p99 > LOOP_DELAY_WARN_MS) {
      warnings.push(
        `the generator's event loop was delayed (p99 ${eventLoopDelayMs.p99.toPrecision(3)} ms): it may have been the bottleneck, not the target`,
      );
    }
    const failed = Object.values(r.failures).reduce((a, b) => a + b, 0);
    return {
      url: plan.url,
      load,
      durationMs,
      sent: r.sent,
      ok: r.ok,
      failures: r.failures,
      throughputPerSec: r.ok / (Math.max(spanMs, 1) / 1000),
      errorRate: r.sent > 0 ? failed / r.sent : 0,
      latency: r.recorder.histogram(),
      eventLoopDelayMs,
      sendLagP99Ms: open ? r.sendLag.p99 : null,
      warnings,
      timeline,
    };
  } finally {
    loop.disable();
    await target.close();
  }
}
