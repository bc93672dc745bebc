/**
 * Slow start: a joining or recovering endpoint's weight ramps up over a window instead of taking
 * its full share at once, so a cold JIT, empty cache or a just-restarted JVM is not flooded.
 * Source: Envoy `slow_start_config` — factor = max(minWeight%, (t / window)^(1/aggression)).
 *
 * Pure arithmetic; the balancer refreshes effective weights every window/50 while any endpoint
 * ramps. Limits: acts through weights, so it needs a picker that honours them (smooth WRR,
 * weighted random, least-loaded, P2C).
 */
import { parsePositiveDuration, type Duration } from '../core/duration.js';
import { requirePercent, requirePositive } from './options.js';

/** Options of slow start. */
export interface SlowStartOptions {
  /** Length of the ramp, ms or '30s' (required, > 0). */
  readonly window: Duration;
  /** Curve shape: 1 is linear, > 1 ramps faster at first, < 1 slower; default 1. */
  readonly aggression?: number;
  /** Weight at the start of the ramp, % of the configured weight; default 10. */
  readonly minWeightPercent?: number;
}

/** Slow-start settings after validation. */
export interface SlowStartConfig {
  readonly windowMs: number;
  readonly exponent: number;
  readonly minFraction: number;
  /** How often effective weights are recomputed while ramping, ms. */
  readonly stepMs: number;
}

/** Number of weight refreshes over one ramp. */
const STEPS_PER_WINDOW = 50;

/**
 * Validates slow-start options.
 * @throws HR_BALANCE_INVALID_OPTION on a non-positive window or aggression, or a percentage outside [0, 100]
 */
export function resolveSlowStart(options: SlowStartOptions): SlowStartConfig {
  const windowMs = parsePositiveDuration(options.window, 'slowStart.window', Number.NaN);
  const aggression = requirePositive('slowStart.aggression', options.aggression ?? 1, '1');
  const minPercent = requirePercent('slowStart.minWeightPercent', options.minWeightPercent ?? 10, '10');
  return { windowMs, exponent: 1 / aggression, minFraction: minPercent / 100, stepMs: windowMs / STEPS_PER_WINDOW };
}

/**
 * The fraction of its weight an endpoint gets `elapsedMs` into its ramp: 1 once the window has passed.
 * @example slowStartFactor(resolveSlowStart({ window: '10s' }), 2_500) // 0.25
 */
export function slowStartFactor(config: SlowStartConfig, elapsedMs: number): number {
  if (elapsedMs >= config.windowMs) return 1;
  const f = Math.pow(Math.max(elapsedMs, 0) / config.windowMs, config.exponent);
  return f > config.minFraction ? f : config.minFraction;
}
