/**
 * What C3 (Suresh et al., NSDI 2015) learns from each replica's responses: the queue size and
 * service time the server piggybacks (exponentially averaged, weight α = 0.9 on the newest value,
 * as in the authors' simulator), and the per-replica CUBIC rate limit (cubic.ts). One
 * `C3Feedback` per client (balancer); whatever sees responses feeds it — the undici dispatcher's
 * `onResponseHeaders`, your own `call()` callback via `observe`, or the simulator.
 */
import { LOAD_HEADER, parseLoadReport, type LoadReport } from '../probe/load-report.js';
import { C3_CUBIC, CubicRate, type CubicConfig } from './cubic.js';
import { invalidOption } from '../options.js';

/** What C3 knows about one replica. */
export class ReplicaFeedback {
  /** Reports folded in so far (0: nothing known yet). */
  reports = 0;
  /** Averaged queue size q̄ (the server's requests in flight). */
  queue = 0;
  /** Averaged service time T̄ = 1/µ̄, ms. */
  serviceMs = 0;
  /** The rate limit. */
  readonly rate: CubicRate;

  constructor(cubic: CubicConfig, now: number) {
    this.rate = new CubicRate(cubic, now);
  }
}

/** Options of {@link C3Feedback}. */
export interface C3FeedbackOptions {
  /** Weight of the newest value in the averages, (0, 1]; default 0.9. */
  readonly alpha?: number;
  /** Rate-control constants; default the paper's ({@link C3_CUBIC}). */
  readonly cubic?: Partial<CubicConfig>;
}

/** Per-replica feedback of one client, by endpoint id. */
export class C3Feedback {
  readonly alpha: number;
  readonly cubic: CubicConfig;
  readonly #replicas = new Map<string, ReplicaFeedback>();

  /** @throws HR_BALANCE_INVALID_OPTION for an α outside (0, 1] */
  constructor(options: C3FeedbackOptions = {}) {
    const alpha = options.alpha ?? 0.9;
    if (!(alpha > 0 && alpha <= 1)) throw invalidOption('C3Feedback.alpha', alpha, 'use a weight in (0, 1], e.g. 0.9');
    this.alpha = alpha;
    this.cubic = { ...C3_CUBIC, ...options.cubic };
  }

  /** The record of `id` (created on first use). */
  replica(id: string, now: number): ReplicaFeedback {
    let r = this.#replicas.get(id);
    if (r === undefined) {
      r = new ReplicaFeedback(this.cubic, now);
      this.#replicas.set(id, r);
    }
    return r;
  }

  /** A response from `id` arrived at `now` carrying `report` (or none): folds it in and adapts the rate. */
  observe(id: string, report: LoadReport | undefined, now: number): void {
    const r = this.replica(id, now);
    if (report !== undefined) {
      const a = r.reports === 0 ? 1 : this.alpha;
      r.queue += a * (report.rif - r.queue);
      r.serviceMs += a * (report.serviceMs - r.serviceMs);
      r.reports++;
    }
    r.rate.received(now);
  }

  /**
   * Like {@link observe}, reading the `x-headroom-load` header from response headers as undici
   * gives them (a record, or the raw `[name, value, …]` array of Buffers or strings).
   */
  observeHeaders(id: string, headers: unknown, now: number): void {
    this.observe(id, parseLoadReport(headerValue(headers)), now);
  }
}

function headerValue(headers: unknown): string | undefined {
  if (Array.isArray(headers)) {
    for (let k = 0; k + 1 < headers.length; k += 2) {
      if (String(headers[k]).toLowerCase() === LOAD_HEADER) return String(headers[k + 1]);
    }
    return undefined;
  }
  if (typeof headers === 'object' && headers !== null) {
    const v = (headers as Record<string, unknown>)[LOAD_HEADER];
    return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  }
  return undefined;
}
