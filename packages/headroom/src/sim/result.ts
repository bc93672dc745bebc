import type { RunSeries } from './series.js';

/** What one simulation run measured (calls arriving after warm-up; times in ms). */
export interface RunResult {
  /** Calls that arrived after warm-up. */
  readonly calls: number;
  /** Of those, answered successfully (a fan-out call: enough leaves answered, or its deadline came). */
  readonly ok: number;
  /** Failed: every attempt failed, a quorum became impossible, or the timeout fired. */
  readonly failed: number;
  /** Failed by the client's timeout. */
  readonly timedOut: number;
  /** Fan-out calls completed by their deadline or quorum before every leaf answered. */
  readonly partial: number;
  /** Messages lost by the network or a partition. */
  readonly lost: number;
  /** Latency of successful calls, ms (HDR histogram, 3 significant digits). */
  readonly latency: {
    readonly mean: number;
    readonly p50: number;
    readonly p90: number;
    readonly p99: number;
    readonly p999: number;
    readonly max: number;
  };
  /** Fraction of successful measured calls slower than the model's `slo` (0 without one). */
  readonly aboveSlo: number;
  /** Exact mean time in system of every measured call (successful or not), ms. */
  readonly meanSojournMs: number;
  /** Attempts sent after warm-up (originals + hedges). */
  readonly attempts: number;
  /** Hedged (backup) attempts sent after warm-up. */
  readonly hedges: number;
  /** Hedges the budget refused. */
  readonly hedgesRefused: number;
  /** Retry rounds started after warm-up (`clients.retry`). */
  readonly retries: number;
  /** Measured tied calls whose two copies were both executed (the twin's cancel came too late; `clients.tied`). */
  readonly tiedBothRan: number;
  /**
   * Attempts servers finished after warm-up for nobody: their call had ended (answered elsewhere,
   * timed out, failed) or they had lost a race or timed out (`retry.attemptTimeout`) — wasted work.
   */
  readonly servedForNobody: number;
  /** Hedges as a fraction of all attempts (hedges ÷ attempts: the share of the servers' requests that were backups). */
  readonly extraLoad: number;
  /**
   * Extra attempts per original request: (attempts − originals) ÷ originals, where the originals
   * are one per call (per leaf of a fan-out) and the extras are hedges, tied second copies and
   * retries — The Tail at Scale's "x% more requests" (hedges ÷ originals when only hedging).
   */
  readonly extraPerOriginal: number;
  /** Successful calls per second of measured time. */
  readonly throughputPerSec: number;
  /** Fraction of jobs arriving at a server after warm-up that found every worker busy (Erlang C's P(wait)). */
  readonly waitProbability: number;
  /** Busy worker time ÷ worker capacity over the measured window (NaN when every server is unbounded). */
  readonly utilization: number;
  /** Requests each server completed over the whole run. */
  readonly served: readonly number[];
  /** Time-averaged fraction of servers holding at least k jobs (queued + in service), k = 0 … `queueTailLength`. */
  readonly queueTail: readonly number[];
  /** Little's law over the measured window: L (time-averaged calls in system) vs λ·W. */
  readonly little: { readonly L: number; readonly lambdaW: number; readonly relativeError: number };
  /** Engine events run. */
  readonly events: number;
  /** Virtual time at the end of the run (arrivals stop at `durationMs`; calls in flight then finish). */
  readonly simulatedMs: number;
  /** Hash of the event trace: the same scenario and seed always print the same one. */
  readonly traceHash: string;
  /** The caches in front of servers, when the model has them: lookups after warm-up, and the share that hit. */
  readonly cache?: { readonly hits: number; readonly misses: number; readonly hitRatio: number };
  /**
   * The concurrency limiters in front of servers, when the model has them: calls after warm-up
   * admitted and shed, the shed share, and the mean limit at the end of the run; with a queue
   * (`limiter.queueSize`), the admitted calls that waited for a permit, their mean wait, and the
   * calls shed after waiting (the queue's timeout, the deadline, an eviction).
   */
  readonly limiter?: {
    readonly admitted: number;
    readonly shed: number;
    readonly shedShare: number;
    readonly finalLimit: number;
    readonly waited: number;
    readonly meanWaitMs: number;
    readonly shedAfterWait: number;
  };
  /**
   * The partitioner, when the model names one: calls placed (warm-up included), and how many left
   * their server above ⌈c·m/n⌉ — m the client's requests in flight to the n servers in the ring,
   * this one included; c the bounded-load factor (1.25 for the other partitioners, to compare) —
   * and the largest load ÷ that cap (reproduction 5).
   */
  readonly partition?: {
    readonly placements: number;
    readonly aboveCap: number;
    readonly worstOverCap: number;
    readonly loadFactor: number;
  };
  /** The time series, when the model asks for one (`series`). */
  readonly series?: RunSeries;
  /** Probe traffic, when the clients' picker probes (Prequal): probes sent, and per call (warm-up included). */
  readonly probes?: { readonly sent: number; readonly perCall: number };
}
