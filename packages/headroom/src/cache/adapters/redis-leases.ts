/**
 * The loading leases this process holds in Redis, kept alive while their loads run.
 *
 * A lease is granted for `graceMs` only and renewed every third of that by its holder, for at
 * most `maxHoldMs` in all (Gray and Cheriton's leases, SOSP 1989; Chubby's KeepAlives, Burrows,
 * OSDI 2006; Redisson's lock watchdog). So a lease outlives whoever stopped renewing it — a
 * crashed process, or a lease request that timed out on the client and ran late on a stalled
 * server, granting a lease nobody knows about — by at most `graceMs`, not by the longest load.
 *
 * A call that may have granted or kept a lease and timed out leaves the lease *in doubt*: its
 * caller sends a tokened RELEASE at once, straight on the same connection and outside the
 * breaker, so the server runs it right after the late call (one connection is answered in
 * order). If that send fails (the connection is being replaced), the release is retried once
 * the channel is live again; the grace bounds the lease either way.
 *
 * One timer per held lease (unref'd on the system clock); O(1) per grant, renewal and drop.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';

/** Tag versions recorded when a lease is granted, before the loader reads the source. */
export interface TagSnapshot {
  /** Versions of the tags declared for the load. */
  readonly versions: ReadonlyMap<string, number>;
  /** The namespace's tag generation, for tags known only once the value is loaded. */
  readonly generation: number | undefined;
}

/** What the keeper needs from the tier. */
export interface LeaseCalls {
  /** Extends `token`'s lease by `px` ms (a bounded call); false when the lease is no longer this token's. */
  renew(leaseKey: string, token: string, px: number): Promise<boolean>;
  /** Releases `token`'s lease of `key` straight on the connection (unbounded, outside the breaker). */
  releaseInOrder(key: string, leaseKey: string, token: string): Promise<void>;
}

interface Held {
  readonly leaseKey: string;
  readonly snapshot: TagSnapshot;
  /** When renewals stop (cache clock, ms). */
  readonly until: number;
  timer: TimerHandle | undefined;
}

/** Releases still owed after a send failed, retried when the channel is live again. */
const MAX_OWED = 1024;

/** Keeps this process's leases alive while their loads run, and gives back the ones left in doubt. */
export class LeaseKeeper {
  readonly #clock: Clock;
  readonly #graceMs: number;
  readonly #maxHoldMs: number;
  readonly #calls: LeaseCalls;
  readonly #held = new Map<string, Held>();
  readonly #owed = new Map<string, { key: string; leaseKey: string }>();

  constructor(clock: Clock, graceMs: number, maxHoldMs: number, calls: LeaseCalls) {
    this.#clock = clock;
    this.#graceMs = graceMs;
    this.#maxHoldMs = maxHoldMs;
    this.#calls = calls;
  }

  /** Leases held now (for tests and stats). */
  get size(): number {
    return this.#held.size;
  }

  /** Starts keeping `token`'s lease alive (it was just granted for the grace period). */
  hold(leaseKey: string, token: string, snapshot: TagSnapshot): void {
    const held: Held = { leaseKey, snapshot, until: this.#clock.now() + this.#maxHoldMs, timer: undefined };
    this.#held.set(token, held);
    this.#schedule(token, held);
  }

  /** The tag versions recorded when `token` was granted. */
  snapshot(token: string): TagSnapshot | undefined {
    return this.#held.get(token)?.snapshot;
  }

  /** Stops keeping `token`'s lease alive (stored, released or lost). */
  drop(token: string): void {
    const held = this.#held.get(token);
    if (held === undefined) return;
    held.timer?.cancel();
    this.#held.delete(token);
  }

  /**
   * A call that may have granted `token` a lease of `key` (or kept it) timed out: give the lease
   * back, in order behind that call.
   */
  inDoubt(key: string, leaseKey: string, token: string): void {
    this.drop(token);
    this.#release(key, leaseKey, token);
  }

  /** Retries the releases whose send failed (call once the connection answers again). */
  retryOwed(): void {
    const owed = [...this.#owed];
    this.#owed.clear();
    for (const [token, { key, leaseKey }] of owed) this.#release(key, leaseKey, token);
  }

  /** Stops every renewal (the tier is closing). */
  close(): void {
    for (const held of this.#held.values()) held.timer?.cancel();
    this.#held.clear();
  }

  #release(key: string, leaseKey: string, token: string): void {
    this.#calls.releaseInOrder(key, leaseKey, token).catch(() => {
      if (this.#owed.size >= MAX_OWED) this.#owed.delete(this.#owed.keys().next().value!);
      this.#owed.set(token, { key, leaseKey });
    });
  }

  #schedule(token: string, held: Held): void {
    held.timer = this.#clock.setTimer(this.#graceMs / 3, () => {
      if (this.#held.get(token) !== held) return;
      const left = held.until - this.#clock.now();
      if (left <= 0) {
        // Held as long as a load may: let it lapse, so other processes may load.
        this.#held.delete(token);
        return;
      }
      this.#calls.renew(held.leaseKey, token, Math.ceil(Math.min(this.#graceMs, left))).then(
        (kept) => {
          if (!kept) this.drop(token);
        },
        () => {
          /* a missed renewal; the next one may still make it within the grace */
        },
      );
      this.#schedule(token, held);
    });
  }
}
