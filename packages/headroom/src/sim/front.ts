/**
 * A server with something in front of it: a cache of keys (cache.ts) and/or a concurrency
 * limiter (limiter.ts). A call whose key is cached is answered at once; otherwise the limiter's
 * synchronous decider admits it (a permit held until the answer leaves the server) or sheds it at
 * once (a fast failure); admitted calls queue and are served as by any server. A limiter with a
 * queue (`queueSize`) makes a call past the limit wait in the limiter's own queue (its synchronous
 * `wait()`: priority-LIFO, `queueTimeout`, the call's propagated deadline) until a permit frees up
 * or the limiter refuses it. A crash drops the cache (the server restarts cold), fails the calls
 * waiting for a permit, and frees the permits of the calls it dropped. Only servers whose group
 * configures a cache or a limiter are built from this class, so the others pay nothing.
 */
import type { ConcurrencyLimiter, Permit, PermitWaiter, QueuedWait } from '../latency/index.js';
import type { ServerSlab } from './server-slab.js';
import type { ServerCache } from './cache.js';
import type { Sampler } from './distributions.js';
import type { SimEngine } from './engine.js';
import type { Discipline } from './model-spec.js';
import { Server, type Job, type ServerHost } from './server.js';

/** A job whose call may carry a key (the fleet's attempts do; -1 is no key) and a deadline. */
interface KeyedJob extends Job {
  readonly call: { readonly key: number; readonly sentDeadlineMs: number };
}

/** One call waiting in a limiter's queue for a permit. */
class PermitWait implements PermitWaiter {
  /** Whether it went into the queue (not granted or refused at once). */
  queued = false;
  wait: QueuedWait | undefined = undefined;
  readonly arrivedMs: number;

  constructor(
    readonly server: FrontedServer,
    readonly job: KeyedJob,
  ) {
    this.arrivedMs = server.engine.now;
  }

  remainingMs(): number {
    return this.job.call.sentDeadlineMs - this.server.engine.now;
  }

  granted(permit: Permit): void {
    this.server.granted(this, permit);
  }

  refused(): void {
    this.server.refused(this);
  }
}

/** Passes the server's reports on, after letting the front see each answer leave. */
class FrontHost implements ServerHost {
  front: FrontedServer | undefined;
  constructor(readonly inner: ServerHost) {}

  finished(server: Server, job: Job, ok: boolean): void {
    this.front!.left(job as KeyedJob, ok);
    this.inner.finished(server, job, ok);
  }

  lengthChanged(from: number, to: number): void {
    this.inner.lengthChanged(from, to);
  }

  paused(server: Server, lengthMs: number): void {
    this.inner.paused?.(server, lengthMs);
  }
}

/** What stands in front of a server. */
export interface Front {
  readonly cache: ServerCache | undefined;
  readonly limiter: ConcurrencyLimiter | undefined;
  /** The limiter has a queue: calls past the limit wait through its `wait()` instead of `tryAcquire()`. */
  readonly queueing: boolean;
}

/** A {@link Server} behind a cache and/or a concurrency limiter. */
export class FrontedServer extends Server {
  /** Calls the limiter shed since the last {@link FrontedServer.resetBusy}. */
  shed = 0;
  /** Calls the limiter admitted since then. */
  admitted = 0;
  /** Calls the limiter shed since the run began (the limiter's own counter counts only its async path). */
  shedTotal = 0;
  /** Of the calls admitted since the last {@link FrontedServer.resetBusy}, those that waited in the limiter's queue. */
  waitedForPermit = 0;
  /** Their total wait for a permit, ms. */
  permitWaitMs = 0;
  /** Of the calls shed since then, those refused after waiting (the queue's timeout, the deadline, an eviction). */
  shedAfterWait = 0;
  readonly #waits = new Map<Job, PermitWait>();
  readonly #queueing: boolean;
  readonly cache: ServerCache | undefined;
  readonly limiter: ConcurrencyLimiter | undefined;
  readonly #permits = new Map<Job, Permit>();
  readonly #outer: ServerHost;

  constructor(
    index: number,
    workers: number,
    discipline: Discipline,
    service: Sampler,
    seed: number,
    engine: SimEngine,
    host: ServerHost,
    pauses: { readonly interval: Sampler; readonly duration: Sampler } | undefined,
    front: Front,
    slab?: ServerSlab,
  ) {
    const relay = new FrontHost(host);
    super(index, workers, discipline, service, seed, engine, relay, pauses, slab);
    relay.front = this;
    this.#outer = host;
    this.cache = front.cache;
    this.limiter = front.limiter;
    this.#queueing = front.limiter !== undefined && front.queueing;
  }

  override arrive(job: Job): void {
    if (!this.up) {
      super.arrive(job);
      return;
    }
    const key = (job as KeyedJob).call.key;
    if (this.cache !== undefined && key >= 0 && this.cache.lookup(key)) {
      this.#outer.finished(this, job, true);
      return;
    }
    if (this.#queueing) {
      const w = new PermitWait(this, job as KeyedJob);
      const wait = this.limiter!.wait(w);
      if (wait.waiting) {
        w.queued = true;
        w.wait = wait;
        this.#waits.set(job, w);
      }
      return;
    }
    if (this.limiter !== undefined) {
      const permit = this.limiter.tryAcquire();
      if (permit === undefined) {
        this.shed++;
        this.shedTotal++;
        this.#outer.finished(this, job, false);
        return;
      }
      this.admitted++;
      this.#permits.set(job, permit);
    }
    super.arrive(job);
  }

  /** The limiter granted a permit to a call (at once or after it waited): it goes on to the server. */
  granted(w: PermitWait, permit: Permit): void {
    this.admitted++;
    if (w.queued) {
      this.#waits.delete(w.job);
      this.waitedForPermit++;
      this.permitWaitMs += this.engine.now - w.arrivedMs;
    }
    this.#permits.set(w.job, permit);
    super.arrive(w.job);
  }

  /** The limiter refused a call (at once, or after it waited): a fast failure, as a shed. */
  refused(w: PermitWait): void {
    this.shed++;
    this.shedTotal++;
    if (w.queued) {
      this.#waits.delete(w.job);
      this.shedAfterWait++;
    }
    this.#outer.finished(this, w.job, false);
  }

  override withdraw(job: Job): boolean {
    const w = this.#waits.get(job);
    if (w !== undefined) {
      this.#waits.delete(job);
      w.wait!.cancel();
      return true;
    }
    if (!super.withdraw(job)) return false;
    this.#release(job, 'ignored');
    return true;
  }

  override crash(): void {
    const waiting = [...this.#waits.values()];
    this.#waits.clear();
    for (const w of waiting) w.wait!.cancel();
    super.crash();
    this.cache?.clear();
    for (const w of waiting) this.#outer.finished(this, w.job, false);
  }

  override resetBusy(now: number): void {
    super.resetBusy(now);
    this.shed = 0;
    this.admitted = 0;
    this.waitedForPermit = 0;
    this.permitWaitMs = 0;
    this.shedAfterWait = 0;
    this.cache?.resetCounts();
  }

  /** A job the server took left it: answered (`ok`) or dropped by a crash. */
  left(job: KeyedJob, ok: boolean): void {
    this.#release(job, ok ? 'success' : 'ignored');
    if (ok && this.cache !== undefined && job.call.key >= 0) this.cache.fill(job.call.key);
  }

  #release(job: Job, outcome: 'success' | 'ignored'): void {
    if (this.limiter === undefined) return;
    const permit = this.#permits.get(job);
    if (permit === undefined) return;
    this.#permits.delete(job);
    permit.release(outcome);
  }
}
