/**
 * `headroom lab` end to end: seed the store, start the replicas, run each scenario's phases under
 * the same seeded load, and always clean up — replicas stopped, temporary folder removed, table
 * dropped, Redis keys deleted — whether the tour finished, a replica died or the user pressed Ctrl-C.
 */
import { setMaxListeners } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { type Clock, isHeadroomError, type Random, SeededRandom } from 'headroom';
import { createPhaseClient, phaseRouter } from './client/phase-client.js';
import { PickTrace } from './client/pick-trace.js';
import { ownCpuMs } from './cpu-time.js';
import { probeHost } from './host-probe.js';
import { ReplicaClients } from './load/client.js';
import { phaseWarmupMs } from './load/cold-start.js';
import { drivePhase } from './load/driver.js';
import { type SteadyWarmupOptions, warmToSteadyState } from './load/steady-warmup.js';
import { ProductKeys } from './load/product-keys.js';
import type { LabOptions } from './options.js';
import type { Progress } from './progress.js';
import { phaseResult } from './report/phase-result.js';
import type { LabReport, PhaseResult, ScenarioResult } from './report/types.js';
import { verdict } from './report/verdict.js';
import { Resources, checkPortsFree, prepareRedis, prepareStore } from './resources.js';
import { scenarioCatalog } from './scenarios/catalog.js';
import { runScaleSweep, SCALE_SCENARIO, scaleReplicaConfig, type ScaleScenarioResult } from './scenarios/scale.js';
import {
  runSlowReplicasLoad,
  SLOW_REPLICAS_SCENARIO,
  slowReplicasConfig,
  type SlowReplicasResult,
} from './scenarios/slow-replicas-load.js';
import { type PhaseSpec, type ScenarioSpec, storeCapacityPerSec } from './scenarios/types.js';
import { type ReplicaEndpoint, ReplicaFleet } from './service/fleet.js';
import { runChaosScenario } from './chaos/run-chaos.js';
import { CHAOS_SCENARIO, type ChaosLabResult } from './chaos/types.js';
import type { ReplicaInit, ReplicaPhaseConfig } from './service/protocol.js';
import { clientTracePath, LAG_THRESHOLD_MS, recordStalls } from './service/stall-recorder.js';

/** What {@link runLab} needs besides its options. */
export interface LabContext {
  readonly clock: Clock;
  readonly progress: Progress;
  /**
   * Stops the run (Ctrl-C): the phase in flight is dropped, everything is cleaned up, and runLab
   * resolves with the phases completed so far, `interrupted` set to the reason's message.
   */
  readonly signal: AbortSignal;
  /** The command line to print as "rerun with". */
  readonly command: string;
  /**
   * Called once with a function that, synchronously, kills every replica and removes the temporary
   * files (for a second Ctrl-C, right before exiting), and with null when the run has cleaned up.
   */
  readonly onForceStop?: (forceStop: (() => void) | null) => void;
}

/**
 * Runs the lab and returns its report (a partial one when `ctx.signal` stopped it).
 * @throws HR_LAB_* errors (store or Redis unreachable, port in use or denied, replica died)
 */
export async function runLab(options: LabOptions, ctx: LabContext): Promise<LabReport> {
  const { clock, progress } = ctx;
  const started = clock.now();
  const startedAt = new Date(clock.wallNow()).toISOString();
  const loadAtStart = loadavg()[0]!;
  // how fast this host runs fixed CPU work, before the fleet starts and once the phases are over
  const probeAtStart = probeHost(clock);
  const random = new SeededRandom(options.seed);
  const runId = `${process.pid}_${random
    .fork('run-id')
    .int(1 << 30)
    .toString(36)}`;
  const keyPrefix = `headroom-lab:${runId}`;
  const resources = new Resources();
  const abort = new AbortController();
  // Every in-flight request's Deadline listens to this signal (hundreds at once, by design).
  setMaxListeners(0, abort.signal);
  const onAbort = (): void => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let clients: ReplicaClients | null = null;
  // --trace-picks: every pick and round trip of the tour's phases (lab/client/pick-trace.ts).
  // The lab runs on the system clock, whose zero is performance.timeOrigin (the replicas' files use theirs).
  const trace =
    options.tracePicksPath === undefined || options.tracePicksPath === null
      ? null
      : new PickTrace(options.tracePicksPath, performance.timeOrigin);
  // …and the client process's own loop stalls beside it, as each replica records its own.
  if (trace !== null) {
    const stop = recordStalls(clientTracePath(trace.path), 'client', clock, options.stallThresholdMs ?? LAG_THRESHOLD_MS);
    resources.add("stop recording the client's stalls", stop, stop);
  }
  ctx.onForceStop?.(() => resources.releaseNow());
  const catalog = scenarioCatalog({ replicas: options.replicas, redis: options.redisUrl !== null });
  const chosen = options.scenarios
    .filter((name) => name !== CHAOS_SCENARIO && name !== SCALE_SCENARIO && name !== SLOW_REPLICAS_SCENARIO)
    .map((name) => catalog.find((s) => s.name === name)!);
  let chaos: ChaosLabResult | null = null;
  let scale: ScaleScenarioResult | undefined;
  let slowReplicas: SlowReplicasResult | undefined;
  const totalPhases = chosen.reduce((n, s) => n + s.phases.length, 0);
  // Completed phases, kept outside the try so an interrupted run can still report them.
  const results: ScenarioResult[] = [];
  let seedMs = 0;
  const report = (interrupted: string | null): LabReport => ({
    tool: 'headroom lab',
    schemaVersion: 1,
    startedAt,
    command: ctx.command,
    seed: options.seed,
    settings: {
      replicas: options.replicas,
      products: options.products,
      store: options.storeUrl === null ? 'sqlite' : 'postgres',
      redis: options.redisUrl !== null,
      phaseDurationMs: options.durationMs,
      warmupMs: options.warmupMs,
      firstPhaseWarmupMs: phaseWarmupMs(1, options.warmupMs),
      zipfExponent: options.zipfExponent,
    },
    environment: {
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      loadAverage: { start: Math.round(loadAtStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
      hostProbe: { start: probeAtStart, end: probeHost(clock) },
    },
    seedMs: Math.round(seedMs),
    totalMs: Math.round(clock.now() - started),
    interrupted:
      interrupted === null ? null : { reason: interrupted, completedPhases: results.reduce((n, s) => n + s.phases.length, 0), totalPhases },
    scenarios: results,
    ...(chaos === null ? {} : { chaos }),
    ...(scale === undefined ? {} : { scale }),
    ...(slowReplicas === undefined ? {} : { slowReplicas }),
  });
  try {
    ctx.signal.throwIfAborted();
    if (options.basePort !== null) await checkPortsFree(options.basePort, options.replicas);
    if (options.redisUrl !== null) {
      await prepareRedis(options.redisUrl, keyPrefix, resources);
      progress.line(`cache scenarios: each replica's in-process cache sits on headroom/cache's Redis tier (keys ${keyPrefix}:*)`);
    }
    progress.status(`seeding ${options.products.toLocaleString('en-US')} products…`);
    const store = await prepareStore(options.storeUrl, options.products, random.fork('catalog'), clock, runId, resources);
    seedMs = store.seedMs;
    progress.line(
      `seeded ${options.products.toLocaleString('en-US')} products into ${store.spec.kind} in ${(store.seedMs / 1000).toFixed(1)} s`,
    );
    abort.signal.throwIfAborted();
    if (options.scenarios.includes(CHAOS_SCENARIO)) {
      const own = new Resources();
      resources.add(
        'stop the chaos scenario',
        () => own.release().then(() => undefined),
        () => own.releaseNow(),
      );
      try {
        chaos = await runChaosScenario({
          options,
          clock,
          random: random.fork('chaos'),
          progress,
          resources: own,
          signal: abort.signal,
          store: store.spec,
          keyPrefix,
        });
      } finally {
        for (const failure of await own.release()) progress.line(`cleanup: ${failure}`);
      }
      if (chosen.length === 0 && !options.scenarios.includes(SCALE_SCENARIO) && !options.scenarios.includes(SLOW_REPLICAS_SCENARIO))
        return report(null);
    }

    const inits: ReplicaInit[] = Array.from({ length: options.replicas }, (_, index) => ({
      index,
      port: options.basePort === null ? 0 : options.basePort + index,
      store: store.spec,
      redisUrl: options.redisUrl,
      keyPrefix,
      ...(trace === null ? {} : { tracePath: trace.path, stallThresholdMs: options.stallThresholdMs ?? LAG_THRESHOLD_MS }),
    }));
    const fleet = await ReplicaFleet.start({ replicas: inits, clock, onDeath: (error) => abort.abort(error) });
    resources.add(
      'stop the replicas',
      () => fleet.stop(),
      () => fleet.killNow(),
    );
    const endpoints = fleet.endpoints;
    progress.line(`${endpoints.length} replicas listening on ${endpoints.map((e) => `127.0.0.1:${e.port} (pid ${e.pid})`).join(', ')}`);
    clients = new ReplicaClients(endpoints);
    const keys = new ProductKeys(options.products, options.zipfExponent, random.fork('keys'));

    let phaseNumber = 0;
    for (const scenario of chosen) {
      const phases: PhaseResult[] = [];
      let listed = false;
      for (const phase of scenario.phases) {
        phaseNumber++;
        const seed = random.fork(scenario.name).int(2 ** 31);
        const configs = endpoints.map((_, i) =>
          replicaConfig(scenario, phase.cacheMode, phase.limiter, phase.label, seed, i, keys.idAtRank(0)),
        );
        await fleet.configure(configs);
        const phaseClient = createPhaseClient({
          phase,
          scenario,
          clients,
          endpoints,
          clock,
          random: random.fork(`${scenario.name}/${phase.label}`),
          trace,
        });
        trace?.mark({ ev: 'phase', t: clock.now(), scenario: scenario.name, phase: phase.label });
        const tag = `[${phaseNumber}/${totalPhases}] ${scenario.name} · ${phase.label}`;
        const steadyWarmup =
          phase.steadyWarmupMs === undefined
            ? null
            : await warmCaches({
                phase,
                load: scenario.load,
                keys,
                hotKeyId: keys.idAtRank(0),
                spanMs: phase.steadyWarmupMs,
                seed,
                endpoints,
                clock,
                random: random.fork(`${scenario.name}/${phase.label}/warm`),
                warm: (blocks) => fleet.warm(blocks),
                signal: abort.signal,
                onBlock: (sec) =>
                  progress.status(`${tag}  warming the cache: ${sec}/${phase.steadyWarmupMs! / 1000} s of traffic replayed…`),
              });
        progress.status(`${tag}  warming up…`);
        const activeClients = clients;
        try {
          const measured = await drivePhase({
            load: scenario.load,
            keys,
            hotKeyId: keys.idAtRank(0),
            seed,
            clock,
            warmupMs: phaseWarmupMs(phaseNumber, options.warmupMs),
            durationMs: options.durationMs,
            intervalMs: options.intervalMs,
            call: phaseClient.call,
            snapshot: async () => ({
              stats: await fleet.stats(),
              attempts: activeClients.attempts,
              connections: activeClients.connections,
              cpuMs: ownCpuMs(),
            }),
            onInterval: (point, recorder) =>
              progress.status(
                `${tag}  ${point.tSec.toFixed(1)}/${(options.durationMs / 1000).toFixed(1)} s  ${Math.round(point.okPerSec)} ok/s  ` +
                  `p99 ${point.p99 === null ? '–' : point.p99.toFixed(1)} ms  errors ${recorder.errorCount}  store ${Math.round(point.storeQps)} q/s`,
              ),
            signal: abort.signal,
            ...(trace === null ? {} : { onWindow: (edge: 'start' | 'end', t: number) => trace.mark({ ev: 'window', t, edge }) }),
          });
          const capacity = endpoints.map((_, i) => storeCapacityPerSec(scenario, i));
          const result = phaseResult(phase, options.durationMs, measured, capacity, steadyWarmup);
          phases.push(result);
          if (!listed) results.push(scenarioResult(scenario, phases));
          else results[results.length - 1] = scenarioResult(scenario, phases);
          listed = true;
          const tail =
            result.ok === 0 ? 'no success' : `p99 ${result.latencyMs.p99.toFixed(1)} ms, p99.9 ${result.latencyMs.p999.toFixed(1)} ms`;
          progress.line(
            `${tag}: ${Math.round(result.okPerSec)} ok/s, ${tail}, errors ${(result.errorRate * 100).toFixed(1)}%, store ${Math.round(result.storeQps)} q/s`,
          );
        } finally {
          phaseClient.close();
          trace?.flush();
        }
      }
    }
    if (options.scenarios.includes(SCALE_SCENARIO)) {
      await fleet.configure(endpoints.map(() => scaleReplicaConfig(random.fork(SCALE_SCENARIO).int(2 ** 31))));
      scale = await runScaleSweep({
        clients,
        replicas: endpoints.length,
        keys,
        random: random.fork(`${SCALE_SCENARIO}/keys`),
        clock,
        durationMs: options.durationMs,
        signal: abort.signal,
        progress,
      });
    }
    if (options.scenarios.includes(SLOW_REPLICAS_SCENARIO)) {
      const seed = random.fork(SLOW_REPLICAS_SCENARIO).int(2 ** 31);
      await fleet.configure(endpoints.map((_, i) => slowReplicasConfig(i, endpoints.length, seed)));
      slowReplicas = await runSlowReplicasLoad({
        endpoints,
        stats: () => fleet.stats(),
        keys,
        random: random.fork(`${SLOW_REPLICAS_SCENARIO}/run`),
        clock,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        signal: abort.signal,
        progress,
      });
    }
    return report(null);
  } catch (error) {
    // Ctrl-C: the phase in flight is dropped (a fraction of a window would not compare with the
    // others), the completed ones are reported.
    if (ctx.signal.aborted) return report(reasonText(ctx.signal.reason));
    // A dead replica surfaces as whatever the in-flight step threw; report the cause instead.
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await clients?.close().catch(() => undefined);
    const failures = await resources.release();
    ctx.onForceStop?.(null);
    for (const failure of failures) progress.line(`cleanup: ${failure}`);
  }
}

/** Replays past traffic into the replicas' caches (see load/steady-warmup.ts), routed as the phase routes. */
async function warmCaches(
  o: Omit<SteadyWarmupOptions, 'route' | 'replicas'> & {
    readonly phase: PhaseSpec;
    readonly endpoints: readonly ReplicaEndpoint[];
    readonly clock: Clock;
    readonly random: Random;
  },
): Promise<NonNullable<PhaseResult['steadyWarmup']>> {
  const started = o.clock.now();
  const router = phaseRouter({ phase: o.phase, endpoints: o.endpoints, clock: o.clock, random: o.random });
  try {
    const warmup = await warmToSteadyState({ ...o, replicas: o.endpoints.length, route: router.route });
    return { ...warmup, tookMs: Math.round(o.clock.now() - started) };
  } finally {
    router.close();
  }
}

function reasonText(reason: unknown): string {
  if (isHeadroomError(reason, 'HR_LAB_INTERRUPTED')) return `Interrupted by ${String(reason.details['signal'])}`;
  return reason instanceof Error ? reason.message : String(reason);
}

function replicaConfig(
  scenario: ScenarioSpec,
  cacheMode: ReplicaPhaseConfig['cache']['mode'],
  limiter: boolean,
  label: string,
  seed: number,
  index: number,
  hotKeyId: number,
): ReplicaPhaseConfig {
  return {
    phase: `${scenario.name}/${label}`,
    seed,
    store: scenario.store,
    cache: {
      mode: cacheMode,
      maxEntries: scenario.cache.maxEntries,
      ttlMs: scenario.cache.ttlMs,
      hotKey: scenario.cache.hotKeyTtlMs === null ? null : { id: hotKeyId, ttlMs: scenario.cache.hotKeyTtlMs },
    },
    faults: scenario.faults(index),
    limiter,
  };
}

function scenarioResult(scenario: ScenarioSpec, phases: PhaseResult[]): ScenarioResult {
  return {
    name: scenario.name,
    title: scenario.title,
    question: scenario.question,
    load: scenario.load,
    phases,
    highlights: scenario.highlights,
    extraColumn: scenario.extraColumn,
    verdict: scenarioVerdict(scenario, phases),
  };
}

/** The verdict of the completed phases; a scenario cut short by Ctrl-C says where it stopped. */
function scenarioVerdict(scenario: ScenarioSpec, phases: PhaseResult[]): string {
  const next = scenario.phases[phases.length];
  if (phases.length < 2) return `interrupted before ${next!.label}; nothing to compare`;
  const line = verdict(scenario.highlights, phases);
  return next === undefined ? line : `${line} (interrupted before ${next.label})`;
}
