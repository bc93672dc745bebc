/**
 * Outstanding requests: the load of an endpoint is the number of requests it has not answered
 * yet, plus the one about to be sent. This is the "least request" signal of Envoy, NGINX
 * (`least_conn`) and Finagle's `Balancers.p2c()` default.
 *
 * O(1) per call, no allocation. Limits: blind to latency — a slow endpoint that answers its few
 * requests slowly looks as good as a fast idle one until requests pile up on it.
 */
import type { Outcome } from '../../core/outcome.js';
import type { LoadMetric, LoadMetricFactory } from '../load-metric.js';

class OutstandingMetric implements LoadMetric {
  #pending = 0;

  start(_now: number): void {
    this.#pending++;
  }

  end(_now: number, _latencyMs: number, _outcome: Outcome): void {
    if (this.#pending > 0) this.#pending--;
  }

  load(_now: number): number {
    return this.#pending + 1;
  }
}

/**
 * Load = outstanding requests + 1 (the cost of sending one more). The balancer's default metric;
 * with {@link leastLoaded} it makes least-outstanding-requests, with {@link p2c} Envoy's
 * `LEAST_REQUEST`.
 * @example new Balancer({ endpoints, picker: p2c(), load: outstanding() })
 */
export function outstanding(): LoadMetricFactory {
  return { name: 'outstanding', create: () => new OutstandingMetric() };
}
