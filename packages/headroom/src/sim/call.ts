/**
 * A call and its attempts, as a client sees them, with every decision made by the synchronous
 * cores of `headroom/latency` that the async policies drive too (policies.ts):
 *
 * - hedged: the first attempt goes to the server the picker chooses; when the real `HedgeCore`
 *   says a backup is due (its plain-number form: the call keeps the round's start, delay, attempts
 *   and re-ask flag in its own fields, so a call allocates no `HedgeRun`) (and its budget allows) another goes to a server this call has not
 *   used; the first answer wins and the others are cancelled (their load metrics told
 *   `'ignored'`, and with `cancelQueued` they leave their servers' queues);
 * - tied: copy 0 now and copy 1 after the stagger, to two servers; the server that starts its
 *   copy first sends the twin's server a cancel over the network (the real `TiedRegistry` on
 *   each server, tied.ts), which drops the twin while it waits;
 * - retried: when a round of attempts has failed — failed answers, or with `attemptTimeout` no
 *   answer in time (a lost message, a slow server) — the real `RetryCore` decides (attempts,
 *   budget, the deadline's room for the backoff) and a new round starts after the backoff;
 * - with a deadline: the call fails when it passes, and each attempt carries it to its server,
 *   which drops the attempt unexecuted when too little is left as a worker would take it.
 *
 * A fan-out call is a parent of `leaves` child calls and completes on all, a quorum (the real
 * `FanOutTally`), or a deadline.
 */
import { parseDuration } from '../core/duration.js';
import { DeadlineBudget, FanOutTally, type TiedRun, type TieTicket } from '../latency/index.js';
import type { SimEngine, SimHandler } from './engine.js';
import type { Client } from './client.js';
import type { RoundTripOutcome } from './features.js';
import type { FanOutSpec } from './model-spec.js';
import type { Job, Server } from './server.js';
import type { TieRegistries } from './tied.js';

/** What a call needs from the fleet. */
export interface CallHost {
  readonly engine: SimEngine;
  readonly servers: readonly Server[];
  /** The servers' tie registries, when the model has tied requests. */
  readonly ties: TieRegistries | undefined;
  /** Sends an attempt over the network (it may be lost). */
  send(attempt: Attempt): void;
  /** One-way network delay of a message from one server to `server` (a tie cancel of `client`'s call), ms; -1 when it is lost. */
  peerDelay(client: number, server: number): number;
  /** A top-level call ended. */
  callEnded(call: Call, ok: boolean, timedOut: boolean, partial: boolean): void;
  /** A hedge was sent (`true`) or refused by the budget. */
  countHedge(sent: boolean): void;
  /** A retry round was started. */
  countRetry(): void;
  /** Both tied copies of a measured call were executed (the cancel came too late). */
  countBothRan(): void;
  /** The server that owns the call's key for attempt `attempt` from `client`, or -1 to let the picker choose. */
  owner(key: number, attempt: number, client: Client): number;
  /** Finished calls and their attempts kept for reuse, when the model lets nothing hold them past their last answer. */
  readonly pool: CallPool | undefined;
  /** Told each round trip as the client's load metric is (`runModel`'s `onRoundTrip` hook), when given. */
  readonly onRoundTrip: ((atMs: number, client: number, server: number, rttMs: number, outcome: RoundTripOutcome) => void) | undefined;
}

/**
 * Finished calls and attempts, reused by the next calls instead of allocated: a plain call
 * (no timeout, deadline, retry, tied copy or fan-out, its client never stalled) goes back here
 * once it is done and every one of its attempts has been answered — then nothing holds it: its
 * timers were cancelled by id, its attempts have left their servers and the network. A reused
 * attempt's generation changes, and its network events carry the generation they were sent
 * with, so an event from before the reuse does nothing.
 */
export class CallPool {
  readonly calls: Call[] = [];
  readonly attempts: Attempt[] = [];
}

/** Event kinds of an attempt. */
export const AT_SERVER = 2;
export const RESPONSE_OK = 3;
export const RESPONSE_FAILED = 4;

const HEDGE = 1;
const TIMEOUT = 2;
const DEADLINE = 3;
const TIE_SECOND = 4;
const TIE_CANCEL = 5;
const RETRY = 6;
const ATTEMPT_TIMEOUT = 7;

/** Why a server answered an attempt without executing it. */
const RAN = 0;
const TIE_DROPPED = 1;
const EXPIRED = 2;

/** One attempt of a call at one server: the server's job, and the handler of its network events. */
export class Attempt implements Job {
  runIndex = -1;
  remaining = 0;
  withdrawn = false;
  /** Ended on the client side (lost the race, or its call timed out): a late answer is ignored. */
  cancelled = false;
  /** Answered unexecuted by the server: its tied twin started first, or its deadline passed. */
  dropped = RAN;
  /** Its tied copy's ticket at the server. */
  ticket: TieTicket | undefined = undefined;
  /** Changes when the attempt is reused (a {@link CallPool}): its network events carry it as their argument. */
  generation = 0;
  sentAt: number;

  constructor(
    public call: Call,
    public server: number,
    /** Index in its round: the hedge attempt or the tied copy (0 is the first); -1 once a retry started a new round. */
    public index: number,
  ) {
    this.sentAt = call.host.engine.now;
  }

  /** Makes a finished attempt from the pool a new one. */
  reuse(call: Call, server: number, index: number): void {
    this.call = call;
    this.server = server;
    this.index = index;
    this.sentAt = call.host.engine.now;
    this.generation = (this.generation + 1) | 0;
    this.runIndex = -1;
    this.remaining = 0;
    this.withdrawn = false;
    this.cancelled = false;
    this.dropped = RAN;
    this.ticket = undefined;
  }

  get client(): number {
    return this.call.client.index;
  }

  /** A network event (`arg`: the generation it was sent with; one from before a reuse does nothing). */
  handle(kind: number, arg: number): void {
    if (arg !== this.generation) return;
    if (kind === AT_SERVER) this.call.arrived(this);
    else this.call.response(this, kind === RESPONSE_OK);
  }

  served(): void {
    this.ticket?.finish();
  }

  admit(): boolean {
    return this.call.admit(this);
  }
}

/**
 * The state of the features most calls do not use — a per-call timeout or deadline, retries,
 * tied copies, fan-out — kept apart so that a plain call carries none of its fields.
 */
class CallExtras {
  timeoutEvent = -1;
  /** The call's deadline (the real `DeadlineBudget` on the engine's clock), when it has one. */
  deadline: DeadlineBudget | undefined = undefined;
  /** The deadline its attempts carry to the servers (the call's less the client's reserve), when it is propagated. */
  sent: DeadlineBudget | undefined = undefined;
  /** Retry rounds started. */
  round = 0;
  tied: TiedRun | undefined = undefined;
  tiePeer = -1;
  /** Tied copies that started. */
  started = 0;
  // fan-out parent state
  children: Call[] | undefined = undefined;
  tally: FanOutTally | undefined = undefined;
}

/** A call (or one leaf of a fan-out call). */
export class Call implements SimHandler {
  done = false;
  // the attempts: the first in a field, later ones (hedges, tied copies, retries) in an array made
  // only when one is sent — most calls send one attempt, and a call lives as long as its answer
  #attempts = 0;
  #first: Attempt | undefined = undefined;
  #later: Attempt[] | undefined = undefined;
  #event = -1;
  #roundStart = 0;
  // the hedge of the current round (HedgeCore's plain-number state; the round started when its
  // first attempt was sent): delay (-1: none), attempts launched, last ask refused
  #hedgeDelay = -1;
  #launched = 0;
  #reask = false;
  #x: CallExtras | undefined = undefined;
  // attempts sent and not yet answered (a pooled call is reused only when none is left)
  #open = 0;
  // a timer of this call waited out a client stall: nothing may reuse it
  #deferred = false;

  constructor(
    readonly host: CallHost,
    public client: Client,
    public startMs: number,
    public measured: boolean,
    readonly parent: Call | null,
    public key: number,
  ) {}

  /**
   * A call for a new arrival: a pooled one made new, or a new one.
   */
  static make(host: CallHost, client: Client, startMs: number, measured: boolean, key: number): Call {
    const call = host.pool?.calls.pop();
    if (call === undefined) return new Call(host, client, startMs, measured, null, key);
    call.client = client;
    call.startMs = startMs;
    call.measured = measured;
    call.key = key;
    call.done = false;
    call.#attempts = 0;
    call.#first = undefined;
    call.#event = -1;
    call.#roundStart = 0;
    call.#hedgeDelay = -1;
    call.#launched = 0;
    call.#reask = false;
    return call;
  }

  /** Starts the call: its leaves (fan-out) or its first round of attempts, and its timeout or deadline. */
  begin(fanOut: FanOutSpec | undefined, timeoutMs: number | undefined): void {
    const engine = this.host.engine;
    const deadline = this.client.policies.config.deadline;
    if (deadline !== undefined && fanOut === undefined) {
      const x = this.#extras();
      x.deadline = new DeadlineBudget(engine.now + deadline.timeoutMs, { clock: engine.clock });
      if (deadline.propagate)
        x.sent = new DeadlineBudget(x.deadline.childAtMs({ reserveMs: deadline.reserveMs }, engine.now), { clock: engine.clock });
      const ms = timeoutMs === undefined ? deadline.timeoutMs : Math.min(timeoutMs, deadline.timeoutMs);
      x.timeoutEvent = engine.after(ms, this, TIMEOUT, 0);
    } else if (timeoutMs !== undefined) this.#extras().timeoutEvent = engine.after(timeoutMs, this, TIMEOUT, 0);
    if (fanOut !== undefined) {
      const complete = fanOut.complete ?? 'all';
      const x = this.#extras();
      x.tally = new FanOutTally(fanOut.leaves, typeof complete === 'object' && 'quorum' in complete ? complete : 'all');
      if (typeof complete === 'object' && 'deadline' in complete)
        engine.after(parseDuration(complete.deadline, 'fanOut.complete.deadline'), this, DEADLINE, 0);
      x.children = [];
      for (let i = 0; i < fanOut.leaves && !this.done; i++) {
        const child = new Call(this.host, this.client, this.startMs, this.measured, this, this.key);
        x.children.push(child);
        child.begin(undefined, undefined);
      }
      return;
    }
    this.client.policies.retry?.begin(engine.now);
    this.#startRound();
  }

  handle(kind: number, arg: number): void {
    if (kind === TIE_CANCEL) this.#tieCancelArrived(arg);
    if (this.done) return;
    // Every other kind is one of the client's timers: a stalled client runs it when the stall ends.
    if (this.client.stalledUntil >= this.host.engine.now && kind !== TIE_CANCEL) this.#defer(kind, arg);
    else if (kind === HEDGE) this.#hedgeDue();
    else if (kind === TIE_SECOND) this.#tieSecondDue();
    else if (kind === RETRY) this.#startRound();
    else if (kind === ATTEMPT_TIMEOUT) this.#attemptTimedOut(arg);
    else if (kind === TIMEOUT) this.#finish(false, true, false);
    else if (kind === DEADLINE) this.#finish(true, false, this.#x!.tally!.pending > 0);
  }

  /** Holds a timer of a stalled client until the stall ends; its event id is spent (nothing may cancel it by that id). */
  #defer(kind: number, arg: number): void {
    this.#deferred = true;
    if (kind === TIMEOUT) this.#x!.timeoutEvent = -1;
    else if (kind === HEDGE || kind === TIE_SECOND || kind === RETRY) this.#event = -1;
    this.client.defer(this, kind, arg);
  }

  /** The deadline this call's attempts carry to the servers (less the client's reserve), virtual ms; Infinity when none is propagated. */
  get sentDeadlineMs(): number {
    const deadline = this.client.policies.config.deadline;
    return deadline === undefined || !deadline.propagate ? Infinity : this.#x!.sent!.atMs;
  }

  /** An attempt reached its server: a tied copy registers there (and is answered at once if its twin already started). */
  arrived(a: Attempt): void {
    const server = this.host.servers[a.server]!;
    const tied = this.#x?.tied;
    if (tied !== undefined && a.index >= 0 && server.up) {
      const ticket = this.host.ties!.at(a.server).arrive(tied.tieId, String(this.#peerOf(a)));
      if (ticket.state === 'cancelled') {
        a.dropped = TIE_DROPPED;
        server.host.finished(server, a, false);
        return;
      }
      a.ticket = ticket;
    }
    server.arrive(a);
  }

  /**
   * A worker is about to take `a`: false drops it unexecuted — its tied twin started first, or
   * too little of the propagated deadline is left. A tied copy that starts tells its twin's server.
   */
  admit(a: Attempt): boolean {
    const deadline = this.client.policies.config.deadline;
    if (deadline !== undefined && deadline.propagate) {
      if (!this.#x!.sent!.allows(deadline.minRemainingMs, this.host.engine.now)) return this.#drop(a, EXPIRED);
    }
    const ticket = a.ticket;
    if (ticket === undefined) return true;
    if (!ticket.start()) return this.#drop(a, TIE_DROPPED);
    if (++this.#x!.started === 2 && this.measured) this.host.countBothRan();
    const peer = this.#peerOf(a);
    const delay = this.host.peerDelay(a.client, peer);
    if (delay >= 0) this.host.engine.after(delay, this, TIE_CANCEL, peer);
    return true;
  }

  /** An attempt's answer reached the client. */
  response(a: Attempt, ok: boolean): void {
    const engine = this.host.engine;
    const now = engine.now;
    const client = this.client;
    if (client.stalledUntil >= now) {
      this.#deferred = true;
      engine.at(client.stalledUntil, a, ok ? RESPONSE_OK : RESPONSE_FAILED, a.generation);
      return;
    }
    this.#open--;
    if (!a.cancelled) this.#answered(a, ok, now);
    if (this.done && this.#open === 0) this.#recycle();
  }

  /** Attempt `a`, still open, is answered (`ok`) or counts as failed. */
  #answered(a: Attempt, ok: boolean, now: number): void {
    const client = this.client;
    a.cancelled = true;
    const outcome = ok ? 'success' : a.dropped === TIE_DROPPED ? 'ignored' : 'failure';
    client.metrics[a.server]!.end(now, now - a.sentAt, outcome);
    this.host.onRoundTrip?.(now, client.index, a.server, now - a.sentAt, outcome);
    client.inflight[a.server]!--;
    client.totalInflight--;
    if (a.index < 0) {
      // an attempt of an earlier round (a retry has started since): it may still win
      if (ok) this.#finish(true, false, false);
      return;
    }
    const hedge = client.policies.hedge;
    if (ok) {
      if (hedge !== undefined) {
        // as HedgeRun.succeeded: the winner's latency, then each open loser's elapsed time in attempt order
        hedge.observe(now - a.sentAt);
        for (let i = this.#roundStart; i < this.#attempts; i++) {
          const b = this.#attempt(i);
          if (!b.cancelled) hedge.observe(now - b.sentAt);
        }
        hedge.won(a.index, now - this.#attempt(this.#roundStart).sentAt, this.#launched);
      } else this.#x?.tied?.succeeded(a.index as 0 | 1);
      this.#finish(true, false, false);
      return;
    }
    const roundFailed =
      hedge !== undefined
        ? this.#roundSettled()
        : this.#x?.tied !== undefined
          ? this.#x.tied.failed(undefined, a.dropped === TIE_DROPPED)
          : true;
    if (roundFailed) this.#roundFailed(a, now);
  }

  /** The retry's per-attempt timeout passed: attempt `i`, if still unanswered in this round, counts as failed (its server keeps it, and its answer is still awaited). */
  #attemptTimedOut(i: number): void {
    const a = this.#attempt(i);
    if (a.cancelled || a.index < 0) return;
    this.#answered(a, false, this.host.engine.now);
  }

  #roundFailed(a: Attempt, now: number): void {
    const retry = this.client.policies.retry;
    if (retry !== undefined) {
      const x = this.#extras();
      const remaining = x.deadline?.remainingMs(now);
      const decision = retry.decide(undefined, x.round, remaining, now, a.dropped !== EXPIRED);
      if (decision.retry) {
        if (this.#event >= 0) this.host.engine.cancel(this.#event);
        x.round++;
        this.host.countRetry();
        this.#event = this.host.engine.after(decision.backoffMs, this, RETRY, 0);
        return;
      }
    }
    this.#finish(false, false, false);
  }

  /** Gives a plain, finished call with no attempt left open back to the pool, with its attempts. */
  #recycle(): void {
    const pool = this.host.pool;
    if (pool === undefined || this.#x !== undefined || this.parent !== null || this.#deferred) return;
    for (let i = 0; i < this.#attempts; i++) pool.attempts.push(this.#attempt(i));
    if (this.#later !== undefined) this.#later.length = 0;
    pool.calls.push(this);
  }

  #startRound(): void {
    this.#event = -1;
    const engine = this.host.engine;
    const now = engine.now;
    const policies = this.client.policies;
    // Attempts of earlier rounds are done (or answer late); they no longer count in the new round.
    for (let i = this.#roundStart; i < this.#attempts; i++) this.#attempt(i).index = -1;
    this.#roundStart = this.#attempts;
    if (policies.tied !== undefined) {
      const x = this.#extras();
      x.tied = policies.tied.begin();
      const first = this.#send(0);
      x.tiePeer = this.#pickServer(1);
      if (first.server === x.tiePeer) x.tiePeer = (x.tiePeer + 1) % this.client.size;
      if (!this.done) this.#event = engine.after(policies.tied.delayMs, this, TIE_SECOND, 0);
    } else if (policies.hedge !== undefined) {
      this.#hedgeDelay = policies.hedge.start(now);
      this.#launched = 0;
      this.#reask = false;
      this.#send(this.#launched++);
      this.#armHedge(now);
    } else {
      this.#send(0);
    }
  }

  #armHedge(now: number): void {
    if (this.done) return;
    const wait = this.client.policies.hedge!.checkAfterMs(
      now,
      this.#attempt(this.#roundStart).sentAt,
      this.#hedgeDelay,
      this.#launched,
      this.#reask,
    );
    if (wait >= 0) this.#event = this.host.engine.after(wait, this, HEDGE, 0);
  }

  #hedgeDue(): void {
    this.#event = -1;
    if (this.#launched >= this.client.size) return; // no server left to send a backup to
    const now = this.host.engine.now;
    const allowed = this.client.policies.hedge!.decide(
      now,
      this.#attempt(this.#roundStart).sentAt,
      this.#launched,
      this.#reask,
      this.#hedgeDelay,
    );
    this.#reask = !allowed;
    this.host.countHedge(allowed);
    if (allowed) this.#send(this.#launched++);
    this.#armHedge(now);
  }

  /** True when no attempt of the current round is still open (as HedgeRun.failed: the round has failed). */
  #roundSettled(): boolean {
    for (let i = this.#roundStart; i < this.#attempts; i++) if (!this.#attempt(i).cancelled) return false;
    return true;
  }

  #tieSecondDue(): void {
    this.#event = -1;
    if (this.#x!.tied!.secondDue()) this.#send(1, this.#x!.tiePeer);
  }

  /** The twin of a tied copy started: its cancel reached server `server`, which drops the other copy if it still waits. */
  #tieCancelArrived(server: number): void {
    const tied = this.#x?.tied;
    if (tied === undefined) return;
    if (this.host.ties!.at(server).cancel(tied.tieId) !== 'cancelled') return;
    for (let i = this.#roundStart; i < this.#attempts; i++) {
      const a = this.#attempt(i);
      if (a.server !== server || a.ticket === undefined) continue;
      const s = this.host.servers[server]!;
      if (s.withdraw(a)) {
        a.dropped = TIE_DROPPED;
        a.ticket.finish();
        s.host.finished(s, a, false);
      }
    }
  }

  #extras(): CallExtras {
    return (this.#x ??= new CallExtras());
  }

  #drop(a: Attempt, why: number): false {
    a.dropped = why;
    a.ticket?.finish();
    return false;
  }

  #peerOf(a: Attempt): number {
    if (a.index === 0) return this.#x!.tiePeer;
    return this.#attempt(this.#roundStart).server;
  }

  #pickServer(attempt: number): number {
    const client = this.client;
    const now = this.host.engine.now;
    let server = this.key >= 0 ? this.host.owner(this.key, attempt, client) : -1;
    if (server < 0) {
      server = client.picker.pick(client, now, undefined);
      for (let tries = 0; tries < 4 && this.#used(server); tries++) server = client.picker.pick(client, now, undefined);
      if (this.#used(server)) server = (server + 1) % client.size;
    }
    return server;
  }

  #send(index: number, server = this.#pickServer(this.#attempts)): Attempt {
    const client = this.client;
    const pooled = this.host.pool?.attempts.pop();
    let a: Attempt;
    if (pooled === undefined) a = new Attempt(this, server, index);
    else {
      pooled.reuse(this, server, index);
      a = pooled;
    }
    this.#open++;
    const timeoutMs = client.policies.config.attemptTimeoutMs;
    if (timeoutMs !== undefined) this.host.engine.after(timeoutMs, this, ATTEMPT_TIMEOUT, this.#attempts);
    if (this.#attempts++ === 0) this.#first = a;
    else (this.#later ??= []).push(a);
    client.metrics[server]!.start(this.host.engine.now);
    client.inflight[server]!++;
    client.totalInflight++;
    this.host.send(a);
    return a;
  }

  #used(server: number): boolean {
    for (let i = 0; i < this.#attempts; i++) if (this.#attempt(i).server === server) return true;
    return false;
  }

  /** Attempt `i` of the call (0 is the first ever sent), i < #attempts. */
  #attempt(i: number): Attempt {
    return i === 0 ? this.#first! : this.#later![i - 1]!;
  }

  /** A leaf of this fan-out call ended. */
  #leafEnded(ok: boolean): void {
    const tally = this.#x!.tally!;
    const progress = tally.settle(ok);
    if (progress === 'quorum-reached') this.#finish(true, false, tally.pending > 0);
    else if (progress === 'quorum-impossible') this.#finish(false, false, false);
    else if (progress === 'all-settled') this.#finish(tally.complete(), false, false);
  }

  #finish(ok: boolean, timedOut: boolean, partial: boolean): void {
    if (this.done) return;
    this.done = true;
    const engine = this.host.engine;
    if (this.#event >= 0) engine.cancel(this.#event);
    const x = this.#x;
    if (x !== undefined) {
      if (x.timeoutEvent >= 0) engine.cancel(x.timeoutEvent);
      x.tied?.abandon();
    }
    const now = engine.now;
    const client = this.client;
    const withdraw = x?.tied !== undefined || client.policies.config.cancelQueued;
    for (let i = 0; i < this.#attempts; i++) {
      const a = this.#attempt(i);
      if (a.cancelled) continue;
      a.cancelled = true;
      client.metrics[a.server]!.end(now, now - a.sentAt, 'ignored');
      this.host.onRoundTrip?.(now, client.index, a.server, now - a.sentAt, 'ignored');
      client.inflight[a.server]!--;
      client.totalInflight--;
      if (withdraw && this.host.servers[a.server]!.withdraw(a)) a.ticket?.finish();
    }
    if (x?.children !== undefined) for (const child of x.children) if (!child.done) child.#finish(false, false, false);
    if (this.parent !== null) {
      if (!this.parent.done) this.parent.#leafEnded(ok);
    } else {
      this.host.callEnded(this, ok, timedOut, partial);
    }
  }
}
