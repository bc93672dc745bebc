/** Errors of `headroom scale`: a data or fit file that cannot be read, a bad flag. */
import { HeadroomError, InvalidOptionError } from 'headroom';

/**
 * A measurements or fit file that cannot be used. The message names the file, the line or field,
 * and what is expected.
 */
export function invalidScaleFile(file: string, problem: string, details: Record<string, unknown> = {}): HeadroomError {
  return new HeadroomError('HR_SCALE_INVALID_FILE', `${file}: ${problem}`, { details: { file, ...details } });
}

/** A `headroom scale` flag with a bad value. */
export function invalidScaleFlag(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_SCALE_INVALID_OPTION');
}
