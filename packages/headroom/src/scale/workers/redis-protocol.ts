/**
 * What the coordinator of a run over Redis (`redis-coordinator.ts`) and its workers
 * (`redis-worker.ts`) share: the node-redis surface they use, the messages on the lists, the keys'
 * lifetime, and a wait that Redis cannot stretch.
 *
 * Keys (all under the prefix, default `headroom:scale`): `<prefix>:jobs` (the job list workers
 * wait on), `<prefix>:run:<id>:events` (workers → coordinator) and `<prefix>:run:<id>:control:<i>`
 * (coordinator → worker i: start, stop, cancel). Every key written expires within
 * {@link KEY_TTL_SEC} should its run never clean up.
 */
import type { Clock } from '../../core/clock.js';
import { HeadroomError } from '../../core/errors.js';
import type { NodeRedisConnection } from '../../core/node-redis-dedicated.js';
import { validatePlan, type LoadPlan } from '../runner/load-plan.js';
import type { EncodedLoadResult, TimelineRow } from '../runner/load-result.js';

/** The node-redis (v5) client surface used here. */
export interface RedisListClient {
  rPush(key: string, element: string): Promise<unknown>;
  blPop(key: string, timeoutSec: number): Promise<{ key: string; element: string } | null>;
  lRem(key: string, count: number, element: string): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
  expire(key: string, seconds: number): Promise<unknown>;
  duplicate(): RedisListClient & RedisConnectionControl;
}

/** Opening and closing a duplicated connection (and its events: a close waits for a reconnect in flight); `isOpen` turns false once it stops reconnecting. */
export interface RedisConnectionControl extends NodeRedisConnection {
  close(): Promise<unknown>;
}

/** A job: one share of one run. */
export interface Job {
  readonly runId: string;
  readonly index: number;
  readonly plan: LoadPlan;
  readonly events: string;
  readonly control: string;
  /** The coordinator's join timeout, ms: a worker that joined waits no longer than this for the start (a job left behind by a run that died). */
  readonly joinTimeoutMs?: number;
}

/** What workers push on a run's event list. */
export type WorkerEvent =
  | { readonly type: 'joined'; readonly index: number; readonly name: string }
  | { readonly type: 'row'; readonly index: number; readonly row: TimelineRow; readonly latency: string }
  | { readonly type: 'done'; readonly index: number; readonly result: EncodedLoadResult };

/** The key prefix when none is given. */
export const DEFAULT_PREFIX = 'headroom:scale';
/** Every key written expires after this long, should its run never clean up. */
export const KEY_TTL_SEC = 3600;
/** How long one blocking pop waits before the loop looks at its signal and its clock again, s. */
export const POLL_SEC = 1;

/** The result of {@link answerWithin} when the time ran out first. */
export const NO_ANSWER = Symbol('no answer');

/**
 * Waits for `pending` at most `ms` on `clock`: its value, or {@link NO_ANSWER} when the time ran
 * out first (a frozen Redis answers nothing, and node-redis has no deadline of its own). A
 * rejection after the time ran out is dropped; one before it is thrown. The timer is cancelled
 * when `pending` settles first.
 */
export function answerWithin<T>(clock: Clock, pending: Promise<T>, ms: number): Promise<T | typeof NO_ANSWER> {
  return new Promise<T | typeof NO_ANSWER>((resolve, reject) => {
    let over = false;
    const timer = clock.setTimer(ms, () => {
      over = true;
      resolve(NO_ANSWER);
    });
    pending.then(
      (value) => {
        if (over) return;
        timer.cancel();
        resolve(value);
      },
      (error: unknown) => {
        if (over) return;
        timer.cancel();
        reject(error);
      },
    );
  });
}

/** The connection to Redis closed and its client does not reconnect (`HR_SCALE_REDIS_LOST`). */
export function redisLost(role: 'worker' | 'run', cause: unknown): HeadroomError {
  const what = cause instanceof Error ? cause.message : String(cause);
  return new HeadroomError(
    'HR_SCALE_REDIS_LOST',
    `the ${role}'s connection to Redis closed (${what}) and its client does not reconnect: give the node-redis client a reconnectStrategy (its default reconnects), or start the ${role} again`,
    { cause },
  );
}

/**
 * Reads a job popped from `<prefix>:jobs`: the job, or why it is not one of this prefix's — not
 * JSON, a field missing or of the wrong type, keys outside `<prefix>:run:<runId>:` (a worker
 * writes only there), or a plan `validatePlan` refuses. Nothing in it is evaluated.
 */
export function parseJob(text: string, prefix: string): Job | string {
  let job: unknown;
  try {
    job = JSON.parse(text);
  } catch {
    return `not JSON: ${JSON.stringify(text.slice(0, 60))}`;
  }
  if (typeof job !== 'object' || job === null) return 'not an object';
  const j = job as Record<string, unknown>;
  if (typeof j['runId'] !== 'string' || !/^[0-9a-z.]+$/.test(j['runId'])) return 'runId: not a run id';
  if (!(Number.isInteger(j['index']) && (j['index'] as number) >= 0)) return 'index: not a whole number';
  const keys = `${prefix}:run:${j['runId']}:`;
  if (j['events'] !== `${keys}events`) return `events: not ${keys}events`;
  if (j['control'] !== `${keys}control:${j['index'] as number}`) return `control: not ${keys}control:${j['index'] as number}`;
  if (j['joinTimeoutMs'] !== undefined && !(typeof j['joinTimeoutMs'] === 'number' && j['joinTimeoutMs'] > 0))
    return 'joinTimeoutMs: not a positive number';
  if (typeof j['plan'] !== 'object' || j['plan'] === null) return 'plan: missing';
  try {
    validatePlan(j['plan'] as LoadPlan);
  } catch (error) {
    return `plan: ${error instanceof Error ? error.message : String(error)}`;
  }
  return job as Job;
}
