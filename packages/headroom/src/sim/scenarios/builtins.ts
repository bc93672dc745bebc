/**
 * The built-in scenarios: one per reproduction in docs/sim.md, plus a "what if" to copy and fill
 * with your own histogram, fleet and rate. `headroom sim <name>` runs them; each is also a plain
 * {@link Scenario} object to start a file from (`headroom sim <name> --print`).
 */
import { invalidOption } from '../errors.js';
import type { LimiterSpec } from '../limiter.js';
import type { Scenario, VariantSpec } from '../scenario.js';
import { clientStalls } from './decay-sweep.js';
import { finagleColdStart, finagleSlowMiddle } from './finagle.js';
import { hedgingScenarios } from './hedging.js';
import { deadlines, retryStorm } from './overload.js';
import { probingScenarios } from './probing.js';
import { whatIf } from './what-if.js';

/** A variant of the `limiter-overload` built-in: its server with `limiter` in front. */
const limited = (name: string, limiter: LimiterSpec): VariantSpec => ({
  name,
  servers: [{ count: 1, workers: 40, service: { type: 'lognormal', median: '10ms', sigma: 0.3 }, limiter }],
});

/** Every built-in scenario, by name. */
export const builtinScenarios: readonly Scenario[] = [
  {
    name: 'mmc',
    description:
      'M/M/4 at ρ = 0.8 (mean service 1 ms): FIFO, LIFO and processor sharing have the same mean time in system (Erlang C: 1.7455 ms) and very different tails.',
    model: {
      duration: '200s',
      arrivals: { type: 'poisson', ratePerSec: 3200 },
      servers: [{ count: 1, workers: 4, service: { type: 'exponential', mean: 1 } }],
    },
    variants: [
      { name: 'fifo', servers: [{ count: 1, workers: 4, discipline: 'fifo', service: { type: 'exponential', mean: 1 } }] },
      { name: 'lifo', servers: [{ count: 1, workers: 4, discipline: 'lifo', service: { type: 'exponential', mean: 1 } }] },
      { name: 'ps', servers: [{ count: 1, workers: 4, discipline: 'ps', service: { type: 'exponential', mean: 1 } }] },
    ],
  },
  {
    name: 'tail-at-scale',
    description:
      'Leaves answer in 10 ms, or 1 s for 1 request in 100: the share of calls slower than 500 ms is 1 − 0.99ⁿ (1%, 9.6%, 63.4%) for n = 1, 10, 100 leaves.',
    model: {
      duration: '22s',
      slo: '500ms',
      arrivals: { type: 'poisson', ratePerSec: 1000 },
      servers: [
        {
          count: 100,
          workers: 'unbounded',
          service: {
            type: 'bimodal',
            fast: { type: 'constant', value: 10 },
            slow: { type: 'constant', value: 1000 },
            slowProbability: 0.01,
          },
        },
      ],
    },
    variants: [
      { name: '1 leaf', fanOut: { leaves: 1 } },
      { name: '10 leaves', fanOut: { leaves: 10 } },
      { name: '100 leaves', fanOut: { leaves: 100 } },
    ],
  },
  {
    name: 'power-of-d',
    description:
      "Mitzenmacher's supermarket model: 1,000 FIFO servers at λ = 0.9, each call to 1, 2 or 3 random choices (the real p2c picker over the outstanding metric). T = 10, 2.614, 2.028 service times as n → ∞.",
    model: {
      duration: '2333ms',
      warmup: '1000ms',
      arrivals: { type: 'poisson', ratePerSec: 900_000 },
      servers: [{ count: 1000, service: { type: 'exponential', mean: 1 } }],
    },
    variants: [
      { name: 'd=1 (random)', clients: { picker: 'random', load: 'outstanding' } },
      { name: 'd=2 (p2c)', clients: { picker: 'p2c', load: 'outstanding' } },
      { name: 'd=3', clients: { picker: { type: 'p2c', choices: 3 }, load: 'outstanding' } },
    ],
  },
  ...hedgingScenarios,
  finagleSlowMiddle,
  finagleColdStart,
  clientStalls,
  {
    name: 'crash-ejection',
    description:
      'Ten servers at 800 calls/s; server 3 crashes at 10 s (it fails every call at once) and restarts at 30 s. Without ejection it keeps its picks and fails them; outlier ejection (the real BalancerCore) stops them after 5 failures; active health checks after 2 failed probes.',
    model: {
      duration: '40s',
      arrivals: { type: 'poisson', ratePerSec: 800 },
      servers: [{ count: 10, workers: 4, service: { type: 'exponential', mean: '4ms' } }],
      network: { delay: { type: 'constant', value: '0.25ms' } },
      faults: [
        { atMs: 10_000, action: 'crash', servers: [3] },
        { atMs: 30_000, action: 'restart', servers: [3] },
      ],
    },
    variants: [
      { name: 'p2c, no ejection', clients: { picker: 'p2c' } },
      { name: 'p2c + outlier ejection', clients: { picker: 'p2c', outlier: { ejectionBackoff: { initial: '5s' } } } },
      { name: 'p2c + health checks (1 s)', clients: { picker: 'p2c', outlier: false, health: { interval: '1s', unhealthyThreshold: 2 } } },
    ],
  },
  {
    name: 'keys-cache',
    description:
      'Zipf keys (100,000, exponent 0.99) over 10 servers, each behind a W-TinyLFU cache of 2,000 keys (a hit costs no service time): routing by key (ketama, bounded loads c = 1.25) keeps each key on one cache; p2c spreads every key over all ten.',
    model: {
      duration: '30s',
      arrivals: { type: 'poisson', ratePerSec: 6000 },
      keys: { type: 'zipf', count: 100_000, exponent: 0.99 },
      servers: [{ count: 10, workers: 4, service: { type: 'lognormal', median: '4ms', sigma: 0.5 }, cache: { capacity: 2000 } }],
    },
    variants: [
      { name: 'p2c (no partitioner)', clients: { picker: 'p2c' } },
      { name: 'ketama', partitioner: 'ketama' },
      { name: 'bounded-load c=1.25', partitioner: { type: 'bounded-load', loadFactor: 1.25 } },
    ],
  },
  {
    name: 'limiter-overload',
    description:
      "One server of 40 workers (lognormal, median 10 ms, σ 0.3; capacity ≈ 3,830 calls/s) offered 0.5× its capacity, then 2× from 10 to 30 s, then 0.5× again: no limiter, the module default (windowed Gradient2), windowed Vegas, windowed AIMD and a fixed limit at the worker count, shedding at once or with a queue of 400 calls that wait at most 50 ms (the limiter's LIFO queue).",
    model: {
      duration: '40s',
      series: '1s',
      arrivals: {
        type: 'timeline',
        points: [
          [0, 1915],
          [10_000, 7660],
          [30_000, 1915],
        ],
      },
      servers: [{ count: 1, workers: 40, service: { type: 'lognormal', median: '10ms', sigma: 0.3 } }],
    },
    variants: [
      { name: 'no limiter' },
      limited('default (windowed Gradient2)', { algorithm: 'default' }),
      limited('windowed Vegas', { algorithm: 'vegas' }),
      limited('windowed AIMD (timeout 50 ms)', { algorithm: 'aimd', options: { timeout: 50 } }),
      limited('fixed 40', { algorithm: 'fixed', limit: 40 }),
      limited('fixed 40, queue 400 ≤ 50 ms', { algorithm: 'fixed', limit: 40, queueSize: 400, queueTimeout: '50ms' }),
    ],
  },
  retryStorm,
  deadlines,
  whatIf,
  ...probingScenarios,
];

/**
 * The built-in scenario of that name.
 * @throws HR_SIM_INVALID_OPTION listing the names when there is none
 */
export function builtinScenario(name: string): Scenario {
  const s = builtinScenarios.find((x) => x.name === name);
  if (s === undefined)
    throw invalidOption('scenario', name, `use a scenario file or one of ${builtinScenarios.map((x) => x.name).join(', ')}`);
  return s;
}
