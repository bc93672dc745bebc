/**
 * The lab's `slow-replicas-load` scenario (opt-in: `headroom lab --scenario slow-replicas-load`):
 * round-robin, P2C + peak-EWMA and Prequal (default Q_RIF, and 0.95) side by side against the reference service's replica
 * processes, a third of them five times slower, at ~68% of the fleet's capacity. Every request goes
 * through headroom/balance's undici `BalancedDispatcher`; the replicas run the `LoadReporter`
 * (service/replica.ts), which Prequal's `httpProber` asks for requests in flight and latency.
 *
 * The cases are interleaved: the window is cut into {@link SLOW_REPLICAS_ROUNDS} rounds, each round
 * runs every case for a segment (order rotated round to round), and each round's arrivals and keys
 * are the same for every case. Drift in the machine's load (it is shared) then falls on every case
 * alike instead of on whichever ran last. Each client keeps its state across rounds (EWMA, probe
 * pool) and gets an unmeasured warm-up before each segment. Before each warm-up the scenario waits
 * until the replicas have run the store queries the previous segment left queued
 * (slow-replicas-load-drain.ts): round-robin leaves the slow replica seconds of them, which the
 * next case would otherwise inherit.
 *
 * Per case: p50/p99/p99.9 from the intended send time (open loop), the share of requests the slow
 * replicas served (their own request counters), probes sent per second and per query, and CPU: the
 * load generator's (`process.cpuUsage`) and the replicas' (`/proc/<pid>/stat`, Linux only, else
 * null), in CPU-ms per second of the window. Probe overhead = Prequal's figures minus P2C's.
 */
import { loadavg } from 'node:os';
import { type Clock, LatencyHistogram, type Random } from 'headroom';
import {
  type PickerFactory,
  type PrequalStats,
  BalancedDispatcher,
  Balancer,
  httpProber,
  outstanding,
  p2c,
  peakEwma,
  prequal,
  roundRobin,
} from 'headroom/balance';
import { Deadline } from 'headroom/latency';
import { poissonRate, runOpenLoop, type Settled } from 'headroom/scale';
import { Agent, request } from 'undici';
import { ownCpuMs, processCpuMs } from '../cpu-time.js';
import type { ProductKeys } from '../load/product-keys.js';
import type { Progress } from '../progress.js';
import type { ReplicaPhaseConfig, ReplicaStats } from '../service/protocol.js';
import { drainReplicas } from './slow-replicas-load-drain.js';

/** The scenario's name on the command line. */
export const SLOW_REPLICAS_SCENARIO = 'slow-replicas-load';

/** Rounds the window is cut into (each runs every case once). */
export const SLOW_REPLICAS_ROUNDS = 3;

/** Store connections per replica. */
const POOL = 2;
/** Store round trip of a healthy replica, ms: 200 queries/s per replica. */
const LATENCY_MS = 10;
/** How much slower a slow replica's store is: 40 queries/s. */
const SLOW_FACTOR = 5;
/** Offered reads per second per replica: 68% of the fleet's capacity, 2.5× a slow replica's. */
const RATE_PER_REPLICA = 100;
const TIMEOUT_MS = 1_000;
/**
 * The replicas count as drained when none started a store query for this long: four of the slow
 * replica's queries, so a busy machine's late timers do not end the wait while a backlog remains.
 */
const DRAIN_QUIET_MS = 4 * LATENCY_MS * SLOW_FACTOR;
/** Longest wait for a drain (round-robin's backlog takes about 5 s to run at these rates). */
const DRAIN_MAX_MS = 30_000;
/**
 * Prequal's bound on probes awaiting replies (default 16). One client sends this scenario's whole
 * load, 3 probes per query: at 300 queries/s a 50 ms probe round trip (a busy shared machine)
 * already needs 45 in flight, and with 16 most probes would be skipped and most picks random.
 */
const MAX_PROBES_IN_FLIGHT = 64;

/** The hot/cold quantile of the fourth case, for a small fleet of unequal replicas. */
const SMALL_FLEET_Q_RIF = 0.95;

/** How many replicas are slow: a third (at least one). */
export function slowReplicaCount(replicas: number): number {
  return Math.max(1, Math.floor(replicas / 3));
}

/** Replica `index`'s settings: no cache, the first {@link slowReplicaCount} replicas slowed. */
export function slowReplicasConfig(index: number, replicas: number, seed: number): ReplicaPhaseConfig {
  return {
    phase: `${SLOW_REPLICAS_SCENARIO}/interleaved`,
    seed,
    store: { poolSize: POOL, latencyMs: LATENCY_MS },
    cache: { mode: 'off', maxEntries: 0, ttlMs: 0, hotKey: null },
    faults: { slowFactor: index < slowReplicaCount(replicas) ? SLOW_FACTOR : 1, stallProbability: 0, stallMs: 0 },
    limiter: false,
  };
}

/** What one case measured over all its segments. */
export interface SlowReplicasCase {
  readonly label: string;
  readonly summary: string;
  readonly sent: number;
  readonly ok: number;
  /** Failures by kind: `timeout` (the 1 s deadline), `http` (a non-2xx answer), `network`. */
  readonly failures: Readonly<Record<string, number>>;
  /** Latency of successes from the intended send time, ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number };
  /** Share of the requests the replicas received that went to the slow ones. */
  readonly slowShare: number;
  /** Load probes sent per second of the window (0 for pickers that do not probe). */
  readonly probesPerSec: number;
  /** Load probes sent per query. */
  readonly probesPerQuery: number;
  /** Probes not sent because the in-flight bound was reached. */
  readonly probesSkipped: number;
  /** Probes that failed or timed out (no report). */
  readonly probesFailed: number;
  /** Share of picks made at random because the probe pool had no usable reply (Prequal only, else 0). */
  readonly fallbackShare: number;
  /** The load generator's CPU, ms per second of the window. */
  readonly clientCpuMsPerSec: number;
  /** Every replica's CPU together, ms per second of the window; null where /proc is not readable. */
  readonly replicaCpuMsPerSec: number | null;
}

/** The scenario's result. */
export interface SlowReplicasResult {
  readonly name: typeof SLOW_REPLICAS_SCENARIO;
  readonly replicas: number;
  readonly slowReplicas: number;
  readonly slowFactor: number;
  readonly ratePerSec: number;
  /** Share of the fleet's modelled capacity offered. */
  readonly utilization: number;
  readonly rounds: number;
  /** Measured time per case per round, ms. */
  readonly segmentMs: number;
  readonly cases: readonly SlowReplicasCase[];
  /** Prequal's probes beside P2C + peak-EWMA: extra requests and CPU. */
  readonly probeOverhead: {
    readonly extraRequestsPerSec: number;
    /** Probes per query served. */
    readonly extraRequestRatio: number;
    readonly clientCpuMsPerSec: number;
    readonly replicaCpuMsPerSec: number | null;
  };
  /** The waits before each segment for the replicas to run what the previous one left queued. */
  readonly drain: {
    /** Longest wait, ms. */
    readonly maxWaitMs: number;
    /** Waits that hit the limit with store queries still starting (the next segment then inherited them). */
    readonly notIdle: number;
  };
  /** 1-minute load average when the scenario started and ended. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** What the scenario needs from the running lab. */
export interface SlowReplicasContext {
  readonly endpoints: readonly { readonly origin: string; readonly pid: number }[];
  readonly stats: () => Promise<readonly ReplicaStats[]>;
  readonly keys: ProductKeys;
  readonly random: Random;
  readonly clock: Clock;
  /** Measured time per case, split over the rounds. */
  readonly durationMs: number;
  /** Unmeasured warm-up per case, split over the rounds. */
  readonly warmupMs: number;
  readonly signal: AbortSignal;
  readonly progress: Progress;
}

interface CaseSpec {
  readonly label: string;
  readonly summary: string;
  /** The picker, and the probe counters of a probing one. */
  readonly picker: (clock: Clock, probes: Agent) => { readonly factory: PickerFactory; readonly probeStats: PrequalStats | null };
}

const CASES: readonly CaseSpec[] = [
  { label: 'round-robin', summary: 'each replica gets 1/n', picker: () => ({ factory: roundRobin(), probeStats: null }) },
  {
    label: 'p2c + peak-ewma',
    summary: 'power of two choices over peak-EWMA latency × (pending + 1)',
    picker: () => ({ factory: p2c(), probeStats: null }),
  },
  {
    label: 'prequal',
    summary: `3 async probes per query to the replicas’ LoadReporter, pool of 16, hot-cold rule (Q_RIF 0.84), ${MAX_PROBES_IN_FLIGHT} probes in flight at most`,
    picker: (clock, probes) => {
      const factory = prequal({ prober: httpProber({ dispatcher: probes, clock }), clock, maxProbesInFlight: MAX_PROBES_IN_FLIGHT });
      return { factory, probeStats: factory.stats };
    },
  },
  {
    label: `prequal q${SMALL_FLEET_Q_RIF}`,
    summary: `as prequal, with Q_RIF ${SMALL_FLEET_Q_RIF}: on 3 replicas of unequal speed the default 0.84 calls the fast replicas hot so often that the slow one, cold, gets their requests (docs/balance.md)`,
    picker: (clock, probes) => {
      const factory = prequal({
        prober: httpProber({ dispatcher: probes, clock }),
        clock,
        maxProbesInFlight: MAX_PROBES_IN_FLIGHT,
        qRif: SMALL_FLEET_Q_RIF,
      });
      return { factory, probeStats: factory.stats };
    },
  },
];

/** A case's live client and accumulated figures. */
interface CaseRun {
  readonly spec: CaseSpec;
  readonly balancer: Balancer<string>;
  readonly dispatcher: BalancedDispatcher;
  readonly probeStats: PrequalStats | null;
  readonly histogram: LatencyHistogram;
  readonly failures: Record<string, number>;
  sent: number;
  ok: number;
  slowRequests: number;
  requests: number;
  probes: number;
  skipped: number;
  failed: number;
  queries: number;
  fallbacks: number;
  clientCpuMs: number;
  replicaCpuMs: number | null;
  measuredMs: number;
}

/** Runs the interleaved comparison against replicas configured with {@link slowReplicasConfig}. */
export async function runSlowReplicasLoad(ctx: SlowReplicasContext): Promise<SlowReplicasResult> {
  const loadStart = loadavg()[0]!;
  const n = ctx.endpoints.length;
  const slow = slowReplicaCount(n);
  const ratePerSec = RATE_PER_REPLICA * n;
  const segmentMs = ctx.durationMs / SLOW_REPLICAS_ROUNDS;
  const warmMs = ctx.warmupMs / SLOW_REPLICAS_ROUNDS;
  const probeAgent = new Agent({ connections: 16, keepAliveTimeout: 30_000 });
  const origins = ctx.endpoints.map((e) => e.origin);
  const drain = { maxWaitMs: 0, notIdle: 0 };
  const runs = CASES.map((spec) => {
    const { factory, probeStats } = spec.picker(ctx.clock, probeAgent);
    const balancer = new Balancer<string>({
      endpoints: origins,
      picker: factory,
      // Prequal reads no load metric; the others balance on peak-EWMA (round-robin ignores it).
      load: probeStats === null ? peakEwma() : outstanding(),
      outlier: false,
      clock: ctx.clock,
      random: ctx.random.fork(`balancer/${spec.label}`),
    });
    const dispatcher = new BalancedDispatcher(balancer, { poolOptions: { connections: 128, keepAliveTimeout: 30_000 } });
    const run: CaseRun = {
      spec,
      balancer,
      dispatcher,
      probeStats,
      histogram: new LatencyHistogram(),
      failures: {},
      sent: 0,
      ok: 0,
      slowRequests: 0,
      requests: 0,
      probes: 0,
      skipped: 0,
      failed: 0,
      queries: 0,
      fallbacks: 0,
      clientCpuMs: 0,
      replicaCpuMs: 0,
      measuredMs: 0,
    };
    return run;
  });
  try {
    for (let round = 0; round < SLOW_REPLICAS_ROUNDS; round++) {
      const seed = ctx.random.fork(`round-${round}`).int(2 ** 31);
      for (let k = 0; k < runs.length; k++) {
        ctx.signal.throwIfAborted();
        const run = runs[(k + round) % runs.length]!;
        const tag = `[${SLOW_REPLICAS_SCENARIO}] round ${round + 1}/${SLOW_REPLICAS_ROUNDS} · ${run.spec.label}`;
        ctx.progress.status(`${tag}  waiting for the replicas to drain…`);
        const drained = await drainReplicas(async () => (await ctx.stats()).map((s) => s.storeQueries), {
          clock: ctx.clock,
          pollMs: 50,
          quietMs: DRAIN_QUIET_MS,
          maxMs: DRAIN_MAX_MS,
          signal: ctx.signal,
        });
        drain.maxWaitMs = Math.max(drain.maxWaitMs, Math.round(drained.waitedMs));
        if (!drained.idle) drain.notIdle++;
        ctx.progress.status(`${tag}  warming up…`);
        if (warmMs > 0) await segment(ctx, run, ratePerSec, warmMs, seed ^ 0x5bd1e995);
        const before = await measureCounters(ctx, run);
        const startMs = ctx.clock.now();
        ctx.progress.status(`${tag}  ${(segmentMs / 1000).toFixed(1)} s…`);
        const r = await segment(ctx, run, ratePerSec, segmentMs, seed);
        const after = await measureCounters(ctx, run);
        run.measuredMs += ctx.clock.now() - startMs;
        run.sent += r.sent;
        run.ok += r.ok;
        run.histogram.merge(r.recorder.histogram());
        for (const [kind, count] of Object.entries(r.failures)) run.failures[kind] = (run.failures[kind] ?? 0) + count;
        for (let i = 0; i < n; i++) {
          const served = after.requests[i]! - before.requests[i]!;
          run.requests += served;
          if (i < slow) run.slowRequests += served;
        }
        run.probes += after.probes - before.probes;
        run.skipped += after.skipped - before.skipped;
        run.failed += after.failed - before.failed;
        run.queries += after.queries - before.queries;
        run.fallbacks += after.fallbacks - before.fallbacks;
        run.clientCpuMs += after.clientCpuMs - before.clientCpuMs;
        run.replicaCpuMs =
          run.replicaCpuMs === null || after.replicaCpuMs === null || before.replicaCpuMs === null
            ? null
            : run.replicaCpuMs + after.replicaCpuMs - before.replicaCpuMs;
        ctx.progress.line(`${tag}: ${r.ok}/${r.sent} ok, p99 ${r.recorder.total().p99.toFixed(1)} ms`);
      }
    }
  } finally {
    await Promise.all(runs.map((r) => r.dispatcher.destroy().catch(() => undefined)));
    for (const r of runs) r.balancer.close();
    await probeAgent.destroy().catch(() => undefined);
  }
  const cases = runs.map(caseResult);
  const p2cCase = cases[1]!;
  const prequalCase = cases[2]!;
  const capacity = (n - slow) * ((POOL * 1000) / LATENCY_MS) + slow * ((POOL * 1000) / (LATENCY_MS * SLOW_FACTOR));
  return {
    name: SLOW_REPLICAS_SCENARIO,
    replicas: n,
    slowReplicas: slow,
    slowFactor: SLOW_FACTOR,
    ratePerSec,
    utilization: round3(ratePerSec / capacity),
    rounds: SLOW_REPLICAS_ROUNDS,
    segmentMs,
    cases,
    probeOverhead: {
      extraRequestsPerSec: prequalCase.probesPerSec,
      extraRequestRatio: prequalCase.probesPerQuery,
      clientCpuMsPerSec: round3(prequalCase.clientCpuMsPerSec - p2cCase.clientCpuMsPerSec),
      replicaCpuMsPerSec:
        prequalCase.replicaCpuMsPerSec === null || p2cCase.replicaCpuMsPerSec === null
          ? null
          : round3(prequalCase.replicaCpuMsPerSec - p2cCase.replicaCpuMsPerSec),
    },
    drain,
    loadAverage: { start: round3(loadStart), end: round3(loadavg()[0]!) },
  };
}

/** One open-loop segment of `run`'s client: GETs of Zipf keys, each under a 1 s deadline. */
function segment(ctx: SlowReplicasContext, run: CaseRun, ratePerSec: number, durationMs: number, seed: number) {
  const random = ctx.random.fork(`segment/${seed}`);
  const keys = random.fork('keys');
  return runOpenLoop(
    async ({ intendedMs }): Promise<string> => {
      const deadline = Deadline.at(intendedMs + TIMEOUT_MS, { clock: ctx.clock, signal: ctx.signal });
      try {
        const { statusCode, body } = await request(`http://replicas/products/${ctx.keys.next(keys)}`, {
          dispatcher: run.dispatcher,
          signal: deadline.signal,
        });
        await body.dump();
        return statusCode < 300 ? 'ok' : 'http';
      } catch {
        return deadline.expired ? 'timeout' : 'network';
      } finally {
        deadline.dispose();
      }
    },
    {
      schedule: poissonRate(ratePerSec, durationMs),
      clock: ctx.clock,
      random: random.fork('arrivals'),
      signal: ctx.signal,
      classify: (s: Settled<string>) => (s.status === 'fulfilled' ? s.value : 'network'),
      lagTolerance: '50ms',
    },
  );
}

interface Counters {
  readonly requests: readonly number[];
  readonly probes: number;
  readonly skipped: number;
  readonly failed: number;
  readonly queries: number;
  readonly fallbacks: number;
  readonly clientCpuMs: number;
  readonly replicaCpuMs: number | null;
}

async function measureCounters(ctx: SlowReplicasContext, run: CaseRun): Promise<Counters> {
  const stats = await ctx.stats();
  const clientCpuMs = ownCpuMs();
  const probeStats = run.probeStats;
  let replicaCpuMs: number | null = 0;
  for (const e of ctx.endpoints) {
    const ms = processCpuMs(e.pid);
    replicaCpuMs = ms === null || replicaCpuMs === null ? null : replicaCpuMs + ms;
  }
  return {
    requests: stats.map((s) => s.requests),
    probes: probeStats?.probesSent ?? 0,
    skipped: probeStats?.probesSkipped ?? 0,
    failed: probeStats?.probesFailed ?? 0,
    queries: probeStats?.queries ?? 0,
    fallbacks: probeStats?.fallbacks ?? 0,
    clientCpuMs,
    replicaCpuMs,
  };
}

function caseResult(run: CaseRun): SlowReplicasCase {
  const seconds = run.measuredMs / 1000;
  const h = run.histogram;
  const empty = h.count === 0;
  return {
    label: run.spec.label,
    summary: run.spec.summary,
    sent: run.sent,
    ok: run.ok,
    failures: run.failures,
    latencyMs: {
      p50: empty ? NaN : round3(h.percentile(50)),
      p99: empty ? NaN : round3(h.percentile(99)),
      p999: empty ? NaN : round3(h.percentile(99.9)),
    },
    slowShare: run.requests === 0 ? NaN : round3(run.slowRequests / run.requests),
    probesPerSec: round3(run.probes / seconds),
    probesPerQuery: run.sent === 0 ? 0 : round3(run.probes / run.sent),
    probesSkipped: run.skipped,
    probesFailed: run.failed,
    fallbackShare: run.queries === 0 ? 0 : round3(run.fallbacks / run.queries),
    clientCpuMsPerSec: round3(run.clientCpuMs / seconds),
    replicaCpuMsPerSec: run.replicaCpuMs === null ? null : round3(run.replicaCpuMs / seconds),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
