/**
 * The one error type of Headroom. Every error thrown or rejected by the toolkit is a
 * `HeadroomError` carrying a stable `code` (`HR_<MODULE>_<REASON>`), listed in docs/errors.md.
 */

const BRAND = Symbol.for('headroom.error');

/** Structured, JSON-safe context attached to an error (option names, values, limits). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

/** Options accepted by {@link HeadroomError}. */
export interface HeadroomErrorOptions {
  /** The underlying error, if this one wraps another. */
  readonly cause?: unknown;
  /** Structured context for logs and programmatic handling. */
  readonly details?: ErrorDetails;
}

/**
 * Base class of every error Headroom throws.
 *
 * `instanceof` works across duplicate installs because {@link isHeadroomError} checks a
 * `Symbol.for` brand rather than the class identity.
 *
 * @example
 * ```ts
 * try { parseDuration('5 parsecs', 'ttl'); }
 * catch (e) { if (isHeadroomError(e, 'HR_CORE_INVALID_OPTION')) console.log(e.details); }
 * ```
 */
export class HeadroomError extends Error {
  /** Stable machine-readable code, e.g. `HR_CORE_INVALID_OPTION`. */
  readonly code: string;
  /** Structured context (never includes secrets). */
  readonly details: ErrorDetails;

  constructor(code: string, message: string, options: HeadroomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      (this === HeadroomError || Function.prototype[Symbol.hasInstance].call(this, value))
    );
  }
}

/**
 * True when `e` is a Headroom error (from any installed copy), optionally with the given code.
 * @param e - any thrown value
 * @param code - when given, the error's code must equal it
 */
export function isHeadroomError<C extends string = string>(e: unknown, code?: C): e is HeadroomError & { readonly code: C } {
  if (typeof e !== 'object' || e === null || (e as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (e as HeadroomError).code === code;
}

/**
 * An option passed to a constructor or function is invalid. Thrown synchronously at
 * construction; the message names the option, the value and the fix.
 */
export class InvalidOptionError extends HeadroomError {
  /**
   * @param option - dotted option name, e.g. `cache.ttl`
   * @param value - the offending value
   * @param expected - what would be accepted, phrased as a fix
   */
  constructor(option: string, value: unknown, expected: string, code = 'HR_CORE_INVALID_OPTION') {
    super(code, `Invalid option ${option}: got ${describe(value)}; ${expected}.`, {
      details: { option, value: safeValue(value), expected },
    });
  }
}

/** A broken internal invariant: a bug in Headroom, never the caller's fault. */
export class AssertionFailedError extends HeadroomError {
  constructor(message: string, details?: ErrorDetails) {
    super(
      'HR_CORE_ASSERTION',
      `Headroom invariant violated: ${message}. Please report this as a bug.`,
      details === undefined ? {} : { details },
    );
  }
}

/** Work was not started or was stopped because its deadline passed. */
export class DeadlineExceededError extends HeadroomError {
  constructor(message = 'Deadline exceeded', details?: ErrorDetails) {
    super('HR_CORE_DEADLINE_EXCEEDED', message, details === undefined ? {} : { details });
  }
}

/** Work was rejected to protect the system; retry after `retryAfterMs`. */
export class LoadShedError extends HeadroomError {
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, details?: ErrorDetails) {
    super('HR_CORE_LOAD_SHED', message, { details: { ...details, retryAfterMs } });
    this.retryAfterMs = retryAfterMs;
  }
}

/** Wraps a non-Error thrown value so callers always get an `Error` with a code. */
export function toError(thrown: unknown, context: string): Error {
  if (thrown instanceof Error) return thrown;
  return new HeadroomError('HR_CORE_NON_ERROR_THROWN', `${context} threw a non-Error value: ${describe(thrown)}`, {
    cause: thrown,
    details: { value: safeValue(thrown) },
  });
}

/** Short, safe rendering of a value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'function') return 'a function';
  return `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
}

function safeValue(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? describe(value) : value;
}
