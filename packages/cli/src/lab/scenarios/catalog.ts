/**
 * The lab's scenarios. Each isolates one technique: the two phases differ in exactly one setting,
 * under the same seeded load. Rates are per replica, so `--replicas` scales the load with the fleet.
 * Faults are sized as in the literature the modules cite: a replica 10× slower than its peers
 * (Finagle's and Linkerd's peak-EWMA motivation) and 1% of requests stalling for ~100× the median
 * (Dean & Barroso, "The Tail at Scale").
 */
import type { ScenarioSpec } from './types.js';

/** What scenario definitions may depend on. */
export interface ScenarioContext {
  /** Number of replicas. */
  readonly replicas: number;
  /** Whether the caches sit on the shared Redis tier (`--redis`); default false. */
  readonly redis?: boolean;
}

const NO_FAULTS = { slowFactor: 1, stallProbability: 0, stallMs: 0 } as const;
const TIMEOUT_MS = 1_000;

/** Capacity of the overload scenario's fleet, requests/s: replicas × pool / query time. */
export function overloadCapacityPerSec(replicas: number): number {
  return (replicas * OVERLOAD_POOL * 1000) / OVERLOAD_LATENCY_MS;
}
const OVERLOAD_POOL = 2;
/**
 * Replayed traffic that warms the cache scenario's warm phases: two TTLs. With a TTL, a cache is at
 * steady state once every entry has had the chance to expire and be reloaded (one TTL); the second
 * shows it has settled. (This cache never fills: at 200 reads/s per replica, fewer than 20,000
 * products are read within any 60 s, so the TTL, not the size, sets its hit ratio.)
 */
const STEADY_WARMUP_MS = 180_000;
const OVERLOAD_LATENCY_MS = 20;

/** Every scenario, in tour order. */
export function scenarioCatalog(ctx: ScenarioContext): ScenarioSpec[] {
  const perReplica = (rate: number): number => rate * ctx.replicas;
  return [
    {
      name: 'cache',
      title: 'Cache in front of the store',
      question:
        ctx.redis === true
          ? 'How much read load does an in-process cache over a shared Redis tier take off the store, and what does it do to latency?'
          : 'How much read load does an in-process cache take off the store, and what does it do to latency?',
      load: { ratePerSec: perReplica(200), hotKeyShare: 0, writeShare: 0.01, timeoutMs: TIMEOUT_MS },
      // 2 connections × 8 ms per query = 250 queries/s per replica: the store runs at ~80% without a cache.
      store: { poolSize: 2, latencyMs: 8 },
      cache: { maxEntries: 20_000, ttlMs: 60_000, hotKeyTtlMs: null },
      faults: () => NO_FAULTS,
      hedge: null,
      phases: [
        {
          label: 'no cache',
          role: 'baseline',
          summary: 'every read queries the store',
          cacheMode: 'off',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'cache, cold',
          role: 'treatment',
          summary:
            'reads go through headroom/cache (getOrLoad, 60 s TTL, 20k entries per replica), starting empty: most misses are first reads',
          cacheMode: 'cache',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'cache, warm',
          role: 'treatment',
          summary: `the same cache, first warmed to steady state: ${STEADY_WARMUP_MS / 1000} s of the same traffic replayed into it (three TTLs)`,
          cacheMode: 'cache',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
          steadyWarmupMs: STEADY_WARMUP_MS,
        },
        {
          label: 'affinity, warm',
          role: 'treatment',
          summary:
            "the warmed cache, each product routed to its home replica (balance hashAffinity over partition's bounded-load ring), so each replica caches a third of the catalog and sees each of its products three times as often",
          cacheMode: 'cache',
          limiter: false,
          routing: 'key-affinity',
          hedging: false,
          steadyWarmupMs: STEADY_WARMUP_MS,
        },
      ],
      highlights: ['storeQps', 'hitRatio', 'p50', 'p99'],
      extraColumn: null,
    },
    {
      name: 'hot-key',
      title: 'A hot key expiring under load',
      question: 'When a popular entry expires, how many store queries does the refill cost with and without single-flight?',
      load: { ratePerSec: perReplica(250), hotKeyShare: 0.5, writeShare: 0, timeoutMs: TIMEOUT_MS },
      store: { poolSize: 8, latencyMs: 40 },
      cache: { maxEntries: 20_000, ttlMs: 60_000, hotKeyTtlMs: 250 },
      faults: () => NO_FAULTS,
      hedge: null,
      phases: [
        {
          label: 'cache-aside',
          role: 'baseline',
          summary: 'get, then load and set on a miss: every concurrent miss queries the store',
          cacheMode: 'aside',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'single-flight',
          role: 'treatment',
          summary: 'headroom/cache getOrLoad: one load per key per replica, others wait for it',
          cacheMode: 'cache',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
      ],
      highlights: ['hotKeyQueries', 'storeQps', 'p99'],
      extraColumn: 'hotKeyQueries',
    },
    {
      name: 'slow-replica',
      title: 'One replica 10× slower',
      question:
        'With one replica ten times slower than the others (its store round trip 40 ms instead of 4), what does the balancing policy do to the tail?',
      load: { ratePerSec: perReplica(200), hotKeyShare: 0, writeShare: 0, timeoutMs: TIMEOUT_MS },
      store: { poolSize: 16, latencyMs: 4 },
      cache: { maxEntries: 0, ttlMs: 0, hotKeyTtlMs: null },
      faults: (index) => (index === 0 ? { slowFactor: 10, stallProbability: 0, stallMs: 0 } : NO_FAULTS),
      hedge: null,
      phases: [
        {
          label: 'round-robin',
          role: 'baseline',
          summary: 'headroom/balance round-robin: each replica gets 1/n',
          cacheMode: 'off',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'p2c + peak-ewma',
          role: 'treatment',
          summary: 'headroom/balance power of two choices over peak-EWMA latency × (pending + 1), decay window 3 s (the default)',
          cacheMode: 'off',
          limiter: false,
          routing: 'p2c-peak-ewma',
          hedging: false,
        },
      ],
      highlights: ['slowShare', 'p50', 'p99'],
      extraColumn: 'slowShare',
    },
    {
      name: 'stalls',
      title: '1% of requests stall',
      question: 'When 1% of requests stall for ~100× the median, how much of the tail does hedging within a 5% budget remove?',
      load: { ratePerSec: perReplica(200), hotKeyShare: 0, writeShare: 0, timeoutMs: TIMEOUT_MS },
      store: { poolSize: 16, latencyMs: 2 },
      cache: { maxEntries: 0, ttlMs: 0, hotKeyTtlMs: null },
      faults: () => ({ slowFactor: 1, stallProbability: 0.01, stallMs: 250 }),
      hedge: { delayPercentile: 98, budgetRatio: 0.05, maxExtraAttempts: 1 },
      phases: [
        {
          label: 'no hedging',
          role: 'baseline',
          summary: 'one attempt per request',
          cacheMode: 'off',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'hedging',
          role: 'treatment',
          summary: 'headroom/latency HedgePolicy: a backup to another replica after the recent p98 latency, extra load capped at 5%',
          cacheMode: 'off',
          limiter: false,
          routing: 'round-robin',
          hedging: true,
        },
      ],
      highlights: ['p999', 'p99', 'extraRequestRatio'],
      extraColumn: 'extraRequestRatio',
    },
    {
      name: 'overload',
      title: 'Overload at 2× capacity',
      question: `Offered twice what the fleet can serve (${overloadCapacityPerSec(ctx.replicas)} req/s), does the service keep serving or collapse?`,
      load: { ratePerSec: 2 * overloadCapacityPerSec(ctx.replicas), hotKeyShare: 0, writeShare: 0, timeoutMs: TIMEOUT_MS },
      store: { poolSize: OVERLOAD_POOL, latencyMs: OVERLOAD_LATENCY_MS },
      cache: { maxEntries: 0, ttlMs: 0, hotKeyTtlMs: null },
      faults: () => NO_FAULTS,
      hedge: null,
      phases: [
        {
          label: 'no limiter',
          role: 'baseline',
          summary: 'every request is accepted and queues for the store',
          cacheMode: 'off',
          limiter: false,
          routing: 'round-robin',
          hedging: false,
        },
        {
          label: 'adaptive limiter',
          role: 'treatment',
          summary: 'headroom/latency fastifyLimiter on each replica (windowed Vegas adaptive limit): excess gets 503 at once',
          cacheMode: 'off',
          limiter: true,
          routing: 'round-robin',
          hedging: false,
        },
      ],
      highlights: ['okPerSec', 'p99', 'errorRate'],
      extraColumn: null,
    },
  ];
}
