/**
 * Option checks of the scale module: each throws `HR_SCALE_INVALID_OPTION` naming the option, the
 * value and the fix, before anything starts.
 */
import { parseDuration, type Duration } from '../core/duration.js';
import { InvalidOptionError } from '../core/errors.js';

const CODE = 'HR_SCALE_INVALID_OPTION';

/** The module's invalid-option error. */
export function invalidScaleOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, CODE);
}

/** A finite number ≥ `min`; throws otherwise. */
export function finiteAtLeast(option: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw invalidScaleOption(option, value, `use a finite number ≥ ${min}`);
  }
  return value;
}

/** A duration in ms (a number of ms or a string like '250ms'), `fallbackMs` when undefined. */
export function durationMs(option: string, value: Duration | undefined, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, option);
}
