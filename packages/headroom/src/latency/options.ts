/**
 * Option checks shared by the latency policies: each throws `HR_LATENCY_INVALID_OPTION` naming the
 * option, the value and the fix, at construction time.
 */
import { parseDuration, type Duration } from '../core/duration.js';
import { InvalidOptionError } from '../core/errors.js';

const CODE = 'HR_LATENCY_INVALID_OPTION';

/** A finite number ≥ `min` (and ≤ `max`), or `fallback` when undefined. */
export function numberOption(option: string, value: number | undefined, fallback: number, min: number, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `a finite number ≥ ${min}` : `a number from ${min} to ${max}`;
    throw new InvalidOptionError(option, value, `use ${range}`, CODE);
  }
  return value;
}

/** An integer ≥ `min` (and ≤ `max`), or `fallback` when undefined. */
export function intOption(option: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(option, value, `use an integer from ${min} to ${max}`, CODE);
  }
  return value;
}

/**
 * A duration in ms (number or string like '250ms'), or `fallback` when undefined.
 * @throws HR_CORE_INVALID_DURATION naming the option, as every module's durations do
 */
export function durationOption(option: string, value: Duration | undefined, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, option);
}

/**
 * A duration of at least 1 ms (a timer period, a resolution), or `fallback` when undefined.
 * @throws HR_CORE_INVALID_DURATION when malformed; HR_LATENCY_INVALID_OPTION when below 1 ms
 */
export function atLeastOneMs(option: string, value: Duration | undefined, fallback: number): number {
  const ms = durationOption(option, value, fallback);
  if (ms < 1) throw new InvalidOptionError(option, value, "use a duration of at least 1 ms, e.g. '10ms'", CODE);
  return ms;
}

/** Throws the module's invalid-option error. */
export function invalidOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, CODE);
}
