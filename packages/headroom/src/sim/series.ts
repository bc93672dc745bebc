/**
 * A time series of a run (the model's `series` interval): per interval, the calls that ended well
 * or badly, their mean and p99 latency, the calls the servers' limiters shed, and the mean limit —
 * what a convergence or recovery question needs, which a whole-run summary averages away. Costs a
 * histogram record per call and one event per interval, only when asked for.
 */
import { LatencyHistogram } from '../core/histogram.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Server } from './server.js';
import { FrontedServer } from './front.js';

/** One run's time series: parallel arrays, one entry per interval, stamped with the interval's end. */
export interface RunSeries {
  /** Length of an interval, ms. */
  readonly intervalMs: number;
  /** End of each interval, ms of virtual time. */
  readonly atMs: readonly number[];
  /** Calls answered successfully per second. */
  readonly okPerSec: readonly number[];
  /** Calls that failed per second (shed, crashed server, timeout, …). */
  readonly failedPerSec: readonly number[];
  /** Mean latency of the successful calls, ms (NaN when none). */
  readonly meanMs: readonly number[];
  /** p99 latency of the successful calls, ms (NaN when none). */
  readonly p99Ms: readonly number[];
  /** Calls the servers' limiters shed per second (0 without limiters). */
  readonly shedPerSec: readonly number[];
  /** Mean concurrency limit over the servers with a limiter, at the interval's end (NaN without limiters). */
  readonly limit: readonly number[];
}

interface Columns {
  atMs: number[];
  okPerSec: number[];
  failedPerSec: number[];
  meanMs: number[];
  p99Ms: number[];
  shedPerSec: number[];
  limit: number[];
}

/** Collects a {@link RunSeries}. */
export class SeriesRecorder implements SimHandler {
  readonly #columns: Columns = { atMs: [], okPerSec: [], failedPerSec: [], meanMs: [], p99Ms: [], shedPerSec: [], limit: [] };
  readonly #histogram = new LatencyHistogram();
  readonly #limited: FrontedServer[];
  #ok = 0;
  #failed = 0;
  #sum = 0;
  #shedBefore = 0;

  constructor(
    readonly intervalMs: number,
    readonly engine: SimEngine,
    servers: readonly Server[],
  ) {
    this.#limited = servers.filter((s): s is FrontedServer => s instanceof FrontedServer && s.limiter !== undefined);
    engine.after(intervalMs, this, 0, 0);
  }

  /** A top-level call ended at the engine's time. */
  callEnded(latencyMs: number, ok: boolean): void {
    if (!ok) {
      this.#failed++;
      return;
    }
    this.#ok++;
    this.#sum += latencyMs;
    this.#histogram.record(latencyMs);
  }

  handle(): void {
    const c = this.#columns;
    const perSec = 1000 / this.intervalMs;
    let shed = 0;
    let limit = 0;
    for (const s of this.#limited) {
      shed += s.shedTotal;
      limit += s.limiter!.limit;
    }
    c.atMs.push(this.engine.now);
    c.okPerSec.push(this.#ok * perSec);
    c.failedPerSec.push(this.#failed * perSec);
    c.meanMs.push(this.#ok > 0 ? this.#sum / this.#ok : NaN);
    c.p99Ms.push(this.#ok > 0 ? this.#histogram.percentile(99) : NaN);
    c.shedPerSec.push((shed - this.#shedBefore) * perSec);
    c.limit.push(this.#limited.length > 0 ? limit / this.#limited.length : NaN);
    this.#shedBefore = shed;
    this.#ok = 0;
    this.#failed = 0;
    this.#sum = 0;
    this.#histogram.reset();
    this.engine.after(this.intervalMs, this, 0, 0);
  }

  /** The series so far. */
  result(): RunSeries {
    return { intervalMs: this.intervalMs, ...this.#columns };
  }
}
