/**
 * Models and built-in scenarios of issue #18 — balancers that ask servers for their load:
 * Prequal (probes) and C3 (piggybacked feedback) against round-robin and P2C + peak-EWMA; and
 * deterministic aperture against the full mesh. The
 * tests in test/sim/probing.test.ts run the same models at modest sizes; the built-ins run them at
 * full size (`headroom sim <name>`).
 */
import type { Scenario, VariantSpec } from '../scenario.js';
import type { ModelSpec, PickerSpec } from '../model-spec.js';
import { antagonistModel, type AntagonistFleet } from './antagonists.js';

/**
 * The skew reproduction: 16 I/O-bound backends (no queueing: every request in flight is served
 * at once), 2 of them 16× slower, 500 req/s from one client.
 */
export function skewModel(durationMs: number): ModelSpec {
  return {
    duration: durationMs,
    arrivals: { type: 'poisson', ratePerSec: 500 },
    servers: [
      { count: 14, workers: 'unbounded', service: { type: 'lognormal', median: 10, sigma: 0.3 } },
      { count: 2, workers: 'unbounded', service: { type: 'lognormal', median: 160, sigma: 0.3 } },
    ],
    network: { delay: { type: 'constant', value: 0.25 } },
  };
}

/**
 * Identical servers, variable request sizes: 90% take 2 ms and 10% 40 ms (exponential each), so
 * a server's recent service time says little about the next request. Offered load 0.8.
 */
export function variableSizeModel(servers: number, clients: number, durationMs: number): ModelSpec {
  const meanServiceMs = 0.9 * 2 + 0.1 * 40;
  return {
    duration: durationMs,
    arrivals: { type: 'poisson', ratePerSec: (0.8 * servers * 4 * 1000) / meanServiceMs },
    clients: { count: clients },
    servers: [
      {
        count: servers,
        workers: 4,
        service: { type: 'bimodal', fast: { type: 'exponential', mean: 2 }, slow: { type: 'exponential', mean: 40 }, slowProbability: 0.1 },
      },
    ],
    network: { delay: { type: 'constant', value: 0.25 } },
  };
}

/**
 * Many clients, many servers, no skew: `clients` clients × `servers` identical servers (4 workers,
 * exponential 5 ms) at 0.7 utilization, P2C + outstanding by default. For deterministic aperture
 * against the full mesh.
 */
export function apertureModel(clients: number, servers: number, durationMs: number): ModelSpec {
  return {
    duration: durationMs,
    arrivals: { type: 'poisson', ratePerSec: (0.7 * servers * 4 * 1000) / 5 },
    clients: { count: clients },
    servers: [{ count: servers, workers: 4, service: { type: 'exponential', mean: 5 } }],
    network: { delay: { type: 'constant', value: 0.25 } },
  };
}

/** The pickers compared, as variants that replace `clients` (keeping the count). */
export function pickerVariants(
  clients: number,
  pickers: readonly (readonly [name: string, picker: PickerSpec, load?: 'outstanding' | 'peak-ewma'])[],
): VariantSpec[] {
  return pickers.map(([name, picker, load]) => ({ name, clients: { count: clients, picker, load: load ?? 'outstanding' } }));
}

/** Round-robin, P2C + peak-EWMA and Prequal (defaults: 3 probes per query). */
export const PREQUAL_VS = [
  ['round-robin', 'round-robin'],
  ['p2c+peak-ewma', 'p2c', 'peak-ewma'],
  ['prequal', 'prequal'],
] as const;

/** The antagonist fleet of the full-size reproduction: 100 clients × 100 servers. */
export const ANTAGONIST_FLEET: AntagonistFleet = {
  servers: 100,
  clients: 100,
  steps: [0.75, 0.9, 1.05, 1.2, 1.35, 1.5, 1.74],
  stepMs: 5000,
};

/** Built-in scenarios of the probing balancers. */
export const probingScenarios: readonly Scenario[] = [
  {
    name: 'prequal-skew',
    description:
      '16 I/O-bound backends, 2 of them 16× slower, 500 req/s: round-robin sends them 1/8 of the requests; Prequal probes them and stays away.',
    model: skewModel(60_000),
    variants: pickerVariants(1, PREQUAL_VS),
  },
  {
    name: 'prequal-antagonists',
    description:
      '100 clients × 100 servers whose speed varies with antagonist load; offered load ramps 0.75 → 1.74 × provisioned capacity (1.74 × = 0.9 of the real mean capacity), 5 s per step.',
    model: antagonistModel(ANTAGONIST_FLEET, 'round-robin'),
    variants: pickerVariants(ANTAGONIST_FLEET.clients, PREQUAL_VS),
  },
  {
    name: 'prequal-probe-rates',
    description:
      'The antagonist fleet held at 0.9 utilization (1.74 × provisioned), Prequal at 0.5 … 4 probes per query: below about one probe per query the pool cannot refill (one reply is removed per query) and Prequal falls to random.',
    model: antagonistModel({ ...ANTAGONIST_FLEET, steps: [1.74], stepMs: 20_000 }, 'prequal'),
    variants: [0.5, 1, 1.5, 2, 3, 4].map((r) => ({
      name: `${r} probes/query`,
      clients: { count: ANTAGONIST_FLEET.clients, picker: { type: 'prequal', probesPerQuery: r } },
    })),
  },
  {
    name: 'aperture',
    description:
      '100 clients × 100 identical servers at 0.7 utilization: full-mesh P2C (10,000 client-server pairs) against deterministic aperture (each client on a slice of 12 or 5 servers).',
    model: apertureModel(100, 100, 20_000),
    variants: pickerVariants(100, [
      ['p2c (full mesh)', 'p2c'],
      ['aperture 12', { type: 'aperture', minAperture: 12 }],
      ['aperture 5', { type: 'aperture', minAperture: 5 }],
    ]),
  },
  {
    name: 'c3-antagonists',
    description:
      'C3 vs P2C + peak-EWMA where servers change speed over time (antagonists; 20 clients × 20 servers at 0.78 utilization): piggybacked queue sizes and service times win at p99.9.',
    model: antagonistModel({ servers: 20, clients: 20, steps: [1.5], stepMs: 60_000 }, 'c3'),
    variants: pickerVariants(20, [
      ['p2c+peak-ewma', 'p2c', 'peak-ewma'],
      ['c3', 'c3'],
      ['c3 without rate control', { type: 'c3', rateControl: false }],
    ]),
  },
  {
    name: 'c3-choices',
    description:
      'How many candidates C3 scores per pick (its `choices`, default 16) on 100 clients × 100 servers changing speed (antagonists stepping to 1.5×): a sample of 16 beats the full scan, which herds every client onto the same replicas.',
    model: antagonistModel({ servers: 100, clients: 100, steps: [1.5], stepMs: 20_000 }, 'c3'),
    variants: pickerVariants(100, [
      ['p2c+peak-ewma', 'p2c', 'peak-ewma'],
      ...[2, 4, 8, 16].map((k) => [`c3, ${k} choices`, { type: 'c3', choices: k }] as const),
      ['c3, all (full scan)', { type: 'c3', choices: 100 }],
    ]),
  },
  {
    name: 'c3-variable-sizes',
    description:
      'C3 vs P2C + peak-EWMA on identical servers with variable request sizes (10% 20× larger): the feedback describes the last request, not the next; C3 does not win.',
    model: variableSizeModel(20, 20, 60_000),
    variants: pickerVariants(20, [
      ['p2c+peak-ewma', 'p2c', 'peak-ewma'],
      ['c3', 'c3'],
      ['c3 without rate control', { type: 'c3', rateControl: false }],
    ]),
  },
];
