/**
 * A simulated server: `workers` parallel workers (or unbounded: a pure delay) in front of one
 * queue served FIFO, LIFO, or by processor sharing (every job in service at rate
 * min(1, workers / jobs)); process-wide pauses that stop every worker (a GC, a stalled event
 * loop); crash and restart; a slow-down factor applied to the service times drawn after it is set.
 *
 * FIFO/LIFO: one completion event per job in service, scheduled on the server with the job's
 * place in service as its argument; a pause pushes each of them back by its length. The jobs in
 * service keep their completion times and event ids in one typed array of the server's, by place
 * (a double field would be a heap box in every job), beside the server's own clocks (busy time,
 * pause end), so that one event touches few objects. The queue is a ring of jobs. PS: one
 * completion event for the server, recomputed in O(jobs) on every change.
 */
import type { Random } from '../core/random.js';
import type { Sampler } from './distributions.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Discipline } from './model-spec.js';

/** The server's view of one request attempt (the fleet's `Attempt` implements it). */
export interface Job {
  /** Index in the server's `running` list, -1 when not in service. */
  runIndex: number;
  /** Work left (PS), ms at full rate. */
  remaining: number;
  /** The server completed the job and reported it finished (FIFO/LIFO; a tied copy's ticket is released here). */
  served(): void;
  /** Removed from the queue (cancelled) while waiting: skipped when dequeued. */
  withdrawn: boolean;
  /**
   * A worker is about to take the job: false means drop it unexecuted (a tied copy whose twin
   * started, a deadline that passed); the server then reports it finished, not ok.
   */
  admit(): boolean;
}

/** What a server reports to the fleet. */
export interface ServerHost {
  /** The job finished (`ok`) or was dropped by a crash (`!ok`); the fleet sends the response. */
  finished(server: Server, job: Job, ok: boolean): void;
  /** Jobs at the server (queued + in service) went from `from` to `to`. */
  lengthChanged(from: number, to: number): void;
  /** The server pauses for `lengthMs` from now (its own pause or the machine's). */
  paused?(server: Server, lengthMs: number): void;
}

/**
 * Event kind of a completion, scheduled on the server: a FIFO/LIFO job's (the argument is its place
 * in service, kept current when jobs move), or the next one of a PS server.
 */
export const JOB_DONE = 1;
const PAUSE_START = 2;
const PAUSE_END = 3;
// the server's clocks, at the start of its typed array; then, per place in service, the job's
// completion time (PLACES + 2·place) and completion event id (PLACES + 2·place + 1)
const PAUSED_UNTIL = 0;
const BUSY_AREA = 1;
const BUSY_STAMP = 2;
const PS_STAMP = 3;
const PLACES = 4;

/** One server of the fleet. */
export class Server implements SimHandler {
  up = true;
  /** Multiplies the service time of jobs started from now on. */
  factor = 1;
  /** Jobs finished successfully. */
  served = 0;
  /** Jobs that arrived at this (up) server since the last {@link Server.resetBusy}. */
  arrived = 0;
  /** Of those, jobs that found every worker busy and queued. */
  waited = 0;
  readonly #running: Job[] = [];
  // the clocks and the places in service (see PLACES)
  #f: Float64Array;
  // the queue: a ring of `#ringLength` jobs (withdrawn ones included) from `#ringHead`, capacity a power of 2
  #ring: (Job | undefined)[] = new Array<Job | undefined>(4).fill(undefined);
  #ringHead = 0;
  #ringLength = 0;
  // jobs queued and not withdrawn
  #queued = 0;
  #psEvent = -1;
  #refused: Job[] | undefined;

  constructor(
    readonly index: number,
    readonly workers: number,
    readonly discipline: Discipline,
    readonly service: Sampler,
    readonly random: Random,
    readonly engine: SimEngine,
    readonly host: ServerHost,
    readonly pauses: { readonly interval: Sampler; readonly duration: Sampler } | undefined,
  ) {
    // Stored twice, the factor is a mutable double field to V8 rather than the constant 1, which a
    // fault's first slow-down would otherwise change mid-run, deoptimizing every compiled function
    // that touches a server (9 of them at 15 s in a cold `finagle-slowmiddle` run).
    this.factor = 0.5;
    this.factor = 1;
    const places = workers < 64 ? workers : 64;
    this.#f = new Float64Array(PLACES + 2 * places);
    this.#f[PAUSED_UNTIL] = -Infinity;
    this.#f[BUSY_STAMP] = engine.now;
    if (pauses !== undefined) engine.after(pauses.interval.sample(random), this, PAUSE_START, 0);
  }

  /**
   * Stops every worker for `lengthMs` from now (a pause of this server's own, or one shared by the
   * whole machine). A pause that starts while the server is already paused adds only the part past
   * the current one's end: the workers stop for the union of the two.
   */
  pause(lengthMs: number): void {
    const now = this.engine.now;
    const f = this.#f;
    const pausedUntil = f[PAUSED_UNTIL]!;
    const until = now + lengthMs;
    this.host.paused?.(this, lengthMs);
    if (until <= pausedUntil) return;
    const extra = pausedUntil > now ? until - pausedUntil : lengthMs;
    this.#psAdvance();
    f[PAUSED_UNTIL] = until;
    if (this.discipline === 'ps') {
      f[PS_STAMP] = until;
      this.#psSchedule();
    } else {
      for (let i = 0; i < this.#running.length; i++) {
        this.engine.cancel(f[PLACES + 2 * i + 1]!);
        const doneAt = f[PLACES + 2 * i]! + extra;
        f[PLACES + 2 * i] = doneAt;
        f[PLACES + 2 * i + 1] = this.engine.at(doneAt, this, JOB_DONE, i);
      }
    }
  }

  /** Jobs queued plus in service. */
  get length(): number {
    return this.#queued + this.#running.length;
  }

  /** Completion time of a FIFO/LIFO job in service, virtual ms. */
  doneAt(job: Job): number {
    return this.#f[PLACES + 2 * job.runIndex]!;
  }

  /** Worker-ms spent serving since the last {@link Server.resetBusy}. */
  busyMs(now: number): number {
    return this.#f[BUSY_AREA]! + this.#busySlots() * (now - this.#f[BUSY_STAMP]!);
  }

  /** Starts counting busy time, arrivals and waits afresh (at the end of warm-up). */
  resetBusy(now: number): void {
    this.arrived = 0;
    this.waited = 0;
    this.#f[BUSY_AREA] = 0;
    this.#f[BUSY_STAMP] = now;
  }

  /** A job arrives. A crashed server fails it at once. */
  arrive(job: Job): void {
    if (!this.up) {
      this.host.finished(this, job, false);
      return;
    }
    if ((this.discipline === 'ps' || this.#running.length < this.workers) && !job.admit()) {
      this.host.finished(this, job, false);
      return;
    }
    const before = this.length;
    this.arrived++;
    if (this.discipline === 'ps') {
      this.#psAdvance();
      job.remaining = this.service.sample(this.random) * this.factor;
      this.#markBusy();
      job.runIndex = this.#running.length;
      this.#running.push(job);
      this.#psSchedule();
    } else if (this.#running.length < this.workers) {
      this.#start(job);
    } else {
      job.withdrawn = false;
      this.waited++;
      if (this.#ringLength === this.#ring.length) this.#growRing();
      this.#ring[(this.#ringHead + this.#ringLength++) & (this.#ring.length - 1)] = job;
      this.#queued++;
    }
    this.host.lengthChanged(before, before + 1);
  }

  /** A FIFO/LIFO job's completion event fired. */
  complete(job: Job): void {
    const before = this.length;
    this.#markBusy();
    this.#removeRunning(job);
    this.served++;
    const next = this.#dequeue();
    if (next !== undefined) this.#start(next);
    this.host.lengthChanged(before, this.length);
    this.host.finished(this, job, true);
    if (this.#refused !== undefined) this.#reportRefused();
  }

  /** Removes a job still waiting in the queue (its call was answered elsewhere); true if it was queued. */
  withdraw(job: Job): boolean {
    if (job.runIndex >= 0 || job.withdrawn || this.discipline === 'ps') return false;
    if (!this.#queuedHas(job)) return false;
    const before = this.length;
    job.withdrawn = true;
    this.#queued--;
    this.host.lengthChanged(before, before - 1);
    return true;
  }

  /** Crashes: every job queued or in service fails, and arrivals fail until {@link Server.restart}. */
  crash(): void {
    if (!this.up) return;
    this.#psAdvance();
    this.#markBusy();
    this.up = false;
    const dropped = [...this.#running];
    const ring = this.#ring;
    const mask = ring.length - 1;
    for (let i = 0; i < this.#ringLength; i++) {
      const job = ring[(this.#ringHead + i) & mask]!;
      if (!job.withdrawn) dropped.push(job);
    }
    const before = this.length;
    if (this.discipline !== 'ps') for (let i = 0; i < this.#running.length; i++) this.engine.cancel(this.#f[PLACES + 2 * i + 1]!);
    if (this.#psEvent >= 0) this.engine.cancel(this.#psEvent);
    this.#running.length = 0;
    this.#clearRing();
    this.#queued = 0;
    this.host.lengthChanged(before, 0);
    for (const job of dropped) {
      job.runIndex = -1;
      this.host.finished(this, job, false);
    }
  }

  /** Comes back up, empty. */
  restart(): void {
    this.up = true;
  }

  handle(kind: number, arg: number): void {
    if (kind === JOB_DONE) {
      if (this.discipline === 'ps') this.#psDone();
      else {
        const job = this.#running[arg]!;
        this.complete(job);
        job.served();
      }
    } else if (kind === PAUSE_START) this.#pauseStart();
    else if (kind === PAUSE_END) this.engine.after(this.pauses!.interval.sample(this.random), this, PAUSE_START, 0);
  }

  #start(job: Job): void {
    this.#markBusy();
    const now = this.engine.now;
    const pausedUntil = this.#f[PAUSED_UNTIL]!;
    const begin = pausedUntil > now ? pausedUntil : now;
    const doneAt = begin + this.service.sample(this.random) * this.factor;
    const place = this.#running.length;
    if (PLACES + 2 * place === this.#f.length) this.#growPlaces();
    const f = this.#f;
    f[PLACES + 2 * place] = doneAt;
    f[PLACES + 2 * place + 1] = this.engine.at(doneAt, this, JOB_DONE, place);
    job.runIndex = place;
    this.#running.push(job);
  }

  #dequeue(): Job | undefined {
    const ring = this.#ring;
    const mask = ring.length - 1;
    while (this.#queued > 0) {
      let at: number;
      if (this.discipline === 'lifo') at = (this.#ringHead + --this.#ringLength) & mask;
      else {
        at = this.#ringHead;
        this.#ringHead = (at + 1) & mask;
        this.#ringLength--;
      }
      const job = ring[at]!;
      ring[at] = undefined;
      if (job.withdrawn) continue;
      this.#queued--;
      if (!job.admit()) {
        (this.#refused ??= []).push(job);
        continue;
      }
      return job;
    }
    if (this.#ringLength > 0) this.#clearRing();
    return undefined;
  }

  /** True when `job` is in the queue (withdrawn or not). */
  #queuedHas(job: Job): boolean {
    const ring = this.#ring;
    const mask = ring.length - 1;
    for (let i = 0; i < this.#ringLength; i++) if (ring[(this.#ringHead + i) & mask] === job) return true;
    return false;
  }

  /** Empties the queue's ring (what is left in it is withdrawn, or dropped by a crash). */
  #clearRing(): void {
    const ring = this.#ring;
    const mask = ring.length - 1;
    for (let i = 0; i < this.#ringLength; i++) ring[(this.#ringHead + i) & mask] = undefined;
    this.#ringHead = 0;
    this.#ringLength = 0;
  }

  #growRing(): void {
    const ring = this.#ring;
    const mask = ring.length - 1;
    const bigger = new Array<Job | undefined>(ring.length * 2).fill(undefined);
    for (let i = 0; i < this.#ringLength; i++) bigger[i] = ring[(this.#ringHead + i) & mask];
    this.#ring = bigger;
    this.#ringHead = 0;
  }

  /** Reports the queued jobs that refused to start (`Job.admit`), once the server's state is settled. */
  #reportRefused(): void {
    const refused = this.#refused!;
    this.#refused = undefined;
    for (const job of refused) this.host.finished(this, job, false);
  }

  #removeRunning(job: Job): void {
    const last = this.#running.pop()!;
    if (last !== job) {
      const place = job.runIndex;
      const from = this.#running.length;
      this.#running[place] = last;
      last.runIndex = place;
      if (this.discipline !== 'ps') {
        const f = this.#f;
        f[PLACES + 2 * place] = f[PLACES + 2 * from]!;
        const event = f[PLACES + 2 * from + 1]!;
        f[PLACES + 2 * place + 1] = event;
        this.engine.setArg(event, place);
      }
    }
    job.runIndex = -1;
  }

  #growPlaces(): void {
    const f = new Float64Array(PLACES + 2 * (this.#f.length - PLACES));
    f.set(this.#f);
    this.#f = f;
  }

  #busySlots(): number {
    const n = this.#running.length;
    return n < this.workers ? n : this.workers;
  }

  #markBusy(): void {
    const now = this.engine.now;
    const f = this.#f;
    f[BUSY_AREA]! += this.#busySlots() * (now - f[BUSY_STAMP]!);
    f[BUSY_STAMP] = now;
  }

  #pauseStart(): void {
    const length = this.pauses!.duration.sample(this.random);
    this.pause(length);
    this.engine.at(this.engine.now + length, this, PAUSE_END, 0);
  }

  /** PS: charges the work done since the last change to every job in service. */
  #psAdvance(): void {
    if (this.discipline !== 'ps') return;
    const now = this.engine.now;
    const dt = now - this.#f[PS_STAMP]!;
    if (dt <= 0) return;
    this.#f[PS_STAMP] = now;
    const n = this.#running.length;
    if (n === 0) return;
    const done = dt * (n <= this.workers ? 1 : this.workers / n);
    for (const job of this.#running) job.remaining -= done;
  }

  #psSchedule(): void {
    if (this.#psEvent >= 0) this.engine.cancel(this.#psEvent);
    this.#psEvent = -1;
    const n = this.#running.length;
    if (n === 0) return;
    let least = Infinity;
    for (const job of this.#running) if (job.remaining < least) least = job.remaining;
    const rate = n <= this.workers ? 1 : this.workers / n;
    const psStamp = this.#f[PS_STAMP]!;
    const from = psStamp > this.engine.now ? psStamp : this.engine.now;
    this.#psEvent = this.engine.at(from + Math.max(least, 0) / rate, this, JOB_DONE, 0);
  }

  #psDone(): void {
    this.#psEvent = -1;
    this.#psAdvance();
    this.#markBusy();
    const finished: Job[] = [];
    for (const job of this.#running) if (job.remaining <= 1e-9) finished.push(job);
    const before = this.length;
    for (const job of finished) this.#removeRunning(job);
    this.served += finished.length;
    this.#psSchedule();
    this.host.lengthChanged(before, this.length);
    for (const job of finished) this.host.finished(this, job, true);
  }
}
