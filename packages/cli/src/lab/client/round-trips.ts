/**
 * The answered round trips of each measured window of a `headroom lab --trace-picks` file (`rtt`
 * lines with outcome `success`, read between the window's `start` and `end` lines), for the
 * summaries that look at when answers were slow: slow-bunching.ts and machine-speed.ts.
 */
import { ndjsonEvents } from '../ndjson-file.js';

/** One answered round trip: when it was read (ms, any clock shared by the window), at which replica, how long. */
export interface RoundTrip {
  readonly t: number;
  readonly replica: number;
  readonly ms: number;
}

/** A phase's measured window, on the lab's clock, and the round trips answered in it. */
export interface WindowRoundTrips {
  readonly scenario: string;
  readonly phase: string;
  readonly start: number;
  readonly end: number;
  /** The replicas that answered (0 … replicas − 1, as the lines name them). */
  readonly replicas: number;
  readonly trips: readonly RoundTrip[];
}

/**
 * Reads each phase's window and its answered round trips (a phase without a whole window is left out).
 * @throws HR_SIM_INVALID_HISTOGRAM naming the line that is not JSON
 */
export function windowRoundTrips(ndjson: string, path: string): WindowRoundTrips[] {
  const out: WindowRoundTrips[] = [];
  let current: { scenario: string; phase: string; trips: RoundTrip[]; start: number; end: number } | null = null;
  const close = (): void => {
    if (current === null || !(current.end > current.start)) return;
    const { start, end } = current;
    const trips = current.trips.filter((r) => r.t >= start && r.t < end);
    out.push({ ...current, trips, replicas: trips.reduce((n, r) => Math.max(n, r.replica + 1), 0) });
  };
  const wanted = (line: string): boolean => !line.startsWith('{"ev":"pick"');
  type Event = {
    ev?: string;
    t?: number;
    scenario?: string;
    phase?: string;
    edge?: string;
    replica?: number;
    ms?: number;
    outcome?: string;
  };
  for (const e of ndjsonEvents<Event>(ndjson, path, 'the pick trace', wanted)) {
    if (e.ev === 'phase') {
      close();
      current = { scenario: e.scenario ?? '?', phase: e.phase ?? '?', trips: [], start: NaN, end: NaN };
    } else if (current === null || typeof e.t !== 'number') {
      continue;
    } else if (e.ev === 'window') {
      if (e.edge === 'start') current.start = e.t;
      else current.end = e.t;
    } else if (e.ev === 'rtt' && e.outcome === 'success' && typeof e.replica === 'number' && typeof e.ms === 'number') {
      current.trips.push({ t: e.t, replica: e.replica, ms: e.ms });
    }
  }
  close();
  return out;
}
