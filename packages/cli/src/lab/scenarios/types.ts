/**
 * What a lab scenario is: one question, one offered load, and phases (a baseline and a treatment)
 * that differ only in the technique under test. The runner gives every phase of a scenario the same
 * seed, so they see the same arrivals and the same keys.
 */
import type { PhaseLoad } from '../load/driver.js';
import type { CacheMode, ReplicaPhaseConfig } from '../service/protocol.js';

/** A module of Headroom a phase relies on. */
export type Integration = 'cache' | 'balance' | 'latency' | 'partition';

/** How the load generator picks a replica for each request. */
export type Routing = 'round-robin' | 'p2c-peak-ewma' | 'key-affinity';

/** One arm of a scenario. */
export interface PhaseSpec {
  /** Short label for tables and charts, e.g. "no cache". */
  readonly label: string;
  readonly role: 'baseline' | 'treatment';
  /** One line: what this phase does differently. */
  readonly summary: string;
  /** How replicas answer reads. */
  readonly cacheMode: CacheMode;
  /** Whether replicas run the adaptive concurrency limiter. */
  readonly limiter: boolean;
  /** How the client picks a replica. */
  readonly routing: Routing;
  /** Whether the client hedges (with the scenario's hedge settings). */
  readonly hedging: boolean;
  /**
   * Replayed time of the phase's own traffic to warm its cache with before it is measured, ms
   * (see load/steady-warmup.ts); absent: the phase starts with an empty cache.
   */
  readonly steadyWarmupMs?: number;
}

/** Hedging settings of a scenario. */
export interface HedgeSpec {
  /** Percentile of recent latencies after which a backup request is sent. */
  readonly delayPercentile: number;
  /** Extra requests allowed, as a share of requests (e.g. 0.05 = 5%). */
  readonly budgetRatio: number;
  /** Most backups per request. */
  readonly maxExtraAttempts: number;
}

/** A measured figure a verdict can compare between phases. */
export type MetricKey =
  'p50' | 'p99' | 'p999' | 'okPerSec' | 'errorRate' | 'storeQps' | 'hitRatio' | 'hotKeyQueries' | 'slowShare' | 'extraRequestRatio';

/** A scenario: see the file comment. */
export interface ScenarioSpec {
  /** CLI name, kebab-case. */
  readonly name: string;
  /** Title for reports. */
  readonly title: string;
  /** The question it answers, one sentence. */
  readonly question: string;
  /** The offered load (the same for every phase). */
  readonly load: PhaseLoad;
  /** Store path of every replica. */
  readonly store: ReplicaPhaseConfig['store'];
  /** Cache sizing, when a phase caches. */
  readonly cache: { readonly maxEntries: number; readonly ttlMs: number; readonly hotKeyTtlMs: number | null };
  /** Faults injected into replica `index`. */
  readonly faults: (index: number) => ReplicaPhaseConfig['faults'];
  /** Hedging settings for phases with `hedging: true`. */
  readonly hedge: HedgeSpec | null;
  /** Baseline first, then the treatment, then any further treatment. */
  readonly phases: readonly [PhaseSpec, PhaseSpec, ...PhaseSpec[]];
  /** Figures the verdict line compares, in order. */
  readonly highlights: readonly MetricKey[];
  /** Scenario-specific table column, if any. */
  readonly extraColumn: MetricKey | null;
}

/** The integrations a phase needs. */
export function phaseRequires(phase: PhaseSpec): Integration[] {
  const needs = new Set<Integration>(['balance']);
  if (phase.cacheMode !== 'off') needs.add('cache');
  if (phase.hedging || phase.limiter) needs.add('latency');
  return [...needs];
}

/**
 * Replica `index`'s modelled store capacity in a scenario, queries/s: its connections ÷ its round
 * trip (a slow replica's round trip is `slowFactor` times longer).
 */
export function storeCapacityPerSec(scenario: ScenarioSpec, index: number): number {
  return (scenario.store.poolSize * 1000) / (scenario.store.latencyMs * scenario.faults(index).slowFactor);
}
