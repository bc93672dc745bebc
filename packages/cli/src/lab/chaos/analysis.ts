/**
 * Reads the chaos scenario's timeline: what the kill cost and how fast clients stopped seeing it,
 * whether the caches fell back to the store while Redis stalled, and how fast latency and the
 * Redis tier came back. Pure functions over recorded points and failures.
 */
import type { ChaosEvents, ChaosLabResult, ChaosPoint, ChaosStage } from './types.js';

/** One failed request: when it ended (s from the start of the load) and whether it was a write. */
export interface FailureMark {
  readonly atSec: number;
  readonly write: boolean;
}

/** The points whose interval lies inside [fromSec, toSec). */
function between(points: readonly ChaosPoint[], fromSec: number, toSec: number, intervalSec: number): ChaosPoint[] {
  return points.filter((p) => p.tSec - intervalSec >= fromSec - 1e-9 && p.tSec <= toSec + 1e-9);
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function meanOrNull(xs: readonly (number | null)[]): number | null {
  const present = xs.filter((x): x is number => x !== null);
  return present.length === 0 ? null : mean(present);
}

function maxOrNull(xs: readonly (number | null)[]): number | null {
  const present = xs.filter((x): x is number => x !== null);
  return present.length === 0 ? null : Math.max(...present);
}

/**
 * Seconds from `fromSec` until every later point up to `toSec` satisfies `ok` (measured at the end
 * of the last point that did not), or null when the last point still does not.
 */
export function recoveryAfter(
  points: readonly ChaosPoint[],
  fromSec: number,
  toSec: number,
  intervalSec: number,
  ok: (p: ChaosPoint) => boolean,
): number | null {
  const window = between(points, fromSec, toSec, intervalSec);
  if (window.length === 0) return null;
  if (!ok(window[window.length - 1]!)) return null;
  let lastBad = fromSec;
  for (const p of window) if (!ok(p)) lastBad = p.tSec;
  return Math.max(0, lastBad - fromSec);
}

/** Everything {@link analyseChaos} reads. */
export interface ChaosObservations {
  readonly events: ChaosEvents;
  readonly intervalSec: number;
  readonly timeline: readonly ChaosPoint[];
  readonly failures: readonly FailureMark[];
  /** When the killed replica was ejected, s, or null. */
  readonly ejectedSec: number | null;
  /** p99 over every success of the stall, ms. */
  readonly stallP99: number | null;
}

/** The kill and stall figures of the result. */
export function analyseChaos(o: ChaosObservations): Pick<ChaosLabResult, 'kill' | 'stall'> {
  const { events: e, intervalSec, timeline } = o;
  const killFailures = o.failures.filter((f) => f.atSec >= e.killSec && f.atSec < e.stallSec);
  const lastKillFailure = killFailures.length === 0 ? e.killSec : Math.max(...killFailures.map((f) => f.atSec));
  const steadyPoints = between(timeline, e.killSec / 2, e.killSec, intervalSec);
  const stallPoints = between(timeline, e.stallSec, e.healSec, intervalSec);
  const steady = {
    p99: meanOrNull(steadyPoints.map((p) => p.p99)),
    storeQps: mean(steadyPoints.map((p) => p.storeQps)),
    hitRatio: meanOrNull(steadyPoints.map((p) => p.hitRatio)),
  };
  const during = {
    p99: o.stallP99,
    storeQps: mean(stallPoints.map((p) => p.storeQps)),
    hitRatio: meanOrNull(stallPoints.map((p) => p.hitRatio)),
  };
  const stallFailures = o.failures.filter((f) => f.atSec >= e.stallSec && f.atSec < e.healSec);
  const p99Limit = steady.p99 === null ? Infinity : 2 * steady.p99 + 5;
  const hitFloor = steady.hitRatio === null ? 0 : steady.hitRatio - 0.1;
  return {
    kill: {
      replica: 0,
      ejectedAfterSec: o.ejectedSec === null ? null : Math.max(0, o.ejectedSec - e.killSec),
      failures: killFailures.length,
      recoverySec: lastKillFailure - e.killSec,
    },
    stall: {
      steady,
      during,
      readFailures: stallFailures.filter((f) => !f.write).length,
      writeFailures: stallFailures.filter((f) => f.write).length,
      latencyRecoverySec: recoveryAfter(timeline, e.stallSec, e.healSec, intervalSec, (p) => p.p99 !== null && p.p99 <= p99Limit),
      tierBackAfterSec: recoveryAfter(timeline, e.healSec, e.endSec, intervalSec, (p) => p.hitRatio !== null && p.hitRatio >= hitFloor),
    },
  };
}

/** The four stretches of the timeline, each summarised, with what recovered in it. */
export function chaosStages(
  o: Pick<ChaosObservations, 'events' | 'intervalSec' | 'timeline' | 'failures'>,
  r: Pick<ChaosLabResult, 'kill' | 'stall'>,
): ChaosStage[] {
  const e = o.events;
  const stretch = (label: string, fromSec: number, toSec: number, note: string): ChaosStage => {
    const points = between(o.timeline, fromSec, toSec, o.intervalSec);
    return {
      label,
      fromSec,
      toSec,
      okPerSec: mean(points.map((p) => p.okPerSec)),
      errors: o.failures.filter((f) => f.atSec >= fromSec && f.atSec < toSec).length,
      p99Max: maxOrNull(points.map((p) => p.p99)),
      storeQps: mean(points.map((p) => p.storeQps)),
      hitRatio: meanOrNull(points.map((p) => p.hitRatio)),
      note,
    };
  };
  const k = r.kill;
  const s = r.stall;
  return [
    stretch('steady', 0, e.killSec, '–'),
    stretch(
      `replica ${k.replica} killed`,
      e.killSec,
      e.stallSec,
      (k.ejectedAfterSec === null ? 'never ejected' : `ejected after ${fmtSec(k.ejectedAfterSec)}`) +
        `; last failure ${fmtSec(k.recoverySec)} after the kill`,
    ),
    stretch(
      'Redis stalled',
      e.stallSec,
      e.healSec,
      `${s.readFailures} failed reads; ` +
        (s.latencyRecoverySec === null ? 'p99 still high at the heal' : `p99 near steady after ${fmtSec(s.latencyRecoverySec)}`),
    ),
    stretch(
      'healed',
      e.healSec,
      e.endSec,
      s.tierBackAfterSec === null ? 'hit ratio not back' : `hit ratio back after ${fmtSec(s.tierBackAfterSec)}`,
    ),
  ];
}

/** The verdict line: what the run showed, in one or two sentences. */
export function chaosVerdict(r: Pick<ChaosLabResult, 'kill' | 'stall' | 'writes'>): string {
  const parts: string[] = [];
  parts.push(
    r.kill.ejectedAfterSec === null
      ? `the killed replica was never ejected (${r.kill.failures} failed requests)`
      : `the killed replica was ejected ${fmtSec(r.kill.ejectedAfterSec)} after the kill; clients saw ${r.kill.failures} failures over ${fmtSec(r.kill.recoverySec)}`,
  );
  const s = r.stall;
  const ratio = s.steady.storeQps > 0 ? s.during.storeQps / s.steady.storeQps : null;
  parts.push(
    `with Redis stalled, reads fell back to the store (${Math.round(s.steady.storeQps)} → ${Math.round(s.during.storeQps)} q/s` +
      `${ratio === null ? '' : `, ×${ratio.toFixed(1)}`}; ${s.readFailures} failed reads)` +
      (s.latencyRecoverySec === null ? ', p99 still high when healed' : `, p99 back near steady after ${fmtSec(s.latencyRecoverySec)}`),
  );
  parts.push(
    s.tierBackAfterSec === null
      ? 'the hit ratio had not recovered by the end'
      : `the cache tier was back ${fmtSec(s.tierBackAfterSec)} after the heal`,
  );
  const w = r.writes;
  parts.push(
    w.lost === 0
      ? `no acknowledged write lost (${w.acknowledged} acknowledged, ${w.present} in the store)`
      : `${w.lost} ACKNOWLEDGED WRITES LOST (${w.acknowledged} acknowledged, ${w.present} in the store)`,
  );
  return `${parts.join('; ')}.`;
}

/** Seconds with a unit, two significant decimals below 10 s. */
export function fmtSec(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}
