/**
 * The built-ins of reproduction 4 (docs/sim.md, "Hedging and tied requests"): The Tail at Scale's
 * hedged requests (1,000-leaf calls over a calibrated leaf), the hedge budget under a fleet-wide
 * 3× slowdown, and tied requests on the paper's idle-cluster disk reads (Table 2).
 */
import type { DistributionSpec } from '../distributions.js';
import type { ModelSpec } from '../model-spec.js';
import type { Scenario } from '../scenario.js';

/**
 * Leaf latency calibrated to "The Tail at Scale"'s BigTable benchmark: P(> 10 ms) = 2%,
 * P(> 70 ms) = 0.1%, P(> 1.8 s) = 10⁻⁶, with a power-law tail P(> t) = 10⁻³·(t/70)^−α between the
 * last two (α = ln 1000 / ln(1800/70) ≈ 2.12), as buckets of a million samples.
 */
export const TAIL_AT_SCALE_LEAF: DistributionSpec = (() => {
  const alpha = Math.log(1000) / Math.log(1800 / 70);
  const tail = (t: number): number => 1e-3 * Math.pow(t / 70, -alpha);
  const points = [70, 85, 100, 125, 150, 200, 250, 325, 400, 500, 650, 800, 1000, 1300, 1800];
  const buckets: [number, number][] = [
    [1, 0],
    [10, 980_000],
    [70, 19_000],
  ];
  for (let i = 1; i < points.length; i++) buckets.push([points[i]!, (tail(points[i - 1]!) - tail(points[i]!)) * 1e6]);
  buckets.push([3000, 1]);
  return { type: 'empirical', buckets };
})();

/** The paper's hedge: a backup after 10 ms, through the real HedgeCore; a 5% budget with room for a call's burst of ~20 stragglers. */
const HEDGE_AFTER_10MS = { delay: '10ms', budget: { ratio: 0.05, maxTokens: 1000 } } as const;

const ALL_100 = Array.from({ length: 100 }, (_, i) => i);

/**
 * A disk-read service on the paper's tied-request setup: lognormal service of median `median` and
 * spread `sigma`, one FIFO worker per server (a disk) at `utilization` of its capacity. Each fit
 * reproduces Table 2's untied column (p50, p90, p99, p99.9 = 19, 38, 67, 98 ms) about equally well.
 */
export interface DiskFit {
  readonly sigma: number;
  readonly utilization: number;
  readonly median: number;
}

/** Three fits of the untied column (docs/sim.md): mostly idle disks with a wide service time, to busier disks with a narrower one. */
export const TIED_DISK_FITS = {
  idle: { sigma: 0.55, utilization: 0.1, median: 16.44 },
  quarter: { sigma: 0.5, utilization: 0.25, median: 15.16 },
  busy: { sigma: 0.45, utilization: 0.35, median: 14.23 },
} as const satisfies Record<string, DiskFit>;

/**
 * 20 disks, reads to one random server (untied) or tied to two with a 1 ms stagger (the real
 * TiedCore; each server's real TiedRegistry drops a copy whose twin started), 0.5 ms one way.
 */
export function tiedDiskModel(fit: DiskFit, tied: boolean, duration = '120s'): ModelSpec {
  const mean = fit.median * Math.exp((fit.sigma * fit.sigma) / 2);
  return {
    duration,
    warmup: '5s',
    arrivals: { type: 'poisson', ratePerSec: (20 * fit.utilization * 1000) / mean },
    clients: { picker: 'random', ...(tied ? { tied: { delay: '1ms' } } : {}) },
    servers: [{ count: 20, workers: 1, service: { type: 'lognormal', median: fit.median, sigma: fit.sigma } }],
    network: { delay: { type: 'constant', value: 0.5 } },
  };
}

/** Reproduction 4's built-ins. */
export const hedgingScenarios: readonly Scenario[] = [
  {
    name: 'hedging',
    description:
      'The Tail at Scale benchmark: 1,000 leaves per call over 100 idle servers, leaf latency P(>10 ms) = 2%, P(>70 ms) = 0.1%, P(>1.8 s) = 10⁻⁶ (power-law tail between); a hedge after 10 ms through the real HedgeCore takes p99.9 from ≈1.8 s to ≈75 ms for ≈2% more requests.',
    model: {
      duration: '22s',
      arrivals: { type: 'poisson', ratePerSec: 100 },
      servers: [{ count: 100, workers: 'unbounded', service: TAIL_AT_SCALE_LEAF }],
      fanOut: { leaves: 1000 },
    },
    variants: [
      { name: 'no hedge', clients: { picker: 'random' } },
      { name: 'hedge after 10ms', clients: { picker: 'random', hedge: HEDGE_AFTER_10MS } },
    ],
  },
  {
    name: 'hedging-slowdown',
    description:
      'The hedging benchmark with every server 3× slower: most leaves now pass the 10 ms delay, and the hedge budget (5% of calls) holds the extra requests to 5% instead of the ~75% asked for.',
    model: {
      duration: '11s',
      arrivals: { type: 'poisson', ratePerSec: 100 },
      servers: [{ count: 100, workers: 'unbounded', service: TAIL_AT_SCALE_LEAF }],
      fanOut: { leaves: 1000 },
      faults: [{ atMs: 0, action: 'slow', servers: ALL_100, factor: 3 }],
    },
    variants: [
      { name: 'no hedge', clients: { picker: 'random' } },
      { name: 'hedge after 10ms, 5% budget', clients: { picker: 'random', hedge: HEDGE_AFTER_10MS } },
      { name: 'hedge after 10ms, no budget', clients: { picker: 'random', hedge: { delay: '10ms', budget: false } } },
    ],
  },
  {
    name: 'tied-requests',
    description:
      "The Tail at Scale's tied requests (Table 2, idle cluster): disk reads tied to 2 of 20 servers with a 1 ms stagger, the server that starts first cancelling its twin. Both disk fits match the paper's untied latencies; the p99.9 cut (paper: 38%) depends on how busy the disks are.",
    model: tiedDiskModel(TIED_DISK_FITS.busy, false),
    variants: [
      { name: 'untied, disks 35% busy', ...pick(tiedDiskModel(TIED_DISK_FITS.busy, false)) },
      { name: 'tied 1ms, disks 35% busy', ...pick(tiedDiskModel(TIED_DISK_FITS.busy, true)) },
      { name: 'untied, disks 10% busy', ...pick(tiedDiskModel(TIED_DISK_FITS.idle, false)) },
      { name: 'tied 1ms, disks 10% busy', ...pick(tiedDiskModel(TIED_DISK_FITS.idle, true)) },
    ],
  },
];

function pick(m: ModelSpec): Pick<ModelSpec, 'arrivals' | 'clients' | 'servers'> {
  return { arrivals: m.arrivals, clients: m.clients!, servers: m.servers };
}
