/**
 * The shared tier on Redis or Redis Cluster, through the user's node-redis or ioredis client
 * (one adapter each behind redis-connection.ts).
 *
 * - Values: `p:ns:<version>:{key}` holding a binary header and the payload (entry-format.ts),
 *   with a Redis TTL equal to the entry's hard expiry. `clear()` bumps the namespace version:
 *   every old entry is retired at once, without SCAN or multi-slot deletes (no CROSSSLOT).
 * - Tags: a version counter per tag; an entry records its tags' versions *as of its lease*, so
 *   a tag invalidated during the load retires what the load stores (redis-tag-versions.ts).
 * - Leases (Nishtala et al., "Scaling Memcache at Facebook", NSDI 2013): a missing key is
 *   loaded by the one process granted its lease; the others wait for the key's notification.
 *   A delete or a direct write removes the lease, so the lease holder's late write is refused.
 *   Leases are short and kept alive by their holder (redis-leases.ts): one nobody renews — its
 *   holder died, or its request timed out and ran late — lapses within `leaseGrace`.
 * - Late execution: a call that timed out here may still run on a stalled server once it
 *   resumes. Every script is harmless when late (redis-scripts.ts); a direct write stores its
 *   value only after its first step was acknowledged, and a timed-out lease request is followed
 *   by a tokened release on the same connection.
 * - The invalidation channel must prove it delivers (channel-watch.ts): while it is silent or
 *   down the cache does not trust L1.
 * - Every call is bounded by `timeout` and goes through a circuit breaker (call-guard.ts).
 * - Reads (redis-reads.ts): single-key reads coalesced per tick, batches one MGET per Cluster
 *   slot, every entry checked for expiry and tag versions.
 *
 * AUTH and TLS are whatever the client you pass was created with; the extra connections the
 * tier opens (subscriber, tracking) are `duplicate()`s and inherit them. The namespace version
 * (retired by `clear()`) is kept by redis-namespace.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { CallGuard } from '../call-guard.js';
import { invalidOption } from '../errors.js';
import type { LeaseOutcome, SharedTier, TierEntry, TierHealth, TierListener, TierReader, TierStats } from '../tier.js';
import { ChannelWatch } from './channel-watch.js';
import { KeyWaiters } from './key-waiters.js';
import type { RedisConnection } from './redis-connection.js';
import { RedisKeys } from './redis-keys.js';
import { LeaseWrites } from './redis-lease-writes.js';
import { LeaseKeeper } from './redis-leases.js';
import { NamespaceVersion } from './redis-namespace.js';
import { PubSubNotifier, TrackingNotifier, busMessage, bumpMessagePrefix, type NotifyHandler, type Notifier } from './redis-notify.js';
import { RedisReads } from './redis-reads.js';
import { BUMP, DELETE, RELEASE, RENEW, runScript, type Script } from './redis-scripts.js';
import { TagVersions } from './redis-tag-versions.js';
import { resolveRedisTierOptions, type RedisTierOptions } from './redis-tier-options.js';

export type { RedisTierOptions } from './redis-tier-options.js';
export type { RedisLike } from './client-node-redis.js';
export type { IoRedisLike } from './client-ioredis.js';

/**
 * Creates a Redis (or Redis Cluster) shared tier for one cache.
 * @throws HR_CACHE_INVALID_OPTION on an invalid option (unknown names included)
 * @example
 * ```ts
 * const client = createClient({ url: 'redis://localhost:6379', disableOfflineQueue: true });
 * client.on('error', (error) => log.warn(error)); // node-redis reconnects by itself; an unheard 'error' ends the process
 * await client.connect();
 * const cache = new Cache<User>({ namespace: 'users', ttl: '1m', l2: redisTier({ client }) });
 * // … on shutdown: await cache.close(); await client.close();
 * // ioredis works the same: redisTier({ client: new Redis({ enableOfflineQueue: false }) }) (or a Cluster)
 * ```
 */
export function redisTier<V>(options: RedisTierOptions<V>): SharedTier<V> {
  return new RedisTier(options);
}

class RedisTier<V> implements SharedTier<V> {
  readonly name = 'redis';
  readonly #connection: RedisConnection;
  readonly #prefix: string;
  readonly #mode: 'pubsub' | 'tracking';
  readonly #clock: Clock;
  readonly #guard: CallGuard;
  readonly #heartbeatMs: number;
  readonly #timeoutMs: number;
  readonly #origin = randomUUID();
  readonly #tags: TagVersions;
  readonly #leases: LeaseKeeper;
  readonly #waiters: KeyWaiters;
  #keys: RedisKeys | undefined;
  #version: NamespaceVersion | undefined;
  #listener: TierListener | undefined;
  #notifier: Notifier | undefined;
  #watch: ChannelWatch | undefined;
  #leaseSeq = 0;
  readonly #reads: RedisReads<V>;
  readonly #writes: LeaseWrites<V>;

  constructor(options: RedisTierOptions<V>) {
    const o = resolveRedisTierOptions(options);
    this.#connection = o.connection;
    this.#prefix = o.prefix;
    this.#mode = o.mode;
    this.#clock = o.clock;
    this.#waiters = new KeyWaiters(o.clock);
    this.#heartbeatMs = o.heartbeatMs;
    this.#timeoutMs = o.timeoutMs;
    this.#guard = new CallGuard({
      tier: 'redis',
      clock: o.clock,
      timeoutMs: o.timeoutMs,
      breaker: o.breaker,
      // A timeout may mean a stalled server rather than a slow call: check the channel now.
      onTimeout: () => this.#watch?.suspect(),
      ...(o.onCircuitChange === undefined ? {} : { onStateChange: o.onCircuitChange }),
    });
    this.#reads = new RedisReads<V>({
      connection: o.connection,
      guard: this.#guard,
      codec: o.codec,
      clock: o.clock,
      tags: () => this.#tags,
      codecError: (error) => this.#listener?.codecError?.(error),
    });
    this.#tags = new TagVersions({
      mget: (keys) => this.#reads.mget(keys, false),
      tagKey: (tag) => this.#keys!.tag(tag),
      generationKey: () => this.#keys!.tagGeneration,
      trusted: () => this.#watch?.live === true,
    });
    this.#leases = new LeaseKeeper(o.clock, o.leaseGraceMs, o.leaseTtlMs, {
      renew: async (leaseKey, token, px) => (await this.#eval('renewLease', RENEW, [leaseKey], [token, String(px)])) === 1,
      releaseInOrder: async (key, leaseKey, token) => {
        await this.#send(RELEASE, [leaseKey], [token, ...this.#announce('r', key)]);
      },
    });
    this.#writes = new LeaseWrites<V>({
      codec: o.codec,
      clock: o.clock,
      graceMs: o.leaseGraceMs,
      leases: this.#leases,
      tags: this.#tags,
      reads: this.#reads,
      waiters: this.#waiters,
      eval: (operation, script, keys, args) => this.#eval(operation, script, keys, args),
      announce: (kind, key) => this.#announce(kind, key),
      newToken: () => `${this.#origin}:${++this.#leaseSeq}`,
    });
  }

  async attach(namespace: string, listener: TierListener): Promise<void> {
    if (this.#keys !== undefined) throw invalidOption('l2', 'a redis tier already attached', 'create one redisTier per cache');
    const keys = new RedisKeys(this.#prefix, namespace);
    const c = this.#connection;
    this.#keys = keys;
    this.#version = new NamespaceVersion(
      keys,
      (versionKey) => this.#guard.run('version', () => c.getString(versionKey)),
      () => this.#listener?.cleared(),
    );
    this.#listener = listener;
    const notifier =
      this.#mode === 'pubsub'
        ? new PubSubNotifier(c.subscriber(), keys.channel, this.#origin, this.#notify, (channel, message) => c.publish(channel, message))
        : new TrackingNotifier(await c.tracking(), keys, this.#notify);
    this.#notifier = notifier;
    this.#watch = new ChannelWatch({
      clock: this.#clock,
      intervalMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
      probe: () => notifier.probe(),
      onChange: this.#channelChanged,
    });
    await notifier.start();
    await this.#version.ensure().catch(() => undefined);
  }

  get(key: string): Promise<TierEntry<V> | undefined> {
    return new Promise((resolve, reject) => this.read(key, { entry: resolve, error: reject }));
  }

  read(key: string, reader: TierReader<V>): void {
    // Hot path (an L1 miss served from Redis): no extra await once the version is known.
    if (this.#keys === undefined || !this.#version!.known) {
      this.#ready().then(
        () => this.read(key, reader),
        (error: unknown) => reader.error(error),
      );
      return;
    }
    this.#reads.read(key, this.#keys.value(key), reader);
  }

  getMany(keys: readonly string[]): Promise<(TierEntry<V> | undefined)[]> {
    const k = this.#keys;
    // Hot path (an L1 miss served from Redis): no extra await once the version is known.
    if (k === undefined || !this.#version!.known) return this.#ready().then(() => this.getMany(keys));
    return this.#reads.many(keys, keys.length === 1 ? [k.value(keys[0]!)] : keys.map((key) => k.value(key)));
  }

  async set(key: string, entry: TierEntry<V>, leaseToken?: string): Promise<boolean> {
    return this.#writes.set(await this.#ready(), key, entry, leaseToken);
  }

  async setMany(entries: readonly (readonly [string, TierEntry<V>])[]): Promise<void> {
    await Promise.all(entries.map(([key, entry]) => this.set(key, entry)));
  }

  async delete(key: string): Promise<void> {
    const k = await this.#ready();
    await this.#eval('delete', DELETE, [k.value(key), k.lease(key)], this.#announce('k', key));
  }

  async invalidateTag(tag: string): Promise<void> {
    const k = await this.#ready();
    // The generation first: a load with value-computed tags that reads a new tag version
    // then reads the generation after it, and finds it moved (redis-tag-versions.ts).
    await this.#eval('invalidateTag', BUMP, [k.tagGeneration], ['', '']);
    const channel = this.#mode === 'pubsub' ? k.channel : '';
    const version = Number(await this.#eval('invalidateTag', BUMP, [k.tag(tag)], [channel, bumpMessagePrefix('t', this.#origin, tag)]));
    this.#tags.noted(tag, version);
  }

  async clear(): Promise<void> {
    const k = await this.#ready();
    const channel = this.#mode === 'pubsub' ? k.channel : '';
    const version = Number(await this.#eval('clear', BUMP, [k.versionKey], [channel, bumpMessagePrefix('c', this.#origin, '')]));
    this.#version!.set(version);
    this.#waiters.notifyAll();
  }

  async lease(key: string, force: boolean, tags?: readonly string[] | 'dynamic'): Promise<LeaseOutcome<V>> {
    return this.#writes.lease(await this.#ready(), key, force, tags);
  }

  async releaseLease(key: string, token: string): Promise<void> {
    return this.#writes.releaseLease(await this.#ready(), key, token);
  }

  waitForKey(key: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.#waiters.wait(key, timeoutMs, signal);
  }

  stats(): TierStats {
    const g = this.#guard;
    const channel = this.#watch?.state ?? 'connecting';
    return {
      calls: g.calls,
      failures: g.failures,
      timeouts: g.timeouts,
      rejected: g.rejected,
      circuit: g.state,
      notifications: channel === 'live',
      channel,
    };
  }

  health(): TierHealth {
    return { circuit: this.#guard.state, channel: this.#watch?.state ?? 'connecting', lastHeardAt: this.#watch?.lastHeardAt ?? 0 };
  }

  async close(): Promise<void> {
    this.#waiters.notifyAll();
    this.#watch?.close();
    this.#leases.close();
    await this.#notifier?.close();
  }

  // ---- internals ----------------------------------------------------------------------------

  readonly #notify: NotifyHandler = {
    key: (name) => {
      this.#listener?.keyChanged(name);
      this.#waiters.notify(name);
    },
    released: (name) => this.#waiters.notify(name),
    tag: (name, version) => {
      this.#tags.noted(name, version);
      this.#listener?.tagInvalidated(name);
    },
    version: (version) => {
      // Without the new number (tracking mode), read it before the next use of any key.
      if (version !== undefined) this.#version?.set(version);
      else this.#version?.forget();
      this.#listener?.cleared();
      this.#waiters.notifyAll();
    },
    connection: (up) => this.#watch?.transport(up),
  };

  /** The channel turned trusted or untrusted (lost, silent, back). */
  readonly #channelChanged = (live: boolean): void => {
    // Missed messages cannot be replayed: forget cached versions both ways.
    this.#tags.forget();
    if (live) {
      this.#version?.forget();
      this.#leases.retryOwed();
    }
    this.#listener?.connection(live);
  };

  /** The key layout once the namespace version is known (fetched again after a failure). */
  async #ready(): Promise<RedisKeys> {
    const k = this.#keys;
    if (k === undefined) throw invalidOption('l2', 'an unattached redis tier', 'pass the tier to new Cache({ l2 }) before use');
    await this.#version!.ensure();
    return k;
  }

  #announce(kind: 'k' | 'r', key: string): [string, string] {
    return this.#mode === 'pubsub' ? [this.#keys!.channel, busMessage(kind, this.#origin, key)] : ['', ''];
  }

  /** EVALSHA, loading the script on NOSCRIPT; bounded and circuit-broken. */
  #eval(operation: string, script: Script, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    return this.#guard.run(operation, (call) => runScript(this.#connection, script, keys, args, call));
  }

  /** The same, unbounded and outside the breaker (a release that must follow its request in order). */
  #send(script: Script, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    return runScript(this.#connection, script, keys, args);
  }
}
