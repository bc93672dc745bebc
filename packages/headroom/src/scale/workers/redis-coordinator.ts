/**
 * Several machines loading one target as one run, joined through Redis: the coordinator
 * ({@link runLoadOverRedis}) splits the plan into shares and pushes one job per expected worker on
 * `<prefix>:jobs`; each worker (`redis-worker.ts`) pops one, says it joined, and waits for the
 * start, so every share starts within a Redis round trip of the others. The coordinator merges the
 * rows and results they stream back exactly, the live line's percentiles too. A worker silent for
 * longer than `heartbeatTimeout` (rows arrive every second while it runs) is reported lost, its
 * share missing from the figures.
 *
 * Redis cannot hang it: a pop that Redis does not answer (frozen) within `heartbeatTimeout` past
 * its own timeout counts as that silence, for every worker still running; a lost connection is
 * waited out while the client reconnects, and one that does not come back ends the run with what
 * arrived, the workers still running reported lost. Cleaning up waits at most `heartbeatTimeout`
 * too (the keys expire within an hour anyway).
 */
import { sleep, systemClock, type Clock } from '../../core/clock.js';
import { parseOptionalDuration, type Duration } from '../../core/duration.js';
import { HeadroomError } from '../../core/errors.js';
import { LatencyHistogram } from '../../core/histogram.js';
import { dedicatedNodeRedis } from '../../core/node-redis-dedicated.js';
import { defaultRandom, type Random } from '../../core/random.js';
import { invalidScaleOption } from '../models/errors.js';
import { splitPlan, validatePlan, type LoadPlan } from '../runner/load-plan.js';
import { decodeLoadResult, type EncodedLoadResult, type TimelineRow } from '../runner/load-result.js';
import { mergeLoadResults, TimelineMerger, type SharedLoadResult, type WorkerOutcome } from '../runner/merge.js';
import {
  answerWithin,
  DEFAULT_PREFIX,
  KEY_TTL_SEC,
  NO_ANSWER,
  POLL_SEC,
  redisLost,
  type Job,
  type RedisListClient,
  type WorkerEvent,
} from './redis-protocol.js';

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
  /** A worker silent this long is reported lost (and Redis silent this long ends the run); default `'10s'`. */
  readonly heartbeatTimeout?: Duration;
  /** Stops every worker's sending; requests in flight are awaited. */
  readonly signal?: AbortSignal;
  /** Receives each second's merged row (rates summed, p50/p99 of the workers' merged histograms) once every running worker has sent it. Must not throw. */
  readonly onProgress?: (row: TimelineRow) => void;
  /** Called once with the workers that joined (their names), before the start. Must not throw. */
  readonly onJoined?: (names: readonly string[]) => void;
  /** Time source (heartbeats, Redis's silence); default `systemClock`. */
  readonly clock?: Clock;
  /** Draws the run id; default `defaultRandom()`. */
  readonly random?: Random;
}

/** The pause before a pop that failed on a reconnecting client is tried again, ms. */
const RETRY_MS = 250;

/**
 * Coordinates a run over Redis: waits for `expectWorkers` workers, starts them together, merges
 * what they send back.
 * @throws HR_SCALE_WORKERS_MISSING when fewer than `expectWorkers` joined within `joinTimeout`
 *   (the jobs not taken are withdrawn, the joined workers released), or Redis did not answer then
 * @throws HR_SCALE_REDIS_LOST when the connection closed before the start and the client does not reconnect
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
  const jobs: Job[] = shares.map((share, index) => ({
    runId,
    index,
    plan: share,
    events,
    control: `${prefix}:run:${runId}:control:${index}`,
    joinTimeoutMs: joinMs,
  }));
  const jobTexts = jobs.map((j) => JSON.stringify(j));
  const redis = options.redis;
  const blocking = redis.duplicate();
  blocking.on('error', () => undefined); // surfaced by the command that fails
  const connection = dedicatedNodeRedis(blocking);
  await connection.connect();
  /** Runs a command on the main client, waiting at most `heartbeatMs` for a frozen Redis; false when it got no answer. */
  const bounded = async (command: () => Promise<unknown>): Promise<boolean> =>
    (await answerWithin(clock, command(), heartbeatMs)) !== NO_ANSWER;
  const send = async (index: number, message: string): Promise<void> => {
    await redis.rPush(jobs[index]!.control, message);
    await redis.expire(jobs[index]!.control, KEY_TTL_SEC);
  };
  /**
   * The next event, null when none came within POLL_SEC, or NO_ANSWER when Redis said nothing
   * for `heartbeatMs` past that (frozen) — a failed pop on a reconnecting client is tried again
   * after a pause, within the same bound.
   * @throws HR_SCALE_REDIS_LOST when the connection closed and does not reconnect
   */
  const pop = async (): Promise<WorkerEvent | null | typeof NO_ANSWER> => {
    const since = clock.now();
    for (;;) {
      const left = POLL_SEC * 1000 + heartbeatMs - (clock.now() - since);
      if (left <= 0) return NO_ANSWER;
      try {
        const popped = await answerWithin(clock, blocking.blPop(events, POLL_SEC), left);
        if (popped === NO_ANSWER) return NO_ANSWER;
        return popped === null ? null : (JSON.parse(popped.element) as WorkerEvent);
      } catch (error) {
        if (!blocking.isOpen) throw redisLost('run', error);
        await sleep(clock, RETRY_MS);
      }
    }
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
    let silent = false;
    while (names.size < jobs.length && clock.now() - joinStart < joinMs && options.signal?.aborted !== true) {
      const event = await pop();
      if (event === NO_ANSWER) {
        silent = true;
        break;
      }
      if (event?.type === 'joined') names.set(event.index, event.name);
    }
    if (names.size < jobs.length) {
      for (const text of jobTexts) if (!(await bounded(() => redis.lRem(`${prefix}:jobs`, 0, text)))) break;
      for (const index of names.keys()) if (!(await bounded(() => send(index, 'cancel')))) break;
      if (options.signal?.aborted === true) throw options.signal.reason;
      throw new HeadroomError(
        'HR_SCALE_WORKERS_MISSING',
        silent
          ? `Redis did not answer for ${(POLL_SEC * 1000 + heartbeatMs) / 1000} s while ${names.size} of ${jobs.length} workers had joined: check the Redis server (frozen, overloaded?), then run again.`
          : `${names.size} of ${jobs.length} workers joined within ${joinMs / 1000} s: start more with \`headroom scale worker --redis <url>\` (same --prefix ${prefix}), or lower the expected count.`,
        { details: { expected: jobs.length, joined: [...names.values()], prefix, redisSilent: silent } },
      );
    }
    options.onJoined?.([...names.values()]);
    // Every worker is on the heartbeat clock from here, started or not: a start Redis does not
    // take in time leaves the rest unstarted, and their silence ends the run.
    for (const job of jobs) heardMs.set(job.index, clock.now());
    for (const job of jobs) if (!(await bounded(() => send(job.index, 'start')))) break;
    const stop = (): void => void Promise.all(jobs.map((j) => send(j.index, 'stop'))).catch(() => undefined);
    options.signal?.addEventListener('abort', stop, { once: true });
    const loseRunning = (why: string): void => {
      for (const job of jobs) {
        if (done.has(job.index) || lost.has(job.index)) continue;
        lost.set(job.index, `worker ${job.index} (${names.get(job.index)}): ${why}`);
        merger.lose();
      }
    };
    try {
      while (done.size + lost.size < jobs.length) {
        let event: WorkerEvent | null | typeof NO_ANSWER;
        try {
          event = await pop();
        } catch (error) {
          // the connection is gone for good: keep what arrived
          loseRunning(error instanceof Error ? error.message : String(error));
          break;
        }
        if (event === NO_ANSWER) {
          loseRunning(`Redis did not answer for ${(POLL_SEC * 1000 + heartbeatMs) / 1000} s`);
          break;
        }
        if (event !== null && !lost.has(event.index)) {
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
    await bounded(() => redis.del([events, ...jobs.map((j) => j.control)])).catch(() => undefined);
    await connection.close();
  }
}
