/**
 * The Redis tier's writes under leases (Nishtala et al., NSDI 2013): get-or-lease, storing a
 * load under the lease it was granted with the tag versions recorded at that moment, giving a
 * lease back, and the direct write — which takes the key's lease over any load in flight, then
 * stores under it. Every step that timed out may still run on a stalled server: whatever lease
 * it leaves is handed to the lease keeper to give back, in order (redis-leases.ts).
 */
import type { Clock } from '../../core/clock.js';
import { TierTimeoutError } from '../errors.js';
import type { LeaseOutcome, TierEntry } from '../tier.js';
import type { Codec } from './codec.js';
import { encodeEntry } from './entry-format.js';
import type { KeyWaiters } from './key-waiters.js';
import type { RedisKeys } from './redis-keys.js';
import type { LeaseKeeper, TagSnapshot } from './redis-leases.js';
import type { RedisReads } from './redis-reads.js';
import { ACQUIRE, CLAIM, RELEASE, SET_LEASED, type Script } from './redis-scripts.js';
import type { TagVersions } from './redis-tag-versions.js';

/** What the lease writes need from the tier. */
export interface LeaseWritesOptions<V> {
  readonly codec: Codec<V>;
  readonly clock: Clock;
  /** How long a lease outlives a holder that stopped renewing it, ms. */
  readonly graceMs: number;
  readonly leases: LeaseKeeper;
  readonly tags: TagVersions;
  readonly reads: RedisReads<V>;
  readonly waiters: KeyWaiters;
  /** Runs a script as one bounded, circuit-broken call. */
  readonly eval: (operation: string, script: Script, keys: string[], args: (string | Buffer)[]) => Promise<unknown>;
  /** The channel and message announcing a change of `key` (pub/sub), or two empty strings. */
  readonly announce: (kind: 'k' | 'r', key: string) => [string, string];
  /** A lease token unique across processes. */
  readonly newToken: () => string;
}

/** One tier's lease-guarded writes; each method takes the key layout of the current namespace version. */
export class LeaseWrites<V> {
  readonly #o: LeaseWritesOptions<V>;

  constructor(options: LeaseWritesOptions<V>) {
    this.#o = options;
  }

  /** Stores `entry`: under `leaseToken` when given (a load's result), else as a direct write. */
  async set(k: RedisKeys, key: string, entry: TierEntry<V>, leaseToken?: string): Promise<boolean> {
    if (leaseToken !== undefined) return this.#storeLeased(k, key, entry, leaseToken, this.#o.leases.snapshot(leaseToken));
    // A direct write: take the key's lease over any load in flight (and drop the old value),
    // then store under that lease once the first step is acknowledged. Run late, the first
    // step only leaves a lease (given back below); the second is refused if anything newer
    // touched the key meanwhile.
    const snapshot: TagSnapshot = {
      versions: entry.tags === undefined ? new Map() : await this.#o.tags.current(entry.tags),
      generation: undefined,
    };
    const token = this.#o.newToken();
    const leaseKey = k.lease(key);
    try {
      await this.#o.eval('set', CLAIM, [k.value(key), leaseKey], [token, String(this.#o.graceMs), ...this.#o.announce('k', key)]);
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#o.leases.inDoubt(key, leaseKey, token);
      throw error;
    }
    return this.#storeLeased(k, key, entry, token, snapshot);
  }

  async lease(k: RedisKeys, key: string, force: boolean, tags?: readonly string[] | 'dynamic'): Promise<LeaseOutcome<V>> {
    const token = this.#o.newToken();
    const leaseKey = k.lease(key);
    const mark = this.#o.waiters.mark();
    // The versions are read alongside the request: both complete before any loader starts.
    const snapshot = this.#o.tags.snapshot(tags);
    snapshot.catch(() => undefined);
    let reply: unknown[];
    try {
      reply = (await this.#o.eval(
        'lease',
        ACQUIRE,
        [k.value(key), leaseKey],
        [token, String(this.#o.graceMs), force ? '1' : '0'],
      )) as unknown[];
    } catch (error) {
      // It may still run once a stalled server resumes: whatever it grants is given back, in order.
      if (error instanceof TierTimeoutError) this.#o.leases.inDoubt(key, leaseKey, token);
      throw error;
    }
    const code = reply[0];
    if (code === 1) {
      const [entry] = await this.#o.reads.validate([this.#o.reads.decode(key, reply[1] as Buffer)]);
      // Present but retired (an old tag version, or undecodable): ask again, over the value.
      return entry !== undefined ? { kind: 'hit', entry } : this.lease(k, key, true, tags);
    }
    if (code === 2) {
      let recorded: TagSnapshot;
      try {
        recorded = await snapshot;
      } catch (error) {
        this.#o.leases.inDoubt(key, leaseKey, token);
        throw error;
      }
      this.#o.leases.hold(leaseKey, token, recorded);
      return { kind: 'granted', token };
    }
    // The holder's store may be announced before this reply arrives: the wait must not miss it.
    this.#o.waiters.expect(key, mark);
    return { kind: 'busy', remainingMs: Math.max(0, Number(reply[1])), holder: String(reply[2] ?? '') };
  }

  async releaseLease(k: RedisKeys, key: string, token: string): Promise<void> {
    this.#o.leases.drop(token);
    const leaseKey = k.lease(key);
    try {
      await this.#o.eval('releaseLease', RELEASE, [leaseKey], [token, ...this.#o.announce('r', key)]);
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#o.leases.inDoubt(key, leaseKey, token);
      throw error;
    }
  }

  /** Stores under a lease with the tag versions it recorded; refused (false) when the key or a tag changed since. */
  async #storeLeased(k: RedisKeys, key: string, entry: TierEntry<V>, token: string, snapshot: TagSnapshot | undefined): Promise<boolean> {
    const leaseKey = k.lease(key);
    this.#o.leases.drop(token);
    try {
      // Without a snapshot the lease was not kept (held longer than leaseTtl): it may be anyone's now.
      const versions = snapshot === undefined ? undefined : await this.#o.tags.stamp(entry.tags, snapshot);
      const px = this.#px(entry.hardExpiresAt);
      if (versions === undefined || px < 0) {
        await this.#o.eval('set', RELEASE, [leaseKey], [token, ...this.#o.announce('r', key)]);
        return px < 0 && versions !== undefined;
      }
      const payload = encodeEntry(this.#o.codec, entry.value, entry.softExpiresAt, entry.hardExpiresAt, versions);
      return (
        (await this.#o.eval('set', SET_LEASED, [k.value(key), leaseKey], [token, payload, String(px), ...this.#o.announce('k', key)])) === 1
      );
    } catch (error) {
      if (error instanceof TierTimeoutError) this.#o.leases.inDoubt(key, leaseKey, token);
      throw error;
    }
  }

  #px(hardExpiresAt: number): number {
    if (hardExpiresAt === Infinity) return 0;
    const px = Math.ceil(hardExpiresAt - this.#o.clock.wallNow());
    return px > 0 ? px : -1;
  }
}
