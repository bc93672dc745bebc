/**
 * Pauses at recorded times — a server group's `pausesAt`, the clients' `stallsAt`: each
 * `[startMs, lengthMs]` of the record is handed, at its start, to what the record stops — every
 * worker of the group's servers through the same {@link Server.pause} as their drawn pauses, every
 * client's event loop through the fleet's client stall (overlapping pauses or stalls stop them for
 * the union). With `every`, the record starts again at each multiple of it — a window's stalls
 * replayed over a run several windows long. One event is pending at a time: the next start.
 */
import { parsePositiveDuration } from '../core/duration.js';
import type { SimEngine, SimHandler } from './engine.js';
import { invalidOption } from './errors.js';
import type { RecordedPausesSpec } from './model-spec.js';

/** Replays one record (see the file comment). */
export class RecordedPauses implements SimHandler {
  readonly #engine: SimEngine;
  readonly #stop: (lengthMs: number) => void;
  readonly #start: Float64Array;
  readonly #length: Float64Array;
  readonly #everyMs: number;
  /** When the current repetition of the record began. */
  #base = 0;

  /**
   * Checks the record and schedules its first pause (none for an empty record).
   * @param stop - stops what the record pauses, for `lengthMs` from now (the servers, the clients)
   * @param path - the spec's path, for errors (`servers.0.pausesAt`, `clients.stallsAt`)
   * @throws HR_SIM_INVALID_OPTION naming the entry that is not `[startMs ≥ 0, lengthMs > 0]`, a start before the one above it, or an `every` not after the last start
   */
  constructor(engine: SimEngine, stop: (lengthMs: number) => void, spec: RecordedPausesSpec, path: string) {
    if (!Array.isArray(spec.at))
      throw invalidOption(`${path}.at`, spec.at, 'use a list of [startMs, lengthMs] pairs, e.g. [[120, 8], [950, 4]]');
    const n = spec.at.length;
    this.#start = new Float64Array(n);
    this.#length = new Float64Array(n);
    spec.at.forEach((entry, i) => {
      const pair: readonly unknown[] = Array.isArray(entry) ? entry : [];
      const [start, length] = pair;
      if (!(
        pair.length === 2 &&
        typeof start === 'number' &&
        start >= 0 &&
        Number.isFinite(start) &&
        typeof length === 'number' &&
        length > 0 &&
        Number.isFinite(length)
      ))
        throw invalidOption(`${path}.at.${i}`, entry, 'use [startMs, lengthMs]: a start ≥ 0 and a positive length, in ms');
      if (i > 0 && start < this.#start[i - 1]!)
        throw invalidOption(
          `${path}.at.${i}`,
          entry,
          `list the pauses in order of their start (the one above starts at ${this.#start[i - 1]} ms)`,
        );
      this.#start[i] = start;
      this.#length[i] = length;
    });
    this.#everyMs = spec.every === undefined ? Infinity : parsePositiveDuration(spec.every, `${path}.every`, 0);
    if (n > 0 && !(this.#everyMs > this.#start[n - 1]!))
      throw invalidOption(`${path}.every`, spec.every, `use a period longer than the last start (${this.#start[n - 1]} ms)`);
    this.#engine = engine;
    this.#stop = stop;
    if (n > 0) engine.at(this.#start[0]!, this, 0, 0);
  }

  /** Pause `i` of the record starts now: what it pauses stops, and the next start is scheduled. */
  handle(_kind: number, i: number): void {
    this.#stop(this.#length[i]!);
    let next = i + 1;
    if (next === this.#start.length) {
      if (this.#everyMs === Infinity) return;
      this.#base += this.#everyMs;
      next = 0;
    }
    this.#engine.at(this.#base + this.#start[next]!, this, 0, next);
  }
}
