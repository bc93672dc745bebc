/**
 * Drives one phase with headroom/scale's open-loop driver: a warm-up (sent but not recorded), then
 * the measured window, both Poisson arrivals from the phase's seed, keys from its Zipf stream;
 * each request gets a deadline of `timeoutMs` from its intended send time. Every `intervalMs` (the
 * driver's progress report) it cuts a timeline point with the replicas' store load.
 */
import { type Clock, type Random, SeededRandom, isHeadroomError } from 'headroom';
import { Deadline } from 'headroom/latency';
import { type Arrival, type Settled, poissonRate, runOpenLoop } from 'headroom/scale';
import type { ReplicaStats } from '../service/protocol.js';
import type { RequestPlan } from './client.js';
import { PhaseRecorder, type RequestOutcome, type TimelinePoint, round } from './phase-recorder.js';
import type { ProductKeys } from './product-keys.js';
import { type ClientLoopDelay, LoopDelayMonitor } from './loop-delay.js';

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

/** Told of each successful attempt of a measured request: the replica and its time from send to answer, ms. */
export type AttemptObserver = (replica: number, ms: number) => void;

/**
 * Sends one request however the phase routes it (balancer, hedging…) under its deadline; resolves
 * with the HTTP status. `observe` (given for the measured window's requests) hears every
 * successful attempt.
 */
export type PhaseCall = (plan: RequestPlan, deadline: Deadline, observe?: AttemptObserver) => Promise<number>;

/** Options of {@link drivePhase}. */
export interface DriveOptions {
  readonly load: PhaseLoad;
  readonly keys: ProductKeys;
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
  /** Told when the measured window opens (`start`) and when its last request is sent (`end`), at the clock's now. */
  readonly onWindow?: (edge: 'start' | 'end', atMs: number) => void;
}

/** Cumulative counters read at the start and end of the measured window. */
export interface DriveSnapshot {
  /** Every replica's counters. */
  readonly stats: readonly ReplicaStats[];
  /** HTTP attempts the client has sent. */
  readonly attempts: number;
  /** TCP connections the client has opened. */
  readonly connections: number;
  /** CPU time this process (the client and its load generator) has used, ms. */
  readonly cpuMs: number;
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
  /**
   * How late the load generator sent the window's requests (actual − intended send time, the
   * driver's send lag), ms: its own stalls, which the latencies include.
   */
  readonly generatorLagMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** The client's own event-loop delay from the window's start until its last request finished. */
  readonly clientLoopDelay: ClientLoopDelay;
}

/** Runs warm-up then the measured window; resolves once every request sent has finished. */
export async function drivePhase(options: DriveOptions): Promise<PhaseMeasurement> {
  const { clock, signal } = options;
  const random = new SeededRandom(options.seed);
  const completions: Completions = { ok: 0, answered: 0 };
  const classify = (settled: Settled<RequestOutcome>): string => (settled.status === 'fulfilled' ? settled.value : 'network');
  let warmup: Promise<unknown> = Promise.resolve();
  if (options.warmupMs > 0) {
    // Sent, not recorded; its requests may still be in flight when the window opens (as real traffic would be).
    const target = requestTarget(options, random.fork('warmup'), completions, undefined);
    await new Promise<void>((sent) => {
      warmup = runOpenLoop(target, {
        schedule: poissonRate(options.load.ratePerSec, options.warmupMs),
        clock,
        random: random.fork('warmup-arrivals'),
        signal,
        classify,
        onSent: () => sent(),
      });
    });
  }
  const phase = new PhaseRecorder(clock);
  const loopDelay = new LoopDelayMonitor(clock);
  const target = requestTarget(options, random.fork('requests'), completions, phase.recordAttempt);
  const startSnapshot = await options.snapshot();
  phase.startWindow(options.durationMs);
  options.onWindow?.('start', clock.now());
  let lastQueries = storeQueries(startSnapshot);
  let lastCutSec = 0;
  let sampling = Promise.resolve();
  const atStart = { ...completions };
  let okCompletedInWindow = 0;
  let answeredInWindow = 0;
  let windowEnd: Promise<DriveSnapshot> = Promise.resolve(startSnapshot);
  let clientLoopDelay: ClientLoopDelay | undefined;
  const result = await runOpenLoop(target, {
    schedule: poissonRate(options.load.ratePerSec, options.durationMs),
    clock,
    random: random.fork('arrivals'),
    signal,
    classify,
    recorder: phase.recorder,
    progressInterval: options.intervalMs,
    onProgress: (p) => {
      const tSec = p.elapsedMs / 1000;
      // The requests that finished after the last interval: a sliver of an interval would plot as a
      // misleading dip in the rates, so it becomes a timeline point only when it spans half an interval.
      if (p.final && tSec - lastCutSec < options.intervalMs / 2000) return;
      lastCutSec = tSec;
      sampling = sampling
        .then(async () => {
          const queries = storeQueries(await options.snapshot());
          const point = phase.cut(p.interval, tSec, queries - lastQueries);
          lastQueries = queries;
          if (!p.final) options.onInterval?.(point, phase);
        })
        .catch(() => undefined);
    },
    onSent: () => {
      options.onWindow?.('end', clock.now());
      okCompletedInWindow = completions.ok - atStart.ok;
      answeredInWindow = completions.answered - atStart.answered;
      windowEnd = options.snapshot();
      windowEnd.catch(() => undefined);
    },
  }).finally(() => {
    clientLoopDelay = loopDelay.stop();
  });
  await warmup;
  await sampling;
  signal.throwIfAborted();
  const sendLag = result.sendLag;
  return {
    recorder: phase,
    sent: result.sent,
    okCompletedInWindow,
    answeredInWindow,
    start: startSnapshot,
    windowEnd: await windowEnd,
    end: await options.snapshot(),
    generatorLagMs: { p50: round(sendLag.p50, 3), p99: round(sendLag.p99, 3), max: round(sendLag.max, 3) },
    clientLoopDelay: clientLoopDelay!,
  };
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
  keys: ProductKeys,
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

/** The driver's target: turns one arrival into a request of the phase and names how it ended. */
function requestTarget(
  options: DriveOptions,
  random: Random,
  completions: Completions,
  observe: AttemptObserver | undefined,
): (arrival: Arrival) => Promise<RequestOutcome> {
  const { load, keys, hotKeyId, clock, call, signal } = options;
  return async ({ intendedMs }) => {
    const { id, write } = drawRequest(load, keys, hotKeyId, random);
    const plan: RequestPlan = write
      ? {
          method: 'POST',
          path: `/products/${id}/stock`,
          body: JSON.stringify({ delta: random.chance(0.5) ? 1 : -1 }),
          key: String(id),
        }
      : { method: 'GET', path: `/products/${id}`, body: null, key: String(id) };
    // headroom/latency's Deadline: it fires timeoutMs after the *intended* send, so a late
    // generator eats into the request's budget instead of extending it.
    const deadline = Deadline.at(intendedMs + load.timeoutMs, { clock, signal });
    if (deadline.expired) {
      deadline.dispose();
      return 'timeout';
    }
    let outcome: RequestOutcome;
    try {
      const status = await call(plan, deadline, observe);
      outcome = status < 300 ? 'ok' : status === 503 ? 'shed' : 'http';
    } catch (error) {
      outcome = !signal.aborted && (deadline.expired || isHeadroomError(error, 'HR_CORE_DEADLINE_EXCEEDED')) ? 'timeout' : 'network';
    } finally {
      deadline.dispose();
    }
    if (outcome === 'ok') completions.ok++;
    if (outcome === 'ok' || outcome === 'shed' || outcome === 'http') completions.answered++;
    return outcome;
  };
}
