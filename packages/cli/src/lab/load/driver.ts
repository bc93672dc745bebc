/**
 * Drives one phase: a warm-up (sent but not recorded), then the measured window, both open-loop
 * with seeded arrivals and keys; each request gets a deadline of `timeoutMs` from its intended
 * send time. Every `intervalMs` it cuts a timeline point with the replicas' store load.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type Clock, type TimerHandle, type Random, SeededRandom, isHeadroomError } from 'headroom';
import { Deadline } from 'headroom/latency';
import type { ReplicaStats } from '../service/protocol.js';
import type { RequestPlan } from './client.js';
import { runOpenLoop } from './open-loop.js';
import { type Outcome, PhaseRecorder, type TimelinePoint, round } from './phase-recorder.js';
import type { ZipfKeys } from './zipf.js';

/** The offered load of a phase. */
export interface PhaseLoad {
  /** Mean arrival rate, requests/s. */
  readonly ratePerSec: number;
  /** Share of requests for the hot key (0 = none; keys then all come from the Zipf draw). */
  readonly hotKeyShare: number;
  /** Share of requests that are writes (stock updates). */
  readonly writeShare: number;
  /** The client's deadline per request, ms from its intended send time. */
  readonly timeoutMs: number;
}

/**
 * Sends one request however the phase routes it (balancer, hedging…) under its deadline; resolves
 * with the HTTP status.
 */
export type PhaseCall = (plan: RequestPlan, deadline: Deadline) => Promise<number>;

/** Options of {@link drivePhase}. */
export interface DriveOptions {
  readonly load: PhaseLoad;
  readonly keys: ZipfKeys;
  /** The hot product id (used when `load.hotKeyShare` > 0). */
  readonly hotKeyId: number;
  /** Seed of the arrival and key streams: the same seed gives the same requests in every phase. */
  readonly seed: number;
  readonly clock: Clock;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly intervalMs: number;
  readonly call: PhaseCall;
  /** Counters so far (cumulative since the phase was configured). */
  readonly snapshot: () => Promise<DriveSnapshot>;
  /** Called after each timeline point, with seconds measured so far. */
  readonly onInterval?: (point: TimelinePoint, recorder: PhaseRecorder) => void;
  /** Aborts the phase (Ctrl-C, a dead replica). */
  readonly signal: AbortSignal;
}

/** Cumulative counters read at the start and end of the measured window. */
export interface DriveSnapshot {
  /** Every replica's counters. */
  readonly stats: readonly ReplicaStats[];
  /** HTTP attempts the client has sent. */
  readonly attempts: number;
}

/** What one phase measured. */
export interface PhaseMeasurement {
  readonly recorder: PhaseRecorder;
  /** Requests sent in the measured window. */
  readonly sent: number;
  /**
   * Successful responses that arrived during the window, whichever phase part sent them: the
   * service's goodput over the window, not flattered by requests that succeed after it closes.
   */
  readonly okCompletedInWindow: number;
  /** Responses of any HTTP status (not timeouts or connection errors) that arrived during the window. */
  readonly answeredInWindow: number;
  /** Counters when the window opened, when it closed, and after its last request finished. */
  readonly start: DriveSnapshot;
  readonly windowEnd: DriveSnapshot;
  readonly end: DriveSnapshot;
  /** The load generator's own event-loop delay during the window, ms. */
  readonly generatorLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/** Runs warm-up then the measured window; resolves once every request sent has finished. */
export async function drivePhase(options: DriveOptions): Promise<PhaseMeasurement> {
  const { clock, signal } = options;
  const random = new SeededRandom(options.seed);
  const completions: Completions = { ok: 0, answered: 0 };
  if (options.warmupMs > 0) {
    const warmup = new Sender(options, new PhaseRecorder(), random.fork('warmup'), completions);
    await runOpenLoop({
      ratePerSec: options.load.ratePerSec,
      durationMs: options.warmupMs,
      clock,
      random: random.fork('warmup-arrivals'),
      signal,
      fire: warmup.fire,
    });
  }
  const recorder = new PhaseRecorder();
  const sender = new Sender(options, recorder, random.fork('requests'), completions);
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  const startSnapshot = await options.snapshot();
  let lastQueries = storeQueries(startSnapshot);
  let endSnapshot = startSnapshot;
  const start = clock.now();
  let sampling = Promise.resolve();
  let timer: TimerHandle | null = null;
  const sample = async (): Promise<void> => {
    endSnapshot = await options.snapshot();
    const queries = storeQueries(endSnapshot);
    const point = recorder.cut((clock.now() - start) / 1000, queries - lastQueries);
    lastQueries = queries;
    options.onInterval?.(point, recorder);
  };
  const schedule = (): void => {
    timer = clock.setTimer(options.intervalMs, () => {
      sampling = sampling.then(sample).catch(() => undefined);
      schedule();
    });
  };
  lag.enable();
  schedule();
  let sent: number;
  let windowEnd: DriveSnapshot;
  const atStart = { ...completions };
  let okCompletedInWindow: number;
  let answeredInWindow: number;
  try {
    sent = await runOpenLoop({
      ratePerSec: options.load.ratePerSec,
      durationMs: options.durationMs,
      clock,
      random: random.fork('arrivals'),
      signal,
      fire: sender.fire,
    });
    okCompletedInWindow = completions.ok - atStart.ok;
    answeredInWindow = completions.answered - atStart.answered;
    windowEnd = await options.snapshot();
    await sender.drained();
  } finally {
    (timer as TimerHandle | null)?.cancel();
    lag.disable();
  }
  await sampling;
  signal.throwIfAborted();
  // Count the requests that finished after the window closed; a sliver of an interval would plot as a
  // misleading dip in the rates, so it becomes a timeline point only when it spans half an interval.
  endSnapshot = await options.snapshot();
  if ((clock.now() - start) / 1000 - lastCutSec(recorder) >= options.intervalMs / 2000) {
    recorder.cut((clock.now() - start) / 1000, storeQueries(endSnapshot) - lastQueries);
  }
  return {
    recorder,
    sent,
    okCompletedInWindow,
    answeredInWindow,
    start: startSnapshot,
    windowEnd,
    end: endSnapshot,
    generatorLagMs: { p50: lagMs(lag.percentile(50)), p99: lagMs(lag.percentile(99)), max: lagMs(lag.max) },
  };
}

/** The event-loop monitor samples every LAG_RESOLUTION_MS and records the whole gap; the lag is the excess. */
const LAG_RESOLUTION_MS = 5;

function lagMs(ns: number): number {
  return round(Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS), 3);
}

function lastCutSec(recorder: PhaseRecorder): number {
  return recorder.timeline.at(-1)?.tSec ?? 0;
}

function storeQueries(snapshot: DriveSnapshot): number {
  let total = 0;
  for (const s of snapshot.stats) total += s.storeQueries;
  return total;
}

/**
 * What one request of `load` is about: the hot product (with `load.hotKeyShare`) or a Zipf draw,
 * and whether it is a write (with `load.writeShare`). Shared by the live load and the warm-up replay.
 */
export function drawRequest(
  load: PhaseLoad,
  keys: ZipfKeys,
  hotKeyId: number,
  random: Random,
): { readonly id: number; readonly write: boolean } {
  const id = load.hotKeyShare > 0 && random.chance(load.hotKeyShare) ? hotKeyId : keys.next(random);
  return { id, write: load.writeShare > 0 && random.chance(load.writeShare) };
}

/** Responses counted as they arrive, across the warm-up's and the window's senders. */
interface Completions {
  ok: number;
  /** Any HTTP response, success or not. */
  answered: number;
}

/** Turns arrivals into requests and records their outcomes. */
class Sender {
  readonly #options: DriveOptions;
  readonly #recorder: PhaseRecorder;
  readonly #random: Random;
  readonly #completions: Completions;
  #inFlight = 0;
  #onDrained: (() => void) | null = null;

  /** @param completions - responses to every sender of the phase, counted as they arrive */
  constructor(options: DriveOptions, recorder: PhaseRecorder, random: Random, completions: Completions) {
    this.#options = options;
    this.#recorder = recorder;
    this.#random = random;
    this.#completions = completions;
  }

  readonly fire = (intendedMs: number): void => {
    const { load, keys, hotKeyId, clock, call, signal } = this.#options;
    const { id, write } = drawRequest(load, keys, hotKeyId, this.#random);
    const plan: RequestPlan = write
      ? {
          method: 'POST',
          path: `/products/${id}/stock`,
          body: JSON.stringify({ delta: this.#random.chance(0.5) ? 1 : -1 }),
          key: String(id),
        }
      : { method: 'GET', path: `/products/${id}`, body: null, key: String(id) };
    // headroom/latency's Deadline: it fires timeoutMs after the *intended* send, so a late
    // generator eats into the request's budget instead of extending it.
    const deadline = Deadline.at(intendedMs + load.timeoutMs, { clock, signal });
    if (deadline.expired) {
      deadline.dispose();
      this.#recorder.record('timeout', clock.now() - intendedMs);
      return;
    }
    this.#inFlight++;
    call(plan, deadline).then(
      (status) => this.#done(status < 300 ? 'ok' : status === 503 ? 'shed' : 'http', intendedMs, deadline),
      (error: unknown) =>
        this.#done(
          !signal.aborted && (deadline.expired || isHeadroomError(error, 'HR_CORE_DEADLINE_EXCEEDED')) ? 'timeout' : 'network',
          intendedMs,
          deadline,
        ),
    );
  };

  #done(outcome: Outcome, intendedMs: number, deadline: Deadline): void {
    deadline.dispose();
    if (outcome === 'ok') this.#completions.ok++;
    if (outcome === 'ok' || outcome === 'shed' || outcome === 'http') this.#completions.answered++;
    this.#recorder.record(outcome, this.#options.clock.now() - intendedMs);
    if (--this.#inFlight === 0) this.#onDrained?.();
  }

  /** Resolves when no request is in flight. */
  drained(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onDrained = resolve;
    });
  }
}
