/**
 * The "what if" built-in: a recorded service-time histogram on a fleet of your size at your rate,
 * with and without P2C, hedging and a concurrency limiter. `headroom sim what-if --histogram
 * <file> --servers <n> --rps <r>` puts your histogram (lab JSON, HdrHistogram .hgrm or .hlog, or
 * one latency per line) in place of the example below.
 */
import type { DistributionSpec } from '../distributions.js';
import type { ServerGroupSpec } from '../model-spec.js';
import type { Scenario } from '../scenario.js';

/** A service-time histogram shaped like a small web service's (ms, count): a body near 4 ms, a GC-ish hump near 40 ms. */
const EXAMPLE_HISTOGRAM: DistributionSpec = {
  type: 'empirical',
  buckets: [
    [1, 0],
    [2, 1200],
    [3, 3100],
    [4, 2600],
    [6, 1700],
    [10, 900],
    [20, 300],
    [40, 150],
    [80, 40],
    [200, 10],
  ],
};

const SERVERS: ServerGroupSpec = { count: 20, workers: 4, service: EXAMPLE_HISTOGRAM };

/** The what-if scenario. */
export const whatIf: Scenario = {
  name: 'what-if',
  description:
    'Your recorded service-time histogram (--histogram <file>; an example otherwise) on 20 servers of 4 workers at 2,000 req/s (--servers, --rps): round-robin vs p2c + peak-EWMA, each with and without hedging at the p95, and p2c + peak-EWMA with the default adaptive concurrency limiter in front of every server.',
  model: {
    duration: '60s',
    slo: '50ms',
    arrivals: { type: 'poisson', ratePerSec: 2000 },
    servers: [SERVERS],
    network: { delay: { type: 'constant', value: '0.25ms' } },
  },
  variants: [
    { name: 'round-robin', clients: { picker: 'round-robin' } },
    { name: 'round-robin+hedge p95', clients: { picker: 'round-robin', hedge: { percentile: 95 } } },
    { name: 'p2c+peak-ewma', clients: { picker: 'p2c', load: 'peak-ewma' } },
    { name: 'p2c+peak-ewma+hedge p95', clients: { picker: 'p2c', load: 'peak-ewma', hedge: { percentile: 95 } } },
    {
      name: 'p2c+peak-ewma+limiter',
      clients: { picker: 'p2c', load: 'peak-ewma' },
      servers: [{ ...SERVERS, limiter: { algorithm: 'default' } }],
    },
  ],
};
