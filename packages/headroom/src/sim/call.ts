/**
 * A call and its attempts, as a client sees them: the first attempt goes to the server the picker
 * chooses; a hedge timer may send backups (to servers this call has not used) while the budget
 * allows; the first answer wins and the others are cancelled (their load metrics told
 * `'ignored'`, and with `cancelQueued` they leave their servers' queues). A fan-out call is a
 * parent of `leaves` child calls and completes on all, a quorum, or a deadline.
 */
import { parseDuration } from '../core/duration.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Client } from './client.js';
import type { FanOutSpec } from './model-spec.js';
import { JOB_DONE, type Job, type Server } from './server.js';

/** What a call needs from the fleet. */
export interface CallHost {
  readonly engine: SimEngine;
  readonly servers: readonly Server[];
  /** Sends an attempt over the network (it may be lost). */
  send(attempt: Attempt): void;
  /** A top-level call ended. */
  callEnded(call: Call, ok: boolean, timedOut: boolean, partial: boolean): void;
  /** A hedge was sent (`true`) or refused by the budget. */
  countHedge(sent: boolean): void;
  /** The server that owns the call's key for attempt `attempt` from `client`, or -1 to let the picker choose. */
  owner(key: number, attempt: number, client: Client): number;
}

/** Event kinds of an attempt. */
export const AT_SERVER = 2;
export const RESPONSE_OK = 3;
export const RESPONSE_FAILED = 4;

const HEDGE = 1;
const TIMEOUT = 2;
const DEADLINE = 3;

/** One attempt of a call at one server; it is the server's job and its own event handler. */
export class Attempt implements Job {
  runIndex = -1;
  doneAt = 0;
  doneEvent = -1;
  remaining = 0;
  withdrawn = false;
  /** Ended on the client side (lost the race, or its call timed out): a late answer is ignored. */
  cancelled = false;
  readonly sentAt: number;

  constructor(
    readonly call: Call,
    readonly server: number,
  ) {
    this.sentAt = call.host.engine.now;
  }

  get client(): number {
    return this.call.client.index;
  }

  handle(kind: number): void {
    if (kind === JOB_DONE) this.call.host.servers[this.server]!.complete(this);
    else if (kind === AT_SERVER) this.call.host.servers[this.server]!.arrive(this);
    else this.call.response(this, kind === RESPONSE_OK);
  }
}

/** A call (or one leaf of a fan-out call). */
export class Call implements SimHandler {
  readonly attempts: Attempt[] = [];
  done = false;
  #inFlight = 0;
  #hedgeEvent = -1;
  #timeoutEvent = -1;
  #hedgeDelay: number | undefined;
  // fan-out parent state
  #children: Call[] | undefined;
  #leavesDone = 0;
  #leavesOk = 0;
  #need = 0;

  constructor(
    readonly host: CallHost,
    readonly client: Client,
    readonly startMs: number,
    readonly measured: boolean,
    readonly parent: Call | null,
    readonly key: number,
  ) {}

  /** Starts the call: its leaves (fan-out) or its first attempt, hedge timer and timeout. */
  begin(fanOut: FanOutSpec | undefined, timeoutMs: number | undefined): void {
    const engine = this.host.engine;
    if (timeoutMs !== undefined) this.#timeoutEvent = engine.after(timeoutMs, this, TIMEOUT, 0);
    if (fanOut !== undefined) {
      const complete = fanOut.complete ?? 'all';
      this.#need = typeof complete === 'object' && 'quorum' in complete ? complete.quorum : fanOut.leaves;
      if (typeof complete === 'object' && 'deadline' in complete)
        engine.after(parseDuration(complete.deadline, 'fanOut.complete.deadline'), this, DEADLINE, 0);
      this.#children = [];
      for (let i = 0; i < fanOut.leaves && !this.done; i++) {
        const child = new Call(this.host, this.client, this.startMs, this.measured, this, this.key);
        this.#children.push(child);
        child.begin(undefined, undefined);
      }
      return;
    }
    this.client.budget?.deposit(engine.now);
    this.#sendAttempt();
    this.#hedgeDelay = this.client.hedgeDelay();
    if (this.#hedgeDelay !== undefined && !this.done) this.#hedgeEvent = engine.after(this.#hedgeDelay, this, HEDGE, 0);
  }

  handle(kind: number): void {
    if (this.done) return;
    if (kind === HEDGE) this.#hedge();
    else if (kind === TIMEOUT) this.#finish(false, true, false);
    else if (kind === DEADLINE) this.#finish(true, false, this.#leavesDone < this.#children!.length);
  }

  /** An attempt's answer reached the client. */
  response(a: Attempt, ok: boolean): void {
    const engine = this.host.engine;
    const now = engine.now;
    const client = this.client;
    if (client.stalledUntil > now) {
      engine.at(client.stalledUntil, a, ok ? RESPONSE_OK : RESPONSE_FAILED, 0);
      return;
    }
    if (a.cancelled) return;
    a.cancelled = true;
    const latency = now - a.sentAt;
    client.metrics[a.server]!.end(now, latency, ok ? 'success' : 'failure');
    client.inflight[a.server]!--;
    client.totalInflight--;
    client.window?.add(latency);
    this.#inFlight--;
    if (ok) this.#finish(true, false, false);
    else if (this.#inFlight === 0) this.#finish(false, false, false);
  }

  #sendAttempt(): void {
    const client = this.client;
    const now = this.host.engine.now;
    let server = this.key >= 0 ? this.host.owner(this.key, this.attempts.length, this.client) : -1;
    if (server < 0) {
      server = client.picker.pick(client, now, undefined);
      for (let tries = 0; tries < 4 && this.#used(server); tries++) server = client.picker.pick(client, now, undefined);
      if (this.#used(server)) server = (server + 1) % client.size;
    }
    const a = new Attempt(this, server);
    this.attempts.push(a);
    this.#inFlight++;
    client.metrics[server]!.start(now);
    client.inflight[server]!++;
    client.totalInflight++;
    this.host.send(a);
  }

  #used(server: number): boolean {
    for (const a of this.attempts) if (a.server === server) return true;
    return false;
  }

  #hedge(): void {
    this.#hedgeEvent = -1;
    const client = this.client;
    const max = client.hedge!.maxExtra;
    if (this.attempts.length > max || this.attempts.length >= client.size) return;
    const engine = this.host.engine;
    const allowed = client.budget === undefined || client.budget.tryWithdraw(engine.now);
    this.host.countHedge(allowed);
    if (!allowed) return;
    this.#sendAttempt();
    if (this.attempts.length <= max) this.#hedgeEvent = engine.after(this.#hedgeDelay!, this, HEDGE, 0);
  }

  /** A leaf of this fan-out call ended. */
  #leafEnded(ok: boolean): void {
    this.#leavesDone++;
    if (ok) this.#leavesOk++;
    const leaves = this.#children!.length;
    if (this.#leavesOk >= this.#need) this.#finish(true, false, this.#leavesDone < leaves);
    else if (this.#leavesDone - this.#leavesOk > leaves - this.#need) this.#finish(false, false, false);
  }

  #finish(ok: boolean, timedOut: boolean, partial: boolean): void {
    if (this.done) return;
    this.done = true;
    const engine = this.host.engine;
    if (this.#hedgeEvent >= 0) engine.cancel(this.#hedgeEvent);
    if (this.#timeoutEvent >= 0) engine.cancel(this.#timeoutEvent);
    const now = engine.now;
    const client = this.client;
    for (const a of this.attempts) {
      if (a.cancelled) continue;
      a.cancelled = true;
      client.metrics[a.server]!.end(now, now - a.sentAt, 'ignored');
      client.inflight[a.server]!--;
      client.totalInflight--;
      client.window?.add(now - a.sentAt);
      if (client.hedge?.cancelQueued === true) this.host.servers[a.server]!.withdraw(a);
    }
    if (this.#children !== undefined) for (const child of this.#children) if (!child.done) child.#finish(false, false, false);
    if (this.parent !== null) {
      if (!this.parent.done) this.parent.#leafEnded(ok);
    } else {
      this.host.callEnded(this, ok, timedOut, partial);
    }
  }
}
