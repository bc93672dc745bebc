/**
 * Exponential backoff with jitter: the one backoff of the library (cache error backoff, retries,
 * the cache tier's circuit breaker, balance outlier ejection). Pure and synchronous: the delay
 * for attempt n is a function of the settings, n and one draw from the injected `Random`.
 *
 * Source: M. Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog (2015). Without
 * jitter, clients that failed together retry together; "full" jitter (uniform in [0, ceiling])
 * does the least work of the jittered schemes, "equal" (half fixed, half random) keeps a floor
 * at the cost of some extra work, "none" is for a single decider that must stay deterministic.
 * The article's "decorrelated" scheme is left out: it depends on the previous delay rather than
 * on n, and does not beat "full". O(1), one draw per delay (none with `'none'`).
 */
import { parseDuration, type Duration } from './duration.js';
import { InvalidOptionError } from './errors.js';
import type { Random } from './random.js';

/** How a backoff delay is randomised below its ceiling `c = min(max, initial·multiplier^(n−1))`. */
export type Jitter = 'full' | 'equal' | 'none';

/**
 * Backoff settings as a user writes them: every backoff option of the library has this shape.
 * Defaults depend on the option (each one's TSDoc says).
 * @example { initial: '100ms', max: '30s', multiplier: 2, jitter: 'full' }
 */
export interface BackoffOptions {
  /** Delay before the first retry (the ceiling for attempt 1). */
  readonly initial?: Duration;
  /** Largest ceiling; at least `initial`. */
  readonly max?: Duration;
  /** Growth of the ceiling per attempt, ≥ 1 (1 = constant). */
  readonly multiplier?: number;
  /** `'full'`: uniform in [0, c]; `'equal'`: c/2 + uniform in [0, c/2]; `'none'`: exactly c. */
  readonly jitter?: Jitter;
}

/** Validated backoff settings, in milliseconds. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: Jitter;
}

/** Defaults a module gives {@link resolveBackoff}: durations in ms. */
export interface BackoffDefaults {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier?: number;
  readonly jitter?: Jitter;
}

const JITTERS: readonly Jitter[] = ['full', 'equal', 'none'];

/**
 * Validates backoff options and fills the module's defaults. A `max` below `initial` is raised to `initial`
 * only when `max` was left to its default; a `max` the user set below `initial` is an error.
 * @param options - what the user wrote (undefined: all defaults)
 * @param option - the option's dotted name, used in errors, e.g. `'retry.backoff'`
 * @param defaults - the module's defaults
 * @throws HR_CORE_INVALID_DURATION when `initial` or `max` is not a duration (the error names `<option>.initial`)
 * @throws HR_CORE_INVALID_OPTION when `initial` is 0, `max` < `initial`, `multiplier` < 1 or `jitter` unknown
 * @example resolveBackoff({ initial: '50ms' }, 'retry.backoff', { initialMs: 25, maxMs: 1000 })
 */
export function resolveBackoff(options: BackoffOptions | undefined, option: string, defaults: BackoffDefaults): Backoff {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) {
    throw new InvalidOptionError(option, o, "use an object such as { initial: '100ms', max: '30s', multiplier: 2, jitter: 'full' }");
  }
  const initialMs = o.initial === undefined ? defaults.initialMs : parseDuration(o.initial, `${option}.initial`);
  if (!(initialMs > 0)) throw new InvalidOptionError(`${option}.initial`, o.initial, "use a positive duration such as '100ms'");
  let maxMs = defaults.maxMs;
  if (o.max !== undefined) {
    maxMs = parseDuration(o.max, `${option}.max`);
    if (maxMs < initialMs)
      throw new InvalidOptionError(`${option}.max`, o.max, `use a duration of at least ${option}.initial (${initialMs} ms)`);
  }
  const multiplier = o.multiplier ?? defaults.multiplier ?? 2;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier < 1) {
    throw new InvalidOptionError(`${option}.multiplier`, multiplier, 'use a finite number ≥ 1 (1 keeps the delay constant)');
  }
  const jitter = o.jitter ?? defaults.jitter ?? 'full';
  if (!JITTERS.includes(jitter)) throw new InvalidOptionError(`${option}.jitter`, jitter, "use 'full', 'equal' or 'none'");
  return { initialMs, maxMs: Math.max(maxMs, initialMs), multiplier, jitter };
}

/**
 * The ceiling of attempt `attempt` before jitter: `min(max, initial·multiplier^(attempt−1))`.
 * @param attempt - 1 for the first retry (or first open period, first ejection)
 */
export function backoffCeiling(backoff: Backoff, attempt: number): number {
  if (attempt <= 1) return Math.min(backoff.maxMs, backoff.initialMs);
  // Past ~1,100 doublings the power is Infinity; min() still yields maxMs.
  return Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** (attempt - 1));
}

/**
 * The delay before attempt `attempt`, ms, jittered with one draw from `random` (no draw with `'none'`).
 * @param attempt - 1 for the first retry
 * @param random - the caller's own stream (fork one per component)
 * @example backoffDelay(resolveBackoff({ initial: 100, max: 1000 }, 'backoff', d), 3, random) // in [0, 400]
 */
export function backoffDelay(backoff: Backoff, attempt: number, random: Random): number {
  const ceiling = backoffCeiling(backoff, attempt);
  switch (backoff.jitter) {
    case 'none':
      return ceiling;
    case 'full':
      return ceiling * random.next();
    case 'equal':
      return ceiling / 2 + (ceiling / 2) * random.next();
  }
}
