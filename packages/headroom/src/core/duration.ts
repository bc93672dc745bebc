import { InvalidOptionError } from './errors.js';

/** A duration: a non-negative number of milliseconds, or a string such as `'250ms'`, `'5s'`, `'5m'`, `'1h'`, `'1d'`. */
export type Duration = number | string;

const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/**
 * Parses a {@link Duration} into milliseconds.
 * @param value - a number of ms or a string with a unit (ms, s, m, h, d)
 * @param option - the option's name, used in the error message
 * @throws HR_CORE_INVALID_DURATION when the value is negative, not finite, or not in a known form
 * @example parseDuration('5s', 'ttl') // 5000
 */
export function parseDuration(value: Duration, option: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw invalid(option, value);
  }
  if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (match !== null) return Number(match[1]) * UNITS[match[2]!]!;
  }
  throw invalid(option, value);
}

/**
 * Like {@link parseDuration} but `undefined` yields `fallbackMs`.
 * @throws HR_CORE_INVALID_DURATION as parseDuration
 */
export function parseOptionalDuration(value: Duration | undefined, option: string, fallbackMs: number): number {
  return value === undefined ? fallbackMs : parseDuration(value, option);
}

/**
 * Like {@link parseOptionalDuration} for options where 0 makes no sense (an interval, a timeout
 * that must wait at all): 0 is refused too.
 * @throws HR_CORE_INVALID_DURATION when the value is not a duration or is 0
 * @example parsePositiveDuration(options.interval, 'health.interval', 10_000)
 */
export function parsePositiveDuration(value: Duration | undefined, option: string, fallbackMs: number): number {
  const ms = parseOptionalDuration(value, option, fallbackMs);
  if (ms > 0) return ms;
  throw invalid(option, value, "use a positive number of milliseconds or a string like '250ms', '5s', '5m'");
}

function invalid(
  option: string,
  value: unknown,
  fix = "use a non-negative number of milliseconds or a string like '250ms', '5s', '5m', '1h', '1d'",
): InvalidOptionError {
  return new InvalidOptionError(option, value, fix, 'HR_CORE_INVALID_DURATION');
}
