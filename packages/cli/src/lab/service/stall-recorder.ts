/**
 * The loop stalls of a traced lab run's processes (`headroom lab --trace-picks <file>`): each
 * replica writes `<file>.replica-<i>.ndjson` and the lab's client process `<file>.client.ndjson`,
 * one JSON line per event, times as epoch ms so that these files and the client's trace (whose
 * phase and window events carry `epochMs`) line up:
 * - `{"ev":"replica-lag","replica","epochMs","ms","thresholdMs"}` (the client's: `{"ev":"client-lag",
 *   "epochMs","ms","thresholdMs"}`): the process's event loop ran a timer at least `thresholdMs` late
 *   (`headroom lab --stall-threshold`, default {@link LAG_THRESHOLD_MS}) — a tick armed for
 *   {@link LAG_TICK_MS} (or the threshold, when shorter) fired `ms` late; `epochMs` is when it was
 *   due (the stall ended at `epochMs + ms`);
 * - `{"ev":"replica-gc","replica","epochMs","ms","kind"}` (the client's: `"client-gc"`, no
 *   `replica`): a garbage collection (Node's `gc` performance entries), `kind` one of minor, major,
 *   incremental, weak (or the raw number).
 * Lines are buffered and appended every {@link FLUSH_MS}, and when the recording stops (a replica:
 * when its process exits). Untraced, no process builds any of this.
 */
import { type PerformanceEntry, PerformanceObserver, constants } from 'node:perf_hooks';
import type { Clock, TimerHandle } from 'headroom';
import { NdjsonFile } from '../ndjson-file.js';

/** By default, a timer that fires this late or later is recorded as a stall of the loop, ms. */
export const LAG_THRESHOLD_MS = 3;
/** The lag detector's tick, ms. */
export const LAG_TICK_MS = 2;
/** How often buffered lines are written, ms. */
const FLUSH_MS = 1000;

/** The file a traced replica writes next to the client's pick trace. */
export function replicaTracePath(tracePath: string, replica: number): string {
  return `${tracePath}.replica-${replica}.ndjson`;
}

/** The file the lab's client process writes its own stalls to, next to its pick trace. */
export function clientTracePath(tracePath: string): string {
  return `${tracePath}.client.ndjson`;
}

/** Whose stalls a recorder writes: replica `i`'s, or the lab client's (`'client'`). */
export type StallSource = number | 'client';

/** Name of a `gc` performance entry's `detail.kind`. */
export function gcKindName(kind: number | undefined): string {
  switch (kind) {
    case constants.NODE_PERFORMANCE_GC_MINOR:
      return 'minor';
    case constants.NODE_PERFORMANCE_GC_MAJOR:
      return 'major';
    case constants.NODE_PERFORMANCE_GC_INCREMENTAL:
      return 'incremental';
    case constants.NODE_PERFORMANCE_GC_WEAKCB:
      return 'weak';
    default:
      return String(kind);
  }
}

/** Records one process's loop stalls and GC pauses into its file (see the file comment). */
export class StallRecorder {
  readonly #file: NdjsonFile;
  /** What each line says about whose it is: `{ replica: i }`, or nothing for the client. */
  readonly #who: { readonly replica?: number };
  readonly #prefix: 'replica' | 'client';
  readonly #clock: Clock;
  readonly #originMs: number;
  readonly #thresholdMs: number;
  readonly #tickMs: number;
  #due = 0;
  #tick: TimerHandle | null = null;
  #flush: TimerHandle | null = null;

  /**
   * Creates (truncates) the file and starts the lag detector on `clock`.
   * @param source - replica `i`, or `'client'` (the lines' `ev` and `replica` fields)
   * @param originMs - epoch ms of `clock.now()`'s zero (`performance.timeOrigin` for the system clock)
   * @param thresholdMs - a timer this late or later is a stall (the tick is the shorter of it and {@link LAG_TICK_MS})
   */
  constructor(path: string, source: StallSource, clock: Clock, originMs: number, thresholdMs = LAG_THRESHOLD_MS) {
    this.#file = new NdjsonFile(path);
    this.#who = source === 'client' ? {} : { replica: source };
    this.#prefix = source === 'client' ? 'client' : 'replica';
    this.#clock = clock;
    this.#originMs = originMs;
    this.#thresholdMs = thresholdMs;
    this.#tickMs = Math.min(LAG_TICK_MS, thresholdMs);
    this.#arm();
    const flush = (): void => {
      this.flush();
      this.#flush = clock.setTimer(FLUSH_MS, flush);
    };
    this.#flush = clock.setTimer(FLUSH_MS, flush);
  }

  /** Records a garbage collection that began at `startMs` on the clock and lasted `ms`. */
  gc(startMs: number, ms: number, kind: number | undefined): void {
    this.#write({ ev: `${this.#prefix}-gc`, ...this.#who, epochMs: this.#originMs + startMs, ms, kind: gcKindName(kind) });
  }

  /** Writes the buffered lines. */
  flush(): void {
    this.#file.flush();
  }

  /** Stops the detector and writes what is buffered. */
  stop(): void {
    this.#tick?.cancel();
    this.#flush?.cancel();
    this.#tick = this.#flush = null;
    this.flush();
  }

  #arm(): void {
    this.#due = this.#clock.now() + this.#tickMs;
    this.#tick = this.#clock.setTimer(this.#tickMs, () => {
      const late = this.#clock.now() - this.#due;
      if (late >= this.#thresholdMs)
        this.#write({
          ev: `${this.#prefix}-lag`,
          ...this.#who,
          epochMs: this.#originMs + this.#due,
          ms: late,
          thresholdMs: this.#thresholdMs,
        });
      this.#arm();
    });
  }

  #write(event: Record<string, unknown>): void {
    this.#file.write(event);
  }
}

/**
 * Starts recording this process's stalls and GC pauses as `source` into `path`, until the returned
 * function is called.
 * @param clock - the system clock (its zero is `performance.timeOrigin`, as the GC entries' times)
 * @param thresholdMs - the shortest lag recorded (default {@link LAG_THRESHOLD_MS})
 * @returns stops the recording and writes what is buffered
 */
export function recordStalls(path: string, source: StallSource, clock: Clock, thresholdMs = LAG_THRESHOLD_MS): () => void {
  const recorder = new StallRecorder(path, source, clock, performance.timeOrigin, thresholdMs);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      recorder.gc(e.startTime, e.duration, (e as PerformanceEntry & { readonly detail?: { readonly kind?: number } }).detail?.kind);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    recorder.stop();
  };
}

/**
 * Starts recording this process's stalls and GC pauses as replica `replica` into `path`; written
 * until the process exits.
 * @param clock - the system clock (its zero is `performance.timeOrigin`, as the GC entries' times)
 * @param thresholdMs - the shortest lag recorded (default {@link LAG_THRESHOLD_MS})
 */
export function recordReplicaStalls(path: string, replica: number, clock: Clock, thresholdMs = LAG_THRESHOLD_MS): void {
  process.on('exit', recordStalls(path, replica, clock, thresholdMs));
}
