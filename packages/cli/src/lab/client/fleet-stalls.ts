/**
 * Fleet-wide stalls in a traced lab run: the replicas' own files (`<file>.replica-<i>.ndjson`,
 * lab/service/stall-recorder.ts) read back against the client's trace. A fleet-wide stall is a
 * moment when every replica's loop lagged ≥ 3 ms, the lags starting within {@link TOGETHER_MS} of
 * each other — the machine, not one replica, stood still (another process's GC threads, say). For
 * a phase's measured window, the summary counts them and asks whether the slow replica's wins
 * cluster after them: the share of its wins within {@link AFTER_MS} after one, against the share of
 * the window's time that lies within {@link AFTER_MS} after one (equal shares: no clustering).
 */
import type { PauseSpec } from 'headroom/sim';
import { ndjsonEvents } from '../ndjson-file.js';
import type { PickSummary } from './pick-trace-summary.js';

/** Lags starting this close together (ms) are one fleet-wide stall. */
export const TOGETHER_MS = 5;
/** A win this soon after a fleet-wide stall's start (ms) counts as after it. */
export const AFTER_MS = 1000;

/** One process's recorded events: a replica's file, or the lab client's own (`<file>.client.ndjson`). */
export interface StallTrace {
  /** Loop stalls: when each began (epoch ms) and how long it lasted. */
  readonly lags: readonly { readonly epochMs: number; readonly ms: number }[];
  /** Garbage collections: when each began (epoch ms), how long, and its kind. */
  readonly gcs: readonly { readonly epochMs: number; readonly ms: number; readonly kind: string }[];
  /** The shortest lag the process recorded (`headroom lab --stall-threshold`), ms, as its lag lines say; undefined when they do not (no lag, or an older trace: 3 ms). */
  readonly thresholdMs?: number | undefined;
}

/** A moment when every replica lagged. */
export interface FleetStall {
  /** The earliest of the lags' starts, epoch ms. */
  readonly epochMs: number;
  /** The shortest and the longest of the replicas' lags, ms. */
  readonly shortestMs: number;
  readonly longestMs: number;
  /** The kinds of the GCs (in any replica) that overlap it; empty when none did. */
  readonly gcKinds: readonly string[];
}

/** Fleet-wide stalls in one phase's window, and the slow replica's wins after them. */
export interface StallSummary {
  readonly replicas: number;
  readonly stalls: readonly FleetStall[];
  /** The slow replica's wins in the window, and those within {@link AFTER_MS} after a stall. */
  readonly wins: number;
  readonly winsAfter: number;
  /** Share (0–1) of the window's time that lies within {@link AFTER_MS} after a stall. */
  readonly timeAfterShare: number;
}

/**
 * Reads one replica's file, or the client's.
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`, as for `sim-vs-lab`'s other inputs) naming the line that is not JSON
 */
export function parseStallTrace(ndjson: string, path: string): StallTrace {
  const lags: { epochMs: number; ms: number }[] = [];
  const gcs: { epochMs: number; ms: number; kind: string }[] = [];
  let thresholdMs: number | undefined;
  type Event = { ev?: string; epochMs?: number; ms?: number; kind?: string; thresholdMs?: number };
  for (const e of ndjsonEvents<Event>(ndjson, path, 'the stall trace')) {
    if (e.epochMs === undefined || e.ms === undefined) continue;
    if (e.ev === 'replica-lag' || e.ev === 'client-lag') {
      lags.push({ epochMs: e.epochMs, ms: e.ms });
      if (typeof e.thresholdMs === 'number') thresholdMs = e.thresholdMs;
    } else if (e.ev === 'replica-gc' || e.ev === 'client-gc') gcs.push({ epochMs: e.epochMs, ms: e.ms, kind: e.kind ?? '?' });
  }
  return { lags, gcs, thresholdMs };
}

/** The moments when every replica lagged, lags starting within {@link TOGETHER_MS} of each other, in time order. */
export function fleetStalls(replicas: readonly StallTrace[]): FleetStall[] {
  if (replicas.length === 0) return [];
  const all = replicas.flatMap((r, replica) => r.lags.map((l) => ({ ...l, replica }))).sort((a, b) => a.epochMs - b.epochMs);
  const out: FleetStall[] = [];
  let i = 0;
  while (i < all.length) {
    const first = new Map<number, { epochMs: number; ms: number }>();
    let j = i;
    for (; j < all.length && all[j]!.epochMs - all[i]!.epochMs <= TOGETHER_MS; j++)
      if (!first.has(all[j]!.replica)) first.set(all[j]!.replica, all[j]!);
    if (first.size < replicas.length) {
      i++;
      continue;
    }
    const lags = [...first.values()];
    const start = all[i]!.epochMs;
    const end = Math.max(...lags.map((l) => l.epochMs + l.ms));
    const gcKinds = replicas.flatMap((r) =>
      r.gcs.filter((g) => g.epochMs < end && g.epochMs + g.ms > start - TOGETHER_MS).map((g) => g.kind),
    );
    out.push({ epochMs: start, shortestMs: Math.min(...lags.map((l) => l.ms)), longestMs: Math.max(...lags.map((l) => l.ms)), gcKinds });
    i = j;
  }
  return out;
}

/** One phase's fleet-wide stalls and the slow replica's wins after them, or null when its trace has no epoch times. */
export function summariseStalls(phase: PickSummary, replicas: readonly StallTrace[]): StallSummary | null {
  const w = phase.windowEpochMs;
  if (w === null || w.end <= w.start) return null;
  const stalls = fleetStalls(replicas).filter((s) => s.epochMs >= w.start && s.epochMs < w.end);
  const after = (t: number): boolean => stalls.some((s) => t >= s.epochMs && t < s.epochMs + AFTER_MS);
  // Union of [stall, stall + AFTER_MS) clipped to the window; stalls are in time order.
  let covered = 0;
  let reach = w.start;
  for (const s of stalls) {
    const from = Math.max(s.epochMs, reach);
    const to = Math.min(s.epochMs + AFTER_MS, w.end);
    if (to > from) covered += to - from;
    reach = Math.max(reach, to);
  }
  return {
    replicas: replicas.length,
    stalls,
    wins: phase.slowWinsEpochMs.length,
    winsAfter: phase.slowWinsEpochMs.filter(after).length,
    timeAfterShare: covered / (w.end - w.start),
  };
}

/** A phase's measured window in a pick trace, epoch ms. */
export interface PhaseWindow {
  readonly scenario: string;
  readonly phase: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Every phase's measured window in a pick trace (its `phase` and `window` events; a phase whose
 * events carry no epochMs has none), whatever its picker.
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`) naming a phase or window line that is not JSON
 */
export function phaseWindows(ndjson: string, path: string): PhaseWindow[] {
  const out: PhaseWindow[] = [];
  let scenario = '?';
  let phase = '?';
  let start: number | null = null;
  // only phase and window events matter: skip the picks without parsing them
  const marks = (line: string): boolean => line.includes('"phase"') || line.includes('"window"');
  for (const e of ndjsonEvents<{ ev?: string; epochMs?: number; scenario?: string; phase?: string; edge?: string }>(
    ndjson,
    path,
    'the pick trace',
    marks,
  )) {
    if (e.ev === 'phase') {
      scenario = e.scenario ?? '?';
      phase = e.phase ?? '?';
      start = null;
    } else if (e.ev === 'window' && e.epochMs !== undefined) {
      if (e.edge === 'start') start = e.epochMs;
      else if (start !== null && e.epochMs > start) out.push({ scenario, phase, start, end: e.epochMs });
    }
  }
  return out;
}

/**
 * The share (0–1) of `window` that one replica's loop spent stalled: the lengths of its recorded
 * stalls that began inside the window, over the window's length. (The recorder sees stalls of
 * 3 ms and more: shorter ones are not counted.)
 */
export function stallShareOf(replica: StallTrace, window: { readonly start: number; readonly end: number }): number {
  let stalled = 0;
  for (const lag of replica.lags) if (lag.epochMs >= window.start && lag.epochMs < window.end) stalled += lag.ms;
  return stalled / (window.end - window.start);
}

/**
 * A replica's recorded stalls inside a window, each as `[startMs, lengthMs]` from the window's start
 * (the simulator's `pausesAt` record), in order of their start.
 */
export function lagsIn(replica: StallTrace, window: { readonly start: number; readonly end: number }): [number, number][] {
  return replica.lags
    .filter((lag) => lag.epochMs >= window.start && lag.epochMs < window.end)
    .map((lag): [number, number] => [lag.epochMs - window.start, lag.ms])
    .sort((a, b) => a[0] - b[0]);
}

/** A window's fleet-wide stalls as pauses of the whole machine (the simulator's `machinePauses`). */
export interface MachinePauseFit {
  readonly pauses: PauseSpec;
  /** The stalls they were fitted to, and the window's length, ms. */
  readonly stalls: number;
  readonly windowMs: number;
  /** Mean length of a pause, ms. */
  readonly meanMs: number;
}

/**
 * The fleet-wide stalls in `window` as machine pauses: each stall's shortest lag (the time every
 * replica stood still) as a length, drawn from their recorded lengths; exponential gaps between
 * pauses at the window's rate of stalls (mean gap = window / stalls − mean length, at least one mean length). Undefined when
 * the window has no fleet-wide stall.
 */
export function machinePausesOf(
  replicas: readonly StallTrace[],
  window: { readonly start: number; readonly end: number },
): MachinePauseFit | undefined {
  const lengths = fleetStalls(replicas)
    .filter((s) => s.epochMs >= window.start && s.epochMs < window.end)
    .map((s) => s.shortestMs);
  if (lengths.length === 0) return undefined;
  const windowMs = window.end - window.start;
  const meanMs = lengths.reduce((a, b) => a + b, 0) / lengths.length;
  const counts = new Map<number, number>();
  for (const l of lengths) counts.set(l, (counts.get(l) ?? 0) + 1);
  return {
    pauses: {
      interval: { type: 'exponential', mean: Math.max(windowMs / lengths.length - meanMs, meanMs) },
      duration: { type: 'empirical', buckets: [...counts].sort((a, b) => a[0] - b[0]) },
    },
    stalls: lengths.length,
    windowMs,
    meanMs,
  };
}
