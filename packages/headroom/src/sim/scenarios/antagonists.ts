/**
 * A multi-tenant fleet in the manner of Prequal's testbed (Wydrowski et al., NSDI 2024, §5):
 * every server shares its machine with antagonists whose demand changes over time, so each
 * server's speed varies independently — here a piecewise-constant slow-down factor per server,
 * redrawn after exponential holding times (as `slow` faults, generated from a seed). Load is
 * stated against the *provisioned* capacity P (what the fleet was sized for); the machines can
 * serve about 1.93 P on average (`headroomFactor`), so the ramp of 0.75 P → 1.74 P ends at
 * 0.9 of the fleet's real mean capacity.
 */
import { SeededRandom } from '../../core/random.js';
import type { FaultSpec, ModelSpec, PickerSpec, LoadSpec } from '../model-spec.js';

/** Settings of {@link antagonistModel}. */
export interface AntagonistFleet {
  readonly servers: number;
  readonly clients: number;
  /** Workers per server; default 4. */
  readonly workers?: number;
  /** Median service time on an idle, unslowed worker, ms (lognormal, σ 0.5); default 4. */
  readonly serviceMedianMs?: number;
  /** Slow-down factors and their probabilities; default 1 (50%), 2 (30%), 4 (20%). */
  readonly factors?: readonly (readonly [factor: number, probability: number])[];
  /** Mean time a server keeps one factor, ms; default 2,000. */
  readonly holdMs?: number;
  /** Load steps, as multiples of the provisioned capacity, each `stepMs` long. */
  readonly steps: readonly number[];
  readonly stepMs: number;
  /** Seed of the antagonists' schedule (not the run's seed); default 1. */
  readonly scheduleSeed?: number;
  /** One-way network delay, ms; default 0.25. */
  readonly networkMs?: number;
}

const SIGMA = 0.5;
const DEFAULT_FACTORS: readonly (readonly [number, number])[] = [
  [1, 0.5],
  [2, 0.3],
  [4, 0.2],
];

/** Real mean capacity ÷ provisioned capacity: 1.74 P is 0.9 of what the fleet can serve. */
export const HEADROOM_FACTOR = 1.74 / 0.9;

/** The fleet's real mean capacity, requests/s: Σ workers / (mean service · factor), averaged over the factors. */
export function meanCapacityPerSec(fleet: AntagonistFleet): number {
  const workers = fleet.workers ?? 4;
  const meanServiceMs = (fleet.serviceMedianMs ?? 4) * Math.exp((SIGMA * SIGMA) / 2);
  const speed = (fleet.factors ?? DEFAULT_FACTORS).reduce((a, [f, p]) => a + p / f, 0);
  return (fleet.servers * workers * 1000 * speed) / meanServiceMs;
}

/** The provisioned capacity P, requests/s. */
export function provisionedPerSec(fleet: AntagonistFleet): number {
  return meanCapacityPerSec(fleet) / HEADROOM_FACTOR;
}

/** Each server's slow-down schedule, as `slow` faults (deterministic for a schedule seed). */
export function antagonistFaults(fleet: AntagonistFleet, durationMs: number): FaultSpec[] {
  const random = new SeededRandom(fleet.scheduleSeed ?? 1);
  const factors = fleet.factors ?? DEFAULT_FACTORS;
  const hold = fleet.holdMs ?? 2000;
  const faults: FaultSpec[] = [];
  for (let s = 0; s < fleet.servers; s++) {
    for (let t = 0; t < durationMs; t += -Math.log(1 - random.next()) * hold) {
      let u = random.next();
      let factor = factors[factors.length - 1]![0];
      for (const [f, p] of factors) {
        if (u < p) {
          factor = f;
          break;
        }
        u -= p;
      }
      faults.push({ atMs: Math.round(t), action: 'slow', servers: [s], factor });
    }
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}

/** The model: the load steps as a rate timeline, antagonists as faults, the given picker and load metric. */
export function antagonistModel(fleet: AntagonistFleet, picker: PickerSpec, load: LoadSpec = 'outstanding'): ModelSpec {
  const durationMs = fleet.steps.length * fleet.stepMs;
  const p = provisionedPerSec(fleet);
  return {
    duration: durationMs,
    warmup: Math.min(fleet.stepMs / 4, 2000),
    arrivals: { type: 'timeline', points: fleet.steps.map((m, i) => [i * fleet.stepMs, m * p] as const) },
    clients: { count: fleet.clients, picker, load },
    servers: [
      {
        count: fleet.servers,
        workers: fleet.workers ?? 4,
        service: { type: 'lognormal', median: fleet.serviceMedianMs ?? 4, sigma: SIGMA },
      },
    ],
    network: { delay: { type: 'constant', value: fleet.networkMs ?? 0.25 } },
    faults: antagonistFaults(fleet, durationMs),
  };
}
