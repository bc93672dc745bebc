/**
 * Errors of the scalability models: measurements that cannot be fitted, and a fit that did not
 * converge. Option errors use `InvalidOptionError` with the code `HR_SCALE_INVALID_OPTION`.
 */
import { HeadroomError, InvalidOptionError } from '../../core/errors.js';

/** Codes of the data errors a fit can throw; every one is listed in docs/errors.md. */
export type ScaleDataErrorCode =
  'HR_SCALE_TOO_FEW_POINTS' | 'HR_SCALE_INVALID_POINT' | 'HR_SCALE_TOO_FEW_DISTINCT_N' | 'HR_SCALE_FIT_FAILED';

/**
 * Measurements that cannot be fitted (too few, a non-positive or non-finite value, one load level
 * repeated) or a fit that did not converge. The message names the point and what to change.
 */
export class ScaleDataError extends HeadroomError {
  constructor(code: ScaleDataErrorCode, message: string, details: Readonly<Record<string, unknown>> = {}) {
    super(code, message, { details });
  }
}

/**
 * An invalid option of a model function (a fraction outside [0, 1], a level outside (0, 1)…).
 * @param option - the option's name
 * @param value - what was passed
 * @param expected - what is accepted, phrased as a fix
 */
export function invalidScaleOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_SCALE_INVALID_OPTION');
}
