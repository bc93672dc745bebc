/**
 * The lab's result, as printed with `--json` and embedded in the HTML report. Latencies are ms,
 * rates per second, ratios in [0, 1]. Version this shape: tools read it.
 */
import type { ScaleScenarioResult } from '../scenarios/scale.js';
import type { SlowReplicasResult } from '../scenarios/slow-replicas-load.js';
import type { HistogramSnapshot } from 'headroom';
import type { PhaseLoad } from '../load/driver.js';
import type { ClientLoopDelay } from '../load/loop-delay.js';
import type { ErrorCounts, TimelinePoint } from '../load/phase-recorder.js';
import type { MetricKey } from '../scenarios/types.js';
import type { ChaosLabResult } from '../chaos/types.js';
import type { HostProbe } from '../host-probe.js';

/** One measured phase. */
export interface PhaseResult {
  readonly label: string;
  readonly role: 'baseline' | 'treatment';
  readonly summary: string;
  /** Measured window, ms (warm-up excluded). */
  readonly durationMs: number;
  /** Requests sent in the window. */
  readonly sent: number;
  /** Requests that succeeded (2xx). */
  readonly ok: number;
  /** Goodput: successful responses that arrived during the window, per second. */
  readonly okPerSec: number;
  readonly errors: ErrorCounts;
  /** Failed requests / finished requests. */
  readonly errorRate: number;
  /** Latency of successful requests, from each request's intended send time. */
  readonly latencyMs: HistogramSnapshot;
  /** Latency (ms) at percentiles for CDF plots. */
  readonly cdf: readonly { readonly percentile: number; readonly ms: number }[];
  /** One point per interval. */
  readonly timeline: readonly TimelinePoint[];
  /** Store queries in the window, all replicas. */
  readonly storeQueries: number;
  readonly storeQps: number;
  /** Store queries for the hot key (hot-key scenario). */
  readonly hotKeyQueries: number;
  /** Reads answered without their own store query, or null when the phase does not cache. */
  readonly hitRatio: number | null;
  /** Requests each replica received (index order). */
  readonly replicaRequests: readonly number[];
  /** Share of requests sent to replica 0 (the slow one in the slow-replica scenario). */
  readonly slowShare: number;
  /** HTTP attempts beyond one per request (hedges), as a share of requests. */
  readonly extraRequestRatio: number;
  /**
   * TCP connections the client opened from the window's start until its last request finished:
   * besides the pools' growth, one for each attempt cancelled on the wire (a hedge's loser, a
   * passed deadline), since HTTP/1.1 can stop an answer only by closing its connection.
   */
  readonly connectionsOpened: number;
  /**
   * CPU time of the lab's own process — the client and its load generator — from the window's
   * start until its last request finished, ms (user + system).
   */
  readonly clientCpuMs: number;
  /** Requests the replicas' limiters rejected. */
  readonly shedByReplicas: number;
  /** Requests (hedges included) the replicas stalled by fault injection during the window. */
  readonly stalledRequests: number;
  /**
   * Of `stalledRequests`, those whose caller hung up before the stall ended: a hedge answered first
   * (or the deadline passed), seen by the replicas until the phase's last request finished. What
   * hedging controls; a busy machine's own stalls, which slow every request alike, do not enter it.
   */
  readonly stalledAbandoned: number;
  /** How late the load generator sent requests (actual − intended send time, ms) — high values mean the client, not the service, was slow. */
  readonly generatorLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /**
   * Each replica's latency as the client saw it (index order), in the CDF's format: its successful
   * attempts of the window's requests, hedges included, each from its send to its answer (so
   * without the send lag that `cdf` holds). Empty for a replica that answered none.
   */
  readonly replicaCdf: readonly (readonly { readonly percentile: number; readonly ms: number }[])[];
  /**
   * Successful attempts of the window's requests (hedges included) per second of the window, by
   * the second each attempt was sent in, per replica: `[second][replica]`, index order. The share
   * to each replica per second, for `headroom sim-vs-lab`'s spread (an attempt sent after the
   * window, a late hedge, counts in its last second).
   */
  readonly replicaAttemptsBySecond: readonly (readonly number[])[];
  /** The client's own event-loop delay from the window's start until its last request finished. */
  readonly clientLoopDelay: ClientLoopDelay;
  /** How the phase's cache was warmed to steady state before it was measured, or null (it started empty). */
  readonly steadyWarmup: {
    /** Replayed time, s. */
    readonly replayedSec: number;
    /** Requests replayed, every replica. */
    readonly requests: number;
    /** Wall time the replay took, ms. */
    readonly tookMs: number;
    /** Hit ratio of each 20 s of the replay: flat at the end once the cache has settled. */
    readonly hitRatioByBlock: readonly number[];
    /** Replayed requests that failed and were skipped (e.g. the Redis tier timed out), and the first failure's message. */
    readonly failed: number;
    readonly error: string | null;
  } | null;
  /** Requests sent in the window, per second. */
  readonly offeredPerSec: number;
  /** Responses of any status (shed included; timeouts and connection errors not) that arrived during the window, per second. */
  readonly answeredPerSec: number;
  /** Store queries ÷ the store's modelled capacity over the window, on the busiest replica. */
  readonly storeUtilization: number;
  /**
   * Null when the phase measured the technique; else why it measured the machine instead (it
   * answered under 95% of the offered load while its store had room), and its comparisons are not shown.
   */
  readonly machineLimit: string | null;
}

/** One scenario of the tour. */
export interface ScenarioResult {
  readonly name: string;
  readonly title: string;
  readonly question: string;
  readonly load: PhaseLoad;
  readonly phases: readonly PhaseResult[];
  /** Metrics the verdict compares. */
  readonly highlights: readonly MetricKey[];
  readonly extraColumn: MetricKey | null;
  /** Baseline vs each treatment in one line, computed from the figures above (after Ctrl-C, where the scenario stopped). */
  readonly verdict: string;
}

/** A whole lab run. */
export interface LabReport {
  /** The opt-in `scale` scenario's sweep and USL fit, when it ran. */
  readonly scale?: ScaleScenarioResult;
  /** The opt-in `slow-replicas-load` scenario (round-robin, P2C, Prequal interleaved), when it ran. */
  readonly slowReplicas?: SlowReplicasResult;
  readonly tool: 'headroom lab';
  readonly schemaVersion: 1;
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Command line that reproduces this run. */
  readonly command: string;
  readonly seed: number;
  readonly settings: {
    readonly replicas: number;
    readonly products: number;
    readonly store: 'sqlite' | 'postgres';
    readonly redis: boolean;
    readonly phaseDurationMs: number;
    readonly warmupMs: number;
    /** The run's first phase warms up longer: the fleet's cold start (load/cold-start.ts). Older runs lack it. */
    readonly firstPhaseWarmupMs?: number;
    readonly zipfExponent: number;
  };
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    /** The machine's 1-minute load average when the run started and ended: above the CPU count, other work competed. */
    readonly loadAverage: { readonly start: number; readonly end: number };
    /** A fixed piece of CPU work timed when the run started and ended (lab/host-probe.ts): how fast the host ran. Older runs lack it. */
    readonly hostProbe?: { readonly start: HostProbe; readonly end: HostProbe };
  };
  /** Time to seed the store, ms. */
  readonly seedMs: number;
  /** Wall time of the whole run, ms. */
  readonly totalMs: number;
  /**
   * Null when every phase ran; after Ctrl-C, why and how far the run got (`scenarios` then holds
   * only completed phases: a scenario with none is left out, one with a single phase has no verdict).
   */
  readonly interrupted: { readonly reason: string; readonly completedPhases: number; readonly totalPhases: number } | null;
  readonly scenarios: readonly ScenarioResult[];
  /** The opt-in `chaos` scenario (`--scenario chaos`), when it ran to the end. */
  readonly chaos?: ChaosLabResult;
}
