/**
 * Scatter-gather for multi-key requests: group keys by owner, make one call per node in parallel,
 * merge the answers, and stop at a deadline with whatever arrived — each shard reporting its own
 * status — instead of letting the slowest node set the latency (Dean & Barroso, "The Tail at
 * Scale", CACM 2013: fan-out multiplies the chance of meeting a slow server).
 *
 * Cancellation vs deadline: aborting `signal` means the caller no longer wants the answer, so the
 * call rejects with `signal.reason`; reaching the deadline (`deadline` signal or `timeoutMs` on the
 * injected clock) means "good enough by now", so it resolves with partial results, shards still
 * running marked `timeout` and their calls aborted. Late answers are ignored (their promises are
 * still observed, so nothing rejects unhandled). Complexity O(keys) plus the calls.
 */
import { parseDuration, type Duration } from '../core/duration.js';
import { systemClock, type Clock } from '../core/clock.js';
import { DeadlineExceededError, HeadroomError, toError } from '../core/errors.js';
import { keySlot } from './algorithms/slots.js';
import type { PartitionKey, Partitioner } from './partitioner.js';

/**
 * Groups keys by owner, preserving key order within each group and first-seen node order.
 * @throws HR_PARTITION_INVALID_KEY for a key that is not a string or Uint8Array
 */
export function groupByOwner<K extends PartitionKey>(partitioner: Partitioner, keys: Iterable<K>): Map<string, K[]> {
  const groups = new Map<string, K[]>();
  for (const key of keys) {
    const node = partitioner.locate(key);
    const group = groups.get(node);
    if (group === undefined) groups.set(node, [key]);
    else group.push(key);
  }
  return groups;
}

/**
 * Groups keys by Redis Cluster slot (keys sharing a slot can go in one MGET on a cluster).
 * @throws HR_PARTITION_INVALID_KEY for a key that is not a string or Uint8Array
 */
export function groupBySlot<K extends PartitionKey>(keys: Iterable<K>): Map<number, K[]> {
  const groups = new Map<number, K[]>();
  for (const key of keys) {
    const slot = keySlot(key);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [key]);
    else group.push(key);
  }
  return groups;
}

/** How one shard's call ended. */
export type ShardStatus = 'ok' | 'error' | 'timeout';

/** One node's part of a scatter-gather. */
export interface ShardOutcome<K> {
  /** Node id. */
  readonly node: string;
  /** Keys sent to it. */
  readonly keys: readonly K[];
  /** `ok`, `error` (the call rejected), or `timeout` (still running at the deadline). */
  readonly status: ShardStatus;
  /** The rejection, for `error`. */
  readonly error?: Error;
  /** Time from the start of the scatter to this shard's end (or to the deadline); ms on the clock. */
  readonly elapsedMs: number;
}

/** Result of {@link scatterGather}. */
export interface ScatterResult<K, V> {
  /** Values from shards that answered (a key is absent when its shard failed or the value was `undefined`). */
  readonly values: Map<K, V>;
  /** Per-shard outcome, in first-seen node order. */
  readonly shards: ShardOutcome<K>[];
  /** True when every shard answered `ok`. */
  readonly complete: boolean;
  /** Keys whose shard did not answer `ok`. */
  readonly missing: K[];
}

/** Options of {@link scatterGather}. */
export interface ScatterOptions<K extends PartitionKey, V> {
  /** Who owns each key. */
  readonly partitioner: Partitioner;
  /** The keys to fetch (duplicates are fetched once per occurrence). */
  readonly keys: readonly K[];
  /**
   * One call per node: resolve to one value per key, in the order given (`undefined` for none).
   * Must honour `signal` (it aborts at the deadline or on cancellation).
   */
  readonly fetch: (node: string, keys: readonly K[], signal: AbortSignal) => Promise<readonly (V | undefined)[]>;
  /** Cancels the whole call: it rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** When this aborts, resolve with what has arrived (partial results). */
  readonly deadline?: AbortSignal;
  /** Same as `deadline`, as a duration on `clock` (ms or '50ms'); default none. */
  readonly timeout?: Duration;
  /** Clock for `timeout` and `elapsedMs`; default the system clock. */
  readonly clock?: Clock;
}

/**
 * Fetches `keys` from their owners in parallel, one call per node, with a deadline.
 * @throws HR_CORE_INVALID_DURATION for a `timeout` that is not a duration
 * @throws HR_PARTITION_INVALID_KEY for a bad key
 * @returns partial results with per-shard status; rejects with `signal.reason` when `signal` aborts
 * @example
 * ```ts
 * const { values, shards, complete } = await scatterGather({
 *   partitioner: ring, keys: ['u:1', 'u:2', 'u:3'], timeout: '50ms',
 *   fetch: (node, keys, signal) => clients.get(node)!.mget(keys, { signal }),
 * });
 * ```
 */
export function scatterGather<K extends PartitionKey, V>(options: ScatterOptions<K, V>): Promise<ScatterResult<K, V>> {
  const { signal, deadline } = options;
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout, 'timeout');
  const groups = groupByOwner(options.partitioner, options.keys);
  if (signal?.aborted) return Promise.reject(signal.reason);
  const clock = options.clock ?? systemClock;
  const start = clock.now();
  const nodes = [...groups.keys()];
  // One controller per shard, so only calls still running are aborted.
  const controllers = nodes.map(() => new AbortController());
  const outcomes: (ShardOutcome<K> | undefined)[] = nodes.map(() => undefined);
  const answers: (readonly (V | undefined)[] | undefined)[] = nodes.map(() => undefined);

  return new Promise<ScatterResult<K, V>>((resolve, reject) => {
    let pending = nodes.length;
    let settled = false;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      const now = clock.now();
      const shards = nodes.map((node, i) => {
        if (outcomes[i] !== undefined) return outcomes[i];
        controllers[i]!.abort(new DeadlineExceededError('scatter-gather deadline reached', { node, elapsedMs: now - start }));
        return { node, keys: groups.get(node)!, status: 'timeout' as const, elapsedMs: now - start };
      });
      resolve(merge(shards, answers));
    };
    const onCancel = (): void => {
      if (settled) return;
      settled = true;
      cleanup();
      controllers.forEach((c, i) => {
        if (outcomes[i] === undefined) c.abort(signal!.reason);
      });
      reject(signal!.reason);
    };
    const onDeadline = (): void => finish();
    const timer = timeoutMs === undefined ? undefined : clock.setTimer(timeoutMs, onDeadline);
    const cleanup = (): void => {
      timer?.cancel();
      signal?.removeEventListener('abort', onCancel);
      deadline?.removeEventListener('abort', onDeadline);
    };
    signal?.addEventListener('abort', onCancel, { once: true });
    deadline?.addEventListener('abort', onDeadline, { once: true });
    if (pending === 0 || deadline?.aborted) {
      finish();
      return;
    }

    nodes.forEach((node, i) => {
      const keys = groups.get(node)!;
      const done = (outcome: ShardOutcome<K>, answer?: readonly (V | undefined)[]): void => {
        if (settled) return; // a late answer after the deadline or cancellation is dropped
        outcomes[i] = outcome;
        answers[i] = answer;
        if (--pending === 0) finish();
      };
      let call: Promise<readonly (V | undefined)[]>;
      try {
        call = Promise.resolve(options.fetch(node, keys, controllers[i]!.signal));
      } catch (e) {
        call = Promise.reject(e);
      }
      call.then(
        (answer) => {
          if (!Array.isArray(answer) || answer.length !== keys.length) {
            const error = new HeadroomError(
              'HR_PARTITION_SHARD_RESULT',
              `scatter-gather fetch for node ${node} returned ${Array.isArray(answer) ? `${answer.length} values` : typeof answer} for ${keys.length} keys; return one value (or undefined) per key, in order`,
              { details: { node, keys: keys.length } },
            );
            done({ node, keys, status: 'error', error, elapsedMs: clock.now() - start });
            return;
          }
          done({ node, keys, status: 'ok', elapsedMs: clock.now() - start }, answer);
        },
        (e: unknown) => {
          done({ node, keys, status: 'error', error: toError(e, `scatter-gather fetch for node ${node}`), elapsedMs: clock.now() - start });
        },
      );
    });
  });
}

function merge<K, V>(shards: ShardOutcome<K>[], answers: readonly (readonly (V | undefined)[] | undefined)[]): ScatterResult<K, V> {
  const values = new Map<K, V>();
  const missing: K[] = [];
  shards.forEach((shard, i) => {
    const answer = answers[i];
    if (shard.status !== 'ok' || answer === undefined) {
      missing.push(...shard.keys);
      return;
    }
    shard.keys.forEach((key, j) => {
      const v = answer[j];
      if (v !== undefined) values.set(key, v);
    });
  });
  return { values, shards, complete: shards.every((s) => s.status === 'ok'), missing };
}
