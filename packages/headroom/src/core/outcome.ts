/**
 * How one call to a dependency ended, as far as that dependency's health and load are concerned.
 * Every consumer of call results takes this one type: balance load metrics and outlier ejection,
 * the cache tier's circuit breaker, the latency limiter's permits.
 *
 * - `'success'`: the dependency answered well (a 4xx it answered correctly is a success);
 * - `'failure'`: the dependency failed or was overloaded (error, 5xx, refused connection, timeout,
 *   load shed) — counts toward ejection, opens breakers, is a drop for a concurrency limit;
 * - `'ignored'`: the call says nothing about the dependency (the caller aborted, a hedge lost, the
 *   request was the caller's fault): consumers free what the call held and learn nothing.
 *
 * A consumer that needs a finer reason (the limiter counts only overload as a drop) documents how it
 * maps errors to an `Outcome`; the type stays these three values.
 * @example balancer.end(endpoint, startedAtMs, signal.aborted ? 'ignored' : 'success')
 */
export type Outcome = 'success' | 'failure' | 'ignored';
