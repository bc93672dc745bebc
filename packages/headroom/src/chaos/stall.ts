/**
 * Process-wide event-loop stalls: blocks the thread (a busy loop on the injected clock) as a GC
 * pause, a sync JSON.parse of a huge body or a CPU-bound handler would, so every timer, socket
 * and request in the process waits. Needs a clock that advances by itself (the system clock);
 * on a VirtualClock a stall returns at once.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { parseDuration, type Duration } from '../core/duration.js';
import { killSwitch } from './kill-switch.js';
import { compileSchedule, type Schedule, type ScheduleSpec } from './schedule.js';

/**
 * Blocks the event loop for `duration` on `options.clock` (default the system clock), unless the
 * kill switch is engaged.
 * @returns how long it blocked, ms
 */
export function stallEventLoop(duration: Duration, options: { readonly clock?: Clock } = {}): number {
  const clock = options.clock ?? systemClock;
  const ms = parseDuration(duration, 'duration');
  if (killSwitch.engaged) return 0;
  const start = clock.now();
  const end = start + ms;
  let now = start;
  // A virtual clock never advances inside the loop: give up after many reads that see no change
  // (a real clock moves within a few microseconds).
  for (let unchanged = 0; now < end && unchanged < 100_000;) {
    const next = clock.now();
    unchanged = next === now ? unchanged + 1 : 0;
    now = next;
  }
  return now - start;
}

/** Options of {@link EventLoopStaller}. */
export interface EventLoopStallerOptions {
  /** Length of each stall. */
  readonly stall: Duration;
  /** Time from the start of one stall to the start of the next. */
  readonly every: Duration;
  /** When stalls happen (from {@link EventLoopStaller.start}); default always. */
  readonly schedule?: ScheduleSpec;
  /** Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * Stalls the event loop periodically until stopped.
 * @example const staller = new EventLoopStaller({ stall: 200, every: '2s' }).start(); // … staller.stop();
 */
export class EventLoopStaller {
  readonly #clock: Clock;
  readonly #stallMs: number;
  readonly #everyMs: number;
  readonly #schedule: Schedule;
  #timer: TimerHandle | undefined;
  #startMs = 0;
  #stalls = 0;

  constructor(options: EventLoopStallerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.#stallMs = parseDuration(options.stall, 'stall');
    this.#everyMs = Math.max(1, parseDuration(options.every, 'every'));
    this.#schedule = compileSchedule(options.schedule);
  }

  /** Starts stalling (the first stall after `every`). Returns this. */
  start(): this {
    this.stop();
    this.#startMs = this.#clock.now();
    this.#arm();
    return this;
  }

  /** Stops; no stall starts after this. */
  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** Stalls performed so far. */
  get stalls(): number {
    return this.#stalls;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimer(this.#everyMs, () => {
      const intensity = this.#schedule(this.#clock.now() - this.#startMs);
      if (intensity > 0 && !killSwitch.engaged) {
        stallEventLoop(this.#stallMs * Math.min(1, intensity), { clock: this.#clock });
        this.#stalls++;
      }
      if (this.#timer !== undefined) this.#arm();
    });
  }
}
