/**
 * ConcurrencyLimiter: admits at most `limit` requests at once, where `limit` comes from an
 * adaptive {@link LimitAlgorithm} (Netflix concurrency-limits' SimpleLimiter + LifoBlockingLimiter).
 * Past the limit a request is either rejected at once with `LoadShedError` (`retryAfterMs` set) or,
 * with `queueSize > 0`, waits in a bounded priority-LIFO queue for at most `queueTimeout` and
 * never past its deadline; a waiter whose deadline leaves less than the typical service time is
 * refused instead of started. A full queue evicts its oldest lowest-priority waiter for a
 * higher-priority arrival.
 *
 * Synchronous core: `tryAcquire()`, `wait(waiter)` and `Permit.release(outcome)` read the clock
 * and return decisions through callbacks (the simulator drives them in virtual time); `acquire()`
 * is a thin promise over `wait`. O(1) per admission, O(levels) per queue op.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { DeadlineExceededError, LoadShedError } from '../core/errors.js';
import { Emitter, type Disposable, type Listener } from '../core/events.js';
import type { Deadline } from './deadline.js';
import { FixedLimit, type LimitAlgorithm } from './limit/limit-algorithm.js';
import { Gradient2Limit } from './limit/gradient2.js';
import { WindowedLimit } from './limit/windowed.js';
import { durationOption, intOption } from './options.js';
import type { ExecuteOptions, Operation, Policy, PolicyOptions } from './policy.js';
import { PriorityLifoQueue } from './queue.js';
import { invoke } from './signals.js';
import type { Duration } from '../core/duration.js';
import type { Outcome } from '../core/outcome.js';

/** Options of {@link ConcurrencyLimiter}. */
export interface LimiterOptions extends PolicyOptions {
  /**
   * The limit: an algorithm (AimdLimit, VegasLimit, Gradient2Limit, FixedLimit, any of them in a
   * WindowedLimit) or a fixed number. Default `new WindowedLimit(new Gradient2Limit(), { minWindow: 100, maxWindow: 1000 })`:
   * Netflix defaults to per-request Vegas, but measured here (docs/latency.md) Vegas underestimates
   * when service times vary and per-request Gradient2 drifts under sustained overload.
   */
  readonly limit?: LimitAlgorithm | number;
  /** Waiters allowed when the limit is reached; 0 rejects at once. Default 0. */
  readonly queueSize?: number;
  /** Longest wait in the queue, ms or '1s'; default 1,000 (Netflix's LIFO backlog timeout). */
  readonly queueTimeout?: Duration;
  /** Floor of the `retryAfterMs` advertised on rejection, ms or '1ms'; default 1. */
  readonly minRetryAfter?: Duration;
}

/** Per-request options of {@link ConcurrencyLimiter.acquire}. */
export interface AcquireOptions {
  /** Larger is admitted first from the queue; default 0. */
  readonly priority?: number;
  /** Cancels the wait (rejects with its reason). */
  readonly signal?: AbortSignal | undefined;
  /** The request's deadline: never waits past it, and is refused when too little of it is left. */
  readonly deadline?: Deadline | undefined;
}

/** Options of {@link ConcurrencyLimiter.execute}: the caller's signal and deadline plus a priority. */
export interface LimitedExecuteOptions extends ExecuteOptions {
  /** Larger is admitted first from the queue; default 0. */
  readonly priority?: number;
}

/** Events of a {@link ConcurrencyLimiter}. */
export type LimiterEvent =
  | { readonly type: 'limit'; readonly limit: number; readonly previous: number }
  | { readonly type: 'shed'; readonly reason: ShedReason; readonly retryAfterMs: number };

/** Why a request was turned away. */
export type ShedReason = 'limit' | 'queue-full' | 'queue-timeout' | 'evicted' | 'deadline';

/**
 * A caller of {@link ConcurrencyLimiter.wait}, the synchronous core of the waiting: told exactly
 * once how its wait ended — {@link PermitWaiter.granted} or {@link PermitWaiter.refused} — unless
 * it gives up first ({@link QueuedWait.cancel}).
 */
export interface PermitWaiter {
  /** Larger is admitted first from the queue; default 0. */
  readonly priority?: number;
  /**
   * Time left of the caller's deadline, ms, when it has one: never waits past it, and is refused
   * instead of started when it leaves no more than the smoothed service time.
   */
  remainingMs?(): number;
  /** A permit, now or when a slot frees up. */
  granted(permit: Permit): void;
  /** No permit: why (`'deadline'` for a deadline, the others are load sheds). */
  refused(reason: ShedReason): void;
}

/** A wait the limiter answers later; its caller may give it up. */
export interface QueuedWait {
  /** True while it waits in the queue. */
  readonly waiting: boolean;
  /** Leaves the queue without an answer; nothing after it is answered, or already was. */
  cancel(): void;
}

/** Counters and state of a {@link ConcurrencyLimiter}. */
export interface LimiterStats {
  readonly limit: number;
  readonly inflight: number;
  readonly queued: number;
  /** Permits granted. */
  readonly admitted: number;
  /** Requests turned away, all reasons. */
  readonly shed: number;
  /** Smoothed permit hold time, ms (EWMA, weight 0.1). */
  readonly rttMs: number;
}

/**
 * The right to run one request; report how it went exactly once with {@link Permit.release}.
 * `'success'` and `'failure'` feed the limit algorithm (a failure is a drop: report only overload —
 * a timeout, a 503/504 — as `'failure'`); `'ignored'` frees the slot and teaches the algorithm nothing.
 */
export class Permit {
  /** When the permit was granted, clock ms. */
  readonly startMs: number;
  /** Requests in flight when it was granted, itself included. */
  readonly inflight: number;
  readonly #core: LimiterCore;
  #released = false;

  /** @internal */
  constructor(core: LimiterCore, startMs: number, inflight: number) {
    this.#core = core;
    this.startMs = startMs;
    this.inflight = inflight;
  }

  /**
   * Frees the permit; later calls do nothing.
   * @param outcome - `'success'`: the hold time is a latency sample; `'failure'`: the request timed out
   *   or met overload downstream, a congestion signal; `'ignored'`: says nothing about load (a bad
   *   request, a caller that aborted early), just free the slot
   */
  release(outcome: Outcome): void {
    if (this.#released) return;
    this.#released = true;
    this.#core.release(this, outcome);
  }
}

/**
 * An adaptive concurrency limiter with optional priority-LIFO queueing.
 * @throws HR_LATENCY_INVALID_OPTION on an out-of-range option
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter({ limit: new Gradient2Limit(), queueSize: 50 });
 * const permit = limiter.tryAcquire();
 * if (permit === undefined) return reply503(limiter.retryAfterMs());
 * try { await handle(); permit.release('success'); } catch { permit.release('ignored'); }
 * ```
 */
export class ConcurrencyLimiter implements Policy {
  readonly #core: LimiterCore;

  constructor(options: LimiterOptions = {}) {
    this.#core = new LimiterCore(options);
  }

  /** The clock the limiter measures on. */
  get clock(): Clock {
    return this.#core.clock;
  }

  /** The current limit. */
  get limit(): number {
    return this.#core.limit;
  }

  /** Permits held now. */
  get inflight(): number {
    return this.#core.inflight;
  }

  /** Requests waiting now. */
  get queued(): number {
    return this.#core.queue.size;
  }

  /** The wait a rejected caller is advised, ms: about one smoothed service time. */
  retryAfterMs(): number {
    return this.#core.retryAfterMs();
  }

  /** State and counters. */
  stats(): LimiterStats {
    const c = this.#core;
    return { limit: c.limit, inflight: c.inflight, queued: c.queue.size, admitted: c.admitted, shed: c.shed, rttMs: c.rttMs };
  }

  /** Subscribes to limit changes and sheds. */
  on(listener: Listener<LimiterEvent>): Disposable {
    return this.#core.events.on(listener);
  }

  /** A permit if one is free now, else undefined (the synchronous decider; never queues). */
  tryAcquire(): Permit | undefined {
    return this.#core.tryAcquire();
  }

  /**
   * A permit now, or after waiting in the queue.
   * @throws HR_CORE_LOAD_SHED (rejection) when the limit is reached and the queue is off, full, or the wait timed out
   * @throws HR_CORE_DEADLINE_EXCEEDED (rejection) when the deadline passes while waiting or too little of it is left
   * @throws the signal's reason when `signal` aborts the wait
   */
  acquire(options: AcquireOptions = {}): Promise<Permit> {
    return this.#core.acquire(options);
  }

  /**
   * The synchronous core of {@link ConcurrencyLimiter.acquire}: grants a permit now
   * (`waiter.granted`), refuses now (no queue, a full queue of no lower priority), or queues the
   * waiter for at most `queueTimeout` and never past its deadline, answering it later from the
   * clock's timers and from permits being released. An arrival may evict the oldest waiter of a
   * lower priority from a full queue (`refused('evicted')`).
   */
  wait(waiter: PermitWaiter): QueuedWait {
    return this.#core.wait(waiter);
  }

  /**
   * Runs `fn` under a permit. A resolved call is a success; a rejection with `DeadlineExceededError`
   * or `LoadShedError` is a drop (overload signal); any other rejection is ignored by the algorithm.
   */
  async execute<T>(fn: Operation<T>, options: LimitedExecuteOptions = {}): Promise<T> {
    const signal = options.signal ?? options.deadline?.signal;
    const permit = this.#core.tryAcquire() ?? (await this.#core.acquire(options));
    let value: T;
    try {
      value = await invoke(fn, { signal: signal ?? NEVER, attempt: 0, deadline: options.deadline });
    } catch (error) {
      permit.release(error instanceof DeadlineExceededError || error instanceof LoadShedError ? 'failure' : 'ignored');
      throw error;
    }
    permit.release('success');
    return value;
  }
}

const NEVER = new AbortController().signal;
const RTT_WEIGHT = 0.1;

function defaultLimit(): LimitAlgorithm {
  return new WindowedLimit(new Gradient2Limit(), { minWindow: 100, maxWindow: 1000 });
}

class Waiter implements QueuedWait {
  queued = false;
  timer: TimerHandle | undefined;
  constructor(
    readonly core: LimiterCore,
    readonly priority: number,
    readonly caller: PermitWaiter,
  ) {}

  get waiting(): boolean {
    return this.queued;
  }

  cancel(): void {
    if (!this.queued) return;
    this.core.queue.remove(this);
    this.core.settle(this);
  }
}

/** The limiter's state, shared with its permits (kept off the public class). */
class LimiterCore {
  readonly clock: Clock;
  readonly algorithm: LimitAlgorithm;
  readonly queue = new PriorityLifoQueue<Waiter>();
  readonly queueSize: number;
  readonly queueTimeoutMs: number;
  readonly minRetryAfterMs: number;
  readonly events = new Emitter<LimiterEvent>();
  limit: number;
  inflight = 0;
  admitted = 0;
  shed = 0;
  rttMs = 0;

  constructor(options: LimiterOptions) {
    this.clock = options.clock ?? systemClock;
    const limit = options.limit;
    this.algorithm = limit === undefined ? defaultLimit() : typeof limit === 'number' ? new FixedLimit(limit) : limit;
    this.limit = this.algorithm.limit;
    this.queueSize = intOption('queueSize', options.queueSize, 0, 0);
    this.queueTimeoutMs = durationOption('queueTimeout', options.queueTimeout, 1000);
    this.minRetryAfterMs = durationOption('minRetryAfter', options.minRetryAfter, 1);
  }

  retryAfterMs(): number {
    return Math.max(this.minRetryAfterMs, Math.ceil(this.rttMs));
  }

  tryAcquire(): Permit | undefined {
    // Queued waiters go first: a newcomer must not overtake them.
    if (this.inflight >= this.limit || this.queue.size > 0) return undefined;
    return this.#grant();
  }

  acquire(options: AcquireOptions): Promise<Permit> {
    const signal = options.signal ?? options.deadline?.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    const permit = this.tryAcquire();
    if (permit !== undefined) return Promise.resolve(permit);
    const deadline = options.deadline;
    return new Promise<Permit>((resolve, reject) => {
      let onAbort: (() => void) | undefined;
      const done = (): void => {
        if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
      };
      const wait = this.wait({
        priority: options.priority ?? 0,
        ...(deadline === undefined ? {} : { remainingMs: () => deadline.remainingMs() }),
        granted: (granted) => {
          done();
          resolve(granted);
        },
        refused: (reason) => {
          done();
          reject(reason === 'deadline' ? this.#deadlineError(deadline!) : this.#shedError(reason));
        },
      });
      if (signal !== undefined && wait.waiting) {
        onAbort = () => {
          wait.cancel();
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  wait(caller: PermitWaiter): QueuedWait {
    const priority = caller.priority ?? 0;
    const waiter = new Waiter(this, priority, caller);
    const permit = this.tryAcquire();
    if (permit !== undefined) {
      caller.granted(permit);
      return waiter;
    }
    if (this.queueSize === 0) {
      this.#refuse(caller, 'limit');
      return waiter;
    }
    if (this.queue.size >= this.queueSize) {
      const victim = this.queue.peekVictim();
      if (victim === undefined || victim.priority >= priority) {
        this.#refuse(caller, 'queue-full');
        return waiter;
      }
      this.queue.evict();
      this.settle(victim);
      this.#refuse(victim.caller, 'evicted');
    }
    const deadlineMs = caller.remainingMs === undefined ? Infinity : caller.remainingMs();
    const timeoutMs = Math.min(this.queueTimeoutMs, deadlineMs);
    waiter.timer = this.clock.setTimer(timeoutMs, () => {
      waiter.timer = undefined;
      this.queue.remove(waiter);
      this.settle(waiter);
      this.#refuse(caller, timeoutMs < this.queueTimeoutMs ? 'deadline' : 'queue-timeout');
    });
    this.queue.push(waiter);
    return waiter;
  }

  release(permit: Permit, outcome: Outcome): void {
    this.inflight--;
    if (outcome !== 'ignored') {
      const now = this.clock.now();
      const rttMs = now - permit.startMs;
      this.rttMs = this.rttMs === 0 ? rttMs : this.rttMs + RTT_WEIGHT * (rttMs - this.rttMs);
      const previous = this.limit;
      this.limit = this.algorithm.update(permit.startMs, rttMs, permit.inflight, outcome === 'failure');
      if (this.limit !== previous && this.events.active) this.events.emit({ type: 'limit', limit: this.limit, previous });
    }
    this.#drain();
  }

  #drain(): void {
    while (this.inflight < this.limit && this.queue.size > 0) {
      const waiter = this.queue.pop()!;
      this.settle(waiter);
      const caller = waiter.caller;
      // Not started when it cannot finish: less left than a typical service time.
      if (caller.remainingMs !== undefined && caller.remainingMs() <= this.rttMs) {
        this.#refuse(caller, 'deadline');
        continue;
      }
      caller.granted(this.#grant());
    }
  }

  #grant(): Permit {
    this.admitted++;
    return new Permit(this, this.clock.now(), ++this.inflight);
  }

  /** Takes a waiter that left the queue off its timer. */
  settle(waiter: Waiter): void {
    waiter.timer?.cancel();
    waiter.timer = undefined;
  }

  /** Counts a refusal, tells the listeners, then the caller. */
  #refuse(caller: PermitWaiter, reason: ShedReason): void {
    this.shed++;
    if (this.events.active) this.events.emit({ type: 'shed', reason, retryAfterMs: reason === 'deadline' ? 0 : this.retryAfterMs() });
    caller.refused(reason);
  }

  #shedError(reason: ShedReason): LoadShedError {
    const retryAfterMs = this.retryAfterMs();
    return new LoadShedError(
      `Load shed (${reason}): ${this.inflight} in flight at limit ${this.limit}, ${this.queue.size} queued; retry after ${retryAfterMs} ms`,
      retryAfterMs,
      { reason, limit: this.limit, inflight: this.inflight, queued: this.queue.size },
    );
  }

  #deadlineError(deadline: Deadline): DeadlineExceededError {
    return new DeadlineExceededError('Deadline too close to start after waiting for the concurrency limit', {
      remainingMs: deadline.remainingMs(),
      serviceMs: this.rttMs,
    });
  }
}
