/**
 * The load-metric seam (Finagle's `Balancer` × `Load` split): how busy one endpoint is, kept
 * apart from the picker that compares endpoints. The balancer owns one metric per endpoint and
 * calls `start` when a request is sent and `end` when it finishes; pickers read `load`.
 */
import type { Outcome } from '../core/outcome.js';

/** Load of one endpoint. Synchronous, allocation-free, driven by the balancer's clock. */
export interface LoadMetric {
  /** A request was sent at `now` (ms). */
  start(now: number): void;
  /**
   * A request sent `latencyMs` ago finished at `now` with `outcome`.
   * @param now - ms
   * @param latencyMs - the request's round-trip time, ms (≥ 0)
   * @param outcome - how it ended (core `Outcome`): `'failure'` counts toward outlier ejection, `'ignored'` (the caller gave up, a hedge lost) says nothing about the endpoint
   */
  end(now: number, latencyMs: number, outcome: Outcome): void;
  /** The expected cost of sending one more request at `now`: larger is busier. Always ≥ 0. */
  load(now: number): number;
}

/** Makes one {@link LoadMetric} per endpoint. */
export interface LoadMetricFactory {
  /** Short name for snapshots and benchmark tables, e.g. `'peak-ewma'`. */
  readonly name: string;
  /** A fresh metric for a newly added endpoint. */
  create(): LoadMetric;
}
