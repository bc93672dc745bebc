/**
 * What a load run measured, in one shape for every way of running it (one event loop, worker
 * threads, workers joined through Redis), and its wire form: the latency histogram encoded
 * (HdrHistogram's compressed form, every bucket's count), so a merged histogram equals one
 * histogram of every success.
 */
import { LatencyHistogram } from '../../core/histogram.js';
import type { LoadShape } from './load-plan.js';

/** One second (one progress interval) of a run. */
export interface TimelineRow {
  /** Seconds since the start. */
  readonly tSec: number;
  /** Requests sent per second in the interval. */
  readonly sentPerSec: number;
  /** Completions (ok + failed) per second. */
  readonly completedPerSec: number;
  /** Successes per second. */
  readonly okPerSec: number;
  /** Failures in the interval. */
  readonly errors: number;
  /** Median latency of the interval's successes, ms (merged rows: of every worker's successes in that second). */
  readonly p50Ms: number;
  /** 99th-percentile latency of the interval's successes, ms (merged rows: of every worker's successes in that second). */
  readonly p99Ms: number;
  /** Requests in flight at the end of the interval. */
  readonly inFlight: number;
}

/** What one run measured. */
export interface LoadResult {
  /** The URL. */
  readonly url: string;
  /** The load as planned. */
  readonly load: LoadShape;
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
  /** Latency of every success, ms (open loop: from intended send times). */
  readonly latency: LatencyHistogram;
  /** The generator's event-loop delay over the run (p99, max), ms; merged: the worst worker's. */
  readonly eventLoopDelayMs: { readonly p99: number; readonly max: number };
  /** Open loop: the send lag p99 (actual − intended send), ms, the worst worker's; closed loop: null. */
  readonly sendLagP99Ms: number | null;
  /** Notes for the reader: the generator fell behind, its event loop was busy, a worker was lost. */
  readonly warnings: readonly string[];
  /** One row per second. */
  readonly timeline: readonly TimelineRow[];
}

/** A {@link LoadResult} as it crosses a thread or a network: the histogram encoded. */
export type EncodedLoadResult = Omit<LoadResult, 'latency'> & { readonly latency: string };

/** The wire form of a result. */
export function encodeLoadResult(result: LoadResult): EncodedLoadResult {
  return { ...result, latency: result.latency.encode() };
}

/**
 * A result from its wire form.
 * @throws HR_CORE_INVALID_OPTION when the histogram is not an encoded histogram
 */
export function decodeLoadResult(encoded: EncodedLoadResult): LoadResult {
  return { ...encoded, latency: LatencyHistogram.decode(encoded.latency) };
}
