/**
 * The lab's `scale` scenario (opt-in: `headroom lab --scenario scale`, never part of the default
 * tour): how far the reference service scales on this machine. Closed-loop load (headroom/scale
 * `runClosedLoop`) at each concurrency of {@link SCALE_CONCURRENCY}, spread round-robin over the
 * replicas, every read a store query (no cache); X(N) = successes per second; the Universal
 * Scalability Law fitted to it (`fitUsl`). The honest caveat is printed beside the numbers: the
 * replicas, the store and the load generator share this machine's cores, so the curve flattens
 * where the cores run out — a limit of the machine, not of the design.
 */
import { cpus, loadavg } from 'node:os';
import { type Clock, type Random } from 'headroom';
import { fitUsl, runClosedLoop, type UslFit } from 'headroom/scale';
import type { ReplicaClients } from '../load/client.js';
import type { ProductKeys } from '../load/product-keys.js';
import type { Progress } from '../progress.js';
import type { ReplicaPhaseConfig } from '../service/protocol.js';

/** The scenario's name on the command line. */
export const SCALE_SCENARIO = 'scale';

/** Concurrency levels swept (virtual users over the whole fleet). */
export const SCALE_CONCURRENCY: readonly number[] = [1, 2, 4, 8, 16, 32, 64];

/** Every replica's settings during the sweep: no cache, no faults, a store pool wide enough not to be the limit. */
export function scaleReplicaConfig(seed: number): ReplicaPhaseConfig {
  return {
    phase: 'scale/sweep',
    seed,
    store: { poolSize: 64, latencyMs: 1 },
    cache: { mode: 'off', maxEntries: 0, ttlMs: 0, hotKey: null },
    faults: { slowFactor: 1, stallProbability: 0, stallMs: 0 },
    limiter: false,
  };
}

/** One measured level. */
export interface ScaleLevel {
  readonly concurrency: number;
  readonly throughputPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** The machine's 1-minute load average when the level ended. */
  readonly load1: number;
}

/** What the scenario measured and fitted. */
export interface ScaleScenarioResult {
  readonly name: typeof SCALE_SCENARIO;
  readonly replicas: number;
  readonly durationMsPerLevel: number;
  readonly levels: readonly ScaleLevel[];
  /** The USL fit, or null with the reason when it could not be fitted. */
  readonly fit: UslFit | null;
  readonly fitError: string | null;
  /** The caveat printed beside the numbers. */
  readonly caveat: string;
}

/** What the sweep needs from the running lab. */
export interface ScaleSweepContext {
  readonly clients: ReplicaClients;
  readonly replicas: number;
  readonly keys: ProductKeys;
  readonly random: Random;
  readonly clock: Clock;
  readonly durationMs: number;
  readonly signal: AbortSignal;
  readonly progress: Progress;
}

/** Runs the sweep against replicas already configured with {@link scaleReplicaConfig}. */
export async function runScaleSweep(ctx: ScaleSweepContext): Promise<ScaleScenarioResult> {
  const levels: ScaleLevel[] = [];
  let next = 0;
  for (const concurrency of SCALE_CONCURRENCY) {
    ctx.signal.throwIfAborted();
    const r = await runClosedLoop(
      ({ signal }) =>
        ctx.clients.send(
          next++ % ctx.replicas,
          { method: 'GET', path: `/products/${ctx.keys.next(ctx.random)}`, body: null, key: '' },
          signal,
          {},
        ),
      {
        concurrency,
        duration: ctx.durationMs,
        clock: ctx.clock,
        signal: ctx.signal,
        classify: (s) => (s.status === 'fulfilled' && s.value < 400 ? 'ok' : s.status === 'fulfilled' ? `http_${s.value}` : 'network'),
        onProgress: (p) =>
          ctx.progress.status(
            `[scale] N = ${concurrency}: ${(p.elapsedMs / 1000).toFixed(0)}/${ctx.durationMs / 1000} s  ${Math.round(p.interval.ratePerSec)} req/s`,
          ),
      },
    );
    const total = r.recorder.total();
    const level = {
      concurrency,
      throughputPerSec: r.throughputPerSec,
      p50Ms: total.p50,
      p99Ms: total.p99,
      errors: r.sent - r.ok,
      load1: loadavg()[0]!,
    };
    levels.push(level);
    ctx.progress.line(
      `[scale] N = ${concurrency}: ${Math.round(level.throughputPerSec)} ok/s, p99 ${level.p99Ms.toFixed(1)} ms, load ${level.load1.toFixed(1)}`,
    );
  }
  let fit: UslFit | null = null;
  let fitError: string | null = null;
  try {
    fit = fitUsl(levels.map((l) => ({ n: l.concurrency, throughput: l.throughputPerSec })));
  } catch (error) {
    fitError = error instanceof Error ? error.message : String(error);
  }
  return {
    name: SCALE_SCENARIO,
    replicas: ctx.replicas,
    durationMsPerLevel: ctx.durationMs,
    levels,
    fit,
    fitError,
    caveat: caveat(ctx.replicas, levels),
  };
}

/** The 2-core caveat, with this machine's numbers. */
function caveat(replicas: number, levels: readonly ScaleLevel[]): string {
  const cores = cpus().length;
  const worstLoad = Math.max(...levels.map((l) => l.load1));
  return (
    `Caveat: this machine has ${cores} CPU core${cores === 1 ? '' : 's'}, shared by ${replicas} replicas, their SQLite store and this load generator` +
    ` (1-minute load average up to ${worstLoad.toFixed(1)} during the sweep). X(N) flattens where the cores run out, so α here mostly measures CPU contention` +
    ` on this machine and N* says when ${cores} cores are saturated — not how the service would scale on machines of its own. Fit your own fleet's measurements with \`headroom scale sweep\`.`
  );
}
