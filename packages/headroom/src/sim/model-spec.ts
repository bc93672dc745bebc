/**
 * The model a simulation runs, as plain data (what a scenario file holds after validation, and
 * what a TypeScript scenario writes directly). Lengths of time are `Duration`s (a number of ms or
 * '250ms', '5s'), instants are `…Ms` numbers of virtual time, rates are per second.
 */
import type { ActiveHealthOptions, OutlierOptions, SlowStartOptions } from '../balance/index.js';
import type { Duration } from '../core/duration.js';
import type { DistributionSpec } from './distributions.js';
import type { CacheSpec } from './cache.js';
import type { KeySpec, PartitionerSpec } from './keys.js';
import type { LimiterSpec } from './limiter.js';

/** How requests arrive (open loop: arrivals never wait for answers). */
export type ArrivalSpec =
  /** Poisson arrivals (exponential gaps) at a fixed rate, or evenly spaced ones (`constant`). */
  | { readonly type: 'poisson' | 'constant'; readonly ratePerSec: number }
  /**
   * A Markov-modulated Poisson process: the rate of state i holds for an exponential time of mean
   * `meanDuration`, then the next state (cyclically) takes over — bursts, diurnal swings.
   */
  | { readonly type: 'mmpp'; readonly states: readonly { readonly ratePerSec: number; readonly meanDuration: Duration }[] }
  /**
   * A recorded rate timeline: from `atMs` on, requests arrive at `ratePerSec` (piecewise constant,
   * the first point at 0); Poisson unless `poisson` is false.
   */
  | { readonly type: 'timeline'; readonly points: readonly (readonly [atMs: number, ratePerSec: number])[]; readonly poisson?: boolean };

/** A picker from `headroom/balance`, by name (with its options). */
export type PickerSpec =
  | 'round-robin'
  | 'random'
  | 'least-loaded'
  | 'p2c'
  | { readonly type: 'p2c'; readonly choices?: number }
  | { readonly type: 'round-robin' | 'random' | 'least-loaded' }
  /** Weighted pickers (every server weight 1; slow start lowers a rejoining server's weight): smooth weighted round-robin, weighted random. */
  | 'smooth-wrr'
  | 'weighted-random'
  | 'prequal'
  /** Prequal: probes servers for RIF and latency (options as `prequal()` of headroom/balance). */
  | {
      readonly type: 'prequal';
      readonly probesPerQuery?: number;
      readonly poolSize?: number;
      readonly maxAge?: Duration;
      readonly qRif?: number;
      readonly removalsPerQuery?: number;
      readonly maxProbesInFlight?: number;
    }
  | 'aperture'
  /**
   * Deterministic aperture: client i of `clients.count` talks only to its slice of the server ring
   * (at least `minAperture` servers, default 12) and runs P2C over the load metric inside it.
   */
  | { readonly type: 'aperture'; readonly minAperture?: number }
  | 'c3'
  /** C3: replica scores from piggybacked queue size and service time, CUBIC rate control per replica (its load metric is C3's R̄). */
  | { readonly type: 'c3'; readonly rateControl?: boolean; readonly choices?: number };

/** A load metric from `headroom/balance`, by name (with its options). */
export type LoadSpec =
  'outstanding' | 'peak-ewma' | { readonly type: 'peak-ewma'; readonly decay?: Duration; readonly defaultRtt?: Duration };

/** Hedged requests (Dean & Barroso): a backup attempt to another server after a delay, within a budget. */
export interface HedgeSpec {
  /** Fixed delay; when absent, the adaptive delay (`percentile` of recent attempt latencies). */
  readonly delay?: Duration;
  /** Adaptive delay percentile, 0–100; default `HedgePolicy`'s (`DEFAULT_HEDGE_PERCENTILE`). */
  readonly percentile?: number;
  /** Attempt latencies kept for the adaptive delay; default 1,000. */
  readonly windowSize?: number;
  /** Samples needed before the adaptive delay is used (no hedging before); default 100. */
  readonly minSamples?: number;
  /** Most backup attempts per call; default 1. */
  readonly maxExtra?: number;
  /** Extra attempts allowed as a fraction of calls (a token budget, burst `maxTokens`); `false` for none. Default `{ ratio: 0.05, maxTokens: 10 }`. */
  readonly budget?: false | { readonly ratio: number; readonly maxTokens?: number };
  /** Remove the losing attempts from their servers' queues when one wins (tied-request style cancel); default false. */
  readonly cancelQueued?: boolean;
}

/**
 * Tied requests (Dean & Barroso): every call goes to two servers, copy 1 `delay` after copy 0;
 * the first server to start its copy tells the twin's server to drop the other (a message over
 * the network), through the real `TiedCore` (client) and `TiedRegistry` (each server).
 */
export interface TiedSpec {
  /** Stagger before copy 1; default 1 ms (`TiedPolicy`'s). */
  readonly delay?: Duration;
}

/** Retries of failed calls through the real `RetryCore`: attempts, budget, jittered backoff. */
export interface RetrySpec {
  /** Attempts in total, including the first; default 3. */
  readonly maxAttempts?: number;
  /** The retry budget (`TokenBudget` options: ratio, minPerSec, maxTokens); `false` for none. Default `RetryPolicy`'s (20% + 10/s). */
  readonly budget?: false | { readonly ratio?: number; readonly minPerSec?: number; readonly maxTokens?: number };
  /**
   * An attempt not answered within this counts as failed (a lost message, a hung or slow server),
   * so its round may retry; the attempt itself is not recalled (its server still serves it, for
   * nobody: `RunResult.servedForNobody`). Default none: a round fails only on failed answers.
   */
  readonly attemptTimeout?: Duration;
  /** Backoff between attempts (`initial`, `max`, `multiplier`, `jitter`); default `RetryPolicy`'s. */
  readonly backoff?: {
    readonly initial?: Duration;
    readonly max?: Duration;
    readonly multiplier?: number;
    readonly jitter?: 'full' | 'equal' | 'none';
  };
}

/** A deadline per call (the real `DeadlineBudget`), propagated to the servers with each attempt. */
export interface DeadlineSpec {
  /** The call's budget: it fails when this has passed (as `timeout`), and retries must fit in it. */
  readonly timeout: Duration;
  /** Servers drop a queued attempt unexecuted when less than this is left as it would start; default 0 (only expired work). */
  readonly minRemaining?: Duration;
  /** Time the client keeps back from what it sends downstream; default 0. */
  readonly reserve?: Duration;
  /** Send the deadline to the servers (deadline-aware servers); default true. */
  readonly propagate?: boolean;
}

/** The clients: each has its own picker and load metrics over every server, as separate processes would. */
export interface ClientSpec {
  /** Number of clients; arrivals go to them in turn. Default 1. */
  readonly count?: number;
  /** Picker; default `'p2c'`. */
  readonly picker?: PickerSpec;
  /** Load metric; default `'outstanding'`. */
  readonly load?: LoadSpec;
  /** Hedging of each call (each leaf of a fan-out); default none. */
  readonly hedge?: HedgeSpec;
  /** Tied requests for each call (each leaf of a fan-out) instead of hedging; default none. */
  readonly tied?: TiedSpec;
  /** Retries of failed calls (each leaf of a fan-out); default none. */
  readonly retry?: RetrySpec;
  /** A deadline per call (each leaf of a fan-out), propagated to the servers; default none. */
  readonly deadline?: DeadlineSpec;
  /** A call not answered within this time fails (its attempts are cancelled); default none. */
  readonly timeout?: Duration;
  /** Event-loop stalls of the client process: responses that arrive during one are seen, calls that arrive during one are sent (their latency still counts from arrival), and its timers (hedge, tied copy, retry backoff, attempt timeout, deadline) fire, when it ends — timers first, as in Node. */
  readonly stalls?: PauseSpec;
  /** Stalls at recorded times, besides `stalls`: every client's event loop stalls at each (a replay of a real client's recorded loop lags); default none. */
  readonly stallsAt?: RecordedPausesSpec;
  /**
   * Outlier ejection by the real `headroom/balance` core (consecutive errors, success rate,
   * latency; ejection backoff; max ejection %), as `Balancer`'s `outlier` option. Setting this,
   * `health` or `panicThreshold` routes the client's picks through a `BalancerCore`, with outlier
   * detection at `Balancer`'s defaults unless this is `false`; default: none of it (a plain picker).
   */
  readonly outlier?: OutlierOptions | false;
  /** Active health checks as `Balancer`'s `health` option (the simulator answers the probes: a crashed server fails fast, a partitioned one times out); default none. */
  readonly health?: Omit<ActiveHealthOptions<number>, 'probe'>;
  /**
   * Slow start as `Balancer`'s `slowStart` option (`{ window, aggression, minWeightPercent }`): a
   * server that rejoins — its health checks pass again, or it is readmitted after an ejection —
   * gets a weight that ramps from `minWeightPercent` to full over `window`. Routes picks through
   * the `BalancerCore` like `outlier`; needs a picker that honours weights (p2c, least-loaded,
   * smooth-wrr, weighted-random). Default none.
   */
  readonly slowStart?: SlowStartOptions;
  /** Below this % of servers healthy and not ejected, pick among all (the balancer's panic threshold); default 50. */
  readonly panicThreshold?: number;
}

/** Process-wide pauses (GC, event-loop stalls): every worker stops for `duration`, every `interval`. */
export interface PauseSpec {
  /** Time from the end of one pause to the start of the next. */
  readonly interval: DistributionSpec;
  /** Length of a pause. */
  readonly duration: DistributionSpec;
}

/**
 * Pauses at recorded times — `[startMs, lengthMs]` from the run's start, starts in order — repeated
 * every `every` when given (a window's record replayed over a longer run).
 */
export interface RecordedPausesSpec {
  readonly at: readonly (readonly [startMs: number, lengthMs: number])[];
  /** Repeat the record this often (longer than its last start); default: once. */
  readonly every?: Duration;
}

/** Queue discipline of a server: first-in-first-out, last-in-first-out, or processor sharing. */
export type Discipline = 'fifo' | 'lifo' | 'ps';

/** A group of identical servers (the fleet is the concatenation of its groups). */
export interface ServerGroupSpec {
  /** Servers in this group. */
  readonly count: number;
  /** Workers per server, or `'unbounded'` (a pure delay: no queueing); default 1. */
  readonly workers?: number | 'unbounded';
  /** Queue discipline; default `'fifo'`. */
  readonly discipline?: Discipline;
  /** Service time of one request on an idle worker. */
  readonly service: DistributionSpec;
  /** Process-wide pauses that stop every worker; default none. */
  readonly pauses?: PauseSpec;
  /** Pauses at recorded times, besides `pauses`: every server of the group stops at each (a replay of a real machine's stalls); default none. */
  readonly pausesAt?: RecordedPausesSpec;
  /** A concurrency limiter from `headroom/latency` in front of each server (requests past the limit are shed at once); default none. */
  readonly limiter?: LimiterSpec;
  /** A cache in front of each server (the real eviction policy of `headroom/cache`): a hit answers without service time. Needs `keys`. */
  readonly cache?: CacheSpec;
}

/**
 * Network between clients and servers: one-way delay each way, and loss of a message, fleet-wide
 * or per link (client × server pair).
 */
export interface NetworkSpec {
  /** One-way delay; default 0. */
  readonly delay?: DistributionSpec;
  /** Probability that a message (request or response) is lost; default 0. Lost calls end only by `clients.timeout`. */
  readonly loss?: number;
  /**
   * Links that differ from the fleet-wide `delay` and `loss`: each entry sets the delay and/or
   * loss of the (client, server) pairs it matches, later entries overriding earlier ones field by
   * field; pairs no entry matches (and fields no matching entry sets) keep the fleet-wide values.
   * A link carries both directions (request and response, a probe and its answer). A message
   * between two servers (a tied request's cancel) goes over the link from the call's client to
   * the server it is sent to. Default none.
   */
  readonly links?: readonly NetworkLinkSpec[];
}

/** One entry of `network.links`: the pairs it matches and what it sets for them. */
export interface NetworkLinkSpec {
  /** Client indexes (0 … `clients.count` − 1); default every client. */
  readonly clients?: readonly number[];
  /** Server indexes (0 … servers − 1, the groups concatenated) or one server group by its index in `servers`; default every server. */
  readonly servers?: readonly number[] | { readonly group: number };
  /** One-way delay on these links; default the value of the earlier entries (else `network.delay`). */
  readonly delay?: DistributionSpec;
  /** Loss probability of a message on these links; default the value of the earlier entries (else `network.loss`). */
  readonly loss?: number;
}

/** Each call goes to `leaves` servers and completes on all of them, a quorum, or a deadline. */
export interface FanOutSpec {
  /** Sub-requests per call. */
  readonly leaves: number;
  /** When the call completes; default `'all'`. */
  readonly complete?: 'all' | { readonly quorum: number } | { readonly deadline: Duration };
}

/** A change to the fleet at a time: crash, restart, slow down by a factor, partition clients away. */
export type FaultSpec =
  | { readonly atMs: number; readonly action: 'crash' | 'restart' | 'recover'; readonly servers: readonly number[] }
  | { readonly atMs: number; readonly action: 'slow'; readonly servers: readonly number[]; readonly factor: number }
  | {
      readonly atMs: number;
      readonly action: 'partition' | 'heal';
      readonly servers: readonly number[];
      readonly clients: readonly number[];
    };

/** One model: arrivals, clients, servers, network, optional fan-out and faults. */
export interface ModelSpec {
  /** Simulated time of arrivals (the run then lets calls in flight finish). */
  readonly duration: Duration;
  /** Calls arriving before this time are not measured; default 10% of `duration`. */
  readonly warmup?: Duration;
  readonly arrivals: ArrivalSpec;
  readonly clients?: ClientSpec;
  readonly servers: readonly ServerGroupSpec[];
  readonly network?: NetworkSpec;
  readonly fanOut?: FanOutSpec;
  readonly faults?: readonly FaultSpec[];
  /**
   * Pauses of the whole machine: at each, every server stops all its workers for its `duration`,
   * all at once (a host's scheduler or a co-tenant stalling every process together), on top of
   * each server's own `pauses`; default none.
   */
  readonly machinePauses?: PauseSpec;
  /** Latency objective: the result counts the measured calls slower than this (`aboveSlo`); default none. */
  readonly slo?: Duration;
  /** Queue lengths tracked for the time-averaged tail (fraction of servers with ≥ k queued); default 16. */
  readonly queueTailLength?: number;
  /** Each call carries a key (Zipf ranks or a recorded trace); default none. */
  readonly keys?: KeySpec;
  /** Route each keyed call to its owner by a real `headroom/partition` partitioner instead of the picker; needs `keys`. */
  readonly partitioner?: PartitionerSpec;
  /** Also record a time series of the run, one point per this interval (`RunResult.series`); default none. */
  readonly series?: Duration;
}
