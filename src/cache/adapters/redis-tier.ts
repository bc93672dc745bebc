/**
 * The shared tier on Redis or Redis Cluster, through node-redis (`redis` v5).
 *
 * - Values: `p:ns:<version>:{key}` holding `<metadata>\n<payload>` (see entry-format.ts), with a
 *   Redis TTL equal to the entry's hard expiry. `clear()` bumps the namespace version: every
 *   old entry is retired at once, without SCAN or multi-slot deletes (no CROSSSLOT on Cluster).
 * - Tags: a version counter per tag; entries record the versions they were written under and
 *   are void once any of them moved on. Versions are cached per process while notifications
 *   flow, and fetched (grouped by slot) otherwise.
 * - Leases (Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013): a missing key is
 *   loaded by the one process granted its lease; the others wait for the key's notification.
 *   A delete or a direct write removes the lease, so the lease holder's late write is refused.
 *   A lease whose holder died expires after `leaseTtl`.
 * - Every call is bounded by `timeout` and goes through a circuit breaker (call-guard.ts).
 * - Batches group keys by Cluster slot: one MGET per slot.
 *
 * AUTH and TLS are whatever the client you pass was created with; the extra connections the
 * tier opens (subscriber, tracking) are `duplicate()`s and inherit them.
 */
import { randomUUID } from 'node:crypto';
import { RESP_TYPES } from 'redis';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Duration } from '../../core/duration.js';
import { keySlot } from '../../partition/index.js';
import { CallGuard } from '../call-guard.js';
import type { CircuitState } from '../circuit-breaker.js';
import { CodecError, invalidOption } from '../errors.js';
import { duration, positiveDuration } from '../options.js';
import type { LeaseOutcome, SharedTier, TierEntry, TierListener, TierReader, TierStats } from '../tier.js';
import { jsonCodec, type Codec } from './codec.js';
import { decodeEntry, encodeEntry, type StoredEntry } from './entry-format.js';
import { NAME_PATTERN, RedisKeys } from './redis-keys.js';
import { PubSubNotifier, TrackingNotifier, busMessage, bumpMessagePrefix, type NotifyHandler, type Notifier } from './redis-notify.js';
import { ACQUIRE, BUMP, DELETE, RELEASE, SET_DIRECT, SET_LEASED, type Script } from './redis-scripts.js';

/** The node-redis client or cluster surface the tier uses. */
export interface RedisLike {
  get(key: string): Promise<unknown>;
  mGet(keys: string[]): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  withTypeMapping(mapping: Record<number, unknown>): unknown;
  duplicate(overrides?: Record<string, unknown>): unknown;
  readonly isOpen: boolean;
}

/** Options of {@link redisTier}. */
export interface RedisTierOptions<V> {
  /** A connected node-redis client (`createClient`) or cluster (`createCluster`). Its AUTH/TLS settings carry over. */
  readonly client: RedisLike;
  /** Prefix of every key. Default `'hr'`. */
  readonly prefix?: string;
  /** Value codec. Default JSON (parsed without prototype pollution). */
  readonly codec?: Codec<V>;
  /** How other processes' changes arrive: `'pubsub'` (default) or `'tracking'` (RESP3 client tracking, BCAST). */
  readonly invalidation?: 'pubsub' | 'tracking';
  /** Bound on every Redis call. Default '250ms'. */
  readonly timeout?: Duration;
  /** Circuit breaker: opens after `failureThreshold` consecutive failures (default 5) for `open` (default '1s', doubling to `maxOpen`, default '30s'). */
  readonly circuit?: { readonly failureThreshold?: number; readonly open?: Duration; readonly maxOpen?: Duration };
  /** How long a loading lease lasts if its holder never finishes (e.g. it died). Default '10s'. */
  readonly leaseTtl?: Duration;
  /** Told about every circuit state change. */
  readonly onCircuitChange?: (state: CircuitState) => void;
  /** Time source (monotonic for timeouts, wall for expiry). Default the system clock. */
  readonly clock?: Clock;
}

/**
 * Creates a Redis (or Redis Cluster) shared tier for one cache.
 * @throws HR_CACHE_INVALID_OPTION on an invalid option
 * @example
 * ```ts
 * const client = await createClient({ url: 'redis://localhost:6379', disableOfflineQueue: true }).connect();
 * const cache = createCache<User>({ namespace: 'users', ttl: '1m', l2: redisTier({ client }) });
 * ```
 */
export function redisTier<V>(options: RedisTierOptions<V>): SharedTier<V> {
  return new RedisTier(options);
}

class RedisTier<V> implements SharedTier<V> {
  readonly name = 'redis';
  readonly #client: RedisLike;
  readonly #bin: RedisLike;
  readonly #cluster: boolean;
  readonly #prefix: string;
  readonly #codec: Codec<V>;
  readonly #mode: 'pubsub' | 'tracking';
  readonly #clock: Clock;
  readonly #guard: CallGuard;
  readonly #leaseTtlMs: number;
  readonly #origin = randomUUID();
  readonly #tagVersions = new Map<string, number>();
  readonly #waiters = new Map<string, Set<() => void>>();
  #keys: RedisKeys | undefined;
  #listener: TierListener | undefined;
  #notifier: Notifier | undefined;
  #versionKnown = false;
  #versionLoading: Promise<void> | undefined;
  #everKnown = false;
  #leaseSeq = 0;
  /** Single-key reads waiting for the end of the tick. */
  #reads = newReadBatch<V>();

  constructor(options: RedisTierOptions<V>) {
    const client = options.client;
    if (typeof client !== 'object' || client === null || typeof client.evalSha !== 'function') {
      throw invalidOption('redis.client', client, 'pass a connected node-redis client or cluster (createClient / createCluster from the redis package)');
    }
    const prefix = options.prefix ?? 'hr';
    if (typeof prefix !== 'string' || !NAME_PATTERN.test(prefix)) throw invalidOption('redis.prefix', prefix, 'use 1–64 characters from letters, digits, _ . : -');
    const mode = options.invalidation ?? 'pubsub';
    if (mode !== 'pubsub' && mode !== 'tracking') throw invalidOption('redis.invalidation', mode, "use 'pubsub' or 'tracking'");
    const circuit = options.circuit ?? {};
    const failureThreshold = circuit.failureThreshold ?? 5;
    if (!(Number.isInteger(failureThreshold) && failureThreshold > 0)) throw invalidOption('redis.circuit.failureThreshold', failureThreshold, 'use a positive integer');
    this.#client = client;
    this.#bin = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) as RedisLike;
    this.#cluster = typeof (client as { getSlotMaster?: unknown }).getSlotMaster === 'function';
    this.#prefix = prefix;
    this.#codec = options.codec ?? jsonCodec<V>();
    this.#mode = mode;
    this.#clock = options.clock ?? systemClock;
    this.#leaseTtlMs = positiveDuration(options.leaseTtl ?? '10s', 'redis.leaseTtl');
    const openMs = positiveDuration(circuit.open ?? '1s', 'redis.circuit.open');
    this.#guard = new CallGuard({
      tier: 'redis',
      clock: this.#clock,
      timeoutMs: positiveDuration(options.timeout ?? '250ms', 'redis.timeout'),
      breaker: { failureThreshold, openMs, maxOpenMs: Math.max(openMs, duration(circuit.maxOpen ?? '30s', 'redis.circuit.maxOpen')) },
      ...(options.onCircuitChange === undefined ? {} : { onStateChange: options.onCircuitChange }),
    });
  }

  async attach(namespace: string, listener: TierListener): Promise<void> {
    if (this.#keys !== undefined) throw invalidOption('l2', 'a redis tier already attached', 'create one redisTier per cache');
    this.#keys = new RedisKeys(this.#prefix, namespace);
    this.#listener = listener;
    this.#notifier = this.#mode === 'pubsub'
      ? new PubSubNotifier(this.#client.duplicate(), this.#keys.channel, this.#origin, this.#notify)
      : new TrackingNotifier(await this.#trackingConnections(), this.#keys, this.#notify);
    await this.#notifier.start();
    await this.#loadVersion().catch(() => undefined);
  }

  get(key: string): Promise<TierEntry<V> | undefined> {
    return new Promise((resolve, reject) => this.read(key, { entry: resolve, error: reject }));
  }

  read(key: string, reader: TierReader<V>): void {
    // Hot path (an L1 miss served from Redis): no extra await once the version is known.
    if (this.#keys === undefined || !this.#versionKnown) {
      this.#ready().then(() => this.read(key, reader), (error: unknown) => reader.error(error));
      return;
    }
    // Single-key reads issued in the same tick are sent together (one GET, or one MGET per
    // Cluster slot) when the tick's work is done, DataLoader-style: at 100 reads in flight
    // Redis and the client then handle one command where they handled 100.
    const batch = this.#reads;
    if (batch.keys.length === 0) process.nextTick(this.#flushReads);
    batch.keys.push(key);
    batch.readers.push(reader);
  }

  getMany(keys: readonly string[]): Promise<(TierEntry<V> | undefined)[]> {
    const k = this.#keys;
    // Hot path (an L1 miss served from Redis): no extra await once the version is known.
    if (k === undefined || !this.#versionKnown) return this.#ready().then(() => this.getMany(keys));
    const redisKeys = keys.length === 1 ? [k.value(keys[0]!)] : keys.map((key) => k.value(key));
    return this.#mget(redisKeys).then((raw) => {
      const stored = raw.map((bytes, i) => (bytes === null ? undefined : this.#decode(keys[i]!, bytes)));
      return this.#validate(stored);
    });
  }

  async set(key: string, entry: TierEntry<V>, leaseToken?: string): Promise<boolean> {
    const k = await this.#ready();
    const px = this.#px(entry.hardExpiresAt);
    if (px < 0) return true;
    const payload = encodeEntry(this.#codec, entry.value, entry.softExpiresAt, entry.hardExpiresAt, await this.#versionsOf(entry.tags));
    const [channel, message] = this.#announce('k', key);
    if (leaseToken === undefined) {
      await this.#eval('set', SET_DIRECT, [k.value(key), k.lease(key)], [payload, String(px), channel, message]);
      return true;
    }
    return await this.#eval('set', SET_LEASED, [k.value(key), k.lease(key)], [leaseToken, payload, String(px), channel, message]) === 1;
  }

  async setMany(entries: readonly (readonly [string, TierEntry<V>])[]): Promise<void> {
    await Promise.all(entries.map(([key, entry]) => this.set(key, entry)));
  }

  async delete(key: string): Promise<void> {
    const k = await this.#ready();
    const [channel, message] = this.#announce('k', key);
    await this.#eval('delete', DELETE, [k.value(key), k.lease(key)], [channel, message]);
  }

  async invalidateTag(tag: string): Promise<void> {
    const k = await this.#ready();
    const channel = this.#mode === 'pubsub' ? k.channel : '';
    const version = Number(await this.#eval('invalidateTag', BUMP, [k.tag(tag)], [channel, bumpMessagePrefix('t', this.#origin, tag)]));
    this.#tagVersions.set(tag, version);
  }

  async clear(): Promise<void> {
    const k = await this.#ready();
    const channel = this.#mode === 'pubsub' ? k.channel : '';
    const version = Number(await this.#eval('clear', BUMP, [k.versionKey], [channel, bumpMessagePrefix('c', this.#origin, '')]));
    k.setVersion(version);
    this.#wakeAll();
  }

  async lease(key: string, force: boolean): Promise<LeaseOutcome<V>> {
    const k = await this.#ready();
    const token = `${this.#origin}:${++this.#leaseSeq}`;
    const reply = await this.#eval('lease', ACQUIRE, [k.value(key), k.lease(key)], [token, String(this.#leaseTtlMs), force ? '1' : '0']) as unknown[];
    const code = reply[0];
    if (code === 1) {
      const [entry] = await this.#validate([this.#decode(key, reply[1] as Buffer)]);
      // Present but retired (an old tag version, or undecodable): ask again, over the value.
      return entry !== undefined ? { kind: 'hit', entry } : this.lease(key, true);
    }
    if (code === 2) return { kind: 'granted', token };
    return { kind: 'busy', remainingMs: Math.max(0, Number(reply[1])) };
  }

  async releaseLease(key: string, token: string): Promise<void> {
    const k = await this.#ready();
    await this.#eval('releaseLease', RELEASE, [k.lease(key)], [token]);
  }

  waitForKey(key: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let waiters = this.#waiters.get(key);
      if (waiters === undefined) this.#waiters.set(key, (waiters = new Set()));
      const set = waiters;
      const done = (): void => {
        timer.cancel();
        signal.removeEventListener('abort', done);
        set.delete(done);
        if (set.size === 0 && this.#waiters.get(key) === set) this.#waiters.delete(key);
        resolve();
      };
      set.add(done);
      const timer = this.#clock.setTimer(timeoutMs, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  stats(): TierStats {
    const g = this.#guard;
    return { calls: g.calls, failures: g.failures, timeouts: g.timeouts, rejected: g.rejected, circuit: g.state, notifications: this.#notifier?.up ?? false };
  }

  async close(): Promise<void> {
    this.#wakeAll();
    await this.#notifier?.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  readonly #notify: NotifyHandler = {
    key: (name) => {
      this.#listener?.keyChanged(name);
      this.#wake(name);
    },
    tag: (name, version) => {
      if (version === undefined) this.#tagVersions.delete(name);
      else if ((this.#tagVersions.get(name) ?? -1) < version) this.#tagVersions.set(name, version);
      this.#listener?.tagInvalidated(name);
    },
    version: (version) => {
      // Without the new number (tracking mode), read it before the next use of any key.
      if (version !== undefined) this.#keys?.setVersion(version);
      else this.#versionKnown = false;
      this.#listener?.cleared();
      this.#wakeAll();
    },
    connection: (up) => {
      // Missed messages cannot be replayed: forget cached versions both ways.
      this.#tagVersions.clear();
      if (up) this.#versionKnown = false;
      this.#listener?.connection(up);
    },
  };

  /** Sends the tick's single-key reads: one bounded call per Cluster slot (one in all on a single server). */
  readonly #flushReads = (): void => {
    const batch = this.#reads;
    this.#reads = newReadBatch<V>();
    const { keys } = batch;
    const k = this.#keys!;
    if (keys.length === 1) {
      this.#readGroup(batch, [0], [k.value(keys[0]!)]);
      return;
    }
    if (!this.#cluster) {
      this.#readGroup(batch, keys.map((_, i) => i), keys.map((key) => k.value(key)));
      return;
    }
    const bySlot = new Map<number, [number[], string[]]>();
    for (let i = 0; i < keys.length; i++) {
      const redisKey = k.value(keys[i]!);
      const slot = keySlot(redisKey);
      const group = bySlot.get(slot);
      if (group === undefined) bySlot.set(slot, [[i], [redisKey]]);
      else {
        group[0].push(i);
        group[1].push(redisKey);
      }
    }
    for (const [indices, redisKeys] of bySlot.values()) this.#readGroup(batch, indices, redisKeys);
  };

  /** Reads `redisKeys` (all in one slot) in one bounded call and settles the batch's callers at `indices`. */
  #readGroup(batch: ReadBatch<V>, indices: readonly number[], redisKeys: string[]): void {
    const bin = this.#bin;
    const call = redisKeys.length === 1
      ? this.#guard.run('get', () => bin.get(redisKeys[0]!)).then((raw) => [raw as Buffer | null])
      : this.#guard.run('mget', () => bin.mGet(redisKeys)) as Promise<(Buffer | null)[]>;
    call.then((raw) => {
      const stored = raw.map((bytes, j) => (bytes === null ? undefined : this.#decode(batch.keys[indices[j]!]!, bytes)));
      return this.#validate(stored);
    }).then((entries) => {
      for (let j = 0; j < indices.length; j++) batch.readers[indices[j]!]!.entry(entries[j]);
    }, (error: unknown) => {
      for (const i of indices) batch.readers[i]!.error(error);
    });
  }

  /** The key layout once the namespace version is known (fetched again after a failure). */
  async #ready(): Promise<RedisKeys> {
    const k = this.#keys;
    if (k === undefined) throw invalidOption('l2', 'an unattached redis tier', 'pass the tier to createCache({ l2 }) before use');
    if (!this.#versionKnown) await this.#loadVersion();
    return k;
  }

  #loadVersion(): Promise<void> {
    // One fetch at a time, shared by every caller waiting for it.
    this.#versionLoading ??= this.#fetchVersion().finally(() => { this.#versionLoading = undefined; });
    return this.#versionLoading;
  }

  async #fetchVersion(): Promise<void> {
    const k = this.#keys!;
    const raw = await this.#guard.run('version', () => this.#client.get(k.versionKey));
    const version = raw === null ? 0 : Number(raw);
    // Changed while we were not listening (reconnect): L1 holds retired entries.
    const changed = this.#everKnown && version !== k.version;
    k.setVersion(version);
    this.#versionKnown = true;
    this.#everKnown = true;
    if (changed) this.#listener?.cleared();
  }

  #announce(kind: 'k', key: string): [string, string] {
    return this.#mode === 'pubsub' ? [this.#keys!.channel, busMessage(kind, this.#origin, key)] : ['', ''];
  }

  #px(hardExpiresAt: number): number {
    if (hardExpiresAt === Infinity) return 0;
    const px = Math.ceil(hardExpiresAt - this.#clock.wallNow());
    return px > 0 ? px : -1;
  }

  #decode(key: string, bytes: Buffer): StoredEntry<V> | undefined {
    try {
      return decodeEntry(this.#codec, bytes);
    } catch (error) {
      this.#listener?.codecError?.(new CodecError(key, error));
      return undefined;
    }
  }

  /** Drops expired entries and entries written under an older tag version. */
  #validate(stored: readonly (StoredEntry<V> | undefined)[]): (TierEntry<V> | undefined)[] | Promise<(TierEntry<V> | undefined)[]> {
    let tags: Set<string> | undefined;
    for (const e of stored) if (e !== undefined && e.tagVersions.length > 0) for (const [tag] of e.tagVersions) (tags ??= new Set()).add(tag);
    if (tags === undefined) return this.#check(stored, undefined);
    return this.#tagVersionMap([...tags]).then((current) => this.#check(stored, current));
  }

  #check(stored: readonly (StoredEntry<V> | undefined)[], current: Map<string, number> | undefined): (TierEntry<V> | undefined)[] {
    const now = this.#clock.wallNow();
    return stored.map((e) => {
      if (e === undefined || e.hardExpiresAt <= now) return undefined;
      if (current !== undefined && e.tagVersions.some(([tag, v]) => current.get(tag) !== v)) return undefined;
      return e;
    });
  }

  async #versionsOf(tags: readonly string[] | undefined): Promise<[string, number][]> {
    if (tags === undefined || tags.length === 0) return [];
    const current = await this.#tagVersionMap(tags);
    return tags.map((t) => [t, current.get(t)!]);
  }

  /** Current versions of `tags`: cached while notifications flow, fetched otherwise. */
  async #tagVersionMap(tags: readonly string[]): Promise<Map<string, number>> {
    const trusted = this.#notifier?.up === true;
    const result = new Map<string, number>();
    const missing: string[] = [];
    for (const tag of tags) {
      const v = trusted ? this.#tagVersions.get(tag) : undefined;
      if (v === undefined) missing.push(tag);
      else result.set(tag, v);
    }
    if (missing.length > 0) {
      const raw = await this.#mget(missing.map((t) => this.#keys!.tag(t)), false);
      missing.forEach((tag, i) => {
        const v = raw[i] === null ? 0 : Number(raw[i]!.toString());
        result.set(tag, v);
        if (trusted) this.#tagVersions.set(tag, v);
      });
    }
    return result;
  }

  /** MGET, one call per Cluster slot; results aligned with `keys`. */
  async #mget(keys: readonly string[], binary = true): Promise<(Buffer | null)[]> {
    const client = binary ? this.#bin : this.#client;
    if (keys.length === 1) return [await this.#guard.run('get', () => client.get(keys[0]!)) as Buffer | null];
    if (!this.#cluster) return await this.#guard.run('mget', () => client.mGet([...keys])) as (Buffer | null)[];
    const bySlot = new Map<number, number[]>();
    keys.forEach((key, i) => {
      const slot = keySlot(key);
      const group = bySlot.get(slot);
      if (group === undefined) bySlot.set(slot, [i]);
      else group.push(i);
    });
    const out = new Array<Buffer | null>(keys.length).fill(null);
    await Promise.all([...bySlot.values()].map(async (indices) => {
      const values = await this.#guard.run('mget', () => client.mGet(indices.map((i) => keys[i]!))) as (Buffer | null)[];
      indices.forEach((index, j) => { out[index] = values[j] ?? null; });
    }));
    return out;
  }

  /** EVALSHA, loading the script on NOSCRIPT; bounded and circuit-broken. */
  #eval(operation: string, script: Script, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    const bin = this.#bin;
    return this.#guard.run(operation, async () => {
      try {
        return await bin.evalSha(script.sha, { keys, arguments: args });
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return bin.eval(script.source, { keys, arguments: args });
        throw error;
      }
    });
  }

  async #trackingConnections(): Promise<unknown[]> {
    const overrides = { RESP: 3, emitInvalidate: true };
    if (!this.#cluster) return [this.#client.duplicate(overrides)];
    const cluster = this.#client as unknown as { masters: unknown[]; nodeClient(node: unknown): Promise<{ duplicate(o: object): unknown }> };
    return Promise.all(cluster.masters.map(async (node) => (await cluster.nodeClient(node)).duplicate(overrides)));
  }

  #wake(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined) for (const done of [...waiters]) done();
  }

  #wakeAll(): void {
    for (const waiters of [...this.#waiters.values()]) for (const done of [...waiters]) done();
  }
}

/** Single-key reads gathered during one tick, aligned by index. */
interface ReadBatch<V> {
  readonly keys: string[];
  readonly readers: TierReader<V>[];
}

function newReadBatch<V>(): ReadBatch<V> {
  return { keys: [], readers: [] };
}
