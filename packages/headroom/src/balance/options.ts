/** Validation of balance options: each failure names the option, the value and the fix. */
import { InvalidOptionError } from '../core/errors.js';

const CODE = 'HR_BALANCE_INVALID_OPTION';

/** Throws unless `value` is a finite number > 0. */
export function requirePositive(option: string, value: number, example: string): number {
  if (!(value > 0 && Number.isFinite(value)))
    throw new InvalidOptionError(option, value, `use a positive finite number, e.g. ${example}`, CODE);
  return value;
}

/** Throws unless `value` is a finite number ≥ 0. */
export function requireNonNegative(option: string, value: number, example: string): number {
  if (!(value >= 0 && Number.isFinite(value)))
    throw new InvalidOptionError(option, value, `use a non-negative finite number, e.g. ${example}`, CODE);
  return value;
}

/** Throws unless `value` is an integer ≥ `min`. */
export function requireInteger(option: string, value: number, min: number, example: string): number {
  if (!(Number.isInteger(value) && value >= min))
    throw new InvalidOptionError(option, value, `use an integer ≥ ${min}, e.g. ${example}`, CODE);
  return value;
}

/** Throws unless `value` is a percentage in [0, 100]. */
export function requirePercent(option: string, value: number, example: string): number {
  if (!(value >= 0 && value <= 100)) throw new InvalidOptionError(option, value, `use a percentage from 0 to 100, e.g. ${example}`, CODE);
  return value;
}

/** Throws an invalid-option error with the balance code. */
export function invalidOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, CODE);
}
