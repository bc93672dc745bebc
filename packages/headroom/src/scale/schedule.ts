/**
 * Arrival schedules as data: when an open-loop generator *intends* to send each request. A
 * schedule is a list of steps, each a rate held for a duration, and an arrival process:
 *
 * - `'constant'`: evenly spaced arrivals, 1/rate apart (wrk2's schedule), the first at the step's start;
 * - `'poisson'`: exponentially distributed gaps of mean 1/rate drawn from the injected Random — the
 *   arrivals of many independent users. The first arrival is at the schedule's start; when a gap
 *   crosses into the next step, the process restarts at the boundary with a gap at the new rate
 *   (exact for a piecewise constant rate, because exponential gaps are memoryless).
 *
 * One step is a constant or Poisson rate; several are a stepped rate (a rate of 0 is a pause). A
 * step with `toRatePerSec` is a ramp: the rate changes linearly from `ratePerSec` to `toRatePerSec`
 * over the step. Ramps are exact, by time rescaling: with Λ(t) = r₀t + (r₁ − r₀)t²/2D the expected
 * arrivals by t, constant arrivals are the times where Λ(t) = 0, 1, 2, …, and Poisson arrivals are
 * a unit-rate Poisson process in Λ mapped back through Λ⁻¹ (a non-homogeneous Poisson process).
 * {@link arrivalOffsets} turns a schedule into intended send times, with no timers: the driver, a
 * replay and a simulator can all read the same schedule.
 *
 * A `phase` shifts constant arrivals (and ramps') by a fraction of one arrival: they land where
 * Λ(t) = phase, 1 + phase, 2 + phase, … W shares of a rate r at r/W with phases 0, 1/W, …, (W−1)/W
 * together send exactly the times of the whole schedule, interleaved: how a plan is split among
 * workers, so that their requests do not go out W at a time.
 */
import type { Duration } from '../core/duration.js';
import type { Random } from '../core/random.js';
import { parsePositiveDuration } from '../core/duration.js';
import { invalidScaleOption } from './models/errors.js';

/** One step of a schedule: a rate held for a duration, or a linear ramp. */
export interface RateStep {
  /** Arrivals per second, ≥ 0 (0 = a pause); with `toRatePerSec`, the rate at the step's start. */
  readonly ratePerSec: number;
  /** The rate at the step's end, ≥ 0: the rate changes linearly over the step (a ramp); default `ratePerSec`. */
  readonly toRatePerSec?: number;
  /** How long the step lasts: a number of ms or a string like '10s'; > 0. */
  readonly duration: Duration;
}

/** When an open-loop generator intends to send: see the file comment. */
export interface ArrivalSchedule {
  /** Evenly spaced (`'constant'`) or exponential (`'poisson'`) gaps. */
  readonly arrivals: 'constant' | 'poisson';
  /** The steps, in order; at least one. */
  readonly steps: readonly RateStep[];
  /**
   * Constant arrivals and ramps: the fraction of one arrival, in [0, 1), by which every arrival of
   * each step is shifted (arrival k lands where Λ(t) = k + phase); default 0. Poisson arrivals ignore it.
   */
  readonly phase?: number;
}

/** A validated step, in ms. */
export interface ResolvedStep {
  readonly ratePerSec: number;
  /** The rate at the step's end (equal to `ratePerSec` unless the step is a ramp). */
  readonly toRatePerSec: number;
  readonly durationMs: number;
}

/** A linear ramp from `fromRatePerSec` to `toRatePerSec` over `duration`. */
export function rampRate(
  fromRatePerSec: number,
  toRatePerSec: number,
  duration: Duration,
  arrivals: 'constant' | 'poisson' = 'constant',
): ArrivalSchedule {
  return { arrivals, steps: [{ ratePerSec: fromRatePerSec, toRatePerSec, duration }] };
}

/** One rate for `duration` with evenly spaced arrivals. */
export function constantRate(ratePerSec: number, duration: Duration): ArrivalSchedule {
  return { arrivals: 'constant', steps: [{ ratePerSec, duration }] };
}

/** One mean rate for `duration` with Poisson arrivals. */
export function poissonRate(ratePerSec: number, duration: Duration): ArrivalSchedule {
  return { arrivals: 'poisson', steps: [{ ratePerSec, duration }] };
}

/**
 * Validates a schedule and returns its steps in ms.
 * @throws HR_SCALE_INVALID_OPTION on an unknown arrival process, no steps, a step without a
 *   duration, a negative or non-finite rate, a phase outside [0, 1), or a schedule with no arrivals at all;
 *   HR_CORE_INVALID_DURATION on a duration that is not positive
 */
export function resolveSchedule(schedule: ArrivalSchedule, option = 'schedule'): ResolvedStep[] {
  if (schedule.arrivals !== 'constant' && schedule.arrivals !== 'poisson') {
    throw invalidScaleOption(`${option}.arrivals`, schedule.arrivals, "use 'constant' or 'poisson'");
  }
  const phase = schedule.phase ?? 0;
  if (!(typeof phase === 'number' && phase >= 0 && phase < 1)) {
    throw invalidScaleOption(`${option}.phase`, phase, 'use a fraction of one arrival, from 0 up to (not including) 1');
  }
  if (!Array.isArray(schedule.steps) || schedule.steps.length === 0) {
    throw invalidScaleOption(`${option}.steps`, schedule.steps, 'give at least one { ratePerSec, duration } step');
  }
  const steps = schedule.steps.map((step, i) => {
    const ratePerSec = step.ratePerSec;
    if (!(typeof ratePerSec === 'number' && Number.isFinite(ratePerSec) && ratePerSec >= 0)) {
      throw invalidScaleOption(`${option}.steps[${i}].ratePerSec`, ratePerSec, 'use a finite number of requests per second ≥ 0');
    }
    const toRatePerSec = step.toRatePerSec ?? ratePerSec;
    if (!(typeof toRatePerSec === 'number' && Number.isFinite(toRatePerSec) && toRatePerSec >= 0)) {
      throw invalidScaleOption(`${option}.steps[${i}].toRatePerSec`, toRatePerSec, 'use a finite number of requests per second ≥ 0');
    }
    if (step.duration === undefined)
      throw invalidScaleOption(`${option}.steps[${i}].duration`, undefined, "give each step a duration such as '10s'");
    return { ratePerSec, toRatePerSec, durationMs: parsePositiveDuration(step.duration, `${option}.steps[${i}].duration`, 0) };
  });
  if (!steps.some((s) => s.ratePerSec > 0 || s.toRatePerSec > 0)) {
    throw invalidScaleOption(`${option}.steps`, schedule.steps, 'give at least one step a positive ratePerSec');
  }
  return steps;
}

/** Total length of a schedule, ms. */
export function scheduleDurationMs(steps: readonly ResolvedStep[]): number {
  return steps.reduce((sum, s) => sum + s.durationMs, 0);
}

/**
 * The intended send times of `schedule`, in ms from its start, in increasing order. Poisson gaps
 * take one draw each from `options.random` (constant schedules draw nothing), so the same seed
 * gives the same schedule.
 * @throws as {@link resolveSchedule}, when called
 */
export function* arrivalOffsets(schedule: ArrivalSchedule, options: { readonly random: Random }): Generator<number, void, undefined> {
  const { random } = options;
  const steps = resolveSchedule(schedule);
  const poisson = schedule.arrivals === 'poisson';
  const phase = schedule.phase ?? 0;
  let stepStart = 0;
  let first = true;
  for (const step of steps) {
    const end = stepStart + step.durationMs;
    if (step.ratePerSec > 0 || step.toRatePerSec > 0) {
      if (step.toRatePerSec === step.ratePerSec) {
        const meanGapMs = 1000 / step.ratePerSec;
        if (poisson) {
          let t = first ? stepStart : stepStart + exponentialGapMs(random, meanGapMs);
          for (; t < end; t += exponentialGapMs(random, meanGapMs)) yield t;
        } else {
          // Multiply rather than accumulate, so the millionth arrival is not off by a million roundings.
          for (let k = phase; stepStart + k * meanGapMs < end; k++) yield stepStart + k * meanGapMs;
        }
      } else {
        // A ramp: arrival k (in expected-count units) lands where Λ(t) = k; Λ(step end) arrivals in all.
        const expected = ((step.ratePerSec + step.toRatePerSec) / 2) * (step.durationMs / 1000);
        let k = poisson ? (first ? 0 : exponentialGapMs(random, 1)) : phase;
        for (; k < expected; k += poisson ? exponentialGapMs(random, 1) : 1) yield stepStart + rampInverseMs(step, k);
      }
      first = false;
    }
    stepStart = end;
  }
}

/** The time into a ramp step, ms, at which Λ(t) = r₀t + (r₁ − r₀)t²/2D (t, D in s) reaches `count`. */
function rampInverseMs(step: ResolvedStep, count: number): number {
  if (count === 0) return 0;
  const a = (step.toRatePerSec - step.ratePerSec) / (2 * (step.durationMs / 1000));
  const b = step.ratePerSec;
  // The root of a·t² + b·t − count = 0 written so that it stays exact as a → 0 and when b = 0.
  const seconds = (2 * count) / (b + Math.sqrt(Math.max(0, b * b + 4 * a * count)));
  return Math.min(seconds * 1000, step.durationMs);
}

/** An exponentially distributed gap of mean `meanGapMs` (one draw). */
function exponentialGapMs(random: Random, meanGapMs: number): number {
  return -Math.log(1 - random.next()) * meanGapMs;
}
