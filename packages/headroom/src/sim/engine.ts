/**
 * The simulator's engine: virtual time and one event queue, run by a synchronous loop — no
 * promise, microtask or macrotask per event, so a run costs the model's work plus an O(log n)
 * heap operation per event (the `VirtualClock` of `core` instead drains microtasks with one
 * `setImmediate` per timer, about 6 µs each).
 *
 * The queue is a 4-ary min-heap (half the depth of a binary one; a node's children share a cache line) ordered by (time, insertion order), held in typed arrays with
 * each entry's time and slot in heap order (a comparison reads neighbouring memory; the insertion
 * sequence, which only breaks ties of time, is kept by slot and does not move with the entry);
 * every slot knows its heap position, so a cancelled event leaves the heap at once (a hedge timer
 * cancelled by the answer never costs a pop, nor heap depth). The event being run stays at the
 * top until its handler schedules its first event, which takes its place with one sift down — an
 * arrival scheduling the next, a completion starting the next job — instead of a removal and an
 * insertion (a handler that schedules nothing has its event removed after it). Each event
 * names a {@link SimHandler} and two numbers, so the model schedules without allocating a closure.
 * `clock` is a {@link Clock} view of the same time and queue, so the policy objects a user deploys
 * (they take `{ clock, random }`) run inside the simulation unchanged; `random` is the seeded root
 * that every component forks its own stream from. `traceHash` folds every executed event's time
 * and kind, so two runs of one scenario and seed can be compared with one number.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { SeededRandom, type Random } from '../core/random.js';
import { invalidOption } from './errors.js';

/** Receives the events scheduled for it: `kind` and `arg` are whatever the scheduler passed. */
export interface SimHandler {
  /** Runs the event; `engine.now` is its time. */
  handle(kind: number, arg: number): void;
}

/** Options of {@link SimEngine}. */
export interface SimEngineOptions {
  /** Seed of the root random stream; default 1. */
  readonly seed?: number;
  /** Virtual start time, ms; default 0. */
  readonly startMs?: number;
  /** Wall-clock time at the start (epoch ms), only for `clock.wallNow()`; default 2025-01-01T00:00:00Z. */
  readonly wallEpochMs?: number;
}

// An id is generation · SLOT_BITS + slot, below 2^31: a small integer (a double id would be a heap
// box in every object that keeps one, and one more allocation per call of `at` that is not inlined).
const SLOT_BITS = 2 ** 22;
const SLOT_MASK = SLOT_BITS - 1;
const GENERATIONS = 2 ** 9;
const DEFAULT_WALL_EPOCH_MS = Date.UTC(2025, 0, 1);
/** The kind under which `clock.setTimer` callbacks run. */
const TIMER_KIND = -1;

/** A `clock.setTimer` timer: its handle cancels it only while it is pending, whatever became of its slot since. */
class TimerEvent implements SimHandler, TimerHandle {
  id = -1;
  #over = false;
  constructor(
    readonly engine: SimEngine,
    readonly fn: () => void,
  ) {}
  handle(): void {
    this.#over = true;
    this.fn();
  }
  cancel(): void {
    if (this.#over) return;
    this.#over = true;
    this.engine.cancel(this.id);
  }
}

/**
 * A discrete-event engine. Schedule with {@link SimEngine.at} or {@link SimEngine.after}, then
 * {@link SimEngine.run} up to a time or {@link SimEngine.step} one event at a time.
 *
 * @example
 * ```ts
 * const engine = new SimEngine({ seed: 42 });
 * engine.after(5, { handle: (kind, arg) => console.log(engine.now, kind, arg) }, 1, 2);
 * engine.run(10); // prints 5 1 2; engine.now is 10
 * ```
 */
export class SimEngine {
  /** The root random stream; fork it per component (`engine.random.fork('arrivals')`). */
  readonly random: Random;
  /** A {@link Clock} on this engine's virtual time; its timers are engine events. */
  readonly clock: Clock;
  #now: number;
  #seq = 0;
  #size = 0;
  // the heap's top is the event being run, not yet taken out: the handler's first new event replaces it
  #spentTop = false;
  #executed = 0;
  #hash = 0x811c9dc5;
  #stopped = false;
  // the heap, in heap order: each entry's time and slot (its insertion sequence, which breaks
  // ties of time, is the slot's: read only on a tie, and not moved with the entry)
  #heapTimes = new Float64Array(1024);
  #heapSlots = new Int32Array(1024);
  // per slot: its position in the heap (-1 when not queued), insertion sequence, kind, arg, generation, handler
  #positions = new Int32Array(1024).fill(-1);
  #seqs = new Float64Array(1024);
  #kinds = new Int32Array(1024);
  #args = new Float64Array(1024);
  #gens = new Int32Array(1024);
  #handlers: (SimHandler | null)[] = new Array<SimHandler | null>(1024).fill(null);
  #free = new Int32Array(1024);
  #freeTop = 0;
  #slots = 0;
  readonly #bits = new Float64Array(1);
  readonly #words = new Uint32Array(this.#bits.buffer);

  constructor(options: SimEngineOptions = {}) {
    const seed = options.seed ?? 1;
    if (!Number.isInteger(seed)) throw invalidOption('engine.seed', seed, 'use an integer seed, e.g. 42');
    const start = options.startMs ?? 0;
    if (!Number.isFinite(start)) throw invalidOption('engine.startMs', start, 'use a finite number of milliseconds, e.g. 0');
    this.#now = start;
    this.random = new SeededRandom(seed);
    const wallOffset = (options.wallEpochMs ?? DEFAULT_WALL_EPOCH_MS) - start;
    this.clock = {
      now: () => this.#now,
      wallNow: () => this.#now + wallOffset,
      setTimer: (delayMs: number, fn: () => void): TimerHandle => {
        const timer = new TimerEvent(this, fn);
        timer.id = this.after(delayMs > 0 ? delayMs : 0, timer, TIMER_KIND, 0);
        return timer;
      },
    };
  }

  /** Current virtual time, ms. */
  get now(): number {
    return this.#now;
  }

  /** Events scheduled and neither run nor cancelled. */
  get pending(): number {
    return this.#spentTop ? this.#size - 1 : this.#size;
  }

  /** Events run so far. */
  get executed(): number {
    return this.#executed;
  }

  /** A 32-bit hash of every event run so far (time and kind, in order), as 8 hex digits. */
  get traceHash(): string {
    return (this.#hash >>> 0).toString(16).padStart(8, '0');
  }

  /**
   * Schedules `handler.handle(kind, arg)` at absolute time `timeMs` (a time in the past runs at
   * `now`, after the events already due). Returns an id for {@link SimEngine.cancel}.
   */
  at(timeMs: number, handler: SimHandler, kind: number, arg: number): number {
    if (timeMs !== timeMs) throw invalidOption('engine.at(timeMs)', timeMs, 'schedule at a number of milliseconds, not NaN');
    const t = timeMs > this.#now ? timeMs : this.#now;
    const slot = this.#alloc();
    this.#kinds[slot] = kind;
    this.#args[slot] = arg;
    this.#handlers[slot] = handler;
    this.#seqs[slot] = this.#seq++;
    if (this.#spentTop) {
      // one sift down from the top instead of taking the spent top out and sifting this one up
      this.#spentTop = false;
      this.#siftDown(0, t, slot);
    } else this.#siftUp(this.#size++, t, slot);
    return (this.#gens[slot]! << 22) | slot;
  }

  /** Schedules `handler.handle(kind, arg)` `delayMs` from now; see {@link SimEngine.at}. */
  after(delayMs: number, handler: SimHandler, kind: number, arg: number): number {
    return this.at(this.#now + delayMs, handler, kind, arg);
  }

  /**
   * Cancels a scheduled event (it leaves the queue at once). An id that already ran or was
   * cancelled cancels nothing until its slot has been reused 512 times (ids are small integers:
   * 9 bits of generation above 22 of slot); keep an id only while its event is pending, as the
   * simulator's components do (`clock.setTimer`'s handles are exact at any age).
   */
  cancel(id: number): void {
    const slot = id & SLOT_MASK;
    const gen = id >>> 22;
    if (slot < this.#slots && this.#gens[slot] === gen && this.#positions[slot]! >= 0) {
      this.#removeAt(this.#positions[slot]!);
      this.#release(slot);
    }
  }

  /** Changes the `arg` a pending event will run with; like {@link SimEngine.cancel}, an id that already ran or was cancelled changes nothing. */
  setArg(id: number, arg: number): void {
    const slot = id & SLOT_MASK;
    if (slot < this.#slots && this.#gens[slot] === id >>> 22 && this.#positions[slot]! >= 0) this.#args[slot] = arg;
  }

  /** Ends the current {@link SimEngine.run} after the event being run. */
  stop(): void {
    this.#stopped = true;
  }

  /** Runs the next event, if any; returns false when the queue is empty. */
  step(): boolean {
    this.#takeSpentTop();
    if (this.#size === 0) return false;
    this.#runTop();
    return true;
  }

  /**
   * Runs every event due at or before `untilMs` (default: until the queue is empty or
   * {@link SimEngine.stop} is called), then moves time to `untilMs` when that is finite.
   * @returns the number of events run
   */
  run(untilMs = Infinity): number {
    const before = this.#executed;
    this.#stopped = false;
    this.#takeSpentTop();
    while (this.#size > 0 && !this.#stopped) {
      if (this.#heapTimes[0]! > untilMs) break;
      this.#runTop();
    }
    if (!this.#stopped && untilMs !== Infinity && untilMs > this.#now) this.#now = untilMs;
    return this.#executed - before;
  }

  /** Runs the heap's top event. */
  #runTop(): void {
    const slot = this.#heapSlots[0]!;
    const t = this.#heapTimes[0]!;
    // It stays at the top while it runs (no event is due before it, and one at its time comes
    // after it); its handler's first new event takes its place, or it leaves after the handler.
    this.#positions[slot] = -1;
    this.#spentTop = true;
    const handler = this.#handlers[slot]!;
    const kind = this.#kinds[slot]!;
    const arg = this.#args[slot]!;
    this.#release(slot);
    this.#now = t;
    this.#executed++;
    this.#bits[0] = t;
    let h = Math.imul(this.#hash ^ this.#words[0]!, 0x01000193);
    h = Math.imul(h ^ this.#words[1]!, 0x01000193);
    this.#hash = Math.imul(h ^ kind, 0x01000193);
    try {
      handler.handle(kind, arg);
    } finally {
      this.#takeSpentTop();
    }
  }

  /** Takes the event just run out of the top, if no new event has replaced it (also when a handler runs the engine itself). */
  #takeSpentTop(): void {
    if (this.#spentTop) {
      this.#spentTop = false;
      this.#removeAt(0);
    }
  }

  /** Takes the entry at heap position `pos` out, filling the hole with the last entry. */
  #removeAt(pos: number): void {
    this.#positions[this.#heapSlots[pos]!] = -1;
    const last = --this.#size;
    if (pos === last) return;
    const t = this.#heapTimes[last]!;
    const slot = this.#heapSlots[last]!;
    if (pos > 0) {
      const parent = (pos - 1) >> 2;
      const pt = this.#heapTimes[parent]!;
      if (t < pt || (t === pt && this.#seqs[slot]! < this.#seqs[this.#heapSlots[parent]!]!)) {
        this.#siftUp(pos, t, slot);
        return;
      }
    }
    this.#siftDown(pos, t, slot);
  }

  /** Places (t, slot) at or above heap position `pos`. */
  #siftUp(pos: number, t: number, slot: number): void {
    const times = this.#heapTimes;
    const slots = this.#heapSlots;
    const positions = this.#positions;
    while (pos > 0) {
      const parent = (pos - 1) >> 2;
      const pt = times[parent]!;
      if (pt < t) break;
      const moved = slots[parent]!;
      if (pt === t && this.#seqs[moved]! < this.#seqs[slot]!) break;
      times[pos] = pt;
      slots[pos] = moved;
      positions[moved] = pos;
      pos = parent;
    }
    times[pos] = t;
    slots[pos] = slot;
    positions[slot] = pos;
  }

  /** Places (t, slot) at or below heap position `pos`. */
  #siftDown(pos: number, t: number, slot: number): void {
    const times = this.#heapTimes;
    const slots = this.#heapSlots;
    const positions = this.#positions;
    const seqs = this.#seqs;
    const size = this.#size;
    for (;;) {
      const first = 4 * pos + 1;
      if (first >= size) break;
      // the least of up to four children
      let child = first;
      let ct = times[first]!;
      const end = first + 4 < size ? first + 4 : size;
      for (let k = first + 1; k < end; k++) {
        const kt = times[k]!;
        if (kt < ct || (kt === ct && seqs[slots[k]!]! < seqs[slots[child]!]!)) {
          child = k;
          ct = kt;
        }
      }
      const moved = slots[child]!;
      if (t < ct || (t === ct && seqs[slot]! < seqs[moved]!)) break;
      times[pos] = ct;
      slots[pos] = moved;
      positions[moved] = pos;
      pos = child;
    }
    times[pos] = t;
    slots[pos] = slot;
    positions[slot] = pos;
  }

  #alloc(): number {
    if (this.#freeTop > 0) return this.#free[--this.#freeTop]!;
    if (this.#slots === this.#kinds.length) this.#grow();
    return this.#slots++;
  }

  #release(slot: number): void {
    this.#handlers[slot] = null;
    this.#gens[slot] = (this.#gens[slot]! + 1) & (GENERATIONS - 1);
    this.#free[this.#freeTop++] = slot;
  }

  #grow(): void {
    const n = this.#kinds.length * 2;
    if (n > SLOT_BITS) throw invalidOption('engine events pending', n, `keep fewer than ${SLOT_BITS} events scheduled at once`);
    const grow = <A extends Int32Array | Float64Array>(a: A, make: (n: number) => A): A => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.#heapTimes = grow(this.#heapTimes, (k) => new Float64Array(k));
    this.#heapSlots = grow(this.#heapSlots, (k) => new Int32Array(k));
    this.#positions = grow(this.#positions, (k) => new Int32Array(k).fill(-1));
    this.#seqs = grow(this.#seqs, (k) => new Float64Array(k));
    this.#kinds = grow(this.#kinds, (k) => new Int32Array(k));
    this.#args = grow(this.#args, (k) => new Float64Array(k));
    this.#gens = grow(this.#gens, (k) => new Int32Array(k));
    this.#free = grow(this.#free, (k) => new Int32Array(k));
    const handlers = new Array<SimHandler | null>(n).fill(null);
    for (let i = 0; i < this.#handlers.length; i++) handlers[i] = this.#handlers[i]!;
    this.#handlers = handlers;
  }
}
