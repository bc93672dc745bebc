/**
 * A simulated server: `workers` parallel workers (or unbounded: a pure delay) in front of one
 * queue served FIFO, LIFO, or by processor sharing (every job in service at rate
 * min(1, workers / jobs)); process-wide pauses that stop every worker (a GC, a stalled event
 * loop); crash and restart; a slow-down factor applied to the service times drawn after it is set.
 *
 * FIFO/LIFO: one completion event per job in service, scheduled on the server with the job's
 * place in service as its argument; a pause pushes each of them back by its length. The jobs in
 * service keep their completion times and event ids in the server's typed arrays, by place (a
 * double field would be a heap box in every job). PS: one completion event for the server,
 * recomputed in O(jobs) on every change.
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
}

/**
 * Event kind of a completion, scheduled on the server: a FIFO/LIFO job's (the argument is its place
 * in service, kept current when jobs move), or the next one of a PS server.
 */
export const JOB_DONE = 1;
const PAUSE_START = 2;
const PAUSE_END = 3;

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
  // by place in #running (FIFO/LIFO): completion time and completion event id
  #doneAt: Float64Array;
  #doneEvents: Float64Array;
  #queue: Job[] = [];
  #head = 0;
  #queued = 0;
  #pausedUntil = -Infinity;
  #busyArea = 0;
  #busyStamp: number;
  #psStamp = 0;
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
    this.#busyStamp = engine.now;
    // Stored twice, the factor is a mutable double field to V8 rather than the constant 1, which a
    // fault's first slow-down would otherwise change mid-run, deoptimizing every compiled function
    // that touches a server (9 of them at 15 s in a cold `finagle-slowmiddle` run).
    this.factor = 0.5;
    this.factor = 1;
    const places = workers < 64 ? workers : 64;
    this.#doneAt = new Float64Array(places);
    this.#doneEvents = new Float64Array(places);
    if (pauses !== undefined) engine.after(pauses.interval.sample(random), this, PAUSE_START, 0);
  }

  /** Jobs queued plus in service. */
  get length(): number {
    return this.#queued + this.#running.length;
  }

  /** Completion time of a FIFO/LIFO job in service, virtual ms. */
  doneAt(job: Job): number {
    return this.#doneAt[job.runIndex]!;
  }

  /** Worker-ms spent serving since the last {@link Server.resetBusy}. */
  busyMs(now: number): number {
    return this.#busyArea + this.#busySlots() * (now - this.#busyStamp);
  }

  /** Starts counting busy time, arrivals and waits afresh (at the end of warm-up). */
  resetBusy(now: number): void {
    this.arrived = 0;
    this.waited = 0;
    this.#busyArea = 0;
    this.#busyStamp = now;
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
      this.#queue.push(job);
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
    const i = this.#queue.indexOf(job, this.#head);
    if (i < 0) return false;
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
    for (let i = this.#head; i < this.#queue.length; i++) if (!this.#queue[i]!.withdrawn) dropped.push(this.#queue[i]!);
    const before = this.length;
    if (this.discipline !== 'ps') for (let i = 0; i < this.#running.length; i++) this.engine.cancel(this.#doneEvents[i]!);
    if (this.#psEvent >= 0) this.engine.cancel(this.#psEvent);
    this.#running.length = 0;
    this.#queue = [];
    this.#head = 0;
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
    const begin = this.#pausedUntil > now ? this.#pausedUntil : now;
    const doneAt = begin + this.service.sample(this.random) * this.factor;
    const place = this.#running.length;
    if (place === this.#doneAt.length) this.#growPlaces();
    this.#doneAt[place] = doneAt;
    this.#doneEvents[place] = this.engine.at(doneAt, this, JOB_DONE, place);
    job.runIndex = place;
    this.#running.push(job);
  }

  #dequeue(): Job | undefined {
    while (this.#queued > 0) {
      const job = this.discipline === 'lifo' ? this.#queue.pop()! : this.#queue[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      if (job.withdrawn) continue;
      this.#queued--;
      if (!job.admit()) {
        (this.#refused ??= []).push(job);
        continue;
      }
      return job;
    }
    if (this.#queue.length > 0) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    return undefined;
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
        this.#doneAt[place] = this.#doneAt[from]!;
        const event = this.#doneEvents[from]!;
        this.#doneEvents[place] = event;
        this.engine.setArg(event, place);
      }
    }
    job.runIndex = -1;
  }

  #growPlaces(): void {
    const n = this.#doneAt.length * 2;
    const doneAt = new Float64Array(n);
    doneAt.set(this.#doneAt);
    const events = new Float64Array(n);
    events.set(this.#doneEvents);
    this.#doneAt = doneAt;
    this.#doneEvents = events;
  }

  #busySlots(): number {
    const n = this.#running.length;
    return n < this.workers ? n : this.workers;
  }

  #markBusy(): void {
    const now = this.engine.now;
    this.#busyArea += this.#busySlots() * (now - this.#busyStamp);
    this.#busyStamp = now;
  }

  #pauseStart(): void {
    const now = this.engine.now;
    const length = this.pauses!.duration.sample(this.random);
    this.#psAdvance();
    this.#pausedUntil = now + length;
    if (this.discipline === 'ps') {
      this.#psStamp = this.#pausedUntil;
      this.#psSchedule();
    } else {
      for (let i = 0; i < this.#running.length; i++) {
        this.engine.cancel(this.#doneEvents[i]!);
        const doneAt = this.#doneAt[i]! + length;
        this.#doneAt[i] = doneAt;
        this.#doneEvents[i] = this.engine.at(doneAt, this, JOB_DONE, i);
      }
    }
    this.engine.at(this.#pausedUntil, this, PAUSE_END, 0);
  }

  /** PS: charges the work done since the last change to every job in service. */
  #psAdvance(): void {
    if (this.discipline !== 'ps') return;
    const now = this.engine.now;
    const dt = now - this.#psStamp;
    if (dt <= 0) return;
    this.#psStamp = now;
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
    const from = this.#psStamp > this.engine.now ? this.#psStamp : this.engine.now;
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
