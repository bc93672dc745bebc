/**
 * Reproduction 8, the simulator against the lab: the lab's `slow-replica` and `stalls` scenarios
 * modelled from what one `headroom lab --json` run recorded, and the simulator's p50/p99 set beside
 * the lab's real-socket ones. Calibration uses each scenario's baseline phase only; the treatment
 * phase is the prediction.
 *
 * What the lab injects is taken from its own catalog, at the size its run counted:
 * - stalls: 1% of requests wait 250 ms at their replica before the handler — each replica's own,
 *   so a hedge escapes them. The share the replicas counted (`stalledRequests / sent`) is the
 *   body's latency plus 250 ms; the rest of the `no hedging` CDF is the body.
 * - slow-replica: replica 0's store round trip is 40 ms instead of 4, and round-robin sent it
 *   exactly a third, so the CDF's top third is its latency and the rest the fast replicas'.
 *
 * Everything else in the recorded latency — the client's and the replicas' event-loop stalls,
 * scheduling on a shared 2-core machine — is the machine's, and it is not independent per request:
 * a stalled client delays every answer it has not read yet, whichever replica sent it, so a
 * hedge cannot escape it, and one stall makes one peak-EWMA spike, not one per late request. The
 * model therefore keeps each replica's body (below its p95) as its service time and turns the
 * tail above it into common-mode client stalls (`clients.stalls`, {@link stallsFromTail}) that give
 * the same tail. A treatment phase runs on the same machine later, which may be busier: the lab
 * records each phase's send lag (`generatorLagMs`), and the stalls are rescaled by how the
 * treatment's lag differs from the baseline's ({@link scaledToLag}); a row whose lag p99 moved by
 * more than {@link MACHINE_CHANGED}× is marked, as its machine was not the one calibrated.
 * Beside it, the same model without those stalls (each replica's whole recorded latency as its
 * own, independent per request) is the other bound.
 *
 *
 * A lab run that recorded each replica's latency as the client saw it (`replicaCdf`) and the
 * client's own event-loop delay (`clientLoopDelay`) is modelled from those instead: each phase's
 * client stalls are its measured ones ({@link stallsFromLoopDelay}); each replica's service is its
 * own CDF less the injected stalls and less what the client's stalls added to its answers
 * ({@link withoutClientStalls}), its tail above its p95 as pauses of that replica (common to the
 * requests it holds, {@link pausesFromTail}). The replicas' CDFs are what the balancer's
 * peak-EWMA sees; the lab's latency adds the client's own time before each send (its send lag's
 * p50), which is added to the simulated latency (`clientMs`), not to the service. The share to
 * each replica is counted over the measured window, as the lab counts it. When the replicas
 * recorded their own stalls (`options.replicaStalls`), a later phase rescales each replica's
 * pauses by its stall time there over the baseline's ({@link pausesAtShare}). `options.mixedCdf`
 * keeps the older model for such a run too.
 *
 * Then the treatment's policy: the lab's hedging (a backup after the recent p98, ≤ 1 extra
 * attempt, 5% token budget, burst 10) or P2C over peak-EWMA with the module's default decay.
 * Replicas are pure delays (their recorded latency holds their queueing); one client; Poisson
 * arrivals at the phase's offered rate; the lab's warm-up, and {@link WINDOWS} of its windows.
 * Each row also carries the model's hedges (its real HedgeCore's events, summarised as the lab's
 * trace is: hedge-trace-summary.ts), and with the replicas' own stall records a treatment is also
 * run with those stalls replayed where they happened (`simReplayed`).
 */
import { SeededRandom } from 'headroom';
import {
  runModel,
  type DistributionSpec,
  type ModelSpec,
  type PauseSpec,
  type RecordedPausesSpec,
  type RoundTripOutcome,
} from 'headroom/sim';
import type { HedgeEvent } from 'headroom/latency';
import { scenarioCatalog } from '../lab/scenarios/catalog.js';
import type { HostProbe } from '../lab/host-probe.js';
import { hedgeFigures, type HedgeFigures } from '../lab/client/hedge-trace-summary.js';
import { bunching, type Bunching } from '../lab/client/slow-bunching.js';
import type { RoundTrip } from '../lab/client/round-trips.js';
import { resampledTimeline, type SpeedTimeline } from '../lab/client/machine-speed.js';
import { quantilesOf } from '../lab/quantile.js';

type SendLag = { readonly p50: number; readonly p99: number; readonly max: number };
type Cdf = readonly { readonly percentile: number; readonly ms: number }[];
/** The lab's `clientLoopDelay`: samples every `resolutionMs`, each one's delay beyond it, over `spanMs`. */
type LoopDelay = { readonly resolutionMs: number; readonly samples: number; readonly spanMs: number; readonly cdf: Cdf };

/** The parts of `headroom lab --json` output this reads. */
export interface LabJson {
  readonly settings: { readonly phaseDurationMs: number; readonly warmupMs: number };
  readonly environment: {
    readonly loadAverage: { readonly start: number; readonly end: number };
    /** Absent in runs from before the lab timed it. */
    readonly hostProbe?: { readonly start: HostProbe; readonly end: HostProbe };
  };
  readonly scenarios: readonly {
    readonly name: string;
    readonly phases: readonly {
      readonly label: string;
      readonly role: 'baseline' | 'treatment';
      readonly offeredPerSec: number;
      readonly slowShare: number;
      /** Requests sent in the window, and those the replicas stalled (older lab runs may lack them). */
      readonly sent?: number;
      readonly stalledRequests?: number;
      /** Attempts beyond one per request ÷ requests (hedges), as the simulator's `extraPerOriginal` (older lab runs may lack it). */
      readonly extraRequestRatio?: number;
      readonly latencyMs: { readonly p50: number; readonly p99: number };
      readonly cdf: readonly { readonly percentile: number; readonly ms: number }[];
      /** How late the client sent requests, ms (older lab runs lack it: then no rescaling). */
      readonly generatorLagMs?: SendLag;
      /** Each replica's attempts as the client saw them, send to answer, ms (older lab runs lack it). */
      readonly replicaCdf?: readonly Cdf[];
      /** The client's own event-loop delay over the window (older lab runs lack it). */
      readonly clientLoopDelay?: LoopDelay;
      /** Successful attempts per second of the window, per replica, `[second][replica]` (older lab runs lack it). */
      readonly replicaAttemptsBySecond?: readonly (readonly number[])[];
    }[];
  }[];
}

/** One row of the comparison. */
export interface LabComparisonRow {
  readonly scenario: string;
  readonly phase: string;
  readonly role: 'baseline (calibration)' | 'treatment (prediction)';
  /** `extra`: attempts beyond one per request ÷ requests (the hedges), NaN when the lab run lacks it. */
  readonly lab: { readonly p50: number; readonly p99: number; readonly slowShare: number; readonly extra: number };
  /**
   * `hedges`: what the model's hedges did over its measured window (null when it sent none), and
   * `bunching`: how its slow answers bunched in time there (null without a slow one), to set
   * beside the lab's trace.
   */
  readonly sim: {
    readonly p50: number;
    readonly p99: number;
    readonly slowShare: number;
    readonly extra: number;
    readonly hedges: HedgeFigures | null;
    readonly bunching: Bunching | null;
  };
  /** The lab client's send lag p99 in the baseline and in this phase, ms (null in older lab runs). */
  readonly sendLagP99Ms: { readonly baseline: number; readonly phase: number } | null;
  /** True when this phase's send lag p99 is more than {@link MACHINE_CHANGED}× off the baseline's. */
  readonly machineChanged: boolean;
  /**
   * Where the model came from: each replica's service from its own recorded CDF (`per-replica`) or
   * cut out of the phase's mixed one (`mixed CDF`, older lab runs); the client stalls measured as
   * the phase's event-loop delay (`loop delay`) or fitted to the baseline's tail (`fitted tail`).
   */
  readonly source: { readonly service: 'per-replica' | 'mixed CDF'; readonly stalls: 'loop delay' | 'fitted tail' };
  /**
   * The client's own time before each send that no balancer sees (the per-replica model: the
   * baseline's p50 less the simulated one, ≈ the send lag's p50), ms, added to `sim` and
   * `simWithoutStalls`; 0 in the mixed-CDF model, which shifts the replicas' service instead.
   */
  readonly clientMs: number;
  /**
   * How far the per-replica model's baseline p50 came out above the lab's before any client time
   * was added, ms (0 when below it, as it should be). A client time cannot be negative, so none is
   * added then; a large overshoot means the baseline does not calibrate the model (a load generator
   * that fell far behind its schedule, whose lag the replicas' CDFs and the loop delay both hold).
   */
  readonly baselineOvershootMs: number;
  /** The common-mode client stalls modelled: mean length and mean gap, ms; null when the tail was flat. */
  readonly clientStalls: { readonly meanMs: number; readonly meanIntervalMs: number } | null;
  /**
   * The same model without those stalls (every replica's recorded body and tail as its own,
   * independent per request): the other bound — the machine's delays as if a hedge could escape
   * them and each late answer were its replica's, against all of them common-mode.
   */
  readonly simWithoutStalls: { readonly p50: number; readonly p99: number; readonly slowShare: number };
  /**
   * The per-replica model without the replicas' own tails (null in the mixed-CDF model): each
   * replica's body below its p95 as its whole service, no pauses; the client's stalls kept. What
   * the balancer would do if the replicas never spiked — with the model (their tails as pauses)
   * it brackets the share a fast replica's spikes give the slow one (docs/sim.md).
   */
  readonly simWithoutTails: { readonly p50: number; readonly p99: number; readonly slowShare: number } | null;
  /**
   * The per-replica model with each replica's body and, instead of pauses drawn from its tail, the
   * stalls its process recorded in this phase's window, replayed at their times in every window
   * (`replicaLags`; null for a baseline, without the records, or in the mixed-CDF model): the
   * replicas' slow stretches where and together as they happened, which drawn pauses spread out.
   * With the client's own records (`clientLags`), its stalls are replayed the same way instead of
   * drawn from its loop delay (`clientStalls: 'recorded'`).
   */
  readonly simReplayed: {
    readonly p50: number;
    readonly p99: number;
    readonly slowShare: number;
    readonly clientStalls: 'recorded' | 'loop delay';
    /** The window's speed was replayed too (`options.speed`). */
    readonly speed: boolean;
  } | null;
  /**
   * A prediction of the machine's speed rather than a replay (`options.speed` with the baseline's
   * window; null for a baseline, without it, or in the mixed-CDF model): the per-replica model —
   * its drawn client stalls and replica pauses — with each replica's body at the baseline's steady
   * speed, slowed on every replica at once by a timeline drawn from the *baseline* window's speed in
   * blocks of {@link SPEED_BLOCK_BINS} bins ({@link resampledTimeline}, seed 1). It sees only what
   * the calibration window saw: the treatment window's own speed enters only the replay.
   */
  readonly simDrawnSpeed: { readonly p50: number; readonly p99: number; readonly slowShare: number } | null;
  /**
   * How each replica's pauses were rescaled for this phase (per-replica model with `replicaStalls`):
   * its recorded stall time in this phase's window over the baseline's, per replica; null when not
   * rescaled (the baseline itself, no records, or the mixed-CDF model).
   */
  readonly replicaPauseScale: readonly number[] | null;
  /**
   * The calibration check of the per-replica model, on its baseline row (null elsewhere): each
   * replica's recorded latency (send to answer) beside the same replica simulated alone with the
   * phase's client stalls (from arrival to answer), at its round-robin share of the rate.
   */
  readonly replicas: readonly { readonly recorded: Quantiles; readonly simulated: Quantiles }[] | null;
  /**
   * What one window of the lab's length gives in the model, run by run ({@link SPREAD_RUNS} seeds,
   * each its own warm-up and one window, as the lab runs a phase), beside the lab's one window:
   * a single window's share and p99 count a few events, so the lab's figure is judged against the
   * model's p5–p95 of the same figure, not its mean. Null when not asked for.
   */
  readonly spread: WindowSpread | null;
}

/** p5 and p95 of a figure across the model's runs. */
export type Range = { readonly p5: number; readonly p95: number };

/** Where the lab's figure falls against the model's range. */
export type Verdict = 'inside model range' | 'above' | 'below';

/** The lab's window against the model's window-by-window spread (see {@link LabComparisonRow.spread}). */
export interface WindowSpread {
  /** Runs of one window each. */
  readonly runs: number;
  /** The share to replica 0 over one window: the model's range and the verdict on the lab's. */
  readonly share: { readonly model: Range; readonly verdict: Verdict };
  /**
   * How far the share to replica 0 moves second by second within one window (the largest second's
   * share less the smallest): the lab's, the model's range, the verdict; null when the lab run did
   * not count attempts per second (older runs).
   */
  readonly secondSpread: {
    readonly lab: number;
    /** The lab's share to replica 0 in each second of its window. */
    readonly labSeconds: readonly number[];
    readonly model: Range;
    readonly verdict: Verdict;
  } | null;
  /** p99 over one window (client time included): the model's range and the verdict on the lab's. */
  readonly p99: { readonly model: Range; readonly verdict: Verdict };
}

/** p50, p90 and p99 of a latency, ms. */
export type Quantiles = { readonly p50: number; readonly p90: number; readonly p99: number };

/**
 * The simulated window is this many times the lab's (one run, seed 1): percentiles of the pooled
 * calls, not means of per-window ones — with ≈ 1% stalled calls in an 8 s window, a window's p99
 * lands in the stalls or in the body by chance, and a mean over seeds would sit between the two.
 */
export const WINDOWS = 10;

/**
 * Bins in a block of {@link LabComparisonRow.simDrawnSpeed}'s drawn speed: 25 bins of 20 ms, half
 * a second, longer than the bunches of slow answers the lab's traces show (tens of ms) and short
 * enough that a 40 s window gives 80 blocks to draw from.
 */
export const SPEED_BLOCK_BINS = 25;

/** Runs of one lab window each for {@link LabComparisonRow.spread}: p5–p95 of 40 runs lie between their 2nd–3rd and 38th–39th values. */
export const SPREAD_RUNS = 40;

/** The p5–p95 of a sample. */
export function rangeOf(values: readonly number[]): Range {
  const [p5, p95] = quantilesOf(values, [0.05, 0.95]) as [number, number];
  return { p5, p95 };
}

/**
 * Whether `value` lies inside `range` (bounds included), above it or below it.
 * @param tolerance - how far the value may be off and still count as inside (its rounding)
 */
export function verdictOf(value: number, range: Range, tolerance = 0): Verdict {
  return value > range.p95 + tolerance ? 'above' : value < range.p5 - tolerance ? 'below' : 'inside model range';
}

/** The lab rounds `slowShare` to 4 decimals: half its last digit is inside. */
const SHARE_ROUNDING = 0.5e-4;

/**
 * One request of `count`, as a share: how far a lab share may sit outside the model's range and
 * still count as inside (beside its rounding). The lab counts at the replicas between two
 * snapshots (per second: attempts by send time on its own clock), so a request at an edge falls on
 * either side, and round-robin's share, exact in the model, moves by one request in the lab. The
 * per-second spread is two seconds' shares apart: two requests.
 */
function oneRequest(count: number): number {
  return count > 0 ? 1 / count : 0;
}

/** The share to replica 0 in each second of a window's per-second counts (`[second][replica]`), seconds without an attempt left out. */
export function secondShares(bySecond: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (const row of bySecond) {
    const total = row.reduce((a, b) => a + b, 0);
    if (total > 0) out.push((row[0] ?? 0) / total);
  }
  return out;
}

function spreadOf(shares: readonly number[]): number {
  return shares.length === 0 ? 0 : Math.max(...shares) - Math.min(...shares);
}

/**
 * The model run {@link SPREAD_RUNS} times for one window each (seeds 1…runs): each run's share to
 * replica 0, the spread of its per-second shares, and its p99 plus `clientMs`.
 */
function windowRuns(model: ModelSpec, windowMs: number, clientMs: number, runs: number) {
  const warmup = Number(model.warmup ?? 0);
  const seconds = Math.max(1, Math.ceil(windowMs / 1000));
  const one = { ...model, duration: warmup + windowMs };
  const share: number[] = [];
  const spread: number[] = [];
  const p99: number[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const counts = Array.from({ length: seconds }, () => [0, 0]);
    const r = runModel(one, seed, {
      onDispatch: (atMs, _client, server) => {
        if (atMs < warmup) return;
        const row = counts[Math.min(seconds - 1, Math.floor((atMs - warmup) / 1000))]!;
        row[server === 0 ? 0 : 1]!++;
      },
    });
    const slow = counts.reduce((a, c) => a + c[0]!, 0);
    const total = counts.reduce((a, c) => a + c[0]! + c[1]!, 0);
    share.push(total === 0 ? 0 : slow / total);
    spread.push(spreadOf(secondShares(counts)));
    p99.push(r.latency.p99 + clientMs);
  }
  return { share: rangeOf(share), spread: rangeOf(spread), p99: rangeOf(p99) };
}

/** A treatment's send lag p99 this many times the baseline's (or less than its 1/this) marks the row. */
export const MACHINE_CHANGED = 2;

/** Where a replica's body ends and the machine's tail begins, percentile of its own latency. */
const TAIL_FROM = 95;

/** The latency at percentile `p` (0–100) of a CDF, linear between its points. */
export function msAt(cdf: Cdf, p: number): number {
  let i = 0;
  while (i + 1 < cdf.length && cdf[i + 1]!.percentile < p) i++;
  if (i + 1 >= cdf.length) return cdf[i]!.ms;
  const a = cdf[i]!;
  const b = cdf[i + 1]!;
  return b.percentile === a.percentile ? b.ms : a.ms + ((b.ms - a.ms) * (p - a.percentile)) / (b.percentile - a.percentile);
}

/**
 * The part of a CDF between percentiles `from` and `to`, rescaled to 0–100. The lab's CDF is on a
 * nines grid, coarse below p90, and a step between two grid points (the fast replicas to the slow
 * one, the body to the 250 ms stalls) would read as a ramp across it: so a cut keeps the grid points
 * inside it only, and the mass between the cut and the nearest of them joins that point's segment.
 */
export function subCdf(cdf: Cdf, from: number, to: number): Cdf {
  const inside = cdf.filter((c) => c.percentile >= from && c.percentile <= to);
  if (inside.length === 0) throw new Error(`no point of the lab's CDF between p${from} and p${to}`);
  const out = inside.map((c) => ({ percentile: (100 * (c.percentile - from)) / (to - from), ms: c.ms }));
  out[0] = { percentile: 0, ms: out[0]!.ms };
  out[out.length - 1] = { percentile: 100, ms: out[out.length - 1]!.ms };
  return out;
}

/** A CDF as empirical buckets (uniform between points). */
function buckets(cdf: Cdf): DistributionSpec {
  const b: [number, number][] = [[cdf[0]!.ms, 0]];
  for (let i = 1; i < cdf.length; i++) b.push([cdf[i]!.ms, cdf[i]!.percentile - cdf[i - 1]!.percentile]);
  return { type: 'empirical', buckets: b };
}

/** A service-time distribution (empirical buckets, or a mixture of them) with every value moved by `ms`, none below `floorMs`. */
function shiftedBy(dist: DistributionSpec, ms: number, floorMs = 0): DistributionSpec {
  if (dist.type === 'mixture')
    return { ...dist, parts: dist.parts.map((p) => ({ weight: p.weight, dist: shiftedBy(p.dist, ms, floorMs) })) };
  if (dist.type !== 'empirical') return dist;
  return { type: 'empirical', buckets: dist.buckets.map(([v, c]) => [Math.max(floorMs, v + ms), c] as [number, number]) };
}

function empiricalMean(b: readonly (readonly [number, number])[]): number {
  let sum = 0;
  let total = 0;
  let previous = b[0]![0];
  for (const [v, c] of b) {
    sum += (c * (previous + v)) / 2;
    total += c;
    previous = v;
  }
  return sum / total;
}

/**
 * Common-mode client stalls fitted to a latency CDF's tail above percentile `from`, so that the
 * body plus the stalls give that tail. A request meets a stall when it is sent or when its answer
 * arrives (two chances) and waits out the rest of it, so with stalls of length D every I on
 * average, P(extra > x) = 2·E[(D − x)⁺] / (I + E[D]) for the extra x over the body's median: the
 * tail's density at x is proportional to P(D > x) (kept non-increasing), and the tail's mass
 * (100 − from)% = P(extra > x₀), x₀ the extra at the cut, sets I. Undefined when the tail is flat.
 */
export function stallsFromTail(cdf: Cdf, from: number): PauseSpec | undefined {
  const median = msAt(cdf, 50);
  const points = [{ percentile: from, ms: msAt(cdf, from) }, ...cdf.filter((c) => c.percentile > from)];
  const steps: { readonly to: number; readonly survival: number }[] = [];
  let survival = Infinity;
  for (let i = 1; i < points.length; i++) {
    const dx = points[i]!.ms - points[i - 1]!.ms;
    if (dx <= 0) continue;
    survival = Math.min(survival, (points[i]!.percentile - points[i - 1]!.percentile) / dx);
    steps.push({ to: points[i]!.ms - median, survival });
  }
  if (steps.length === 0 || !(steps[0]!.survival > 0)) return undefined;
  // P(D > x) is a step function: D's mass sits at each step's end (a zero-width bucket before it).
  const x0 = Math.max(0, points[0]!.ms - median);
  const b: [number, number][] = [];
  let beyond = 0;
  for (let i = 0; i < steps.length; i++) {
    const mass = (steps[i]!.survival - (steps[i + 1]?.survival ?? 0)) / steps[0]!.survival;
    b.push([steps[i]!.to, 0], [steps[i]!.to, mass]);
    beyond += mass * (steps[i]!.to - x0);
  }
  const meanMs = empiricalMean(b);
  const tail = (100 - from) / 100;
  return {
    interval: { type: 'exponential', mean: Math.max(meanMs, (2 * beyond) / tail - meanMs) },
    duration: { type: 'empirical', buckets: b },
  };
}

/**
 * Pauses of one replica fitted to its latency CDF's tail above percentile `from`. A replica's pause
 * is not a client stall: a request in service when a pause of length D starts is pushed back by all
 * of D, and one that arrives during it waits the rest of it (the simulator's server does both). With
 * pauses every I on average and a service time of about s (the body's median), a request is late
 * by more than x with P(extra > x) = (E[(D − x)⁺] + s·P(D > x)) / (I + E[D]) — so the tail's density
 * g gives P(D > x) = (1/s)·∫ₓ^∞ e^(−(y − x)/s)·g(y) dy (for a long service the extra is the pause's
 * length; for a short one, as with stalls, its density), and the tail's mass the mean gap I.
 * ({@link stallsFromTail}'s two chances per request read a long service's tail as pauses far too
 * often: the slow replica's body came out 8 ms wider at p90 than recorded.) Undefined when the tail is flat.
 */
export function pausesFromTail(cdf: Cdf, from: number): PauseSpec | undefined {
  const median = msAt(cdf, 50);
  const s = Math.max(median, 1e-3);
  const points = [{ percentile: from, ms: msAt(cdf, from) }, ...cdf.filter((c) => c.percentile > from)];
  // the tail's segments: extra over the median at each end, and the density on it (% per ms)
  const ends: number[] = [];
  const density: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const dx = points[i]!.ms - points[i - 1]!.ms;
    if (dx <= 0) continue;
    ends.push(points[i]!.ms - median);
    density.push((points[i]!.percentile - points[i - 1]!.percentile) / dx);
  }
  if (ends.length === 0) return undefined;
  const x0 = Math.max(0, points[0]!.ms - median);
  const starts = ends.map((_, k) => (k === 0 ? x0 : ends[k - 1]!));
  // u(x) ∝ ∫ₓ^∞ e^(−(y − x)/s)·g(y) dy, at x0 and at each segment's end
  const survival = (x: number): number => {
    let sum = 0;
    for (let k = 0; k < ends.length; k++) {
      const a = Math.max(starts[k]!, x);
      if (ends[k]! <= a) continue;
      sum += density[k]! * s * (Math.exp(-(a - x) / s) - Math.exp(-(ends[k]! - x) / s));
    }
    return sum;
  };
  const u0 = survival(x0);
  if (!(u0 > 0)) return undefined;
  // D's mass sits at each segment's end (a zero-width bucket before it), as in stallsFromTail
  const b: [number, number][] = [];
  let previous = 1;
  let beyond = 0;
  for (let k = 0; k < ends.length; k++) {
    const next = k + 1 < ends.length ? survival(ends[k]!) / u0 : 0;
    const mass = Math.max(0, previous - next);
    b.push([ends[k]!, 0], [ends[k]!, mass]);
    beyond += mass * (ends[k]! - x0);
    previous = next;
  }
  const meanMs = empiricalMean(b);
  const tail = (100 - from) / 100;
  return {
    interval: { type: 'exponential', mean: Math.max(meanMs, (beyond + s) / tail - meanMs) },
    duration: { type: 'empirical', buckets: b },
  };
}

/** Lags up to this (ms) are timer granularity, not stalls. */
const MIN_STALL_MS = 1;

/**
 * The client stalls a recorded send lag implies: a client that stalls for D every I on average
 * sends a request arriving in a stall late by the rest of it, so P(lag > x) = (D − x)/(I + D);
 * D = the max lag and P(lag > p99) = 1% give the share of time stalled, D / (I + D) =
 * D / (100·(max − p99)). Undefined when the lab did not record it or the lag never passed
 * {@link MIN_STALL_MS}.
 */
export function stallsFromLag(lag: SendLag | undefined): { readonly durationMs: number; readonly timeShare: number } | undefined {
  if (lag === undefined || !(lag.max > MIN_STALL_MS)) return undefined;
  return { durationMs: lag.max, timeShare: Math.min(1, lag.max / Math.max(lag.max, 100 * (lag.max - Math.max(0, lag.p99)))) };
}

/**
 * Stalls fitted on the baseline, rescaled to a later phase's send lag: lengths by the ratio of the
 * lags' stall lengths, the share of time stalled by the ratio of their shares ({@link stallsFromLag}).
 * Unchanged when either phase has no lag recorded.
 */
export function scaledToLag(fitted: PauseSpec, baseline: SendLag | undefined, phase: SendLag | undefined): PauseSpec {
  const b = stallsFromLag(baseline);
  const p = stallsFromLag(phase);
  if (b === undefined || p === undefined || fitted.duration.type !== 'empirical' || fitted.interval.type !== 'exponential') return fitted;
  const length = p.durationMs / b.durationMs;
  const before = empiricalMean(fitted.duration.buckets);
  const share = Math.min(0.5, (before / (Number(fitted.interval.mean) + before)) * (p.timeShare / b.timeShare));
  const durations = fitted.duration.buckets.map(([v, c]) => [v * length, c] as [number, number]);
  const meanMs = empiricalMean(durations);
  return { interval: { type: 'exponential', mean: meanMs / share - meanMs }, duration: { type: 'empirical', buckets: durations } };
}

/**
 * A replica's pauses at `factor` times their share of time, each pause as long as before (its
 * own recorded stalls in a later phase: as many more or fewer, of about the same length).
 * `factor` 0 leaves no pauses; a share above half is held at half. Unchanged when the pauses are
 * not the fitted kind (exponential gaps, empirical lengths).
 */
export function pausesAtShare(fitted: PauseSpec, factor: number): PauseSpec | undefined {
  if (factor === 0) return undefined;
  if (fitted.duration.type !== 'empirical' || fitted.interval.type !== 'exponential') return fitted;
  const meanMs = empiricalMean(fitted.duration.buckets);
  const share = Math.min(0.5, (meanMs / (Number(fitted.interval.mean) + meanMs)) * factor);
  return { interval: { type: 'exponential', mean: meanMs / share - meanMs }, duration: fitted.duration };
}

/**
 * The client stalls a recorded event-loop delay shows: each sample delayed past
 * {@link MIN_STALL_MS} is one stall of that length (the lab samples every ms, so a stall of D is one
 * sample of ≈ D), their lengths the CDF's part above it; their number over the monitored span sets
 * the mean gap. `timeShare` is the share of time the client was stalled — the share of answers that
 * arrived during a stall. Undefined when the loop never stalled.
 */
export function stallsFromLoopDelay(loop: LoopDelay): { readonly stalls: PauseSpec; readonly timeShare: number } | undefined {
  const i = loop.cdf.findIndex((c) => c.ms > MIN_STALL_MS);
  if (i < 0) return undefined;
  // From the first grid point past MIN_STALL_MS, not interpolated across the step before it (a
  // step from the idle loop to the stalls would read as a ramp of short stalls).
  const from = loop.cdf[i]!.percentile;
  if (from >= 100) return undefined;
  const count = (loop.samples * (100 - from)) / 100;
  if (!(count >= 1) || !(loop.spanMs > 0)) return undefined;
  const lengths = loop.cdf.slice(i);
  const duration = buckets(lengths.map((c) => ({ percentile: (100 * (c.percentile - from)) / (100 - from), ms: c.ms })));
  const meanMs = empiricalMean((duration as { buckets: readonly (readonly [number, number])[] }).buckets);
  const timeShare = Math.min(0.5, (count * meanMs) / loop.spanMs);
  return { stalls: { interval: { type: 'exponential', mean: meanMs / timeShare - meanMs }, duration }, timeShare };
}

/** The percentile (0–100) of `ms` in a CDF, linear between its points. */
function percentileAt(cdf: Cdf, ms: number): number {
  if (ms < cdf[0]!.ms) return 0;
  let i = 0;
  while (i + 1 < cdf.length && cdf[i + 1]!.ms <= ms) i++;
  if (i + 1 >= cdf.length) return 100;
  const a = cdf[i]!;
  const b = cdf[i + 1]!;
  return a.percentile + ((b.percentile - a.percentile) * (ms - a.ms)) / (b.ms - a.ms);
}

/** Steps of the deconvolution's fixed point (each shrinks the error by timeShare / (1 − timeShare) ≤ 1). */
const DECONVOLUTION_STEPS = 40;

/**
 * A replica's own latency from what the client saw of it, less the client's stalls: an answer that
 * arrives while the client is stalled (a share `timeShare` of them) waits out the rest of the stall,
 * W, whose density is proportional to P(D > w) for stall lengths D. So the recorded
 * F(x) = (1 − s)·S(x) + s·E[S(x − W)], solved for the service S by a fixed point from S = F —
 * neither the top s of the CDF (wrong when the stalls are shorter than the body's spread) nor all of it.
 */
export function withoutClientStalls(cdf: Cdf, stalls: PauseSpec, timeShare: number): Cdf {
  const d = stalls.duration;
  if (d.type !== 'empirical' || !(timeShare > 0)) return cdf;
  // W on a grid of 64 steps up to the longest stall.
  const longest = Math.max(...d.buckets.map(([v]) => v));
  const lengths: Cdf = (() => {
    const points: { percentile: number; ms: number }[] = [];
    let total = 0;
    const weight = d.buckets.reduce((a, [, c]) => a + c, 0);
    for (const [v, c] of d.buckets) {
      total += c;
      points.push({ percentile: (100 * total) / weight, ms: v });
    }
    return points;
  })();
  const steps = 64;
  const w = Array.from({ length: steps }, (_, k) => ((k + 0.5) * longest) / steps);
  const g = w.map((x) => 1 - percentileAt(lengths, x) / 100);
  const gTotal = g.reduce((a, b) => a + b, 0);
  if (!(gTotal > 0)) return cdf;
  const s = Math.min(timeShare, 0.45);
  const xs = cdf.map((c) => c.ms);
  const recorded = cdf.map((c) => c.percentile / 100);
  let service = recorded.slice();
  const at = (values: readonly number[], x: number): number =>
    percentileAt(
      xs.map((ms, i) => ({ ms, percentile: values[i]! })),
      x,
    );
  for (let step = 0; step < DECONVOLUTION_STEPS; step++) {
    const next = xs.map((x, i) => {
      let delayed = 0;
      for (let k = 0; k < steps; k++) delayed += g[k]! * (x - w[k]! < xs[0]! ? 0 : at(service, x - w[k]!));
      return Math.min(1, Math.max(0, (recorded[i]! - (s * delayed) / gTotal) / (1 - s)));
    });
    for (let i = 1; i < next.length; i++) next[i] = Math.max(next[i]!, next[i - 1]!);
    next[next.length - 1] = 1;
    service = next;
  }
  return xs.map((ms, i) => ({ percentile: 100 * service[i]!, ms }));
}

/** How long a request the lab's `stalls` scenario stalls waits, ms (its catalog's). */
export function injectedStallMs(): number {
  return labFaults().stallMs;
}

/** What the lab injects in the two scenarios, from its own catalog (so the model follows it). */
function labFaults() {
  const catalog = scenarioCatalog({ replicas: 3 });
  const stalls = catalog.find((s) => s.name === 'stalls')!;
  return {
    // round-robin's share of replica 0, the slow one
    slowShare: 1 / 3,
    stallProbability: stalls.faults(0).stallProbability,
    stallMs: stalls.faults(0).stallMs,
    hedge: stalls.hedge!,
  };
}

/**
 * One run of `model` (seed 1), its latencies plus `clientMs`; with `details`, what its hedges did
 * and how its slow answers bunched too (null without, or when it sent no hedge or had no slow answer).
 */
function simulate(
  model: ModelSpec,
  clientMs = 0,
  details = false,
): { p50: number; p99: number; slowShare: number; extra: number; hedges: HedgeFigures | null; bunching: Bunching | null } {
  // The share over the measured window, as the lab counts it (its replicas' requests between the
  // window's first and last send), not over the warm-up too; with `details`, the hedges and the
  // answered round trips over the same window.
  const warmup = Number(model.warmup ?? 0);
  const sent: number[] = [];
  const backups: { afterMs: number; delayMs: number }[] = [];
  const wins: { attempt: number; attempts: number; latencyMs: number }[] = [];
  const trips: RoundTrip[] = [];
  const r = runModel(model, 1, {
    onDispatch: (atMs, _client, server) => {
      if (atMs >= warmup) sent[server] = (sent[server] ?? 0) + 1;
    },
    ...(details
      ? {
          onHedge: (atMs: number, _client: number, e: HedgeEvent) => {
            if (atMs < warmup) return;
            if (e.type === 'hedge') backups.push(e);
            else if (e.type === 'win') wins.push(e);
          },
          onRoundTrip: (atMs: number, _client: number, server: number, rttMs: number, outcome: RoundTripOutcome) => {
            if (outcome === 'success') trips.push({ t: atMs, replica: server, ms: rttMs });
          },
        }
      : {}),
  });
  const total = sent.reduce((a, b) => a + (b ?? 0), 0);
  const servers = model.servers.reduce((n, g) => n + g.count, 0);
  return {
    p50: r.latency.p50 + clientMs,
    p99: r.latency.p99 + clientMs,
    slowShare: total === 0 ? 0 : (sent[0] ?? 0) / total,
    extra: r.extraPerOriginal,
    hedges: details ? hedgeFigures(backups, wins) : null,
    bunching: details ? bunching(trips, servers, warmup, Number(model.duration), injectedStallMs()) : null,
  };
}

/** The machine's speed over one phase's window (lab/client/machine-speed.ts). */
export interface WindowSpeed {
  /** Its slow-down factor per bin. */
  readonly timeline: SpeedTimeline;
  /** Per replica, `[percentile, ratio]`: its answers' quantiles at a steady speed over as recorded. */
  readonly steady: readonly (readonly (readonly [number, number])[])[];
}

/** `cdf` with each point's time multiplied by `ratios`' ratio at its percentile (linear between them, the nearest outside them). */
export function atSteadySpeed(cdf: Cdf, ratios: readonly (readonly [number, number])[]): Cdf {
  if (ratios.length === 0) return cdf;
  const ratioAt = (p: number): number => {
    if (p <= ratios[0]![0]) return ratios[0]![1];
    for (let i = 1; i < ratios.length; i++) {
      const [p1, r1] = ratios[i]!;
      if (p <= p1) {
        const [p0, r0] = ratios[i - 1]!;
        return r0 + ((r1 - r0) * (p - p0)) / (p1 - p0);
      }
    }
    return ratios[ratios.length - 1]![1];
  };
  const out = cdf.map((c) => ({ percentile: c.percentile, ms: c.ms * ratioAt(c.percentile) }));
  // still a CDF: times never fall as the percentile rises
  for (let i = 1; i < out.length; i++) if (out[i]!.ms < out[i - 1]!.ms) out[i] = { ...out[i]!, ms: out[i - 1]!.ms };
  return out;
}

/** A timeline's factors as `slow` faults on every one of `servers` servers, from the warm-up's end, repeated every window. */
function slowFaults(timeline: SpeedTimeline, servers: number, settings: LabJson['settings']): NonNullable<ModelSpec['faults']> {
  return Array.from({ length: WINDOWS }, (_, w) =>
    slowFaultsFrom(timeline, servers, settings.warmupMs + w * settings.phaseDurationMs),
  ).flat();
}

/** A timeline's factors as `slow` faults on every one of `servers` servers, its first bin at `fromMs`. */
function slowFaultsFrom(timeline: SpeedTimeline, servers: number, fromMs: number): NonNullable<ModelSpec['faults']> {
  const all = Array.from({ length: servers }, (_, k) => k);
  return timeline.factors.map((factor, b) => ({ atMs: fromMs + b * timeline.binMs, action: 'slow' as const, servers: all, factor }));
}

/**
 * The comparison rows for the slow-replica and stalls scenarios present in a lab run.
 * @param options.mixedCdf - model from the phase's mixed CDF and fitted stalls even when the run has
 *   per-replica CDFs and the client's loop delay (the older model, to set beside the newer)
 * @param options.spreadRuns - runs of one window each for the rows' `spread` (default {@link SPREAD_RUNS}; 0: none)
 */
export function compareWithLab(
  lab: LabJson,
  options: {
    readonly mixedCdf?: boolean;
    readonly spreadRuns?: number;
    /** Pauses of the whole machine per scenario (`sim-vs-lab --picks`: its baseline window's fleet-wide stalls), added to every phase's model. */
    readonly machinePauses?: ReadonlyMap<string, PauseSpec>;
    /**
     * Each replica's recorded event-loop stall time as a share of each phase's window, by scenario
     * and phase label (`sim-vs-lab --picks`: the replicas' own files). A later phase's model then
     * rescales every replica's pauses by its share there over the baseline's ({@link pausesAtShare}),
     * as the client's stalls are each phase's own (a replica with none recorded in the baseline
     * keeps its pauses: factor 1).
     */
    readonly replicaStalls?: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;
    /**
     * Each replica's recorded stalls in each phase's window, `[startMs, lengthMs]` from the window's
     * start, by scenario and phase label (`sim-vs-lab --picks`: the replicas' own files). Each
     * treatment row then also gets `simReplayed`: the replicas' bodies with those stalls replayed
     * where they happened, every window.
     */
    readonly replicaLags?: ReadonlyMap<string, ReadonlyMap<string, readonly (readonly [number, number])[][]>>;
    /**
     * The lab client's own recorded stalls in each phase's window, `[startMs, lengthMs]` from the
     * window's start, by scenario and phase label (`sim-vs-lab --picks`: `<file>.client.ndjson`).
     * `simReplayed` then replays them as the client's stalls (`clients.stallsAt`, every window)
     * instead of drawing its stalls from its loop delay.
     */
    readonly clientLags?: ReadonlyMap<string, ReadonlyMap<string, readonly (readonly [number, number])[]>>;
    /**
     * The machine's speed over each phase's window, by scenario and phase label (`sim-vs-lab
     * --picks`: from the trace's round trips, lab/client/machine-speed.ts). With the baseline's and
     * a treatment's, `simReplayed` also replays the treatment window's slow-down factors on every
     * replica, each replica's service first made as narrow as the baseline's answers at a steady speed.
     */
    readonly speed?: ReadonlyMap<string, ReadonlyMap<string, WindowSpeed>>;
  } = {},
): LabComparisonRow[] {
  const spreadRuns = options.spreadRuns ?? SPREAD_RUNS;
  const faults = labFaults();
  const rows: LabComparisonRow[] = [];
  for (const scenario of lab.scenarios) {
    const base = scenario.phases.find((p) => p.role === 'baseline');
    if (base === undefined || (scenario.name !== 'stalls' && scenario.name !== 'slow-replica')) continue;
    const machinePauses = options.machinePauses?.get(scenario.name);
    let servers: ModelSpec['servers'];
    // the same replicas with their whole recorded latency as their own (the no-stalls bound)
    let independent: ModelSpec['servers'];
    // the per-replica model's replicas with their bodies only (no pauses): the other side of the bracket
    let bodies: ModelSpec['servers'] | undefined;
    // each replica's service CDF in the per-replica model (its body and tail), for the speed replay
    let services: Cdf[] | undefined;
    let fitted: PauseSpec | undefined;
    const stalled =
      scenario.name !== 'stalls'
        ? 0
        : base.stalledRequests !== undefined && base.sent
          ? base.stalledRequests / base.sent
          : faults.stallProbability;
    // Each request the replicas stalled gets 250 ms on top of the body (each replica's own).
    const group = (body: DistributionSpec, count = 1): ModelSpec['servers'][number] => ({
      count,
      workers: 'unbounded',
      service:
        stalled === 0
          ? body
          : {
              type: 'mixture',
              parts: [
                { weight: 1 - stalled, dist: body },
                { weight: stalled, dist: shiftedBy(body, faults.stallMs) },
              ],
            },
    });
    const measured = base.clientLoopDelay === undefined ? undefined : stallsFromLoopDelay(base.clientLoopDelay);
    const replicas = base.replicaCdf;
    const perReplica =
      options.mixedCdf !== true &&
      replicas !== undefined &&
      base.clientLoopDelay !== undefined &&
      replicas.length > 0 &&
      replicas.every((c) => c.length > 0);
    if (perReplica) {
      // Each replica's own latency, minus the injected stalls, less what the client's measured
      // stalls added to its answers (deconvolved): the rest is its service.
      const own = replicas.map((c) => (stalled === 0 ? c : subCdf(c, 0, 100 * (1 - stalled))));
      fitted = measured?.stalls;
      services = own.map((c) => (measured === undefined ? c : withoutClientStalls(c, measured.stalls, measured.timeShare)));
      servers = services.map((service) => {
        // What is left above the replica's p95 is its own machine's (its event loop, the
        // scheduler): common to the requests it holds, as pauses of the replica, fitted as above.
        const pauses = pausesFromTail(service, TAIL_FROM);
        return pauses === undefined ? group(buckets(service)) : { ...group(buckets(subCdf(service, 0, TAIL_FROM))), pauses };
      });
      bodies = services.map((service) => group(buckets(subCdf(service, 0, TAIL_FROM))));
      independent = own.map((c) => group(buckets(c)));
    } else if (scenario.name === 'stalls') {
      const own = subCdf(base.cdf, 0, 100 * (1 - stalled));
      fitted = stallsFromTail(own, TAIL_FROM);
      servers = [group(buckets(subCdf(own, 0, TAIL_FROM)), 3)];
      independent = [group(buckets(own), 3)];
    } else {
      // The slow replica's third is at the top, on the fine part of the nines grid: its tail is
      // the machine's tail; the fast replicas' body is the CDF's lower two thirds.
      const cut = 100 * (1 - faults.slowShare);
      const slow = subCdf(base.cdf, cut, 100);
      const fast = group(buckets(subCdf(base.cdf, 0, cut)), 2);
      fitted = stallsFromTail(slow, TAIL_FROM);
      servers = [group(buckets(subCdf(slow, 0, TAIL_FROM))), fast];
      independent = [group(buckets(slow)), fast];
    }
    const stallShares = options.replicaStalls?.get(scenario.name);
    // the per-replica model's replicas for a later phase: pauses rescaled to its recorded stalls
    const rescaled = (phase: (typeof scenario.phases)[number]): { groups: ModelSpec['servers']; scale: number[] } | null => {
      const before = stallShares?.get(base.label);
      const now = stallShares?.get(phase.label);
      if (!perReplica || phase === base || before === undefined || now === undefined) return null;
      const scale = servers.map((_, k) => (before[k]! > 0 && now[k] !== undefined ? now[k]! / before[k]! : 1));
      const groups = servers.map((g, k) => {
        if (g.pauses === undefined) return g;
        const pauses = pausesAtShare(g.pauses, scale[k]!);
        const { pauses: _dropped, ...rest } = g;
        return pauses === undefined ? rest : { ...g, pauses };
      });
      return { groups, scale };
    };
    const model = (
      phase: (typeof scenario.phases)[number],
      clients: NonNullable<ModelSpec['clients']>,
      groups: ModelSpec['servers'] = servers,
    ): ModelSpec => ({
      duration: lab.settings.warmupMs + WINDOWS * lab.settings.phaseDurationMs,
      warmup: lab.settings.warmupMs,
      arrivals: { type: 'poisson', ratePerSec: phase.offeredPerSec },
      clients,
      servers: groups,
      ...(machinePauses === undefined ? {} : { machinePauses }),
    });
    // The replicas' bodies with their recorded stalls in the window replayed where they happened
    // (every window); no drawn machine pauses: the records hold the fleet-wide stalls too. With the
    // client's records, its stalls are replayed the same way instead of drawn.
    const record = (lags: readonly (readonly [number, number])[]): RecordedPausesSpec => ({
      at: lags.filter(([t]) => t < lab.settings.phaseDurationMs),
      every: lab.settings.phaseDurationMs,
    });
    const speedOf = (phase: (typeof scenario.phases)[number]): WindowSpeed | undefined =>
      options.speed?.get(scenario.name)?.get(phase.label);
    const replayed = (
      phase: (typeof scenario.phases)[number],
      clients: NonNullable<ModelSpec['clients']>,
      groups: ModelSpec['servers'],
      lags: readonly (readonly [number, number])[][],
      clientLags: readonly (readonly [number, number])[] | undefined,
      speed: { readonly now: SpeedTimeline; readonly groups: ModelSpec['servers'] } | undefined,
    ): ModelSpec => {
      const { stalls: _drawn, ...policy } = clients;
      const { machinePauses: _shared, ...rest } = model(
        phase,
        clientLags === undefined ? clients : { ...policy, stallsAt: record(clientLags) },
        (speed?.groups ?? groups).map((g, k) => ({ ...g, pausesAt: record(lags[k] ?? []) })),
      );
      return speed === undefined ? rest : { ...rest, faults: slowFaults(speed.now, groups.length, lab.settings) };
    };
    // the replicas' bodies at the baseline's steady speed, for a speed replay
    const steadyBodies = ((): ModelSpec['servers'] | undefined => {
      const ratios = speedOf(base)?.steady;
      if (services === undefined || ratios === undefined || ratios.length < services.length) return undefined;
      return services.map((service, k) => group(buckets(subCdf(atSteadySpeed(service, ratios[k]!), 0, TAIL_FROM))));
    })();
    // The per-replica model with its bodies at the baseline's steady speed and the baseline's speed
    // drawn in blocks over every window, on every replica at once (a prediction: no treatment record).
    const drawnSpeed = (phase: (typeof scenario.phases)[number], clients: NonNullable<ModelSpec['clients']>): ModelSpec | undefined => {
      const source = speedOf(base)?.timeline;
      if (phase === base || source === undefined || steadyBodies === undefined) return undefined;
      const groups = steadyBodies.map((g, k) => (servers[k]?.pauses === undefined ? g : { ...g, pauses: servers[k]!.pauses }));
      const bins = Math.ceil((WINDOWS * lab.settings.phaseDurationMs) / source.binMs);
      const drawn = resampledTimeline(source, bins, SPEED_BLOCK_BINS, new SeededRandom(1).fork('speed'));
      return { ...model(phase, clients, groups), faults: slowFaultsFrom(drawn, groups.length, lab.settings.warmupMs) };
    };
    // The client's own time that no balancer sees, ms: added to every simulated latency (per-replica model).
    let clientMs = 0;
    let baselineOvershootMs = 0;
    if (fitted !== undefined) {
      const excess = simulate(model(base, { picker: 'round-robin', stalls: fitted })).p50 - base.latencyMs.p50;
      if (perReplica) {
        // Each replica's CDF is its attempts' send-to-answer time, what the balancer's peak-EWMA
        // sees; the lab's latency adds the client's time before the send (its timers fire late:
        // the send lag's p50, 0.6–0.8 ms). That time is the calibration's p50 gap: it goes on top
        // of the simulated latency, not into the replicas' service, where it would shrink the
        // gap the balancer sees between a 4.6 ms fast replica and the 41 ms slow one.
        clientMs = Math.max(0, -excess);
        baselineOvershootMs = Math.max(0, excess);
      } else {
        // The recorded body already holds the small delays the stalls add below the cut: shift
        // every service time so that the baseline's p50 comes out as recorded.
        // (No service time below the fastest request the lab recorded.)
        servers = servers.map((g) => ({ ...g, service: shiftedBy(g.service, -excess, base.cdf[0]!.ms) }));
      }
    }
    // Each replica simulated alone beside its recorded CDF: does the model give every replica back?
    const replicaCheck =
      perReplica && replicas !== undefined
        ? replicas.map((c, k) => {
            const r = runModel(
              {
                ...model(base, { picker: 'round-robin', ...(fitted === undefined ? {} : { stalls: fitted }) }, [servers[k]!]),
                arrivals: { type: 'poisson', ratePerSec: base.offeredPerSec / replicas.length },
              },
              1,
            ).latency;
            return {
              recorded: { p50: msAt(c, 50), p90: msAt(c, 90), p99: msAt(c, 99) },
              simulated: { p50: r.p50, p90: r.p90, p99: r.p99 },
            };
          })
        : null;
    for (const phase of scenario.phases) {
      const policy: NonNullable<ModelSpec['clients']> =
        phase.role === 'baseline'
          ? { picker: 'round-robin' }
          : scenario.name === 'stalls'
            ? {
                picker: 'round-robin',
                hedge: {
                  percentile: faults.hedge.delayPercentile,
                  maxExtra: faults.hedge.maxExtraAttempts,
                  budget: { ratio: faults.hedge.budgetRatio, maxTokens: 10 },
                },
              }
            : { picker: 'p2c', load: 'peak-ewma' };
      const stalls = perReplica
        ? phase === base
          ? fitted
          : phase.clientLoopDelay === undefined
            ? fitted
            : stallsFromLoopDelay(phase.clientLoopDelay)?.stalls
        : fitted === undefined
          ? undefined
          : phase === base
            ? fitted
            : scaledToLag(fitted, base.generatorLagMs, phase.generatorLagMs);
      const lag =
        base.generatorLagMs === undefined || phase.generatorLagMs === undefined
          ? null
          : { baseline: base.generatorLagMs.p99, phase: phase.generatorLagMs.p99 };
      const ratio = lag === null ? 1 : Math.max(lag.phase, MIN_STALL_MS) / Math.max(lag.baseline, MIN_STALL_MS);
      const meanMs = stalls?.duration.type === 'empirical' ? empiricalMean(stalls.duration.buckets) : 0;
      const replicasNow = rescaled(phase);
      const lags = options.replicaLags?.get(scenario.name)?.get(phase.label);
      const clientLags = options.clientLags?.get(scenario.name)?.get(phase.label);
      const speedNow = speedOf(phase)?.timeline;
      const phaseModel = model(phase, stalls === undefined ? policy : { ...policy, stalls }, replicasNow?.groups);
      const drawnSpec = drawnSpeed(phase, stalls === undefined ? policy : { ...policy, stalls });
      rows.push({
        scenario: scenario.name,
        phase: phase.label,
        role: phase.role === 'baseline' ? 'baseline (calibration)' : 'treatment (prediction)',
        lab: {
          p50: phase.latencyMs.p50,
          p99: phase.latencyMs.p99,
          slowShare: phase.slowShare,
          extra: phase.extraRequestRatio ?? Number.NaN,
        },
        sendLagP99Ms: lag,
        source: { service: perReplica ? 'per-replica' : 'mixed CDF', stalls: perReplica ? 'loop delay' : 'fitted tail' },
        machineChanged: ratio > MACHINE_CHANGED || ratio < 1 / MACHINE_CHANGED,
        clientStalls: stalls === undefined ? null : { meanMs, meanIntervalMs: Number((stalls.interval as { mean: number }).mean) },
        clientMs,
        baselineOvershootMs,
        sim: simulate(phaseModel, clientMs, true),
        simWithoutStalls: simulate(model(phase, policy, independent), clientMs),
        simWithoutTails:
          bodies === undefined ? null : simulate(model(phase, stalls === undefined ? policy : { ...policy, stalls }, bodies), clientMs),
        simReplayed:
          phase === base || bodies === undefined || lags === undefined
            ? null
            : {
                ...latencyFigures(
                  simulate(
                    replayed(
                      phase,
                      stalls === undefined ? policy : { ...policy, stalls },
                      bodies,
                      lags,
                      clientLags,
                      speedNow === undefined || steadyBodies === undefined ? undefined : { now: speedNow, groups: steadyBodies },
                    ),
                    clientMs,
                  ),
                ),
                clientStalls: clientLags === undefined ? 'loop delay' : 'recorded',
                speed: speedNow !== undefined && steadyBodies !== undefined,
              },
        simDrawnSpeed: drawnSpec === undefined ? null : latencyFigures(simulate(drawnSpec, clientMs)),
        replicas: phase === base ? replicaCheck : null,
        replicaPauseScale: replicasNow?.scale ?? null,
        spread:
          spreadRuns > 0
            ? windowSpread(phase, windowRuns(phaseModel, lab.settings.phaseDurationMs, clientMs, spreadRuns), spreadRuns)
            : null,
      });
    }
  }
  return rows;
}

/** The lab phase's window judged against the model's window-by-window ranges. */
function windowSpread(
  phase: LabJson['scenarios'][number]['phases'][number],
  model: ReturnType<typeof windowRuns>,
  runs: number,
): WindowSpread {
  const bySecond = phase.replicaAttemptsBySecond;
  const labSeconds = bySecond === undefined ? null : secondShares(bySecond);
  // a second's attempts, the fewest of the window's (its one request is the largest share)
  const fewest = bySecond === undefined ? 0 : Math.min(...bySecond.map((row) => row.reduce((a, b) => a + b, 0)).filter((n) => n > 0));
  return {
    runs,
    share: { model: model.share, verdict: verdictOf(phase.slowShare, model.share, SHARE_ROUNDING + oneRequest(phase.sent ?? 0)) },
    secondSpread:
      labSeconds === null || labSeconds.length === 0
        ? null
        : {
            lab: spreadOf(labSeconds),
            labSeconds,
            model: model.spread,
            verdict: verdictOf(spreadOf(labSeconds), model.spread, 2 * oneRequest(fewest)),
          },
    p99: { model: model.p99, verdict: verdictOf(phase.latencyMs.p99, model.p99) },
  };
}

/** The p50, p99 and share to replica 0 of a simulated run, without its other figures. */
function latencyFigures(r: { readonly p50: number; readonly p99: number; readonly slowShare: number }): {
  p50: number;
  p99: number;
  slowShare: number;
} {
  return { p50: r.p50, p99: r.p99, slowShare: r.slowShare };
}
