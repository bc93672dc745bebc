/**
 * Durable write-behind: writes are acknowledged once appended to a Redis Stream, and drained to
 * the source by whichever process holds the drain lock — so a process killed with writes
 * pending loses none: the next lock holder claims its unacknowledged entries (XAUTOCLAIM) and
 * finishes them.
 *
 * Ordering: a hash records the newest stream id queued per key (set atomically with XADD). An
 * entry reaches the source only if it is still the newest for its key, so an older value never
 * overwrites a newer one, and superseded entries are skipped (last write wins). One drainer at
 * a time (the lock) keeps writes to one key sequential.
 *
 * A process can opt out of draining (`drain: false`): it queues writes and reads through them,
 * and another process writes them. `flush()` waits for the writes queued before it was called
 * (a mark in the stream), not for the stream to be empty — other producers may keep it busy.
 *
 * Limits: the lock is a lease, not a fence — a drainer paused longer than `lockTtl` (a stop-
 * the-world pause, not a crash) could write after its successor; keep `lockTtl` well above the
 * slowest source write. Delivery is at-least-once: a source write may repeat after a crash, so
 * source writes should be idempotent (plain set/delete are).
 */
import { randomUUID } from 'node:crypto';
import { sleep, systemClock, type Clock } from '../../core/clock.js';
import { toError } from '../../core/errors.js';
import { dedicatedNodeRedis, type DedicatedNodeRedis } from '../../core/node-redis-dedicated.js';
import { Emitter, type Disposable, type Listener } from '../../core/events.js';
import { defaultRandom, type Random } from '../../core/random.js';
import type { Cache } from '../cache.js';
import { CacheClosedError, WriteBehindError, invalidOption } from '../errors.js';
import { backoffDelay, resolveBackoff, type Backoff } from '../../core/backoff.js';
import { positiveDuration } from '../options.js';
import type { WriteBehindEvent } from '../write/behind.js';
import type { Source } from '../write/source.js';
import { jsonCodec, type Codec } from './codec.js';
import { NAME_PATTERN, RedisKeys } from './redis-keys.js';
import {
  BINARY,
  ENQUEUE,
  GROUP,
  LOCK,
  SETTLE,
  UNLOCK,
  deletedEntries,
  fieldsOf,
  streamEntries,
  toBuffer,
  type StreamClient,
  type StreamReply,
} from './redis-stream.js';
import type { DurableWriteBehind, DurableWriteBehindOptions } from './redis-write-behind-options.js';

export type { DurableWriteBehind, DurableWriteBehindOptions } from './redis-write-behind-options.js';

/**
 * Puts `cache` in front of `source` with writes queued durably in a Redis Stream.
 * @throws HR_CACHE_INVALID_OPTION on an invalid option
 * @example
 * ```ts
 * const orders = durableWriteBehind(cache, orderTable, { client }); // client: connected, with an 'error' listener
 * await orders.set('o-1', order); // durable once this resolves; reaches the table shortly
 * await orders.flush();           // this process's writes are in the table
 * await orders.close();           // then cache.close() and client.close()
 * ```
 */
export function durableWriteBehind<V>(
  cache: Cache<V, string>,
  source: Source<V>,
  options: DurableWriteBehindOptions<V>,
): DurableWriteBehind<V> {
  return new DurableQueue(cache, source, options);
}

class DurableQueue<V> implements DurableWriteBehind<V> {
  readonly #cache: Cache<V, string>;
  readonly #source: Source<V>;
  readonly #client: StreamClient;
  readonly #keys: RedisKeys;
  readonly #codec: Codec<V>;
  readonly #batch: number;
  readonly #blockMs: number;
  readonly #lockTtlMs: number;
  readonly #backoff: Backoff;
  readonly #consumer: string;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #events = new Emitter<WriteBehindEvent>();
  readonly #token = randomUUID();
  readonly #stop = new AbortController();
  readonly #attempts = new Map<string, number>();
  readonly #drains: boolean;
  #reader: StreamClient | undefined;
  #readerConnection: DedicatedNodeRedis | undefined;
  #loop: Promise<void> | undefined;
  #retryAt = 0;
  written = 0;

  constructor(cache: Cache<V, string>, source: Source<V>, options: DurableWriteBehindOptions<V>) {
    const client = options.client as StreamClient;
    if (typeof client !== 'object' || client === null || typeof client.sendCommand !== 'function') {
      throw invalidOption('writeBehind.client', client, 'pass a connected node-redis client');
    }
    const prefix = options.prefix ?? 'hr';
    if (!NAME_PATTERN.test(prefix)) throw invalidOption('writeBehind.prefix', prefix, 'use 1–64 characters from letters, digits, _ . : -');
    const batch = options.batchSize ?? 100;
    if (!(Number.isInteger(batch) && batch > 0)) throw invalidOption('writeBehind.batchSize', batch, 'use a positive integer');
    this.#cache = cache;
    this.#source = source;
    this.#client = client;
    this.#keys = new RedisKeys(prefix, cache.namespace);
    this.#codec = options.codec ?? jsonCodec<V>();
    this.#batch = batch;
    this.#blockMs = positiveDuration(options.block ?? '200ms', 'writeBehind.block');
    this.#lockTtlMs = positiveDuration(options.lockTtl ?? '5s', 'writeBehind.lockTtl');
    this.#backoff = resolveBackoff(options.retryBackoff, 'cache.writeBehind.retryBackoff', {
      initialMs: 100,
      maxMs: 10_000,
      multiplier: 2,
      jitter: 'equal',
    });
    this.#consumer = options.consumer ?? randomUUID();
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? defaultRandom();
    const drain = options.drain ?? true;
    if (typeof drain !== 'boolean')
      throw invalidOption('writeBehind.drain', drain, 'use true (this process drains the queue) or false (it only queues writes)');
    this.#drains = drain;
    // The loop survives Redis errors by itself; this catch only guards its very first connect.
    if (drain) this.#loop = this.#run().catch(() => undefined);
  }

  get(key: string, options?: { readonly signal?: AbortSignal }): Promise<V | undefined> {
    return this.#cache.getOrLoad(key, this.#load, options);
  }

  async set(key: string, value: V): Promise<void> {
    this.#live();
    // Durable first; the cache update after it may fail on its shared tier (reported as a cache
    // event) without losing the write.
    await this.#client.eval(ENQUEUE, {
      keys: [this.#keys.stream, this.#keys.latest],
      arguments: [key, 'set', toBuffer(this.#codec.encode(value))],
    });
    await this.#cache.set(key, value).catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    this.#live();
    await this.#client.eval(ENQUEUE, { keys: [this.#keys.stream, this.#keys.latest], arguments: [key, 'del', ''] });
    await this.#cache.delete(key).catch(() => undefined);
  }

  async flush(timeoutMs = 30_000): Promise<void> {
    // The newest entry now marks "queued before the call"; done entries are deleted from the
    // stream, so none left up to it means all were written.
    const [newest] = (await this.#client.sendCommand(['XREVRANGE', this.#keys.stream, '+', '-', 'COUNT', '1'])) as [string, unknown][];
    if (newest === undefined) return;
    const upTo = newest[0];
    const deadline = this.#clock.now() + timeoutMs;
    for (;;) {
      const left = (await this.#client.sendCommand(['XRANGE', this.#keys.stream, '-', upTo, 'COUNT', '1'])) as unknown[];
      if (left.length === 0) return;
      if (this.#clock.now() >= deadline) {
        const why = this.#drains ? '' : ' (this queue does not drain — drain: false — so another process must; is one running?)';
        throw new WriteBehindError([`stream ${this.#keys.stream}`], new Error(`not drained within ${timeoutMs} ms${why}`));
      }
      await sleep(this.#clock, Math.min(50, this.#blockMs));
    }
  }

  async close(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    this.#stop.abort(new CacheClosedError('durable write-behind queue'));
    await this.#loop;
    await this.#client.eval(UNLOCK, { keys: [this.#keys.drainLock], arguments: [this.#token] }).catch(() => undefined);
    await this.#readerConnection?.close();
  }

  on(listener: Listener<WriteBehindEvent>): Disposable {
    return this.#events.on(listener);
  }

  /** Reads see queued writes first: the newest entry for the key, else the source. */
  readonly #load = async ({ key, signal }: { key: string; signal: AbortSignal }): Promise<V | undefined> => {
    const id = await this.#client.sendCommand(['HGET', this.#keys.latest, key]);
    if (typeof id === 'string') {
      const found = (await this.#client.sendCommand(['XRANGE', this.#keys.stream, id, id], BINARY)) as [Buffer, Buffer[]][] | null;
      const fields = found?.[0]?.[1];
      if (fields !== undefined) {
        const entry = fieldsOf(fields);
        return entry.op === 'del' ? undefined : this.#codec.decode(entry.v);
      }
    }
    return this.#source.get(key, { signal });
  };

  #live(): void {
    if (this.#stop.signal.aborted) throw new CacheClosedError('durable write-behind queue');
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal;
    const reader = this.#client.duplicate() as StreamClient;
    reader.on('error', () => {});
    this.#readerConnection = dedicatedNodeRedis(reader);
    await this.#readerConnection.connect();
    this.#reader = reader;
    await this.#createGroup();
    let holding = false;
    let renewAt = 0;
    while (!signal.aborted) {
      try {
        const now = this.#clock.now();
        if (!holding || now >= renewAt) {
          const got =
            (await this.#client.eval(LOCK, { keys: [this.#keys.drainLock], arguments: [this.#token, String(this.#lockTtlMs)] })) === 1;
          if (got && !holding) await this.#claimOrphans();
          holding = got;
          renewAt = now + this.#lockTtlMs / 3;
          if (!holding) {
            await sleep(this.#clock, this.#lockTtlMs / 4, signal).catch(() => undefined);
            continue;
          }
        }
        await this.#drainOnce();
      } catch (error) {
        holding = false;
        // The stream or its group is gone — Redis restarted without its data, or the key was
        // deleted — while writes go on arriving (each XADD makes the stream anew): make the group
        // again, from the start of the stream, or nothing would drain until this process restarts.
        if (error instanceof Error && error.message.startsWith('NOGROUP')) await this.#createGroup();
        await sleep(this.#clock, this.#blockMs, signal).catch(() => undefined);
      }
    }
  }

  /** Creates the consumer group (and the stream) if missing; an existing group is kept as it is. */
  async #createGroup(): Promise<void> {
    await this.#client.sendCommand(['XGROUP', 'CREATE', this.#keys.stream, GROUP, '0', 'MKSTREAM']).catch(() => undefined);
  }

  /** After taking the lock: adopt every entry another (dead) consumer read but never acknowledged. */
  async #claimOrphans(): Promise<void> {
    let cursor = '0-0';
    do {
      const reply = (await this.#client.sendCommand([
        'XAUTOCLAIM',
        this.#keys.stream,
        GROUP,
        this.#consumer,
        '0',
        cursor,
        'COUNT',
        '500',
        'JUSTID',
      ])) as [string, unknown[]];
      cursor = reply[0];
    } while (cursor !== '0-0');
  }

  /** One round: retry own pending entries when their backoff has passed, else read new ones. */
  async #drainOnce(): Promise<void> {
    const reader = this.#reader!;
    const retrying = this.#clock.now() >= this.#retryAt;
    let reply = retrying
      ? ((await reader.sendCommand(
          ['XREADGROUP', 'GROUP', GROUP, this.#consumer, 'COUNT', String(this.#batch), 'STREAMS', this.#keys.stream, '0'],
          BINARY,
        )) as StreamReply)
      : null;
    if (streamEntries(reply).length === 0) {
      reply = (await reader.sendCommand(
        [
          'XREADGROUP',
          'GROUP',
          GROUP,
          this.#consumer,
          'COUNT',
          String(this.#batch),
          'BLOCK',
          String(Math.round(this.#blockMs)),
          'STREAMS',
          this.#keys.stream,
          '>',
        ],
        BINARY,
      )) as StreamReply;
    }
    const gone = deletedEntries(reply);
    if (gone.length > 0) await this.#ack(gone);
    const entries = streamEntries(reply);
    if (entries.length === 0) return;
    // Last write wins within the round; older entries of a key are acknowledged as superseded.
    const newest = new Map<string, { id: string; op: string; v: Buffer }>();
    const superseded: string[] = [];
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      const entry = fieldsOf(fields);
      const previous = newest.get(entry.k);
      if (previous !== undefined) superseded.push(previous.id);
      newest.set(entry.k, { id, op: entry.op, v: entry.v });
    }
    if (superseded.length > 0) await this.#ack(superseded);
    let failed = false;
    await Promise.all(
      [...newest].map(async ([key, entry]) => {
        const latest = await this.#client.sendCommand(['HGET', this.#keys.latest, key]);
        if (latest !== entry.id) {
          await this.#ack([entry.id]); // a newer write is queued; it will be applied instead
          return;
        }
        const attempts = (this.#attempts.get(key) ?? 0) + 1;
        try {
          if (entry.op === 'del') await this.#source.delete(key, {});
          else await this.#source.set(key, this.#codec.decode(entry.v), {});
        } catch (thrown) {
          failed = true;
          this.#attempts.set(key, attempts);
          const retryInMs = backoffDelay(this.#backoff, attempts, this.#random);
          this.#events.emit({
            type: 'write-error',
            key,
            error: toError(thrown, `The durable write-behind write of key ${JSON.stringify(key)}`),
            attempts,
            retryInMs,
          });
          this.#retryAt = Math.max(this.#retryAt, this.#clock.now() + retryInMs);
          return;
        }
        this.#attempts.delete(key);
        this.written++;
        await this.#client.eval(SETTLE, { keys: [this.#keys.latest], arguments: [key, entry.id] });
        await this.#ack([entry.id]);
        if (this.#events.active) this.#events.emit({ type: 'written', key, attempts });
      }),
    );
    if (!failed) this.#retryAt = 0;
  }

  /**
   * Done with `ids`: deleted, then acknowledged. In that order a drainer that dies in between
   * leaves pending ids without data, which its successor's claim or read clears. The other order
   * would leave acknowledged entries that nobody reads again and the stream never empties.
   */
  async #ack(ids: string[]): Promise<void> {
    await this.#client.sendCommand(['XDEL', this.#keys.stream, ...ids]);
    await this.#client.sendCommand(['XACK', this.#keys.stream, GROUP, ...ids]);
  }
}
