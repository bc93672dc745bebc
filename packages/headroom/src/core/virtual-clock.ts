import type { Clock, TimerHandle } from './clock.js';
import { HeadroomError, InvalidOptionError } from './errors.js';

/** Default virtual start: 1,000,000 ms, so nothing can mistake 0 for "unset". */
const DEFAULT_START_MS = 1_000_000;
/** Default wall-clock epoch of a virtual clock: 2025-01-01T00:00:00Z. */
const DEFAULT_WALL_EPOCH_MS = Date.UTC(2025, 0, 1);

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
  index: number;
}

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** Monotonic start time in ms; default 1,000,000 (must be > 0). */
  readonly startMs?: number;
  /** Wall-clock time at the start, epoch ms; default 2025-01-01T00:00:00Z. */
  readonly wallEpochMs?: number;
}

/**
 * A clock that moves only when told to. Due timers fire in time order, ties in scheduling order,
 * and pending microtasks (resolved promises, `await` continuations) are drained between timers,
 * so chains like `await sleep(clock, 10); await sleep(clock, 10)` advance exactly as scheduled.
 *
 * The timer queue is a binary heap: scheduling and firing cost O(log n).
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const done = sleep(clock, 100);
 * await clock.advanceBy(100); // done is now resolved
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  readonly #wallOffset: number;
  #seq = 0;
  readonly #heap: Timer[] = [];

  constructor(options: VirtualClockOptions = {}) {
    const start = options.startMs ?? DEFAULT_START_MS;
    if (!(Number.isFinite(start) && start > 0)) {
      throw new InvalidOptionError('startMs', start, 'use a finite number of milliseconds greater than 0');
    }
    this.#now = start;
    this.#wallOffset = (options.wallEpochMs ?? DEFAULT_WALL_EPOCH_MS) - start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#now + this.#wallOffset;
  }

  /** Number of timers scheduled and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.#heap.length;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const timer: Timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, fn, cancelled: false, index: -1 };
    this.#push(timer);
    return {
      cancel: () => {
        if (timer.cancelled || timer.index < 0) return;
        timer.cancelled = true;
        this.#removeAt(timer.index);
      },
    };
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way, in order, with microtasks
   * drained before and after each one.
   */
  async advanceBy(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new InvalidOptionError('ms', ms, 'use a finite, non-negative number');
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `targetMs` (never backwards), firing due timers in order. */
  async advanceTo(targetMs: number): Promise<void> {
    if (!Number.isFinite(targetMs)) throw new InvalidOptionError('targetMs', targetMs, 'use a finite number');
    await drainMicrotasks();
    for (;;) {
      const next = this.#heap[0];
      if (next === undefined || next.at > targetMs) break;
      this.#fireNext();
      await drainMicrotasks();
    }
    if (targetMs > this.#now) this.#now = targetMs;
  }

  /**
   * Fires timers until none remain, jumping time to each; stops after `maxTimers` firings
   * (default 1,000,000) to catch a self-rescheduling loop.
   * @throws HR_CORE_INVALID_STATE when the limit is reached with timers still pending
   */
  async runUntilIdle(maxTimers = 1_000_000): Promise<void> {
    await drainMicrotasks();
    let fired = 0;
    while (this.#heap.length > 0) {
      if (fired++ >= maxTimers) {
        throw new HeadroomError(
          'HR_CORE_INVALID_STATE',
          `VirtualClock.runUntilIdle fired ${maxTimers} timers and timers remain; a timer probably reschedules itself forever. Use advanceBy/advanceTo instead.`,
          { details: { maxTimers, pending: this.#heap.length } },
        );
      }
      this.#fireNext();
      await drainMicrotasks();
    }
  }

  #fireNext(): void {
    const timer = this.#heap[0]!;
    this.#removeAt(0);
    if (timer.at > this.#now) this.#now = timer.at;
    timer.fn();
  }

  #less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(timer: Timer): void {
    timer.index = this.#heap.length;
    this.#heap.push(timer);
    this.#up(timer.index);
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const removed = heap[index]!;
    const last = heap.pop()!;
    removed.index = -1;
    if (index < heap.length) {
      heap[index] = last;
      last.index = index;
      this.#up(index);
      this.#down(last.index);
    }
  }

  #up(index: number): void {
    const heap = this.#heap;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(heap[i]!, heap[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    let i = index;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < heap.length && this.#less(heap[l]!, heap[smallest]!)) smallest = l;
      if (r < heap.length && this.#less(heap[r]!, heap[smallest]!)) smallest = r;
      if (smallest === i) return;
      this.#swap(i, smallest);
      i = smallest;
    }
  }

  #swap(i: number, j: number): void {
    const heap = this.#heap;
    const a = heap[i]!;
    const b = heap[j]!;
    heap[i] = b;
    heap[j] = a;
    a.index = j;
    b.index = i;
  }
}

/**
 * Lets every pending microtask (and the microtasks they queue) run. A macrotask boundary
 * (`setImmediate`) is used because promise chains of unknown depth can only be drained that way.
 */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
