/**
 * Fleet-wide stalls in a traced lab run: the replicas' own files (`<file>.replica-<i>.ndjson`,
 * lab/service/stall-recorder.ts) read back against the client's trace. A fleet-wide stall is a
 * moment when every replica's loop lagged ≥ 3 ms, the lags starting within {@link TOGETHER_MS} of
 * each other — the machine, not one replica, stood still (another process's GC threads, say). For
 * a phase's measured window, the summary counts them and asks whether the slow replica's wins
 * cluster after them: the share of its wins within {@link AFTER_MS} after one, against the share of
 * the window's time that lies within {@link AFTER_MS} after one (equal shares: no clustering).
 */
import { HistogramFileError } from 'headroom/sim';
import type { PickSummary } from './pick-trace-summary.js';

/** Lags starting this close together (ms) are one fleet-wide stall. */
export const TOGETHER_MS = 5;
/** A win this soon after a fleet-wide stall's start (ms) counts as after it. */
export const AFTER_MS = 1000;

/** One replica's recorded events. */
export interface ReplicaStallTrace {
  /** Loop stalls: when each began (epoch ms) and how long it lasted. */
  readonly lags: readonly { readonly epochMs: number; readonly ms: number }[];
  /** Garbage collections: when each began (epoch ms), how long, and its kind. */
  readonly gcs: readonly { readonly epochMs: number; readonly ms: number; readonly kind: string }[];
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
 * Reads one replica's file.
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`, as for `sim-vs-lab`'s other inputs) naming the line that is not JSON
 */
export function parseReplicaStalls(ndjson: string, path: string): ReplicaStallTrace {
  const lags: { epochMs: number; ms: number }[] = [];
  const gcs: { epochMs: number; ms: number; kind: string }[] = [];
  const lines = ndjson.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (line.trim() === '') continue;
    let e: { ev?: string; epochMs?: number; ms?: number; kind?: string };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      throw new HistogramFileError(path, `line ${n + 1} of the replica trace is not JSON: ${line.slice(0, 80)}`);
    }
    if (e.epochMs === undefined || e.ms === undefined) continue;
    if (e.ev === 'replica-lag') lags.push({ epochMs: e.epochMs, ms: e.ms });
    else if (e.ev === 'replica-gc') gcs.push({ epochMs: e.epochMs, ms: e.ms, kind: e.kind ?? '?' });
  }
  return { lags, gcs };
}

/** The moments when every replica lagged, lags starting within {@link TOGETHER_MS} of each other, in time order. */
export function fleetStalls(replicas: readonly ReplicaStallTrace[]): FleetStall[] {
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
export function summariseStalls(phase: PickSummary, replicas: readonly ReplicaStallTrace[]): StallSummary | null {
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
