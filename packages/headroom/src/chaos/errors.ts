/**
 * Errors of the chaos module: invalid options, and the errors that injected faults raise (so a
 * caller, a test or a probe can tell an injected failure from a real one).
 */
import { HeadroomError, InvalidOptionError, type ErrorDetails } from '../core/errors.js';

/** What kind of injected failure an {@link InjectedFaultError} stands for. */
export type InjectedFaultKind = 'error' | 'status' | 'timeout' | 'abort';

/** Code of every error an injected fault raises. */
export const INJECTED_FAULT_CODE = 'HR_CHAOS_INJECTED';

/**
 * The error an injected fault rejects with (`HR_CHAOS_INJECTED`). `kind` says which fault fired;
 * `abort` errors also carry `code`-like `errno` text `ECONNRESET` in `details.errno`, as a reset
 * connection would.
 */
export class InjectedFaultError extends HeadroomError {
  /** Which fault fired. */
  readonly kind: InjectedFaultKind;
  /** The HTTP status the fault stands for, when it has one. */
  readonly status: number | undefined;
  constructor(kind: InjectedFaultKind, message: string, details: ErrorDetails = {}, status?: number) {
    super(INJECTED_FAULT_CODE, message, { details: { ...details, kind, ...(status === undefined ? {} : { status }) } });
    this.kind = kind;
    this.status = status;
  }
}

/** A chaos option is invalid (`HR_CHAOS_INVALID_OPTION`); the message names it and the fix. */
export function chaosOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(option, value, expected, 'HR_CHAOS_INVALID_OPTION');
}

/** Reads a probability in [0, 1]; `undefined` yields `fallback`. */
export function probabilityOption(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw chaosOption(option, value, 'use a probability between 0 and 1');
  return value;
}

/** Reads a non-negative finite number; `undefined` yields `fallback`. */
export function nonNegativeOption(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value))) throw chaosOption(option, value, 'use a finite number ≥ 0');
  return value;
}
