/**
 * The lab's `chaos` scenario as a result (`--json`, the HTML report): one timeline under steady
 * load with three events — a replica killed, the Redis tier stalled through the chaos proxy, the
 * stall healed — and what each did. Times are seconds from the start of the load.
 */

/** The name on the command line (`--scenario chaos`); opt-in, not part of the default tour. */
export const CHAOS_SCENARIO = 'chaos';

/** One interval of the timeline. */
export interface ChaosPoint {
  /** End of the interval, s. */
  readonly tSec: number;
  readonly okPerSec: number;
  readonly errorsPerSec: number;
  /** Latency of successes in the interval, ms (null when none succeeded). */
  readonly p50: number | null;
  readonly p99: number | null;
  /** Store queries per second, surviving replicas. */
  readonly storeQps: number;
  /** Reads answered without their own store query, or null when there were none. */
  readonly hitRatio: number | null;
}

/** When each fault started and ended, s. */
export interface ChaosEvents {
  readonly killSec: number;
  readonly stallSec: number;
  readonly healSec: number;
  readonly endSec: number;
}

/** Acknowledged writes against what the store holds afterwards (each write adds 1 to a product's stock). */
export interface WriteLedgerResult {
  /** Writes sent. */
  readonly sent: number;
  /** Answered 2xx: the service said the write happened. */
  readonly acknowledged: number;
  /** Answered with an error status (e.g. 500 when the cache invalidation after the store write timed out). */
  readonly answeredError: number;
  /** No answer (connection reset by the killed replica, refused, deadline passed). */
  readonly unanswered: number;
  /** Stock added in the store over the written products: the writes that happened. */
  readonly present: number;
  /** Acknowledged writes missing from the store: max(0, acknowledged − present). Must be 0. */
  readonly lost: number;
}

/** One stretch of the timeline between two events, summarised. */
export interface ChaosStage {
  readonly label: string;
  readonly fromSec: number;
  readonly toSec: number;
  readonly okPerSec: number;
  /** Failed requests in the stretch. */
  readonly errors: number;
  /** Highest interval p99 in the stretch, ms. */
  readonly p99Max: number | null;
  readonly storeQps: number;
  readonly hitRatio: number | null;
  /** What recovered, and how fast. */
  readonly note: string;
}

/** What the scenario measured. */
export interface ChaosLabResult {
  readonly name: typeof CHAOS_SCENARIO;
  readonly title: string;
  readonly question: string;
  /** Offered load, requests/s, and the share that were writes. */
  readonly ratePerSec: number;
  readonly writeShare: number;
  readonly events: ChaosEvents;
  readonly timeline: readonly ChaosPoint[];
  /** Killed replica: when the client's outlier detection ejected it, and the failures it cost. */
  readonly kill: {
    readonly replica: number;
    /** Seconds from the kill to the ejection, or null when it was never ejected. */
    readonly ejectedAfterSec: number | null;
    /** Failed requests from the kill until the stall. */
    readonly failures: number;
    /** Seconds from the kill to its last failed request (0 when none failed): how long clients saw it. */
    readonly recoverySec: number;
  };
  /** Redis tier stalled (every command held by the proxy): the caches fall back to the loader. */
  readonly stall: {
    /** Steady state before the kill (its second half): p99, store q/s, hit ratio. */
    readonly steady: { readonly p99: number | null; readonly storeQps: number; readonly hitRatio: number | null };
    /** During the stall: p99 of all successes, store q/s, hit ratio. */
    readonly during: { readonly p99: number | null; readonly storeQps: number; readonly hitRatio: number | null };
    /** Failed reads during the stall (reads fall back to the store, so: 0). */
    readonly readFailures: number;
    /** Failed writes during the stall. */
    readonly writeFailures: number;
    /**
     * Seconds from the stall until every later interval had successes with a p99 within 2× the
     * steady p99 (+5 ms), or null when the last interval before the heal still had not.
     */
    readonly latencyRecoverySec: number | null;
    /** Seconds from the heal until the hit ratio was back within 10 points of steady, or null. */
    readonly tierBackAfterSec: number | null;
  };
  readonly writes: WriteLedgerResult;
  /** The timeline in four stretches: steady, after the kill, Redis stalled, healed. */
  readonly stages: readonly ChaosStage[];
  /** Sentences the report prints under the table. */
  readonly verdict: string;
}
