/**
 * Processes waiting for another process's load of a key: each waits for the key's next
 * notification (a store, a delete, a released lease), bounded by a timer, without polling.
 *
 * A notification can overtake the reply that told us to wait: the "busy" reply travels on the
 * command connection, the store's notification on the subscriber (or tracking) connection, and
 * nothing orders the two. Waiting only afterwards would then miss it and sleep until the timer.
 * So the tier takes a {@link KeyWaiters.mark} before asking for the lease and hands it over with
 * {@link KeyWaiters.expect}; a wait for a key notified since its mark returns at once.
 *
 * O(1) per wait and notification; the record of recent notifications is bounded (past it, a
 * wait whose mark is older than what was forgotten returns at once: a spurious re-read, never a
 * lost wake-up).
 */
import type { Clock } from '../../core/clock.js';

/** Keys whose last notification is remembered. */
const RECENT = 4096;

/** Waits for keys' notifications, without missing one that overtook the reply that said to wait. */
export class KeyWaiters {
  readonly #clock: Clock;
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Key → sequence number of its last notification (insertion order = age). */
  readonly #recent = new Map<string, number>();
  /** Marks handed over by `expect`, consumed by the key's next `wait`. */
  readonly #expected = new Map<string, number>();
  #seq = 0;
  /** Notifications up to this one are no longer told apart by key (forgotten, or a wake-all). */
  #blurredUpTo = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A point in the notification stream: `expect(key, mark)` then catches what arrives after it. */
  mark(): number {
    return this.#seq;
  }

  /** The next `wait` for `key` returns at once if `key` was notified after `mark`. */
  expect(key: string, mark: number): void {
    if (this.#expected.size >= RECENT) this.#expected.clear();
    this.#expected.set(key, mark);
  }

  /** Resolves on `key`'s next notification, after `timeoutMs`, or when `signal` aborts. */
  wait(key: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const since = this.#expected.get(key);
    this.#expected.delete(key);
    if (signal.aborted || (since !== undefined && this.#notifiedSince(key, since))) return Promise.resolve();
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

  /** `key` changed (or its lease did): wakes its waiters. */
  notify(key: string): void {
    const seq = ++this.#seq;
    this.#recent.delete(key);
    this.#recent.set(key, seq);
    if (this.#recent.size > RECENT) {
      const [oldest, oldestSeq] = this.#recent.entries().next().value!;
      this.#recent.delete(oldest);
      this.#blurredUpTo = oldestSeq;
    }
    const waiters = this.#waiters.get(key);
    if (waiters !== undefined) for (const done of [...waiters]) done();
  }

  /** Everything may have changed (a clear, a reconnect, closing): wakes every waiter. */
  notifyAll(): void {
    this.#blurredUpTo = ++this.#seq;
    for (const waiters of [...this.#waiters.values()]) for (const done of [...waiters]) done();
  }

  #notifiedSince(key: string, since: number): boolean {
    return this.#blurredUpTo > since || (this.#recent.get(key) ?? 0) > since;
  }
}
