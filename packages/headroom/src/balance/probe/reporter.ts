/**
 * The server half of probing balancers: counts requests in flight (RIF) and keeps, per RIF level,
 * the latencies of the last requests that arrived at that level, so it can answer "how long would
 * a request arriving now take?" with the median of recent latencies at (or, when that level has
 * too few, near) the current RIF — Prequal's estimator (Wydrowski et al., NSDI 2024, §3). It also
 * keeps an exponentially weighted service time for C3 (Suresh et al., NSDI 2015).
 *
 * Framework-agnostic and synchronous: `begin()` when a request arrives, `end(ticket)` when its
 * response is done, `report()` for a probe or a response header. The node:http and fastify
 * adapters (adapters/probe-reporter-http.ts) call these. O(samples) per report (a sort of at most
 * `minSamples` + one level's ring), O(1) per request; one small ticket object per request.
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { requireInteger, requirePositive } from '../options.js';
import type { LoadReport } from './load-report.js';

/** Options of {@link LoadReporter}. */
export interface LoadReporterOptions {
  /** Time source; default the system clock. */
  readonly clock?: Clock;
  /** Latencies kept per RIF level (the most recent); default 16. */
  readonly samplesPerLevel?: number;
  /** Levels above this share the top one; default 1,024. */
  readonly maxLevel?: number;
  /** Samples gathered from neighbouring levels before taking the median; default 4. */
  readonly minSamples?: number;
  /** Weight of a new service time in its moving average, (0, 1]; default 0.1. */
  readonly serviceAlpha?: number;
}

/** A request the reporter is timing: from {@link LoadReporter.begin} to {@link LoadReporter.end}. */
export interface RequestTicket {
  /** When it arrived, ms on the reporter's clock. */
  readonly startedAtMs: number;
  /** RIF it found on arrival (itself not counted). */
  readonly rif: number;
}

/**
 * Requests in flight and latency per RIF level of one server.
 * @example
 * ```ts
 * const reporter = new LoadReporter();
 * const ticket = reporter.begin();
 * // … handle the request …
 * reporter.end(ticket);
 * reporter.report(); // { rif: 0, latencyMs: 4.1, serviceMs: 4.1 }
 * ```
 */
export class LoadReporter {
  readonly #clock: Clock;
  readonly #perLevel: number;
  readonly #maxLevel: number;
  readonly #minSamples: number;
  readonly #alpha: number;
  /** Ring of latencies per level (allocated when a level is first used). */
  readonly #rings: (Float64Array | undefined)[] = [];
  readonly #counts: number[] = [];
  readonly #scratch: Float64Array;
  #rif = 0;
  #serviceMs = 0;
  #completed = 0;
  #serviceSamples = 0;

  /** @throws HR_BALANCE_INVALID_OPTION naming the bad option */
  constructor(options: LoadReporterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#perLevel = requireInteger('LoadReporter.samplesPerLevel', options.samplesPerLevel ?? 16, 1, '16');
    this.#maxLevel = requireInteger('LoadReporter.maxLevel', options.maxLevel ?? 1024, 1, '1024');
    this.#minSamples = requireInteger('LoadReporter.minSamples', options.minSamples ?? 4, 1, '4');
    const alpha = requirePositive('LoadReporter.serviceAlpha', options.serviceAlpha ?? 0.1, '0.1');
    this.#alpha = Math.min(alpha, 1);
    this.#scratch = new Float64Array(this.#minSamples + this.#perLevel);
  }

  /** The reporter's time source (the HTTP adapters time their holds on it). */
  get clock(): Clock {
    return this.#clock;
  }

  /** Requests in flight now. */
  get rif(): number {
    return this.#rif;
  }

  /** Requests completed so far. */
  get completed(): number {
    return this.#completed;
  }

  /** A request arrived: counts it in flight and returns its ticket. */
  begin(): RequestTicket {
    const ticket = { startedAtMs: this.#clock.now(), rif: this.#rif };
    this.#rif++;
    return ticket;
  }

  /**
   * The request of `ticket` is done: it leaves the RIF count and, unless `record` is false (it was
   * dropped rather than served), its latency joins the ring of the level it arrived at. Call once
   * per ticket.
   * @param serviceMs - its service time, when the server knows it apart from queueing (a server
   *   with its own queue in front of workers); NaN when unknown (the service average is then left
   *   alone). Default: the latency (right for servers with no queue of their own, where every
   *   request in flight is being served).
   */
  end(ticket: RequestTicket, record = true, serviceMs?: number): void {
    if (this.#rif > 0) this.#rif--;
    if (!record) return;
    const latency = Math.max(0, this.#clock.now() - ticket.startedAtMs);
    const level = Math.min(ticket.rif, this.#maxLevel);
    let ring = this.#rings[level];
    if (ring === undefined) {
      while (this.#rings.length <= level) {
        this.#rings.push(undefined);
        this.#counts.push(0);
      }
      ring = this.#rings[level] = new Float64Array(this.#perLevel);
    }
    ring[this.#counts[level]! % this.#perLevel] = latency;
    this.#counts[level]!++;
    this.#completed++;
    const service = serviceMs ?? latency;
    if (service === service) {
      this.#serviceMs = this.#serviceSamples === 0 ? service : this.#serviceMs + this.#alpha * (service - this.#serviceMs);
      this.#serviceSamples++;
    }
  }

  /**
   * The expected latency at the current RIF: the median of the recent latencies at that level,
   * widened one level at a time (below, then above) until `minSamples` are gathered; 0 before any
   * request has completed.
   */
  estimateMs(): number {
    const levels = this.#rings.length;
    if (levels === 0) return 0;
    const scratch = this.#scratch;
    let n = 0;
    const at = Math.min(this.#rif, this.#maxLevel);
    for (let d = 0; n < this.#minSamples && (at - d >= 0 || at + d < levels); d++) {
      n = this.#gather(at - d, scratch, n);
      if (d > 0) n = this.#gather(at + d, scratch, n);
    }
    if (n === 0) return 0;
    const sorted = scratch.subarray(0, n).sort();
    return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  }

  /** The report a probe or response header carries now. */
  report(): LoadReport {
    return { rif: this.#rif, latencyMs: this.estimateMs(), serviceMs: this.#serviceMs };
  }

  /** Copies level `level`'s samples into `into` from `n`, up to its capacity; returns the new count. */
  #gather(level: number, into: Float64Array, n: number): number {
    if (level < 0 || level >= this.#rings.length) return n;
    const ring = this.#rings[level];
    if (ring === undefined) return n;
    const have = Math.min(this.#counts[level]!, this.#perLevel);
    for (let k = 0; k < have && n < into.length; k++) into[n++] = ring[k]!;
    return n;
  }
}
