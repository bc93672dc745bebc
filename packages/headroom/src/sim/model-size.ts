/**
 * A model too large for this machine is refused before anything is built, with the memory it
 * would need — instead of allocating for minutes and dying of a heap out of memory (a count typed
 * with three zeros too many). Two limits: the JavaScript heap of the thread that runs it (V8's
 * `heap_size_limit`: 4 GB by default on this machine, whatever its memory; the process dies when
 * it is reached) and the machine's memory (the heap plus the typed arrays, which live outside
 * it). The estimates are floors: each server's objects and numbers, and each client's per-server
 * tables, at the least they take — and, for a model offered more than its servers can serve with
 * nothing to shed the rest, the calls that pile up ({@link overloadBacklog}), which would otherwise
 * fill the heap only minutes into the run.
 */
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parseDuration } from '../core/duration.js';
import { sampler } from './distributions.js';
import { invalidOption } from './errors.js';
import type { ModelSpec } from './model-spec.js';

/**
 * Bytes one server takes at the least, heap and typed arrays: its object, its region of the slab
 * and its job places, and a client's load metric for it (`npm run bench -- sim/model-memory`: 547–594 B
 * of resident memory at 10⁶ single-worker servers and one client).
 */
export const SERVER_BYTES = 400;
/** … of which on the JavaScript heap (the same bench: 373 B, 408 with peak-EWMA). */
export const HEAP_SERVER_BYTES = 350;
/** Bytes per (client, server) pair: each client's metric and count in flight per server (the same bench: 39 B of heap, 74 with peak-EWMA). */
const PAIR_BYTES = 40;
/** … of which on the heap. */
const HEAP_PAIR_BYTES = 36;
/** … and with `network.links`, the link tables built per pair (typed arrays). */
const LINK_PAIR_BYTES = 12;

/**
 * Heap bytes a call in flight holds at the least: its call and attempt objects and its place in a
 * queue (`npm run bench -- sim/model-memory`: 313 B a plain call at 2 million in flight, 377 B with
 * p2c + peak-EWMA + hedging).
 */
export const HEAP_CALL_BYTES = 300;

/** What an overloaded model piles up while its arrivals go on. */
export interface OverloadBacklog {
  /** Where the arrivals' rate is given: `arrivals.ratePerSec`, `arrivals.points` or `arrivals.states`. */
  readonly path: string;
  /** The rate the backlog was counted at (a timeline's highest up to the peak, an MMPP's lowest state), and the servers' capacity (each group's count × workers ÷ its mean service time), calls/s. */
  readonly ratePerSec: number;
  readonly capacityPerSec: number;
  /** Calls in flight at once, at the least (at `atMs`, virtual ms from the start). */
  readonly calls: number;
  readonly atMs: number;
}

/**
 * The calls an overloaded model keeps in flight at once: when calls arrive faster than its servers
 * can serve them, and nothing in the model ends or sheds a call — no timeout, deadline, limiter,
 * fault, fan-out or cache — the servers serve at most their capacity, so the excess waits. For
 * steady arrivals (Poisson or constant) that is (rate − capacity) × duration when the arrivals end;
 * for a timeline, the highest backlog of the fluid queue its rates give (it grows by rate −
 * capacity over each step, never below 0, and drains when the rate falls below capacity); for a
 * Markov-modulated chain, (lowest state rate − capacity) × duration when every state is above
 * capacity — its states' actual lengths are random, so a mean rate could refuse a run that the
 * chain's quiet states would let fit. Hedges, retries, pauses and a picker that leaves a server idle
 * only add to it. Undefined when the model is not overloaded, may shed, or has fields the other
 * checks will name.
 */
export function overloadBacklog(spec: ModelSpec): OverloadBacklog | undefined {
  const c = spec.clients;
  if (c?.timeout !== undefined || c?.deadline !== undefined) return undefined;
  if ((spec.faults !== undefined && spec.faults.length > 0) || spec.fanOut !== undefined) return undefined;
  let capacityPerMs = 0;
  let durationMs: number;
  try {
    durationMs = parseDuration(spec.duration, 'duration');
    for (const g of spec.servers) {
      if (g.limiter !== undefined || g.cache !== undefined || g.workers === 'unbounded') return undefined;
      const meanMs = sampler(g.service).meanMs;
      if (!(Number.isFinite(meanMs) && meanMs > 0 && Number.isInteger(g.count) && g.count > 0)) return undefined;
      capacityPerMs += (g.count * (g.workers ?? 1)) / meanMs;
    }
  } catch {
    return undefined; // a field the other checks name
  }
  if (!Number.isFinite(durationMs)) return undefined;
  const steps = rateSteps(spec.arrivals, durationMs);
  if (steps === undefined) return undefined;
  // the fluid queue: over each step the backlog grows by (rate − capacity) × its length, never below 0
  let backlog = 0;
  let highest = 0;
  let peak = { calls: 0, atMs: 0, ratePerMs: 0 };
  for (const { fromMs, toMs, ratePerMs } of steps.list) {
    backlog = Math.max(0, backlog + (ratePerMs - capacityPerMs) * (toMs - fromMs));
    highest = Math.max(highest, ratePerMs);
    if (backlog > peak.calls) peak = { calls: backlog, atMs: toMs, ratePerMs: highest };
  }
  if (!(peak.calls >= 1)) return undefined;
  return {
    path: steps.path,
    ratePerSec: peak.ratePerMs * 1000,
    capacityPerSec: capacityPerMs * 1000,
    calls: Math.floor(peak.calls),
    atMs: peak.atMs,
  };
}

/** The arrivals' rate as steps over [0, durationMs), with the field that gives it; undefined when it is not one the check reads. */
function rateSteps(
  arrivals: ModelSpec['arrivals'] | undefined,
  durationMs: number,
): { path: string; list: { fromMs: number; toMs: number; ratePerMs: number }[] } | undefined {
  const a = arrivals as { type?: unknown; ratePerSec?: unknown; points?: unknown; states?: unknown } | undefined;
  if (a === undefined) return undefined;
  const rate = (r: unknown): number | undefined => (typeof r === 'number' && Number.isFinite(r) && r >= 0 ? r / 1000 : undefined);
  if (a.type === 'poisson' || a.type === 'constant') {
    const r = rate(a.ratePerSec);
    return r === undefined ? undefined : { path: 'arrivals.ratePerSec', list: [{ fromMs: 0, toMs: durationMs, ratePerMs: r }] };
  }
  if (a.type === 'mmpp') {
    if (!Array.isArray(a.states) || a.states.length === 0) return undefined;
    const rates = (a.states as { ratePerSec?: unknown }[]).map((s) => rate(s?.ratePerSec));
    if (rates.some((r) => r === undefined)) return undefined;
    return { path: 'arrivals.states', list: [{ fromMs: 0, toMs: durationMs, ratePerMs: Math.min(...(rates as number[])) }] };
  }
  if (a.type === 'timeline') {
    if (!Array.isArray(a.points) || a.points.length === 0) return undefined;
    const points = a.points as unknown[];
    const list: { fromMs: number; toMs: number; ratePerMs: number }[] = [];
    for (let i = 0; i < points.length; i++) {
      const p = points[i];
      const next = points[i + 1];
      if (!Array.isArray(p) || typeof p[0] !== 'number') return undefined;
      const r = rate(p[1]);
      const toMs = Math.min(
        durationMs,
        next === undefined ? durationMs : Array.isArray(next) && typeof next[0] === 'number' ? next[0] : NaN,
      );
      if (r === undefined || !(toMs >= p[0])) return undefined;
      if (p[0] < durationMs) list.push({ fromMs: p[0], toMs, ratePerMs: r });
    }
    return { path: 'arrivals.points', list };
  }
  return undefined;
}

/** The limits a model is checked against. */
export interface MemoryLimits {
  /** The machine's memory, bytes. */
  readonly memoryBytes: number;
  /** The running thread's JavaScript heap limit, bytes. */
  readonly heapBytes: number;
}

/** This machine's memory and this thread's heap limit. */
export function memoryLimits(): MemoryLimits {
  return { memoryBytes: totalmem(), heapBytes: getHeapStatistics().heap_size_limit };
}

/**
 * Throws when `spec` needs more heap than this thread has, or more memory than the machine has —
 * its fleet, or the calls it piles up when overloaded ({@link overloadBacklog}). Counts that are
 * not positive integers are left to the checks that name them.
 * @throws HR_SIM_INVALID_OPTION at `servers` (the fleet) or at the arrivals' rate — `arrivals.ratePerSec`, `arrivals.points` or `arrivals.states` (the backlog) — with the estimate and the limit it exceeds
 */
export function checkModelSize(spec: ModelSpec, limits: MemoryLimits = memoryLimits()): void {
  const counted = (n: unknown, otherwise: number): number => (Number.isInteger(n) && (n as number) > 0 ? (n as number) : otherwise);
  const servers = spec.servers.reduce((n, g) => n + counted(g.count, 0), 0);
  const clients = counted(spec.clients?.count, 1);
  const pair = PAIR_BYTES + (spec.network?.links === undefined ? 0 : LINK_PAIR_BYTES);
  const heap = servers * HEAP_SERVER_BYTES + clients * servers * HEAP_PAIR_BYTES;
  const bytes = servers * SERVER_BYTES + clients * servers * pair;
  const gb = (b: number): string => `${Number((b / 2 ** 30).toPrecision(3))} GB`;
  const what = `${servers} servers and ${clients} client(s)`;
  if (bytes > limits.memoryBytes)
    throw invalidOption(
      'servers',
      what,
      `a model this large needs at least ${gb(bytes)} of memory (≥ ${SERVER_BYTES} B a server, ${pair} B a client per server), more than this machine's ${gb(limits.memoryBytes)}; simulate fewer servers or clients`,
    );
  if (heap > limits.heapBytes)
    throw invalidOption(
      'servers',
      what,
      `a model this large needs at least ${gb(heap)} of JavaScript heap (≥ ${HEAP_SERVER_BYTES} B a server, ${HEAP_PAIR_BYTES} B a client per server), more than this thread's limit of ${gb(limits.heapBytes)}; simulate fewer servers or clients, or raise the limit: NODE_OPTIONS=--max-old-space-size=${Math.ceil((heap * 1.5) / 2 ** 20)} (MB; headroom sim's worker threads get the same)`,
    );
  const backlog = overloadBacklog(spec);
  if (backlog !== undefined && heap + backlog.calls * HEAP_CALL_BYTES > limits.heapBytes) {
    const n = (x: number): string => Math.round(x).toLocaleString('en-US');
    const when =
      backlog.path === 'arrivals.points'
        ? `${n(backlog.atMs / 1000)} s into the run (its rate up to then reaching ${n(backlog.ratePerSec)} calls/s)`
        : backlog.path === 'arrivals.states'
          ? `when the arrivals end (even at its lowest state's ${n(backlog.ratePerSec)} calls/s)`
          : 'when the arrivals end';
    throw invalidOption(
      backlog.path,
      backlog.path === 'arrivals.ratePerSec' ? backlog.ratePerSec : `${n(backlog.ratePerSec)} calls/s`,
      `the servers serve at most ${n(backlog.capacityPerSec)} calls/s (each group's servers × workers ÷ its mean service time) and nothing in the model sheds the rest, so at least ${n(backlog.calls)} calls would still be in flight ${when}, needing at least ${gb(heap + backlog.calls * HEAP_CALL_BYTES)} of JavaScript heap (≥ ${HEAP_CALL_BYTES} B a call), more than this thread's limit of ${gb(limits.heapBytes)}; lower the rate, add servers or workers, shorten the duration, or let the model shed load (a limiter, a timeout or a deadline)`,
    );
  }
}
