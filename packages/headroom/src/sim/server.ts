/**
 * A simulated server: `workers` parallel workers (or unbounded: a pure delay) in front of one
 * queue served FIFO, LIFO, or by processor sharing (every job in service at rate
 * min(1, workers / jobs)); process-wide pauses that stop every worker (a GC, a stalled event
 * loop); crash and restart; a slow-down factor applied to the service times drawn after it is set.
 *
 * FIFO/LIFO: one completion event per job in service, scheduled on the server with the job's
 * place in service as its argument; a pause pushes each of them back by its length. The jobs in
 * service, their completion times and event ids by place (a double field would be a heap box in
 * every job), the server's clocks (busy time, pause end), slow-down factor and random stream all
 * live in the server's region of the fleet's {@link ServerSlab}, so that one event touches few
 * objects and two cache lines of numbers. The queue is a ring of jobs. PS: one
 * completion event for the server, recomputed in O(jobs) on every change.
 */
import type { Sampler } from './distributions.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Discipline } from './model-spec.js';
import { own, RegionRandom, ServerSlab } from './server-slab.js';

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
// the server's region: its clocks, its slow-down factor, its random stream (six 32-bit integers
// in the three doubles from RANDOM); then, per place in service, the job's completion time
// (PLACES + 2·place) and completion event id (PLACES + 2·place + 1)
const PAUSED_UNTIL = 0;
const BUSY_AREA = 1;
const BUSY_STAMP = 2;
const PS_STAMP = 3;
const FACTOR = 4;
const RANDOM = 5;
const PLACES = 8;

/** One server of the fleet. */
export class Server implements SimHandler {
  up = true;
  /** Jobs finished successfully. */
  served = 0;
  /** Jobs that arrived at this (up) server since the last {@link Server.resetBusy}. */
  arrived = 0;
  /** Of those, jobs that found every worker busy and queued. */
  waited = 0;
  // the jobs in service, in places #jobs[#jb] to #jobs[#jb + #n - 1] of the server's region
  #jobs: (Job | undefined)[];
  #jb: number;
  #n = 0;
  // the server's region (see PLACES): its numbers from #f[#o], the same bytes as #i32[2·#o]
  #f: Float64Array;
  #i32: Int32Array;
  #o: number;
  // places in service the region holds
  #places: number;
  readonly #random: RegionRandom;
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
    /** Seed of the server's own random stream (its service times and pauses), as `SeededRandom`'s. */
    seed: number,
    readonly engine: SimEngine,
    readonly host: ServerHost,
    readonly pauses: { readonly interval: Sampler; readonly duration: Sampler } | undefined,
    /** Where the server keeps its numbers: the fleet's one slab (default: a slab of its own). */
    slab: ServerSlab = new ServerSlab(),
  ) {
    this.#places = workers < 64 ? workers : 64;
    this.#random = slab.random;
    const region = slab.take(PLACES + 2 * this.#places, this.#places);
    this.#f = region.f;
    this.#i32 = region.i32;
    this.#o = region.base;
    this.#jobs = region.jobs as (Job | undefined)[];
    this.#jb = region.jobBase;
    RegionRandom.init(this.#i32, 2 * (this.#o + RANDOM), seed);
    const f = this.#f;
    f[this.#o + PAUSED_UNTIL] = -Infinity;
    f[this.#o + BUSY_STAMP] = engine.now;
    f[this.#o + FACTOR] = 1;
    if (pauses !== undefined) engine.after(pauses.interval.sample(this.#stream()), this, PAUSE_START, 0);
  }

  /** Multiplies the service time of jobs started from now on. */
  get factor(): number {
    return this.#f[this.#o + FACTOR]!;
  }

  set factor(factor: number) {
    this.#f[this.#o + FACTOR] = factor;
  }

  /**
   * Stops every worker for `lengthMs` from now (a pause of this server's own, or one shared by the
   * whole machine). A pause that starts while the server is already paused adds only the part past
   * the current one's end: the workers stop for the union of the two.
   */
  pause(lengthMs: number): void {
    const now = this.engine.now;
    const f = this.#f;
    const o = this.#o;
    const pausedUntil = f[o + PAUSED_UNTIL]!;
    const until = now + lengthMs;
    this.host.paused?.(this, lengthMs);
    if (until <= pausedUntil) return;
    const extra = pausedUntil > now ? until - pausedUntil : lengthMs;
    this.#psAdvance();
    f[o + PAUSED_UNTIL] = until;
    if (this.discipline === 'ps') {
      f[o + PS_STAMP] = until;
      this.#psSchedule();
    } else {
      for (let i = 0; i < this.#n; i++) {
        this.engine.cancel(f[o + PLACES + 2 * i + 1]!);
        const doneAt = f[o + PLACES + 2 * i]! + extra;
        f[o + PLACES + 2 * i] = doneAt;
        f[o + PLACES + 2 * i + 1] = this.engine.at(doneAt, this, JOB_DONE, i);
      }
    }
  }

  /** Jobs queued plus in service. */
  get length(): number {
    return this.#queued + this.#n;
  }

  /** Completion time of a FIFO/LIFO job in service, virtual ms. */
  doneAt(job: Job): number {
    return this.#f[this.#o + PLACES + 2 * job.runIndex]!;
  }

  /** Worker-ms spent serving since the last {@link Server.resetBusy}. */
  busyMs(now: number): number {
    return this.#f[this.#o + BUSY_AREA]! + this.#busySlots() * (now - this.#f[this.#o + BUSY_STAMP]!);
  }

  /** Starts counting busy time, arrivals and waits afresh (at the end of warm-up). */
  resetBusy(now: number): void {
    this.arrived = 0;
    this.waited = 0;
    this.#f[this.#o + BUSY_AREA] = 0;
    this.#f[this.#o + BUSY_STAMP] = now;
  }

  /** A job arrives. A crashed server fails it at once. */
  arrive(job: Job): void {
    if (!this.up) {
      this.host.finished(this, job, false);
      return;
    }
    if ((this.discipline === 'ps' || this.#n < this.workers) && !job.admit()) {
      this.host.finished(this, job, false);
      return;
    }
    const before = this.length;
    this.arrived++;
    if (this.discipline === 'ps') {
      this.#psAdvance();
      job.remaining = this.service.sample(this.#stream()) * this.#f[this.#o + FACTOR]!;
      this.#markBusy();
      if (this.#n === this.#places) this.#growPlaces();
      job.runIndex = this.#n;
      this.#jobs[this.#jb + this.#n++] = job;
      this.#psSchedule();
    } else if (this.#n < this.workers) {
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
    const dropped: Job[] = [];
    for (let i = 0; i < this.#n; i++) dropped.push(this.#jobs[this.#jb + i]!);
    const ring = this.#ring;
    const mask = ring.length - 1;
    for (let i = 0; i < this.#ringLength; i++) {
      const job = ring[(this.#ringHead + i) & mask]!;
      if (!job.withdrawn) dropped.push(job);
    }
    const before = this.length;
    if (this.discipline !== 'ps') for (let i = 0; i < this.#n; i++) this.engine.cancel(this.#f[this.#o + PLACES + 2 * i + 1]!);
    if (this.#psEvent >= 0) this.engine.cancel(this.#psEvent);
    for (let i = 0; i < this.#n; i++) this.#jobs[this.#jb + i] = undefined;
    this.#n = 0;
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
        const job = this.#jobs[this.#jb + arg]!;
        this.complete(job);
        job.served();
      }
    } else if (kind === PAUSE_START) this.#pauseStart();
    else if (kind === PAUSE_END) this.engine.after(this.pauses!.interval.sample(this.#stream()), this, PAUSE_START, 0);
  }

  #start(job: Job): void {
    this.#markBusy();
    const now = this.engine.now;
    const place = this.#n;
    if (place === this.#places) this.#growPlaces();
    const f = this.#f;
    const o = this.#o;
    const pausedUntil = f[o + PAUSED_UNTIL]!;
    const begin = pausedUntil > now ? pausedUntil : now;
    const doneAt = begin + this.service.sample(this.#stream()) * f[o + FACTOR]!;
    f[o + PLACES + 2 * place] = doneAt;
    f[o + PLACES + 2 * place + 1] = this.engine.at(doneAt, this, JOB_DONE, place);
    job.runIndex = place;
    this.#jobs[this.#jb + place] = job;
    this.#n = place + 1;
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
    const jobs = this.#jobs;
    const from = --this.#n;
    const last = jobs[this.#jb + from]!;
    jobs[this.#jb + from] = undefined;
    if (last !== job) {
      const place = job.runIndex;
      jobs[this.#jb + place] = last;
      last.runIndex = place;
      if (this.discipline !== 'ps') {
        const f = this.#f;
        const o = this.#o;
        f[o + PLACES + 2 * place] = f[o + PLACES + 2 * from]!;
        const event = f[o + PLACES + 2 * from + 1]!;
        f[o + PLACES + 2 * place + 1] = event;
        this.engine.setArg(event, place);
      }
    }
    job.runIndex = -1;
  }

  /** Doubles the places in service: the region moves to arrays of the server's own. */
  #growPlaces(): void {
    const region = own(PLACES + 4 * this.#places, 2 * this.#places);
    region.f.set(this.#f.subarray(this.#o, this.#o + PLACES + 2 * this.#places));
    for (let i = 0; i < this.#n; i++) {
      region.jobs[i] = this.#jobs[this.#jb + i];
      this.#jobs[this.#jb + i] = undefined;
    }
    this.#places *= 2;
    this.#f = region.f;
    this.#i32 = region.i32;
    this.#o = region.base;
    this.#jobs = region.jobs as (Job | undefined)[];
    this.#jb = region.jobBase;
  }

  /** The server's random stream, for one draw. */
  #stream(): RegionRandom {
    return this.#random.select(this.#i32, 2 * (this.#o + RANDOM));
  }

  #busySlots(): number {
    const n = this.#n;
    return n < this.workers ? n : this.workers;
  }

  #markBusy(): void {
    const now = this.engine.now;
    const f = this.#f;
    const o = this.#o;
    f[o + BUSY_AREA]! += this.#busySlots() * (now - f[o + BUSY_STAMP]!);
    f[o + BUSY_STAMP] = now;
  }

  #pauseStart(): void {
    const length = this.pauses!.duration.sample(this.#stream());
    this.pause(length);
    this.engine.at(this.engine.now + length, this, PAUSE_END, 0);
  }

  /** PS: charges the work done since the last change to every job in service. */
  #psAdvance(): void {
    if (this.discipline !== 'ps') return;
    const now = this.engine.now;
    const dt = now - this.#f[this.#o + PS_STAMP]!;
    if (dt <= 0) return;
    this.#f[this.#o + PS_STAMP] = now;
    const n = this.#n;
    if (n === 0) return;
    const done = dt * (n <= this.workers ? 1 : this.workers / n);
    for (let i = 0; i < n; i++) this.#jobs[this.#jb + i]!.remaining -= done;
  }

  #psSchedule(): void {
    if (this.#psEvent >= 0) this.engine.cancel(this.#psEvent);
    this.#psEvent = -1;
    const n = this.#n;
    if (n === 0) return;
    let least = Infinity;
    for (let i = 0; i < n; i++) {
      const remaining = this.#jobs[this.#jb + i]!.remaining;
      if (remaining < least) least = remaining;
    }
    const rate = n <= this.workers ? 1 : this.workers / n;
    const psStamp = this.#f[this.#o + PS_STAMP]!;
    const from = psStamp > this.engine.now ? psStamp : this.engine.now;
    this.#psEvent = this.engine.at(from + Math.max(least, 0) / rate, this, JOB_DONE, 0);
  }

  #psDone(): void {
    this.#psEvent = -1;
    this.#psAdvance();
    this.#markBusy();
    const finished: Job[] = [];
    for (let i = 0; i < this.#n; i++) {
      const job = this.#jobs[this.#jb + i]!;
      if (job.remaining <= 1e-9) finished.push(job);
    }
    const before = this.length;
    for (const job of finished) this.#removeRunning(job);
    this.served += finished.length;
    this.#psSchedule();
    this.host.lengthChanged(before, this.length);
    for (const job of finished) this.host.finished(this, job, true);
  }
}
