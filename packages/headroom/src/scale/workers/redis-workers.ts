/**
 * Several machines loading one target as one run, joined through Redis. The coordinator
 * ({@link runLoadOverRedis}) splits the plan into shares and pushes one job per expected worker on
 * a list; each worker ({@link serveLoadOverRedis}) pops a job, says it joined, waits for the start
 * (so every share starts within a Redis round trip of the others), runs its share with
 * `runLoadPlan`, streams a row every second (with that second's histogram encoded) and finally its
 * result with the HDR histogram encoded. The coordinator merges them exactly, the live line's
 * percentiles too. A worker silent for longer than `heartbeatTimeout` (rows
 * arrive every second while it runs) is reported lost, its share missing from the figures.
 *
 * Keys (all under `prefix`, default `headroom:scale`): `<prefix>:jobs` (the job list workers
 * wait on), `<prefix>:run:<id>:events` (workers → coordinator) and `<prefix>:run:<id>:control:<i>`
 * (coordinator → worker i: start, stop, cancel). The coordinator deletes its run's keys when it
 * ends, and every key it writes expires within an hour if it cannot.
 *
 * The client is the user's node-redis (`redis` v5) client, connected; blocking pops run on a
 * `duplicate()` of it (same server, AUTH and TLS), which this module opens and closes.
 */
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../core/clock.js';
import { parseOptionalDuration, type Duration } from '../../core/duration.js';
import { HeadroomError } from '../../core/errors.js';
import { LatencyHistogram } from '../../core/histogram.js';
import { dedicatedNodeRedis, type NodeRedisConnection } from '../../core/node-redis-dedicated.js';
import { defaultRandom, type Random } from '../../core/random.js';
import { invalidScaleOption } from '../models/errors.js';
import { splitPlan, validatePlan, type LoadPlan } from '../runner/load-plan.js';
import { decodeLoadResult, encodeLoadResult, type EncodedLoadResult, type TimelineRow } from '../runner/load-result.js';
import { mergeLoadResults, TimelineMerger, type SharedLoadResult, type WorkerOutcome } from '../runner/merge.js';
import { runLoadPlan } from '../runner/run-plan.js';

/** The node-redis (v5) client surface used here. */
export interface RedisListClient {
  rPush(key: string, element: string): Promise<unknown>;
  blPop(key: string, timeoutSec: number): Promise<{ key: string; element: string } | null>;
  lRem(key: string, count: number, element: string): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  duplicate(): RedisListClient & RedisConnectionControl;
}

/** Opening and closing a duplicated connection (and its events: a close waits for a reconnect in flight). */
export interface RedisConnectionControl extends NodeRedisConnection {
  close(): Promise<unknown>;
}

/** A job: one share of one run. */
interface Job {
  readonly runId: string;
  readonly index: number;
  readonly plan: LoadPlan;
  readonly events: string;
  readonly control: string;
}

/** What workers push on a run's event list. */
type WorkerEvent =
  | { readonly type: 'joined'; readonly index: number; readonly name: string }
  | { readonly type: 'row'; readonly index: number; readonly row: TimelineRow; readonly latency: string }
  | { readonly type: 'done'; readonly index: number; readonly result: EncodedLoadResult };

/** Options of {@link runLoadOverRedis}. */
export interface RedisRunOptions {
  /** A connected node-redis client. */
  readonly redis: RedisListClient;
  /** Workers that must join before the run starts (≥ 1). */
  readonly expectWorkers: number;
  /** Key prefix shared with the workers; default `'headroom:scale'`. */
  readonly prefix?: string;
  /** How long to wait for every worker to join; default `'30s'`. */
  readonly joinTimeout?: Duration;
  /** A worker silent this long is reported lost; default `'10s'`. */
  readonly heartbeatTimeout?: Duration;
  /** Stops every worker's sending; requests in flight are awaited. */
  readonly signal?: AbortSignal;
  /** Receives each second's merged row (rates summed, p50/p99 of the workers' merged histograms) once every running worker has sent it. Must not throw. */
  readonly onProgress?: (row: TimelineRow) => void;
  /** Called once with the workers that joined (their names), before the start. Must not throw. */
  readonly onJoined?: (names: readonly string[]) => void;
  /** Time source (heartbeats); default `systemClock`. */
  readonly clock?: Clock;
  /** Draws the run id; default `defaultRandom()`. */
  readonly random?: Random;
}

/** Options of {@link serveLoadOverRedis}. */
export interface RedisWorkerOptions {
  /** A connected node-redis client. */
  readonly redis: RedisListClient;
  /** Key prefix shared with the coordinator; default `'headroom:scale'`. */
  readonly prefix?: string;
  /** This worker's name in reports; default `<hostname>:<pid>`. */
  readonly name?: string;
  /** Stops waiting for jobs (and a run in progress, which then reports what it has). */
  readonly signal?: AbortSignal;
  /** Serve one run, then resolve; default false (serve until the signal). */
  readonly once?: boolean;
  /** Called when a run starts and when it ends (with what this worker measured). Must not throw. */
  readonly onRun?: (
    event:
      { readonly type: 'started'; readonly plan: LoadPlan } | { readonly type: 'finished'; readonly sent: number; readonly ok: number },
  ) => void;
}

const DEFAULT_PREFIX = 'headroom:scale';
/** Every key written expires after this long, should its run never clean up. */
const KEY_TTL_SEC = 3600;
/** How long one blocking pop waits before the loop looks at its signal and its clock again, s. */
const POLL_SEC = 1;

/**
 * Coordinates a run over Redis: waits for `expectWorkers` workers, starts them together, merges
 * what they send back.
 * @throws HR_SCALE_WORKERS_MISSING when fewer than `expectWorkers` joined within `joinTimeout`
 *   (the jobs not taken are withdrawn, the joined workers released)
 * @throws HR_SCALE_INVALID_OPTION for a bad plan or option
 * @example
 * ```ts
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const r = await runLoadOverRedis({ url, load: { kind: 'closed', concurrency: 64, duration: '10s' } }, { redis, expectWorkers: 2 });
 * ```
 */
export async function runLoadOverRedis(plan: LoadPlan, options: RedisRunOptions): Promise<SharedLoadResult> {
  validatePlan(plan);
  const expected = options.expectWorkers;
  if (!(Number.isInteger(expected) && expected >= 1))
    throw invalidScaleOption('expectWorkers', expected, 'pass a whole number, at least 1');
  const joinMs = parseOptionalDuration(options.joinTimeout, 'joinTimeout', 30_000);
  const heartbeatMs = parseOptionalDuration(options.heartbeatTimeout, 'heartbeatTimeout', 10_000);
  const clock = options.clock ?? systemClock;
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const runId = `${(options.random ?? defaultRandom()).int(2 ** 31).toString(36)}${clock.wallNow().toString(36)}`;
  const events = `${prefix}:run:${runId}:events`;
  const shares = splitPlan(plan, expected);
  const jobs = shares.map((share, index) => ({ runId, index, plan: share, events, control: `${prefix}:run:${runId}:control:${index}` }));
  const jobTexts = jobs.map((j) => JSON.stringify(j));
  const redis = options.redis;
  const blocking = redis.duplicate();
  blocking.on('error', () => undefined); // surfaced by the command that fails
  const connection = dedicatedNodeRedis(blocking);
  await connection.connect();
  const send = async (index: number, message: string): Promise<void> => {
    await redis.rPush(jobs[index]!.control, message);
    await redis.expire(jobs[index]!.control, KEY_TTL_SEC);
  };
  try {
    for (const text of jobTexts) await redis.rPush(`${prefix}:jobs`, text);
    const names = new Map<number, string>();
    const merger = new TimelineMerger(jobs.length);
    const done = new Map<number, EncodedLoadResult>();
    const lost = new Map<number, string>();
    const heardMs = new Map<number, number>();
    // Join: every job taken and acknowledged, within joinTimeout.
    const joinStart = clock.now();
    while (names.size < jobs.length && clock.now() - joinStart < joinMs && options.signal?.aborted !== true) {
      const popped = await blocking.blPop(events, POLL_SEC);
      if (popped === null) continue;
      const event = JSON.parse(popped.element) as WorkerEvent;
      if (event.type === 'joined') names.set(event.index, event.name);
    }
    if (names.size < jobs.length) {
      for (const text of jobTexts) await redis.lRem(`${prefix}:jobs`, 0, text);
      for (const index of names.keys()) await send(index, 'cancel');
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new HeadroomError(
        'HR_SCALE_WORKERS_MISSING',
        `${names.size} of ${jobs.length} workers joined within ${joinMs / 1000} s: start more with \`headroom scale worker --redis <url>\` (same --prefix ${prefix}), or lower the expected count.`,
        { details: { expected: jobs.length, joined: [...names.values()], prefix } },
      );
    }
    options.onJoined?.([...names.values()]);
    for (const job of jobs) {
      await send(job.index, 'start');
      heardMs.set(job.index, clock.now());
    }
    const stop = (): void => void Promise.all(jobs.map((j) => send(j.index, 'stop'))).catch(() => undefined);
    options.signal?.addEventListener('abort', stop, { once: true });
    try {
      while (done.size + lost.size < jobs.length) {
        const popped = await blocking.blPop(events, POLL_SEC);
        if (popped !== null) {
          const event = JSON.parse(popped.element) as WorkerEvent;
          if (lost.has(event.index)) continue;
          heardMs.set(event.index, clock.now());
          if (event.type === 'row') {
            const merged = merger.add(event.row, LatencyHistogram.decode(event.latency));
            if (merged !== null) options.onProgress?.(merged);
          } else if (event.type === 'done') done.set(event.index, event.result);
        }
        for (const job of jobs) {
          if (done.has(job.index) || lost.has(job.index)) continue;
          const silentMs = clock.now() - heardMs.get(job.index)!;
          if (silentMs > heartbeatMs) {
            lost.set(job.index, `worker ${job.index} (${names.get(job.index)}) went silent for ${Math.round(silentMs / 1000)} s`);
            merger.lose();
          }
        }
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
    }
    const outcomes: WorkerOutcome[] = jobs.map((job) => {
      const result = done.get(job.index);
      return {
        index: job.index,
        name: names.get(job.index) ?? `worker ${job.index}`,
        load: job.plan.load,
        result: result === undefined ? null : decodeLoadResult(result),
        lost: lost.get(job.index) ?? null,
      };
    });
    return mergeLoadResults(plan, outcomes, merger.rows());
  } finally {
    await redis.del([events, ...jobs.map((j) => j.control)]).catch(() => undefined);
    await connection.close();
  }
}

/**
 * Serves runs as a worker: waits for a job on `<prefix>:jobs`, joins, runs its share when the
 * coordinator says start, streams rows and its result back. Resolves when the signal stops it (or
 * after one run with `once`).
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * await serveLoadOverRedis({ redis, signal: AbortSignal.timeout(3_600_000) });
 * ```
 */
export async function serveLoadOverRedis(options: RedisWorkerOptions): Promise<void> {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const signal = options.signal ?? new AbortController().signal;
  const redis = options.redis;
  const blocking = redis.duplicate();
  blocking.on('error', () => undefined);
  const connection = dedicatedNodeRedis(blocking);
  await connection.connect();
  const push = async (job: Job, event: WorkerEvent): Promise<void> => {
    await redis.rPush(job.events, JSON.stringify(event));
    await redis.expire(job.events, KEY_TTL_SEC);
  };
  try {
    while (!signal.aborted) {
      const popped = await blocking.blPop(`${prefix}:jobs`, POLL_SEC);
      if (popped === null) continue;
      const job = JSON.parse(popped.element) as Job;
      await push(job, { type: 'joined', index: job.index, name });
      let command: string | null = null;
      while (command === null && !signal.aborted) command = (await blocking.blPop(job.control, POLL_SEC))?.element ?? null;
      if (command !== 'start') continue; // cancelled, stopped, or this worker is shutting down
      options.onRun?.({ type: 'started', plan: job.plan });
      const controller = new AbortController();
      const onStop = (): void => controller.abort();
      signal.addEventListener('abort', onStop, { once: true });
      const pending: Promise<void>[] = [];
      const run = runLoadPlan(job.plan, {
        signal: controller.signal,
        onProgress: (row, latency) =>
          void pending.push(push(job, { type: 'row', index: job.index, row, latency: latency.encode() }).catch(() => undefined)),
      });
      // Listen for a stop while the share runs; the blocking connection is free for it.
      let running = true;
      const watch = (async () => {
        while (running && !controller.signal.aborted) {
          const message = await blocking.blPop(job.control, POLL_SEC);
          if (message?.element === 'stop') controller.abort();
        }
      })();
      const result = await run;
      running = false;
      await watch;
      signal.removeEventListener('abort', onStop);
      await Promise.all(pending);
      await push(job, { type: 'done', index: job.index, result: encodeLoadResult(result) });
      options.onRun?.({ type: 'finished', sent: result.sent, ok: result.ok });
      if (options.once === true) return;
    }
  } finally {
    await connection.close();
  }
}
