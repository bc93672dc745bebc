/**
 * Errors of headroom/cache. Every code is listed in docs/errors.md (`## cache`).
 */
import { HeadroomError, InvalidOptionError, describe } from '../core/errors.js';

/** Code of every invalid cache option (thrown at construction). */
export const INVALID_OPTION = 'HR_CACHE_INVALID_OPTION';

/** Builds the invalid-option error for a cache option. */
export function invalidOption(option: string, value: unknown, expected: string): InvalidOptionError {
  return new InvalidOptionError(`cache.${option}`, value, expected, INVALID_OPTION);
}

/**
 * A key is not a string and the cache has no `key` function to turn it into one, or the `key`
 * function returned something other than a string.
 */
export class InvalidKeyError extends HeadroomError {
  constructor(key: unknown, viaKeyFunction: boolean) {
    super(
      'HR_CACHE_INVALID_KEY',
      viaKeyFunction
        ? `The cache's key function returned ${describe(key)}; it must return a string.`
        : `Cache keys must be strings; got ${describe(key)}. Pass a key function: new Cache({ key: (k) => string }).`,
      { details: { key: describe(key), viaKeyFunction } },
    );
  }
}

/** The cache (or write-behind queue) was closed; create a new one. */
export class CacheClosedError extends HeadroomError {
  constructor(what: string) {
    super('HR_CACHE_CLOSED', `${what} is closed; no further operations are accepted.`, { details: { what } });
  }
}

/** A batch loader returned a value of the wrong shape. */
export class BatchResultError extends HeadroomError {
  constructor(expected: number, got: unknown) {
    super(
      'HR_CACHE_BATCH_RESULT',
      `The batch loader must resolve to a Map or to an array with one entry per requested key (${expected}); got ${describe(got)}.`,
      { details: { expected, got: describe(got) } },
    );
  }
}

/** Some write-behind writes failed during `flush()`; they stay queued and will be retried. */
export class WriteBehindError extends HeadroomError {
  /** Keys whose write failed. */
  readonly keys: readonly string[];
  constructor(keys: readonly string[], cause: unknown) {
    super(
      'HR_CACHE_WRITE_BEHIND_FAILED',
      `${keys.length} write-behind write(s) failed and remain queued for retry (first key ${describe(keys[0])}).`,
      { cause, details: { keys: keys.slice(0, 20), count: keys.length } },
    );
    this.keys = keys;
  }
}

/** A shared-tier call did not complete within its timeout. */
export class TierTimeoutError extends HeadroomError {
  constructor(tier: string, timeoutMs: number) {
    super('HR_CACHE_TIER_TIMEOUT', `A ${tier} call did not complete within ${timeoutMs} ms; the cache carries on without it.`, {
      details: { tier, timeoutMs },
    });
  }
}

/** The shared tier's circuit breaker is open: calls are refused at once until it probes again. */
export class CircuitOpenError extends HeadroomError {
  /** When the breaker will let a probe through, ms from now. */
  readonly retryAfterMs: number;
  constructor(tier: string, retryAfterMs: number) {
    super(
      'HR_CACHE_CIRCUIT_OPEN',
      `The ${tier} circuit is open after repeated failures; retrying in ${Math.ceil(retryAfterMs)} ms. The cache runs on L1 and the loader meanwhile.`,
      { details: { tier, retryAfterMs } },
    );
    this.retryAfterMs = retryAfterMs;
  }
}

/** A shared-tier call failed (connection refused, server error, …); the cause is attached. */
export class TierError extends HeadroomError {
  constructor(tier: string, operation: string, cause: unknown) {
    super('HR_CACHE_TIER_FAILED', `The ${tier} ${operation} call failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      details: { tier, operation },
    });
  }
}

/** A value read from the shared tier could not be decoded (corrupt, or written by an incompatible codec). */
export class CodecError extends HeadroomError {
  constructor(key: string, cause: unknown) {
    super(
      'HR_CACHE_CODEC',
      `The shared-tier value of key ${describe(key)} could not be decoded; it is treated as a miss. Check that every instance uses the same codec and namespace version.`,
      { cause, details: { key: describe(key) } },
    );
  }
}
