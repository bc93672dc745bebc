/**
 * C3's backlog queue (Suresh et al., NSDI 2015, §4.2): when every replica is over its CUBIC rate
 * limit, a request waits in a FIFO backlog instead of being sent anyway, and leaves it as soon as
 * some replica's limiter has a token again — checked when a request finishes (its response moved
 * the rates) and when the earliest bucket refills (`C3Factory.msUntilOpen`). The C3 picker itself
 * is synchronous and cannot wait; the backlog sits in front of the balancer.
 *
 * Two bounds the paper leaves open: at most `maxQueued` requests wait (more are shed with
 * `LoadShedError`), and none waits longer than `maxWait` — then it is sent to the best replica
 * over its limit, as without the backlog (counted as `overdue`): a limiter that learns only from
 * responses must not starve when nothing is sent. {@link BacklogCore} holds the decisions,
 * synchronously; {@link C3Backlog} is the thin async driver over a `Balancer`.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { parsePositiveDuration, type Duration } from '../../core/duration.js';
import { LoadShedError } from '../../core/errors.js';
import type { Balancer, CallOptions } from '../balancer.js';
import type { Endpoint } from '../endpoint.js';
import { closedError } from '../errors.js';
import { requireInteger } from '../options.js';

/** What the backlog asks the picker: the `c3()` factory (`C3Factory`) has it. */
export interface RateLimitedPicker {
  /** Time from `now` until some replica is within its rate limit, ms (0: one is now). */
  msUntilOpen(now: number): number;
}

/** Options of {@link C3Backlog}. */
export interface C3BacklogOptions {
  /** Clock of the waits; default the system clock (pass the balancer's). */
  readonly clock?: Clock;
  /** Requests waiting at most; beyond, calls are shed; default 1,000. */
  readonly maxQueued?: number;
  /** Longest wait before a request is sent over the limit anyway; default `'100ms'`. */
  readonly maxWait?: Duration;
}

/** Counters of a {@link C3Backlog}. */
export interface C3BacklogStats {
  /** Calls sent at once (some replica was within its limit and nobody was waiting). */
  direct: number;
  /** Calls that waited in the backlog. */
  queued: number;
  /** Waiting calls sent because a limiter allowed them. */
  released: number;
  /** Waiting calls sent over the limit after `maxWait`. */
  overdue: number;
  /** Calls shed because `maxQueued` were waiting. */
  shed: number;
}

/**
 * The backlog's decisions: FIFO, synchronous, clock-free (times are passed in). `offer` says
 * whether a new item goes now, waits, or is refused; `drain` sends what may go and says when to
 * look again.
 */
export class BacklogCore<E> {
  readonly #items: { item: E; atMs: number }[] = [];

  constructor(
    readonly maxQueued: number,
    readonly maxWaitMs: number,
  ) {}

  /** Items waiting. */
  get length(): number {
    return this.#items.length;
  }

  /**
   * A new item at `now`: `'send'` when nobody waits and a replica is open (`openInMs` is 0),
   * `'full'` when `maxQueued` wait, else `'queued'` (it is now in the backlog).
   */
  offer(item: E, now: number, openInMs: number): 'send' | 'queued' | 'full' {
    if (this.#items.length === 0 && openInMs <= 0) return 'send';
    if (this.#items.length >= this.maxQueued) return 'full';
    this.#items.push({ item, atMs: now });
    return 'queued';
  }

  /** Takes `item` out of the backlog (its caller gave up); false when it was not waiting. */
  remove(item: E): boolean {
    const k = this.#items.findIndex((e) => e.item === item);
    if (k < 0) return false;
    this.#items.splice(k, 1);
    return true;
  }

  /**
   * Sends waiting items in order while `openInMs()` is 0 (ask again after each send: sending takes
   * a token) or the head has waited `maxWaitMs`; `send(item, overdue)` sends one.
   * @returns ms until the next check is due (the earlier of a refill and the head's deadline), or Infinity when empty
   */
  drain(now: number, openInMs: () => number, send: (item: E, overdue: boolean) => void): number {
    while (this.#items.length > 0) {
      const head = this.#items[0]!;
      const overdue = now - head.atMs >= this.maxWaitMs;
      const open = openInMs();
      if (open > 0 && !overdue) return Math.min(open, head.atMs + this.maxWaitMs - now);
      this.#items.shift();
      send(head.item, open > 0);
    }
    return Infinity;
  }

  /** Empties the backlog, returning what waited (oldest first). */
  clear(): E[] {
    return this.#items.splice(0).map((e) => e.item);
  }
}

interface Waiting {
  readonly start: () => void;
  readonly reject: (error: unknown) => void;
  readonly cleanup: () => void;
}

/**
 * C3 with its backlog queue: `backlog.call(fn)` in place of `balancer.call(fn)`.
 * @example
 * ```ts
 * const picker = c3({ feedback, clients: 20 });
 * const balancer = new Balancer({ endpoints, picker, load: c3Load() });
 * const backlog = new C3Backlog(balancer, picker);
 * const user = await backlog.call((ep, signal) => fetchUser(ep.target, id, signal), { signal });
 * ```
 */
export class C3Backlog<T> {
  /** Live counters. */
  readonly stats: C3BacklogStats = { direct: 0, queued: 0, released: 0, overdue: 0, shed: 0 };
  readonly #balancer: Balancer<T>;
  readonly #picker: RateLimitedPicker;
  readonly #clock: Clock;
  readonly #core: BacklogCore<Waiting>;
  #timer: TimerHandle | null = null;
  #closed = false;

  /**
   * @param balancer - a balancer whose picker is `picker`
   * @param picker - the `c3()` factory the balancer uses (one factory per balancer)
   * @throws HR_BALANCE_INVALID_OPTION for a bad `maxQueued`; HR_CORE_INVALID_DURATION for a bad `maxWait`
   */
  constructor(balancer: Balancer<T>, picker: RateLimitedPicker, options: C3BacklogOptions = {}) {
    this.#balancer = balancer;
    this.#picker = picker;
    this.#clock = options.clock ?? systemClock;
    this.#core = new BacklogCore(
      requireInteger('c3Backlog.maxQueued', options.maxQueued ?? 1000, 0, '1000'),
      parsePositiveDuration(options.maxWait, 'c3Backlog.maxWait', 100),
    );
  }

  /** Requests waiting now. */
  get length(): number {
    return this.#core.length;
  }

  /**
   * Runs `fn` through the balancer as soon as some replica is within its rate limit (at once when
   * one is and nobody waits), else after at most `maxWait`.
   * @throws LoadShedError (HR_CORE_LOAD_SHED) when `maxQueued` are waiting; HR_BALANCE_CLOSED after close();
   * what `balancer.call` throws; rejects with `signal.reason` when aborted while waiting
   */
  call<R>(fn: (endpoint: Endpoint<T>, signal: AbortSignal) => R | PromiseLike<R>, options: CallOptions = {}): Promise<R> {
    if (this.#closed) return Promise.reject(closedError('c3Backlog.call'));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<R>((resolve, reject) => {
      const onAbort = (): void => {
        if (this.#core.remove(waiting)) reject(signal!.reason);
      };
      const waiting: Waiting = {
        start: () => {
          this.#balancer.call(fn, options).then(resolve, reject).finally(this.#onSettled);
        },
        reject,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      const now = this.#clock.now();
      const decision = this.#core.offer(waiting, now, this.#picker.msUntilOpen(now));
      if (decision === 'send') {
        this.stats.direct++;
        waiting.start();
      } else if (decision === 'full') {
        this.stats.shed++;
        reject(
          new LoadShedError(
            `C3 backlog full: ${this.#core.maxQueued} requests wait for a replica within its rate limit.`,
            this.#core.maxWaitMs,
            {
              maxQueued: this.#core.maxQueued,
            },
          ),
        );
      } else {
        this.stats.queued++;
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#schedule(this.#drain());
      }
    });
  }

  /** Rejects every waiting call with HR_BALANCE_CLOSED and stops the timer; later calls reject too. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#timer?.cancel();
    this.#timer = null;
    for (const w of this.#core.clear()) {
      w.cleanup();
      w.reject(closedError('c3Backlog.call'));
    }
  }

  readonly #onSettled = (): void => {
    if (!this.#closed && this.#core.length > 0) this.#schedule(this.#drain());
  };

  #drain(): number {
    return this.#core.drain(
      this.#clock.now(),
      () => this.#picker.msUntilOpen(this.#clock.now()),
      (w, overdue) => {
        if (overdue) this.stats.overdue++;
        else this.stats.released++;
        w.cleanup();
        w.start();
      },
    );
  }

  #schedule(inMs: number): void {
    this.#timer?.cancel();
    this.#timer = null;
    if (inMs === Infinity || this.#closed) return;
    this.#timer = this.#clock.setTimer(Math.max(inMs, 0.001), () => {
      this.#timer = null;
      this.#schedule(this.#drain());
    });
  }
}
