/**
 * The load generator's own event-loop delay over a phase's window (node:perf_hooks
 * `monitorEventLoopDelay` at 1 ms resolution): how long, and how often, the client itself stalled.
 * Every stall delays the answers it has not read yet, whichever replica sent them, so a model of
 * the phase needs it apart from the replicas' latency (headroom sim-vs-lab reads it).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Clock } from 'headroom';
import { cdfPoints, round } from './phase-recorder.js';

/** Sampling resolution, ms: a sample every ms, so a stall of D shows as one sample of ≈ D. */
export const LOOP_RESOLUTION_MS = 1;

/** The client's event-loop delay over a window, ms (each sample's delay beyond the resolution). */
export interface ClientLoopDelay {
  readonly resolutionMs: number;
  /** Samples taken (a stall of D takes the place of ≈ D samples, and is one of them). */
  readonly samples: number;
  /** How long the monitor ran, ms. */
  readonly spanMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Delay at each percentile of the lab's nines grid, over the samples. */
  readonly cdf: readonly { readonly percentile: number; readonly ms: number }[];
}

/** A running monitor of this process's event-loop delay; {@link LoopDelayMonitor.stop} returns what it saw. */
export class LoopDelayMonitor {
  readonly #histogram: IntervalHistogram;
  readonly #clock: Clock;
  readonly #startMs: number;

  /** Starts monitoring now. @param clock - times the span */
  constructor(clock: Clock) {
    this.#clock = clock;
    this.#histogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.#histogram.enable();
    this.#startMs = clock.now();
  }

  /** Stops the monitor (idempotent) and summarises it. */
  stop(): ClientLoopDelay {
    const h = this.#histogram;
    h.disable();
    // Node records the whole gap between two samples: the delay is what exceeds the resolution.
    // (Node's percentile() takes p in (0, 100]: p0 is the minimum.)
    const delayAt = (p: number): number => Math.max(0, (p > 0 ? h.percentile(p) : h.min) / 1e6 - LOOP_RESOLUTION_MS);
    const samples = h.count;
    return {
      resolutionMs: LOOP_RESOLUTION_MS,
      samples,
      spanMs: round(this.#clock.now() - this.#startMs, 1),
      p50: samples === 0 ? 0 : round(delayAt(50), 3),
      p99: samples === 0 ? 0 : round(delayAt(99), 3),
      max: samples === 0 ? 0 : round(delayAt(100), 3),
      cdf: cdfPoints({ count: samples, percentile: delayAt }),
    };
  }
}
