/**
 * Why the slow replica wins a pick: a `headroom lab --trace-picks` file (lab/client/pick-trace.ts)
 * read back, per phase, over its measured window (between its `window` start and end events). Of
 * the picks that read loads (P2C), those that chose the slow replica over a fast one are sorted by
 * what the fast candidate's load held — peak-EWMA's load is its RTT estimate × (pending + 1):
 * - `spiked`: the fast replica's RTT estimate alone (load ÷ (pending + 1)) was no lower than the
 *   slow one's — a late round trip (a client stall) had raised its peak;
 * - `pending`: not that, but the fast replica had ≥ {@link MANY_PENDING} requests in flight;
 * - `other`: neither (its estimate and its queue together).
 */
import { ndjsonEvents } from '../ndjson-file.js';

/** A fast replica with this many requests in flight counts as queued. */
export const MANY_PENDING = 3;

/** One phase's picks in its window. */
export interface PickSummary {
  readonly scenario: string;
  readonly phase: string;
  /** Picks in the window that read loads. */
  readonly picks: number;
  /** Of those, the picks that drew the slow replica as a candidate, and that chose it. */
  readonly slowDrawn: number;
  readonly slowChosen: number;
  /** The slow replica's wins by reason (see the file comment). */
  readonly spiked: number;
  readonly pending: number;
  readonly other: number;
  /** The measured window as epoch ms (from its events' `epochMs`), or null for a trace without them. */
  readonly windowEpochMs: { readonly start: number; readonly end: number } | null;
  /** When each of the slow replica's wins happened, epoch ms (empty for a trace without `epochMs`). */
  readonly slowWinsEpochMs: readonly number[];
}

type Candidate = readonly [replica: number, cost: number, pending: number];

/**
 * Summarises a trace's lines, per phase that has load-reading picks in its window.
 * @param path - the file the lines came from (named in the error)
 * @param slow - the slow replica's index (0 in the lab's slow-replica scenario)
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`, as for `sim-vs-lab`'s other input) naming the line that is not JSON
 */
export function summarisePicks(ndjson: string, path: string, slow = 0): PickSummary[] {
  const out: PickSummary[] = [];
  let current: {
    scenario: string;
    phase: string;
    picks: number;
    slowDrawn: number;
    slowChosen: number;
    spiked: number;
    pending: number;
    other: number;
    windowEpochMs: { start: number; end: number } | null;
    slowWinsEpochMs: number[];
  } | null = null;
  // epoch ms − lab ms, from the phase's event (null: a trace written before events carried epochMs).
  let offset: number | null = null;
  let windowStart: number | null = null;
  let inWindow = false;
  const close = (): void => {
    if (current !== null && current.picks > 0) out.push(current);
  };
  for (const e of ndjsonEvents<{
    ev?: string;
    t?: number;
    epochMs?: number;
    scenario?: string;
    phase?: string;
    edge?: string;
    c?: Candidate[];
    chosen?: number | null;
  }>(ndjson, path, 'the pick trace')) {
    if (e.ev === 'phase') {
      close();
      current = {
        scenario: e.scenario ?? '?',
        phase: e.phase ?? '?',
        picks: 0,
        slowDrawn: 0,
        slowChosen: 0,
        spiked: 0,
        pending: 0,
        other: 0,
        windowEpochMs: null,
        slowWinsEpochMs: [],
      };
      offset = e.epochMs !== undefined && e.t !== undefined ? e.epochMs - e.t : null;
      inWindow = false;
    } else if (e.ev === 'window') {
      inWindow = e.edge === 'start';
      if (e.epochMs === undefined) continue;
      if (inWindow) windowStart = e.epochMs;
      else if (current !== null && windowStart !== null) current.windowEpochMs = { start: windowStart, end: e.epochMs };
    } else if (e.ev === 'pick' && inWindow && current !== null && e.c !== undefined && e.c.length > 0) {
      current.picks++;
      const s = e.c.find((c) => c[0] === slow);
      if (s === undefined) continue;
      current.slowDrawn++;
      if (e.chosen !== slow) continue;
      current.slowChosen++;
      if (offset !== null && e.t !== undefined) current.slowWinsEpochMs.push(offset + e.t);
      const fast = e.c.find((c) => c[0] !== slow);
      if (fast === undefined) continue;
      const estimate = (c: Candidate): number => c[1] / (c[2] + 1);
      if (estimate(fast) >= estimate(s)) current.spiked++;
      else if (fast[2] >= MANY_PENDING) current.pending++;
      else current.other++;
    }
  }
  close();
  return out;
}
