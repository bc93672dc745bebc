/**
 * Built-ins of retries and deadlines under overload (docs/sim.md, "Retry storms and deadlines"):
 * a fleet at 60% load slowed 2× for five seconds — the trigger of a metastable failure — with
 * timed-out attempts retried through the real `RetryCore`, with and without its budget; and the
 * same trigger with a per-call deadline, sent to the servers or not.
 */
import type { ClientSpec, ModelSpec, RetrySpec } from '../model-spec.js';
import type { Scenario } from '../scenario.js';

const SERVERS = [0, 1, 2, 3, 4];

/**
 * Five servers of four workers (exponential service, mean 10 ms: capacity 2,000 calls/s) offered
 * 1,200 calls/s from four clients (P2C), every server slowed 2× from 10 to 15 s (capacity 1,000/s).
 */
export const OVERLOAD_TRIGGER: ModelSpec = {
  duration: '30s',
  warmup: '5s',
  series: '5s',
  arrivals: { type: 'poisson', ratePerSec: 1200 },
  clients: { count: 4, picker: 'p2c' },
  servers: [{ count: 5, workers: 4, service: { type: 'exponential', mean: '10ms' } }],
  faults: [
    { atMs: 10_000, action: 'slow', servers: SERVERS, factor: 2 },
    { atMs: 15_000, action: 'recover', servers: SERVERS },
  ],
};

/** Three attempts, each given up after 100 ms, backoff 10–100 ms (full jitter); budget set per variant. */
export const RETRY_TIMED_OUT: RetrySpec = { maxAttempts: 3, attemptTimeout: '100ms', backoff: { initial: '10ms', max: '100ms' } };

/** The retry budget of the `retry-storm` built-in: 10% of calls, no floor, bursts of 10 per client. */
export const RETRY_BUDGET_10 = { ratio: 0.1, minPerSec: 0, maxTokens: 10 } as const;

const clients = (c: ClientSpec): ClientSpec => ({ ...OVERLOAD_TRIGGER.clients, ...c });

/** `retry-storm`: timed-out attempts retried with and without the retry budget. */
export const retryStorm: Scenario = {
  name: 'retry-storm',
  description:
    "Five servers of 4 workers (exponential 10 ms; 2,000 calls/s) at 1,200 calls/s, all slowed 2× from 10 to 15 s; an attempt is given up after 100 ms. No retries; up to 3 attempts without a budget (the retries keep the fleet past capacity after the slowdown ends: a metastable failure); with a 10% budget; with RetryPolicy's default budget (20% + 10/s).",
  model: OVERLOAD_TRIGGER,
  variants: [
    { name: 'no retries', clients: clients({ retry: { ...RETRY_TIMED_OUT, maxAttempts: 1 } }) },
    { name: '3 attempts, no budget', clients: clients({ retry: { ...RETRY_TIMED_OUT, budget: false } }) },
    { name: '3 attempts, budget 10%', clients: clients({ retry: { ...RETRY_TIMED_OUT, budget: RETRY_BUDGET_10 } }) },
    { name: '3 attempts, default budget', clients: clients({ retry: RETRY_TIMED_OUT }) },
  ],
};

/** `deadlines`: a 100 ms deadline per call, kept by the client or sent to the servers. */
export const deadlines: Scenario = {
  name: 'deadlines',
  description:
    'The retry-storm fleet and slowdown with a 100 ms deadline per call: kept by the client only (servers serve work whose caller has gone), sent with each call (servers drop what has expired as a worker would take it), and sent with minRemaining 10 ms (drop what has less than 10 ms left).',
  model: OVERLOAD_TRIGGER,
  variants: [
    { name: 'client only', clients: clients({ deadline: { timeout: '100ms', propagate: false } }) },
    { name: 'propagated', clients: clients({ deadline: { timeout: '100ms' } }) },
    { name: 'propagated, minRemaining 10 ms', clients: clients({ deadline: { timeout: '100ms', minRemaining: '10ms' } }) },
  ],
};
