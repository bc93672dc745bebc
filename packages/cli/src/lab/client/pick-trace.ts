/**
 * `headroom lab --trace-picks <file>`: every balancer decision of the run as NDJSON, to see why a
 * picker sent a request where it did. Off by default, and then nothing here is built: the phase's
 * balancer gets the module's picker and load metric themselves. On, each phase's picker and load
 * metric are wrapped (the same objects inside, so the same decisions), and the file gets one line
 * per event, times in ms on the lab's clock:
 * - `{"ev":"phase","t","epochMs","scenario","phase"}` when a phase's balancer is built (the events after it are its);
 * - `{"ev":"window","t","epochMs","edge":"start"|"end"}` when the phase's measured window opens and when its last request is sent;
 *   `epochMs` is `t` as epoch ms, to line up with the replicas' own files (lab/service/stall-recorder.ts);
 * - `{"ev":"pick","t","c":[[replica,cost,pending],…],"chosen"}` per pick: each candidate whose load
 *   the picker read (P2C: its two), that load (peak-EWMA: RTT estimate × (pending + 1), ms) and its
 *   requests in flight before this one, then the replica chosen (round-robin reads no load: `c` is empty);
 * - `{"ev":"rtt","t","replica","ms","outcome"}` per finished attempt: the round trip fed to the load metric;
 * - `{"ev":"hedge","t","afterMs","delayMs"}` per backup a hedging phase sends: how long after its
 *   call's first attempt it went out (`afterMs`, on the lab's clock, so it holds the hedge timer's
 *   own lateness) and the hedge delay that call used (`delayMs`);
 * - `{"ev":"win","t","attempt","attempts","ms"}` per call of a hedging phase that succeeded: the
 *   winning attempt (0 is the original), how many were sent, and ms from the first attempt's send.
 * The lines are buffered and written synchronously every {@link FLUSH_LINES} lines and when the
 * phase ends, so the trace costs the client a little time (compare a run's shares with and without it).
 */
import { NdjsonFile } from '../ndjson-file.js';
import type { Candidates, LoadMetric, LoadMetricFactory, Picker, PickerFactory } from 'headroom/balance';
import type { Clock, Disposable, Outcome } from 'headroom';
import type { HedgePolicy } from 'headroom/latency';

/** Buffered lines written at once. */
const FLUSH_LINES = 4096;

/** The trace file of one lab run (see the file comment for its lines). */
export class PickTrace {
  readonly #file: NdjsonFile;
  readonly #originMs: number;

  /**
   * Creates (truncates) the file.
   * @param originMs - epoch ms of the lab clock's zero (`performance.timeOrigin` for the system clock)
   */
  constructor(path: string, originMs = 0) {
    this.#file = new NdjsonFile(path);
    this.#originMs = originMs;
  }

  /** The file's path. */
  get path(): string {
    return this.#file.path;
  }

  /** Appends a phase or window event at `t` on the lab's clock, with `epochMs` (see the file comment). */
  mark(event: { readonly ev: 'phase' | 'window'; readonly t: number } & Record<string, unknown>): void {
    this.write({ ...event, epochMs: this.#originMs + event.t });
  }

  /** Appends one event. */
  write(event: Record<string, unknown>): void {
    if (this.#file.write(event) >= FLUSH_LINES) this.#file.flush();
  }

  /** Writes the buffered lines. */
  flush(): void {
    this.#file.flush();
  }

  /** Traces each backup `policy` sends and each call it wins (see the file comment) until the returned handle is disposed. */
  hedges(policy: HedgePolicy, clock: Clock): Disposable {
    return policy.on((e) => {
      if (e.type === 'hedge') this.write({ ev: 'hedge', t: clock.now(), afterMs: e.afterMs, delayMs: e.delayMs });
      else if (e.type === 'win') this.write({ ev: 'win', t: clock.now(), attempt: e.attempt, attempts: e.attempts, ms: e.latencyMs });
    });
  }

  /** The picker, tracing each pick; `replicaOf` turns a candidate's id into its replica index. */
  picker(factory: PickerFactory, replicaOf: (id: string) => number): PickerFactory {
    return { ...factory, create: (context) => new TracedPicker(factory.create(context), this, replicaOf) };
  }

  /** The load metric, tracing the round trip of each finished attempt (metrics are made in endpoint order: the n-th is replica n). */
  load(factory: LoadMetricFactory): LoadMetricFactory {
    let next = 0;
    return { ...factory, create: () => new TracedMetric(factory.create(), next++, this) };
  }
}

/** The candidates a picker sees, noting each load it reads. */
class ReadingCandidates implements Candidates {
  inner!: Candidates;
  readonly read: [number, number, number][] = [];

  get size(): number {
    return this.inner.size;
  }
  get listVersion(): number {
    return this.inner.listVersion;
  }
  get weightVersion(): number {
    return this.inner.weightVersion;
  }
  get inflight(): ArrayLike<number> {
    return this.inner.inflight;
  }
  get totalInflight(): number {
    return this.inner.totalInflight;
  }
  weight(i: number): number {
    return this.inner.weight(i);
  }
  id(i: number): string {
    return this.inner.id(i);
  }
  load(i: number, now: number): number {
    const cost = this.inner.load(i, now);
    this.read.push([i, cost, this.inner.inflight[i] ?? 0]);
    return cost;
  }
}

class TracedPicker implements Picker {
  readonly #reading = new ReadingCandidates();

  constructor(
    readonly inner: Picker,
    readonly trace: PickTrace,
    readonly replicaOf: (id: string) => number,
  ) {}

  pick(c: Candidates, now: number, key: string | undefined): number {
    const r = this.#reading;
    r.inner = c;
    r.read.length = 0;
    const chosen = this.inner.pick(r, now, key);
    this.trace.write({
      ev: 'pick',
      t: now,
      c: r.read.map(([i, cost, pending]) => [this.replicaOf(c.id(i)), cost, pending]),
      chosen: chosen < 0 ? null : this.replicaOf(c.id(chosen)),
    });
    return chosen;
  }
}

class TracedMetric implements LoadMetric {
  constructor(
    readonly inner: LoadMetric,
    readonly replica: number,
    readonly trace: PickTrace,
  ) {}

  start(now: number): void {
    this.inner.start(now);
  }
  end(now: number, latencyMs: number, outcome: Outcome): void {
    this.trace.write({ ev: 'rtt', t: now, replica: this.replica, ms: latencyMs, outcome });
    this.inner.end(now, latencyMs, outcome);
  }
  load(now: number): number {
    return this.inner.load(now);
  }
}
