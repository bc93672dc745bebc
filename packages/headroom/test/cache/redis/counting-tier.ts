/**
 * A shared tier that forwards every call to a real one and counts the calls in flight, so a test
 * can wait until a cache has nothing outstanding at Redis (waits for notifications and timers
 * are not calls). It holds back what other processes changed (key, tag and clear notifications)
 * until `deliver()`, as a slow network would — the tier below still hears them at once (its tag
 * versions and lease waits are current); only the cache above learns late. Optionally replaces
 * `set` or `lease` with a mutant's version.
 */
import type { LeaseOutcome, SharedTier, TierEntry, TierHealth, TierListener, TierReader, TierStats } from '../../../src/cache/index.js';

/** A mutant's replacements of a tier's `set` and `lease`, built over the real tier. */
export type Mutate = (inner: SharedTier<string>) => Partial<Pick<SharedTier<string>, 'set' | 'lease'>>;

export class CountingTier implements SharedTier<string> {
  readonly name: string;
  readonly #inner: SharedTier<string>;
  readonly #set: SharedTier<string>['set'];
  readonly #lease: SharedTier<string>['lease'];
  readonly #held: ((listener: TierListener) => void)[] = [];
  readonly #markers = new Map<string, () => void>();
  #listener: TierListener | undefined;
  #inFlight = 0;

  constructor(inner: SharedTier<string>, mutate?: Mutate) {
    this.name = inner.name;
    this.#inner = inner;
    const replaced = mutate?.(inner) ?? {};
    this.#set = replaced.set ?? ((key, entry, token) => inner.set(key, entry, token));
    this.#lease = replaced.lease ?? ((key, force, tags) => inner.lease(key, force, tags));
  }

  /** Calls sent and not yet answered. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves once none of `tiers` has a call in flight, over two consecutive checks a macrotask apart. */
  static async idle(tiers: readonly CountingTier[], maxRounds = 100_000): Promise<void> {
    let quiet = 0;
    for (let round = 0; round < maxRounds; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      quiet = tiers.every((t) => t.inFlight === 0) ? quiet + 1 : 0;
      if (quiet >= 2) return;
    }
    throw new Error('tier calls stayed in flight');
  }

  #count<T>(call: Promise<T>): Promise<T> {
    this.#inFlight++;
    return call.finally(() => {
      this.#inFlight--;
    });
  }

  /** Resolves when the notification of `marker` (a barrier's key) has reached this tier. */
  watch(marker: string): Promise<void> {
    return new Promise((resolve) => this.#markers.set(marker, resolve));
  }

  /** Hands the cache every notification held back so far, in order. */
  deliver(): void {
    const listener = this.#listener!;
    for (const notify of this.#held.splice(0)) notify(listener);
  }

  attach(namespace: string, listener: TierListener): Promise<void> {
    this.#listener = listener;
    return this.#inner.attach(namespace, {
      keyChanged: (key) => {
        const marker = this.#markers.get(key);
        if (marker === undefined) this.#held.push((l) => l.keyChanged(key));
        else {
          this.#markers.delete(key);
          marker();
        }
      },
      tagInvalidated: (tag) => void this.#held.push((l) => l.tagInvalidated(tag)),
      cleared: () => void this.#held.push((l) => l.cleared()),
      connection: (up) => listener.connection(up),
      codecError: (error) => listener.codecError?.(error),
    });
  }
  get(key: string): Promise<TierEntry<string> | undefined> {
    return this.#count(this.#inner.get(key));
  }
  read(key: string, reader: TierReader<string>): void {
    this.#inFlight++;
    this.#inner.read(key, {
      entry: (entry) => {
        this.#inFlight--;
        reader.entry(entry);
      },
      error: (error) => {
        this.#inFlight--;
        reader.error(error);
      },
    });
  }
  getMany(keys: readonly string[]): Promise<(TierEntry<string> | undefined)[]> {
    return this.#count(this.#inner.getMany(keys));
  }
  set(key: string, entry: TierEntry<string>, leaseToken?: string): Promise<boolean> {
    return this.#count(this.#set(key, entry, leaseToken));
  }
  setMany(entries: readonly (readonly [string, TierEntry<string>])[]): Promise<void> {
    return this.#count(this.#inner.setMany(entries));
  }
  delete(key: string): Promise<void> {
    return this.#count(this.#inner.delete(key));
  }
  invalidateTag(tag: string): Promise<void> {
    return this.#count(this.#inner.invalidateTag(tag));
  }
  clear(): Promise<void> {
    return this.#count(this.#inner.clear());
  }
  lease(key: string, force: boolean, tags?: readonly string[] | 'dynamic'): Promise<LeaseOutcome<string>> {
    return this.#count(this.#lease(key, force, tags));
  }
  releaseLease(key: string, token: string): Promise<void> {
    return this.#count(this.#inner.releaseLease(key, token));
  }
  waitForKey(key: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    return this.#inner.waitForKey(key, timeoutMs, signal);
  }
  stats(): TierStats {
    return this.#inner.stats();
  }
  health(): TierHealth {
    return this.#inner.health();
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}
