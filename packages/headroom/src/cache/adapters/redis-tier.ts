/**
 * The shared tier on Redis or Redis Cluster, through node-redis (`redis` v5).
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
 * tier opens (subscriber, tracking) are `duplicate()`s and inherit them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { CallGuard, type GuardedCall } from '../call-guard.js';
import { TierTimeoutError, invalidOption } from '../errors.js';
import type { LeaseOutcome, SharedTier, TierEntry, TierHealth, TierListener, TierReader, TierStats } from '../tier.js';
import { ChannelWatch } from './channel-watch.js';
import { KeyWaiters } from './key-waiters.js';
import type { Codec } from './codec.js';
import { encodeEntry } from './entry-format.js';
import { RedisKeys } from './redis-keys.js';
import { LeaseKeeper, type TagSnapshot } from './redis-leases.js';
import { PubSubNotifier, TrackingNotifier, busMessage, bumpMessagePrefix, type NotifyHandler, type Notifier } from './redis-notify.js';
import { RedisReads } from './redis-reads.js';
import { ACQUIRE, BUMP, CLAIM, DELETE, RELEASE, RENEW, SET_LEASED, type Script } from './redis-scripts.js';
import { TagVersions } from './redis-tag-versions.js';
import { BUFFER_REPLIES, resolveRedisTierOptions, type RedisLike, type RedisTierOptions } from './redis-tier-options.js';

export type { RedisLike, RedisTierOptions } from './redis-tier-options.js';

/**
 * Creates a Redis (or Redis Cluster) shared tier for one cache.
 * @throws HR_CACHE_INVALID_OPTION on an invalid option (unknown names included)
 * @example
 * ```ts
 * const client = createClient({ url: 'redis://localhost:6379', disableOfflineQueue: true });
 * client.on('error', (error) => log.warn(error)); // node-redis reconnects by itself; an unheard 'error' ends the process
 * await client.connect();
 * const cache = createCache<User>({ namespace: 'users', ttl: '1m', l2: redisTier({ client }) });
 * // … on shutdown: await cache.close(); await client.close();
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
  readonly #graceMs: number;
  readonly #heartbeatMs: number;
  readonly #timeoutMs: number;
  readonly #origin = randomUUID();
  readonly #tags: TagVersions;
  readonly #leases: LeaseKeeper;
  readonly #waiters: KeyWaiters;
  #keys: RedisKeys | undefined;
  #listener: TierListener | undefined;
  #notifier: Notifier | undefined;
  #watch: ChannelWatch | undefined;
  #versionKnown = false;
  #versionLoading: Promise<void> | undefined;
  #everKnown = false;
  #leaseSeq = 0;
  readonly #reads: RedisReads<V>;

  constructor(options: RedisTierOptions<V>) {
    const o = resolveRedisTierOptions(options);
    this.#client = o.client;
    this.#bin = o.client.withTypeMapping(BUFFER_REPLIES) as RedisLike;
    this.#cluster = typeof (o.client as { getSlotMaster?: unknown }).getSlotMaster === 'function';
    this.#prefix = o.prefix;
    this.#codec = o.codec;
    this.#mode = o.mode;
    this.#clock = o.clock;
    this.#graceMs = o.leaseGraceMs;
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
      bin: this.#bin,
      client: o.client,
      guard: this.#guard,
      cluster: this.#cluster,
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
  }

  async attach(namespace: string, listener: TierListener): Promise<void> {
    if (this.#keys !== undefined) throw invalidOption('l2', 'a redis tier already attached', 'create one redisTier per cache');
    const keys = new RedisKeys(this.#prefix, namespace);
    this.#keys = keys;
    this.#listener = listener;
    const notifier =
      this.#mode === 'pubsub'
        ? new PubSubNotifier(this.#client.duplicate(), keys.channel, this.#origin, this.#notify, (channel, message) =>
            this.#client.publish(channel, message),
          )
        : new TrackingNotifier(await this.#trackingConnections(), keys, this.#notify);
    this.#notifier = notifier;
    this.#watch = new ChannelWatch({
      clock: this.#clock,
      intervalMs: this.#heartbeatMs,
      timeoutMs: this.#timeoutMs,
      probe: () => notifier.probe(),
      onChange: this.#channelChanged,
    });
    await notifier.start();
    await this.#loadVersion().catch(() => undefined);
  }

  get(key: string): Promise<TierEntry<V> | undefined> {
    return new Promise((resolve, reject) => this.read(key, { entry: resolve, error: reject }));
  }

  read(key: string, reader: TierReader<V>): void {
    // Hot path (an L1 miss served from Redis): no extra await once the version is known.
    if (this.#keys === undefined || !this.#versionKnown) {
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
    if (k === undefined || !this.#versionKnown) return this.#ready().then(() => this.getMany(keys));
    return this.#reads.many(keys, keys.length === 1 ? [k.value(keys[0]!)] : keys.map((key) => k.value(key)));
  }

  async set(key: string, entry: TierEntry<V>, leaseToken?: string): Promise<boolean> {
    const k = await this.#ready();
    if (leaseToken !== undefined) return this.#storeLeased(k, key, entry, leaseToken, this.#leases.snapshot(leaseToken));
    // A direct write: take the key's lease over any load in flight (and drop the old value),
    // then store under that lease once the first step is acknowledged. Run late, the first
    // step only leaves a lease (given back below); the second is refused if anything newer
    // touched the key meanwhile.
    const snapshot: TagSnapshot = {
      versions: entry.tags === undefined ? new Map() : await this.#tags.current(entry.tags),
      generation: undefined,
    };
    const token = this.#newToken();
    const leaseKey = k.lease(key);
    try {
      await this.#eval('set', CLAIM, [k.value(key), leaseKey], [token, String(this.#graceMs), ...this.#announce('k', key)]);
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#leases.inDoubt(key, leaseKey, token);
      throw error;
    }
    return this.#storeLeased(k, key, entry, token, snapshot);
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
    k.setVersion(version);
    this.#waiters.notifyAll();
  }

  async lease(key: string, force: boolean, tags?: readonly string[] | 'dynamic'): Promise<LeaseOutcome<V>> {
    const k = await this.#ready();
    const token = this.#newToken();
    const leaseKey = k.lease(key);
    const mark = this.#waiters.mark();
    // The versions are read alongside the request: both complete before any loader starts.
    const snapshot = this.#tags.snapshot(tags);
    snapshot.catch(() => undefined);
    let reply: unknown[];
    try {
      reply = (await this.#eval(
        'lease',
        ACQUIRE,
        [k.value(key), leaseKey],
        [token, String(this.#graceMs), force ? '1' : '0'],
      )) as unknown[];
    } catch (error) {
      // It may still run once a stalled server resumes: whatever it grants is given back, in order.
      if (error instanceof TierTimeoutError) this.#leases.inDoubt(key, leaseKey, token);
      throw error;
    }
    const code = reply[0];
    if (code === 1) {
      const [entry] = await this.#reads.validate([this.#reads.decode(key, reply[1] as Buffer)]);
      // Present but retired (an old tag version, or undecodable): ask again, over the value.
      return entry !== undefined ? { kind: 'hit', entry } : this.lease(key, true, tags);
    }
    if (code === 2) {
      let recorded: TagSnapshot;
      try {
        recorded = await snapshot;
      } catch (error) {
        this.#leases.inDoubt(key, leaseKey, token);
        throw error;
      }
      this.#leases.hold(leaseKey, token, recorded);
      return { kind: 'granted', token };
    }
    // The holder's store may be announced before this reply arrives: the wait must not miss it.
    this.#waiters.expect(key, mark);
    return { kind: 'busy', remainingMs: Math.max(0, Number(reply[1])), holder: String(reply[2] ?? '') };
  }

  async releaseLease(key: string, token: string): Promise<void> {
    const k = await this.#ready();
    this.#leases.drop(token);
    const leaseKey = k.lease(key);
    try {
      await this.#eval('releaseLease', RELEASE, [leaseKey], [token, ...this.#announce('r', key)]);
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#leases.inDoubt(key, leaseKey, token);
      throw error;
    }
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
      if (version !== undefined) this.#keys?.setVersion(version);
      else this.#versionKnown = false;
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
      this.#versionKnown = false;
      this.#leases.retryOwed();
    }
    this.#listener?.connection(live);
  };

  /** Stores under a lease with the tag versions it recorded; refused (false) when the key or a tag changed since. */
  async #storeLeased(k: RedisKeys, key: string, entry: TierEntry<V>, token: string, snapshot: TagSnapshot | undefined): Promise<boolean> {
    const leaseKey = k.lease(key);
    this.#leases.drop(token);
    try {
      // Without a snapshot the lease was not kept (held longer than leaseTtl): it may be anyone's now.
      const versions = snapshot === undefined ? undefined : await this.#tags.stamp(entry.tags, snapshot);
      const px = this.#px(entry.hardExpiresAt);
      if (versions === undefined || px < 0) {
        await this.#eval('set', RELEASE, [leaseKey], [token, ...this.#announce('r', key)]);
        return px < 0 && versions !== undefined;
      }
      const payload = encodeEntry(this.#codec, entry.value, entry.softExpiresAt, entry.hardExpiresAt, versions);
      return (
        (await this.#eval('set', SET_LEASED, [k.value(key), leaseKey], [token, payload, String(px), ...this.#announce('k', key)])) === 1
      );
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#leases.inDoubt(key, leaseKey, token);
      throw error;
    }
  }

  #newToken(): string {
    return `${this.#origin}:${++this.#leaseSeq}`;
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
    this.#versionLoading ??= this.#fetchVersion().finally(() => {
      this.#versionLoading = undefined;
    });
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

  #announce(kind: 'k' | 'r', key: string): [string, string] {
    return this.#mode === 'pubsub' ? [this.#keys!.channel, busMessage(kind, this.#origin, key)] : ['', ''];
  }

  #px(hardExpiresAt: number): number {
    if (hardExpiresAt === Infinity) return 0;
    const px = Math.ceil(hardExpiresAt - this.#clock.wallNow());
    return px > 0 ? px : -1;
  }

  /** EVALSHA, loading the script on NOSCRIPT; bounded and circuit-broken. */
  #eval(operation: string, script: Script, keys: string[], args: (string | Buffer)[]): Promise<unknown> {
    return this.#guard.run(operation, (call) => this.#send(script, keys, args, call));
  }

  /**
   * EVALSHA straight on the connection, then EVAL on NOSCRIPT — unless the script grants a lease
   * and its call was already given up (`call.settled`): that fallback would be sent after the
   * caller's in-order release, and grant a lease nobody holds. (A late invalidation, store or
   * release is harmless, and is still sent.)
   */
  async #send(script: Script, keys: string[], args: (string | Buffer)[], call?: GuardedCall): Promise<unknown> {
    const bin = this.#bin;
    try {
      return await bin.evalSha(script.sha, { keys, arguments: args });
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT') && !(script.grantsLease && call?.settled === true)) {
        return bin.eval(script.source, { keys, arguments: args });
      }
      throw error;
    }
  }

  async #trackingConnections(): Promise<unknown[]> {
    const overrides = { RESP: 3, emitInvalidate: true };
    if (!this.#cluster) return [this.#client.duplicate(overrides)];
    const cluster = this.#client as unknown as {
      masters: unknown[];
      nodeClient(node: unknown): Promise<{ duplicate(o: object): unknown }>;
    };
    return Promise.all(cluster.masters.map(async (node) => (await cluster.nodeClient(node)).duplicate(overrides)));
  }
}
