/**
 * The built-in scenarios: one per reproduction in docs/sim.md, plus a "what if" to copy and fill
 * with your own histogram, fleet and rate. `headroom sim <name>` runs them; each is also a plain
 * {@link Scenario} object to start a file from (`headroom sim <name> --print`).
 */
import { invalidOption } from '../errors.js';
import type { LimiterSpec } from '../limiter.js';
import type { Scenario, VariantSpec } from '../scenario.js';
import type { ServerGroupSpec } from '../model-spec.js';
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
/** The Tail at Scale leaves: 100 idle servers answering in 10 ms, or 1 s with probability `slow`. */
function tailLeaves(slow: number): ServerGroupSpec[] {
  return [
    {
      count: 100,
      workers: 'unbounded',
      service: { type: 'bimodal', fast: { type: 'constant', value: 10 }, slow: { type: 'constant', value: 1000 }, slowProbability: slow },
    },
  ];
}

export const builtinScenarios: readonly Scenario[] = [
  {
    name: 'mmc',
    description:
      'M/M/4 at ρ = 0.8 (mean service 1 ms): FIFO, LIFO and processor sharing have the same mean time in system (Erlang C: 1.7455 ms) and very different tails; one worker at the same ρ: M/M/1 (5 ms) and M/D/1 (Pollaczek–Khinchine: 3 ms).',
    model: {
      duration: '200s',
      arrivals: { type: 'poisson', ratePerSec: 3200 },
      servers: [{ count: 1, workers: 4, service: { type: 'exponential', mean: 1 } }],
    },
    variants: [
      { name: 'fifo', servers: [{ count: 1, workers: 4, discipline: 'fifo', service: { type: 'exponential', mean: 1 } }] },
      { name: 'lifo', servers: [{ count: 1, workers: 4, discipline: 'lifo', service: { type: 'exponential', mean: 1 } }] },
      { name: 'ps', servers: [{ count: 1, workers: 4, discipline: 'ps', service: { type: 'exponential', mean: 1 } }] },
      // One worker at the same ρ = 0.8: M/M/1 gives 1/(μ − λ) = 5 ms, M/D/1 (Pollaczek–Khinchine) 1 + ρ/(2(1 − ρ)) = 3 ms.
      {
        name: 'M/M/1',
        arrivals: { type: 'poisson', ratePerSec: 800 },
        servers: [{ count: 1, workers: 1, service: { type: 'exponential', mean: 1 } }],
      },
      {
        name: 'M/D/1',
        arrivals: { type: 'poisson', ratePerSec: 800 },
        servers: [{ count: 1, workers: 1, service: { type: 'constant', value: 1 } }],
      },
    ],
  },
  {
    name: 'tail-at-scale',
    description:
      'Leaves answer in 10 ms, or 1 s for 1 request in 100: the share of calls slower than 500 ms is 1 − 0.99ⁿ (1%, 9.6%, 63.4%) for n = 1, 10, 100 leaves; with 1 slow request in 10,000, 1 − 0.9999²⁰⁰⁰ = 18.1% at n = 2,000.',
    model: {
      duration: '22s',
      slo: '500ms',
      arrivals: { type: 'poisson', ratePerSec: 1000 },
      servers: tailLeaves(0.01),
    },
    variants: [
      { name: '1 leaf', fanOut: { leaves: 1 } },
      { name: '10 leaves', fanOut: { leaves: 10 } },
      { name: '100 leaves', fanOut: { leaves: 100 } },
      // The second case: 1 slow leaf in 10,000 at n = 2,000 → 1 − 0.9999²⁰⁰⁰ = 18.1%, at a
      // tenth of the rate (2,000 leaves a call).
      {
        name: '2,000 leaves, p = 10⁻⁴',
        arrivals: { type: 'poisson', ratePerSec: 100 },
        servers: tailLeaves(1e-4),
        fanOut: { leaves: 2000 },
      },
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
  {
    name: 'power-of-d-light',
    description:
      'The power-of-d model at λ = 0.5 and 0.7: 1,000 FIFO servers, 1,000 calls per server after a warm-up of 1,000 service times. T_d(0.5) = 2, 1.2657, 1.1252 and T_d(0.7) = 3.3333, 1.6145, 1.3568 for d = 1, 2, 3 as n → ∞.',
    model: {
      duration: '3000ms',
      warmup: '1000ms',
      arrivals: { type: 'poisson', ratePerSec: 500_000 },
      servers: [{ count: 1000, service: { type: 'exponential', mean: 1 } }],
    },
    variants: [0.5, 0.7].flatMap((lambda) =>
      ([1, 2, 3] as const).map((d): VariantSpec => ({
        name: `d=${d}, λ=${lambda}`,
        duration: 1000 + 1000 / lambda,
        arrivals: { type: 'poisson', ratePerSec: lambda * 1_000_000 },
        clients: { picker: d === 1 ? 'random' : { type: 'p2c', choices: d }, load: 'outstanding' },
      })),
    ),
  },
  {
    name: 'power-of-d-0.99',
    description:
      'The power-of-d model at λ = 0.99 for d = 2 and 3 (1,000 servers, warm-up 1,000 service times, then 1,000 calls per server): T_d = 5.4320 and 3.8578 as n → ∞; a finite fleet sits a little above (docs/sim.md). d = 1 is M/M/1 with mean 100, which relaxes over ~40,000 service times: not a CLI run.',
    model: {
      duration: 1000 + 1000 / 0.99,
      warmup: '1000ms',
      arrivals: { type: 'poisson', ratePerSec: 990_000 },
      servers: [{ count: 1000, service: { type: 'exponential', mean: 1 } }],
    },
    variants: [
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
    name: 'bounded-load',
    description:
      "Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam): 20 servers × 4 workers at 50% load, Zipf keys (1,000, exponent 0.99: the hottest is ~13% of the calls) routed by the real BoundedLoadRing (c = 1.25) over the client's in-flight counts while five servers crash and restart in turn; no placement leaves a server above ⌈c·m/n⌉. Plain ketama on the same keys breaks that cap.",
    model: {
      duration: '30s',
      warmup: '1s',
      arrivals: { type: 'poisson', ratePerSec: 8000 },
      keys: { type: 'zipf', count: 1000, exponent: 0.99 },
      servers: [{ count: 20, workers: 4, service: { type: 'exponential', mean: '5ms' } }],
      faults: [
        { atMs: 6000, action: 'crash', servers: [2, 7] },
        { atMs: 12_000, action: 'restart', servers: [2] },
        { atMs: 15_000, action: 'crash', servers: [11, 12, 13] },
        { atMs: 20_000, action: 'restart', servers: [7, 11] },
        { atMs: 24_000, action: 'restart', servers: [12, 13] },
      ],
    },
    variants: [
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
