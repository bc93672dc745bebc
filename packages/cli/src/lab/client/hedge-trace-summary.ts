/**
 * When the hedges really went out, and what the hedged calls took: a `HedgePolicy`'s events (the
 * lab's, from the `hedge` and `win` lines of a `headroom lab --trace-picks` file, lab/client/pick-trace.ts;
 * or the simulator's real `HedgeCore`, through `runModel`'s `onHedge` hook) summarised the same way.
 *
 * Each backup's lateness is how long after its call's first attempt it was sent less the hedge
 * delay that call used: the hedge timer firing late (Node's timers run when the event loop gets to
 * them, at a millisecond's grain; the simulator's only when its client is stalled). A backup the
 * budget refused at first and sent on a re-ask (after twice the delay) shows as late by a whole
 * delay, so the upper percentiles hold those too. A hedged call's time runs from its first
 * attempt's send to the winning answer.
 */
import type { HedgeEvent } from 'headroom/latency';
import { ndjsonEvents } from '../ndjson-file.js';
import { quantilesOf } from '../quantile.js';

/** Some values at these percentiles (linear between the sorted values, {@link quantilesOf}), ms. */
export interface HedgeQuantiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What one client's hedges did over a window. */
export interface HedgeFigures {
  /** Backups sent. */
  readonly hedges: number;
  /** Calls won (each call once, hedged or not). */
  readonly calls: number;
  /** The hedge delay the backups' calls used, ms. */
  readonly delayMs: HedgeQuantiles;
  /** Each backup's send time after its call's first attempt less that delay, ms. */
  readonly lateMs: HedgeQuantiles;
  /** Calls won after a backup was sent (of any attempt). */
  readonly hedgedCalls: number;
  /** Of those, the calls the original attempt won anyway: their backup was not needed. */
  readonly originalWon: number;
  /** Those calls' time from the first attempt's send to the winning answer, ms; null when there were none. */
  readonly hedgedMs: HedgeQuantiles | null;
}

/** One phase's hedges in its measured window, from a lab trace. */
export interface HedgeSummary extends HedgeFigures {
  readonly scenario: string;
  readonly phase: string;
}

type Sent = Pick<Extract<HedgeEvent, { type: 'hedge' }>, 'afterMs' | 'delayMs'>;
type Won = Pick<Extract<HedgeEvent, { type: 'win' }>, 'attempt' | 'attempts' | 'latencyMs'>;

function quantiles(values: readonly number[]): HedgeQuantiles {
  const [p50, p90, p99, max] = quantilesOf(values, [0.5, 0.9, 0.99, 1]) as [number, number, number, number];
  return { p50, p90, p99, max };
}

/**
 * Summarises the backups sent and the calls won over a window; null when no backup was sent.
 * @example hedgeFigures([{ afterMs: 7, delayMs: 6 }], [{ attempt: 1, attempts: 2, latencyMs: 11 }])
 */
export function hedgeFigures(sent: readonly Sent[], won: readonly Won[]): HedgeFigures | null {
  if (sent.length === 0) return null;
  const hedgedWins = won.filter((w) => w.attempts > 1);
  const hedged = hedgedWins.map((w) => w.latencyMs);
  return {
    hedges: sent.length,
    calls: won.length,
    delayMs: quantiles(sent.map((s) => s.delayMs)),
    lateMs: quantiles(sent.map((s) => s.afterMs - s.delayMs)),
    hedgedCalls: hedged.length,
    originalWon: hedgedWins.filter((w) => w.attempt === 0).length,
    hedgedMs: hedged.length === 0 ? null : quantiles(hedged),
  };
}

/**
 * Summarises a trace's hedge and win lines, per phase that sent a backup inside its measured window.
 * @param path - the file the lines came from (named in the error)
 * @throws HR_SIM_INVALID_HISTOGRAM (`HistogramFileError`, as for `sim-vs-lab`'s other input) naming the line that is not JSON
 */
export function summariseHedges(ndjson: string, path: string): HedgeSummary[] {
  const out: HedgeSummary[] = [];
  let current: { scenario: string; phase: string; sent: Sent[]; won: Won[] } | null = null;
  let inWindow = false;
  const close = (): void => {
    const figures = current === null ? null : hedgeFigures(current.sent, current.won);
    if (figures !== null) out.push({ scenario: current!.scenario, phase: current!.phase, ...figures });
  };
  const wanted = (line: string): boolean => !line.startsWith('{"ev":"pick"') && !line.startsWith('{"ev":"rtt"');
  for (const e of ndjsonEvents<{
    ev?: string;
    scenario?: string;
    phase?: string;
    edge?: string;
    afterMs?: number;
    delayMs?: number;
    attempt?: number;
    attempts?: number;
    ms?: number;
  }>(ndjson, path, 'the pick trace', wanted)) {
    if (e.ev === 'phase') {
      close();
      current = { scenario: e.scenario ?? '?', phase: e.phase ?? '?', sent: [], won: [] };
      inWindow = false;
    } else if (e.ev === 'window') {
      inWindow = e.edge === 'start';
    } else if (!inWindow || current === null) {
      continue;
    } else if (e.ev === 'hedge' && typeof e.afterMs === 'number' && typeof e.delayMs === 'number') {
      current.sent.push({ afterMs: e.afterMs, delayMs: e.delayMs });
    } else if (e.ev === 'win' && typeof e.attempts === 'number' && typeof e.ms === 'number') {
      current.won.push({ attempt: e.attempt ?? 0, attempts: e.attempts, latencyMs: e.ms });
    }
  }
  close();
  return out;
}
