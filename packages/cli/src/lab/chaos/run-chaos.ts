/**
 * The lab's `chaos` scenario (opt-in: `--scenario chaos`). Its own replicas cache products in
 * process over headroom/cache's Redis tier, reached through headroom/chaos's TCP proxy (in its own
 * process, proxy-main.ts, so holding and releasing Redis traffic costs the load's event loop nothing); the client
 * balances round-robin with headroom/balance's outlier detection on. Under one steady open-loop load
 * (reads and 5% writes), three things happen on a timeline:
 *
 * 1. replica 0 is killed (SIGKILL) — the balancer should eject it after a few failures;
 * 2. the Redis tier stalls: the proxy holds every command (a `latency` toxic of an hour on the
 *    upstream stream), as a frozen Redis would — reads should fall back to the store;
 * 3. the stall heals (the toxic is removed) — the tier should come back.
 *
 * Every write adds 1 to a stock in a fixed pool of products, so the store's stock afterwards says
 * how many writes happened: no acknowledged write may be missing (see write-ledger.ts).
 */
import { setMaxListeners } from 'node:events';
import { type Clock, LatencyHistogram, type Random, isHeadroomError, sleep } from 'headroom';
import { Balancer, roundRobin } from 'headroom/balance';
import { isLoopbackHost } from 'headroom/chaos';
import { Deadline, deadlineHeaders } from 'headroom/latency';
import { type Settled, poissonRate, runOpenLoop } from 'headroom/scale';
import { ReplicaClients, type RequestPlan } from '../load/client.js';
import { ProductKeys } from '../load/product-keys.js';
import type { LabOptions } from '../options.js';
import type { Progress } from '../progress.js';
import { type Resources, prepareRedis } from '../resources.js';
import { ReplicaFleet } from '../service/fleet.js';
import { openPostgresStore } from '../service/postgres-store.js';
import type { ReplicaInit, ReplicaPhaseConfig, ReplicaStats } from '../service/protocol.js';
import { openSqliteStore } from '../service/sqlite-store.js';
import type { CatalogStore, StoreSpec } from '../service/store.js';
import { type FailureMark, analyseChaos, chaosStages, chaosVerdict } from './analysis.js';
import { CHAOS_SCENARIO, type ChaosEvents, type ChaosLabResult, type ChaosPoint } from './types.js';
import { startProxyProcess } from './proxy-process.js';
import { WriteLedger } from './write-ledger.js';

/** Redis the scenario uses when `--redis` is not given. */
export const DEFAULT_CHAOS_REDIS = 'redis://127.0.0.1:6379';
const RATE_PER_REPLICA = 60;
const WRITE_SHARE = 0.05;
const WRITE_POOL = 200;
const TIMEOUT_MS = 1_000;
/** Long enough to be a stall for the whole scenario; removing the toxic releases what it held. */
const STALL_MS = 3_600_000;
const PROXY = 'redis';
const TOXIC = 'redis-stall';

/** What the scenario needs from the lab run. */
export interface ChaosRunContext {
  readonly options: LabOptions;
  readonly clock: Clock;
  readonly random: Random;
  readonly progress: Progress;
  readonly resources: Resources;
  readonly signal: AbortSignal;
  readonly store: StoreSpec;
  /** The run's Redis key prefix (removed at the end). */
  readonly keyPrefix: string;
}

/**
 * When things happen, ms from the start of the load, for a phase duration `d` (`--duration`): a
 * steady half, the kill, ¾ d later the stall, healed ½ d later, then ¾ d of recovery (2.5 d in all).
 */
export function chaosSchedule(d: number): { killMs: number; stallMs: number; healMs: number; endMs: number } {
  return { killMs: d / 2, stallMs: 1.25 * d, healMs: 1.75 * d, endMs: 2.5 * d };
}

/** The replica behaviour of the whole scenario: cached reads over the Redis tier, a fast store. */
function replicaConfig(seed: number): ReplicaPhaseConfig {
  return {
    phase: 'chaos/timeline',
    seed,
    store: { poolSize: 16, latencyMs: 2 },
    cache: { mode: 'cache', maxEntries: 20_000, ttlMs: 60_000, hotKey: null },
    faults: { slowFactor: 1, stallProbability: 0, stallMs: 0 },
    limiter: false,
  };
}

function openStore(spec: StoreSpec): CatalogStore {
  return spec.kind === 'sqlite' ? openSqliteStore(spec.path) : openPostgresStore(spec.url, spec.table, 2);
}

/**
 * Runs the scenario and returns what it measured.
 * @throws HR_LAB_REDIS_UNREACHABLE, HR_LAB_REPLICA_DIED (a replica other than the killed one died)
 */
export async function runChaosScenario(ctx: ChaosRunContext): Promise<ChaosLabResult> {
  const redisUrl = ctx.options.redisUrl ?? DEFAULT_CHAOS_REDIS;
  if (ctx.options.redisUrl === null) await prepareRedis(redisUrl, ctx.keyPrefix, ctx.resources);
  // Aborted by the lab (Ctrl-C) or by a replica other than the killed one dying.
  const stop = new AbortController();
  // Every in-flight request's Deadline listens to this signal (hundreds at once, by design).
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(ctx, redisUrl, stop);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

async function run(c: ChaosRunContext, url: string, stop: AbortController): Promise<ChaosLabResult> {
  const { options, clock, random, progress, resources } = c;
  const real = new URL(url);
  const upstream = `${real.hostname}:${real.port === '' ? 6379 : real.port}`;
  const proxy = await startProxyProcess({
    name: PROXY,
    toxic: TOXIC,
    upstream,
    seed: random.fork('proxy').int(2 ** 31),
    ...(isLoopbackHost(real.hostname) ? {} : { allowUpstreams: [upstream] }),
  });
  resources.add('stop the chaos proxy process', () => proxy.stop());
  const { listen } = proxy;
  const proxied = new URL(url);
  proxied.host = listen;
  progress.line(`chaos: replicas reach Redis (${upstream}) through the chaos proxy on ${listen} (its own process, pid ${proxy.pid})`);

  let killing = false;
  const inits: ReplicaInit[] = Array.from({ length: options.replicas }, (_, index) => ({
    index,
    port: 0,
    store: c.store,
    redisUrl: proxied.toString(),
    keyPrefix: c.keyPrefix,
  }));
  const fleet = await ReplicaFleet.start({
    replicas: inits,
    clock,
    onDeath: (error) => {
      if (!killing) stop.abort(error);
    },
  });
  resources.add(
    'stop the chaos replicas',
    () => fleet.stop(),
    () => fleet.killNow(),
  );
  await fleet.configure(fleet.endpoints.map(() => replicaConfig(random.fork('replicas').int(2 ** 31))));
  const store = openStore(c.store);
  resources.add('close the chaos ledger store', () => store.close());
  const keys = new ProductKeys(options.products, options.zipfExponent, random.fork('keys'));
  const ledger = new WriteLedger(keys, Math.min(WRITE_POOL, options.products), random.fork('writes'));
  await ledger.open(store);

  const clients = new ReplicaClients(fleet.endpoints);
  resources.add('close the chaos clients', () => clients.close());
  const balancer = new Balancer<number>({
    endpoints: fleet.endpoints.map((e) => ({ id: e.origin, target: e.index })),
    picker: roundRobin(),
    clock,
    random: random.fork('balancer'),
  });
  resources.add('close the chaos balancer', () => balancer.close());

  const plan = chaosSchedule(options.durationMs);
  const ratePerSec = RATE_PER_REPLICA * options.replicas;
  const startMs = clock.now();
  const sec = (ms: number): number => (ms - startMs) / 1000;
  let ejectedSec: number | null = null;
  balancer.on((e) => {
    if (e.type === 'ejection' && e.endpoint.target === 0 && ejectedSec === null && killing) ejectedSec = sec(e.atMs);
  });
  const failures: FailureMark[] = [];
  const stallLatency = new LatencyHistogram();
  const events: ChaosEvents = {
    killSec: plan.killMs / 1000,
    stallSec: plan.stallMs / 1000,
    healSec: plan.healMs / 1000,
    endSec: plan.endMs / 1000,
  };
  const timers = [
    clock.setTimer(plan.killMs, () => {
      killing = true;
      progress.line(`chaos: ${events.killSec.toFixed(1)} s — killing replica 0 (pid ${fleet.endpoints[0]!.pid}) with SIGKILL`);
      void fleet.kill(0);
    }),
    clock.setTimer(plan.stallMs, () => {
      progress.line(`chaos: ${events.stallSec.toFixed(1)} s — stalling Redis: the proxy holds every command`);
      void proxy.stall(STALL_MS).catch((error: unknown) => stop.abort(error));
    }),
    clock.setTimer(plan.healMs, () => {
      progress.line(`chaos: ${events.healSec.toFixed(1)} s — healing Redis (toxic removed; held commands go through)`);
      void proxy.heal().catch((error: unknown) => stop.abort(error));
    }),
  ];
  const points = pointRecorder(fleet);
  const arrivals = random.fork('arrivals');
  const draws = random.fork('requests');
  try {
    await runOpenLoop(
      async ({ intendedMs }) => {
        const write = draws.chance(WRITE_SHARE);
        const id = write ? ledger.next() : keys.next(draws);
        const request: RequestPlan = write
          ? { method: 'POST', path: `/products/${id}/stock`, body: '{"delta":1}', key: String(id) }
          : { method: 'GET', path: `/products/${id}`, body: null, key: String(id) };
        const deadline = Deadline.at(intendedMs + TIMEOUT_MS, { clock, signal: stop.signal });
        let outcome: string;
        try {
          const status = await balancer.call((ep, signal) => clients.send(ep.target, request, signal, deadlineHeaders(deadline)), {
            signal: deadline.signal,
            key: request.key,
          });
          outcome = status < 300 ? 'ok' : 'http';
        } catch (error) {
          outcome = deadline.expired || isHeadroomError(error, 'HR_CORE_DEADLINE_EXCEEDED') ? 'timeout' : 'network';
        } finally {
          deadline.dispose();
        }
        const at = sec(clock.now());
        if (write) ledger.record(outcome === 'ok' ? 'acknowledged' : outcome === 'http' ? 'answered-error' : 'unanswered');
        if (outcome !== 'ok') failures.push({ atSec: at, write });
        else if (at >= events.stallSec && at < events.healSec) stallLatency.record(clock.now() - intendedMs);
        return outcome;
      },
      {
        schedule: poissonRate(ratePerSec, plan.endMs),
        clock,
        random: arrivals,
        signal: stop.signal,
        classify: (s: Settled<string>) => (s.status === 'fulfilled' ? s.value : 'network'),
        progressInterval: options.intervalMs,
        onProgress: (p) => {
          points.add(p.elapsedMs / 1000, p.interval);
          progress.status(
            `chaos: ${(p.elapsedMs / 1000).toFixed(1)}/${events.endSec.toFixed(1)} s  ${Math.round(p.interval.ratePerSec)} req/s  ` +
              `errors ${failures.length}  ${ejectedSec === null ? '' : 'replica 0 ejected'}`,
          );
        },
      },
    );
    stop.signal.throwIfAborted();
    // Let the replicas finish what clients gave up on (a write's invalidation waits out the tier's timeout).
    await sleep(clock, 1_500, stop.signal);
    const timeline = await points.done();
    const writes = await ledger.close(store);
    const snap = stallLatency.snapshot();
    const observations = {
      events,
      intervalSec: options.intervalMs / 1000,
      timeline,
      failures,
      ejectedSec,
      stallP99: snap.count === 0 ? null : snap.p99,
    };
    const analysed = analyseChaos(observations);
    const result = {
      name: CHAOS_SCENARIO,
      title: 'Kill a replica, then stall Redis',
      question:
        'When a replica dies under load and then the Redis tier freezes, does the client eject the dead replica, do reads fall back to the store, how fast does each recover — and is any acknowledged write lost?',
      ratePerSec,
      writeShare: WRITE_SHARE,
      events,
      timeline,
      ...analysed,
      writes,
      stages: chaosStages(observations, analysed),
    } as const;
    return { ...result, verdict: chaosVerdict(result) };
  } finally {
    for (const t of timers) t.cancel();
  }
}

/**
 * Builds the timeline: each progress interval of the load, with the surviving replicas' store
 * queries and cache hits over it (counters read over IPC, in order).
 */
function pointRecorder(fleet: ReplicaFleet) {
  const points: ChaosPoint[] = [];
  let last: (ReplicaStats | null)[] = [];
  let lastSec = 0;
  let chain = fleet.liveStats().then((s) => {
    last = s;
  });
  return {
    add(tSec: number, interval: { latency: { count: number; p50: number; p99: number }; failures: number }): void {
      chain = chain.then(async () => {
        const now = await fleet.liveStats();
        const span = Math.max(1e-3, tSec - lastSec);
        let queries = 0;
        let reads = 0;
        let hits = 0;
        now.forEach((s, i) => {
          const before = last[i];
          if (s === null || before === null || before === undefined) return;
          queries += s.storeQueries - before.storeQueries;
          reads += s.reads - before.reads;
          hits += s.readsWithoutQuery - before.readsWithoutQuery;
        });
        const ok = interval.latency.count;
        points.push({
          tSec: Math.round(tSec * 1000) / 1000,
          okPerSec: ok / span,
          errorsPerSec: interval.failures / span,
          p50: ok === 0 ? null : interval.latency.p50,
          p99: ok === 0 ? null : interval.latency.p99,
          storeQps: queries / span,
          hitRatio: reads === 0 ? null : hits / reads,
        });
        last = now;
        lastSec = tSec;
      });
    },
    async done(): Promise<ChaosPoint[]> {
      await chain;
      return points;
    },
  };
}
