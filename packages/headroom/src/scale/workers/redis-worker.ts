/**
 * A load worker joined to runs through Redis ({@link serveLoadOverRedis}): it pops a job (one share
 * of one run) from `<prefix>:jobs`, says it joined, waits for the coordinator's start, runs its
 * share with `runLoadPlan`, streams a row every second (with that second's histogram encoded) and
 * finally its result with the HDR histogram encoded (`redis-coordinator.ts` merges them).
 *
 * It outlives Redis: a lost connection is waited out — its pops are tried again once the client
 * has reconnected (node-redis's default; a client that does not reconnect ends the worker with
 * `HR_SCALE_REDIS_LOST`) — and a job it could not answer is left to the coordinator, which
 * reports it missing or silent. A stop never waits on Redis: the blocking connection is destroyed
 * at once, so a pop waiting on a frozen or unreachable Redis ends, and what is left to push (a
 * stopped run's result) gets {@link STOP_GRACE_MS}.
 *
 * The client is the user's node-redis (`redis` v5) client, connected; blocking pops run on a
 * `duplicate()` of it (same server, AUTH and TLS), which this module opens and closes.
 */
import { hostname } from 'node:os';
import { raceAbort } from '../../core/abort.js';
import { sleep, systemClock, type Clock } from '../../core/clock.js';
import { dedicatedNodeRedis } from '../../core/node-redis-dedicated.js';
import type { LoadPlan } from '../runner/load-plan.js';
import { encodeLoadResult } from '../runner/load-result.js';
import { runLoadPlan } from '../runner/run-plan.js';
import {
  answerWithin,
  DEFAULT_PREFIX,
  KEY_TTL_SEC,
  NO_ANSWER,
  parseJob,
  POLL_SEC,
  redisLost,
  type Job,
  type RedisListClient,
  type WorkerEvent,
} from './redis-protocol.js';

/** After a stop, how long a push may still take before it is given up, ms. */
const STOP_GRACE_MS = 2000;
/** The pause before a pop that failed is tried again, ms (node-redis queues it until it has reconnected). */
const RETRY_MS = 250;

/** What a worker says of its connection to Redis. */
export type RedisConnectionEvent = { readonly type: 'lost'; readonly error: unknown } | { readonly type: 'restored' };

/** Options of {@link serveLoadOverRedis}. */
export interface RedisWorkerOptions {
  /** A connected node-redis client; give it a reconnect strategy (node-redis's default) for the worker to outlive a Redis restart. */
  readonly redis: RedisListClient;
  /** Key prefix shared with the coordinator; default `'headroom:scale'`. */
  readonly prefix?: string;
  /** This worker's name in reports; default `<hostname>:<pid>`. */
  readonly name?: string;
  /** Stops waiting for jobs (and a run in progress, which then reports what it has). */
  readonly signal?: AbortSignal;
  /** Serve one run, then resolve; default false (serve until the signal). */
  readonly once?: boolean;
  /**
   * Called when a run starts and when it ends (with what this worker measured, and whether its
   * result reached Redis). Must not throw.
   */
  readonly onRun?: (
    event:
      | { readonly type: 'started'; readonly plan: LoadPlan }
      | { readonly type: 'finished'; readonly sent: number; readonly ok: number; readonly delivered: boolean },
  ) => void;
  /** Called for an element of the job list that is not a job of this prefix (it is dropped), with why. Must not throw. */
  readonly onRejectedJob?: (reason: string) => void;
  /** Called once its own connection is up and it waits for jobs. Must not throw. */
  readonly onReady?: () => void;
  /** Called when a command fails on a lost connection (once per loss) and when Redis answers again. Must not throw. */
  readonly onConnection?: (event: RedisConnectionEvent) => void;
  /** Time source (pauses between tries, the grace after a stop); default `systemClock`. */
  readonly clock?: Clock;
}

/**
 * Serves runs as a worker: waits for a job on `<prefix>:jobs`, joins, runs its share when the
 * coordinator says start, streams rows and its result back. Resolves when the signal stops it (or
 * after one run with `once`).
 * @throws HR_SCALE_REDIS_LOST when the connection closed and the client does not reconnect
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
  const clock = options.clock ?? systemClock;
  const redis = options.redis;
  const blocking = redis.duplicate();
  blocking.on('error', () => undefined); // a lost connection shows as failed commands
  const connection = dedicatedNodeRedis(blocking);
  // A stop must not wait for Redis: destroying the blocking connection ends a pop it holds (or
  // its first connect, once that attempt settles).
  const stop = (): void => void connection.close();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await connection.connect();
  } catch (error) {
    signal.removeEventListener('abort', stop);
    throw error;
  }
  let lost = false;
  const answered = (): void => {
    if (!lost) return;
    lost = false;
    options.onConnection?.({ type: 'restored' });
  };
  const failed = (error: unknown): void => {
    if (lost || signal.aborted) return;
    lost = true;
    options.onConnection?.({ type: 'lost', error });
  };

  /** The next element on `key`, or null when none came within POLL_SEC or the worker stops; a lost connection is waited out. */
  const pop = async (key: string): Promise<string | null> => {
    while (!signal.aborted) {
      try {
        const popped = await blocking.blPop(key, POLL_SEC);
        answered();
        return popped?.element ?? null;
      } catch (error) {
        if (signal.aborted) break;
        if (!blocking.isOpen) throw redisLost('worker', error);
        failed(error);
        await sleep(clock, RETRY_MS, signal).catch(() => undefined);
      }
    }
    return null;
  };

  /** Pushes an event for the coordinator: true once Redis took it; false on a lost connection, or when a stop's grace ran out. */
  const push = async (job: Job, event: WorkerEvent): Promise<boolean> => {
    const sent = (async () => {
      await redis.rPush(job.events, JSON.stringify(event));
      await redis.expire(job.events, KEY_TTL_SEC);
    })();
    try {
      if ((await untilStopped(sent)) === NO_ANSWER && (await answerWithin(clock, sent, STOP_GRACE_MS)) === NO_ANSWER) return false;
      answered();
      return true;
    } catch (error) {
      failed(error);
      return false;
    }
  };

  /** `pending`'s value, or NO_ANSWER as soon as the worker is stopped (at once if it is). */
  const untilStopped = <T>(pending: Promise<T>): Promise<T | typeof NO_ANSWER> =>
    raceAbort(pending, signal).catch((error: unknown) => {
      if (signal.aborted && error === signal.reason) return NO_ANSWER;
      throw error;
    });

  options.onReady?.();
  try {
    while (!signal.aborted) {
      const text = await pop(`${prefix}:jobs`);
      if (text === null) continue;
      const job = parseJob(text, prefix);
      if (typeof job === 'string') {
        options.onRejectedJob?.(job);
        continue;
      }
      // Not joined: the coordinator sees one worker fewer (HR_SCALE_WORKERS_MISSING), as when none takes the job.
      if (!(await push(job, { type: 'joined', index: job.index, name }))) continue;
      // the start, within the run's join timeout (a job left behind by a run that died is never started)
      const joinedAt = clock.now();
      let command: string | null = null;
      while (command === null && !signal.aborted && clock.now() - joinedAt <= (job.joinTimeoutMs ?? Infinity))
        command = await pop(job.control);
      if (command !== 'start') continue; // cancelled, never started, stopped, or this worker is shutting down
      await runShare(job);
      if (options.once === true) return;
    }
  } finally {
    signal.removeEventListener('abort', stop);
    await connection.close();
  }

  /** Runs one share and reports it (`onRun`). */
  async function runShare(job: Job): Promise<void> {
    options.onRun?.({ type: 'started', plan: job.plan });
    const controller = new AbortController();
    const onStop = (): void => controller.abort();
    signal.addEventListener('abort', onStop, { once: true });
    const pending: Promise<boolean>[] = [];
    const run = runLoadPlan(job.plan, {
      signal: controller.signal,
      onProgress: (row, latency) => void pending.push(push(job, { type: 'row', index: job.index, row, latency: latency.encode() })),
    });
    // Listen for a stop while the share runs; the blocking connection is free for it. Not awaited
    // after the run: a pop queued while Redis is away would hold the result back.
    let running = true;
    void (async () => {
      while (running && !controller.signal.aborted) if ((await pop(job.control)) === 'stop') controller.abort();
    })().catch(() => undefined);
    try {
      const result = await run;
      running = false;
      await Promise.all(pending);
      const delivered = await push(job, { type: 'done', index: job.index, result: encodeLoadResult(result) });
      options.onRun?.({ type: 'finished', sent: result.sent, ok: result.ok, delivered });
    } finally {
      running = false;
      signal.removeEventListener('abort', onStop);
    }
  }
}
