/**
 * Concurrency limiters in the model: each server of a group with `limiter` gets its own
 * `ConcurrencyLimiter` from `headroom/latency` — the production object, on the engine's clock —
 * built around the limit algorithm the spec names (Gradient2, Vegas, AIMD, fixed), per request or
 * windowed. The simulator calls only the limiter's synchronous decider (`tryAcquire()` at arrival,
 * `permit.release(outcome)` when the request leaves the server). A request past the limit is shed
 * at once (the limiter's `queueSize: 0`, its default) or, with `queueSize`, waits through the
 * limiter's synchronous waiting core (`wait()`: its priority-LIFO queue, `queueTimeout`, the
 * eviction of a full queue, and the deadline the call carries) — front.ts.
 */
import {
  AimdLimit,
  ConcurrencyLimiter,
  FixedLimit,
  Gradient2Limit,
  VegasLimit,
  WindowedLimit,
  type AimdLimitOptions,
  type Gradient2LimitOptions,
  type LimitAlgorithm,
  type VegasLimitOptions,
  type WindowedLimitOptions,
} from '../latency/index.js';
import type { Duration } from '../core/duration.js';
import { SeededRandom, type Random } from '../core/random.js';
import type { SimEngine } from './engine.js';
import { invalidOption, relabelled } from './errors.js';

/** The limit algorithms a model can name; `'default'` is whatever `new ConcurrencyLimiter()` uses. */
export type LimitAlgorithmName = 'default' | 'gradient2' | 'vegas' | 'aimd' | 'fixed';

/**
 * A concurrency limiter in front of each server of a group.
 *
 * `{ algorithm: 'vegas' }` is windowed Vegas (windows of 100 ms–1 s, as the module default wraps
 * Gradient2); `windowed: false` feeds the algorithm one sample per request; `options` are the
 * algorithm's own (`Gradient2LimitOptions`, `VegasLimitOptions`, `AimdLimitOptions`).
 */
export interface LimiterSpec {
  /** Which algorithm; `'default'` is the module's default limiter. */
  readonly algorithm: LimitAlgorithmName;
  /** The limit of `'fixed'`. */
  readonly limit?: number;
  /** The algorithm's options (numbers and durations only). */
  readonly options?: Gradient2LimitOptions | Omit<VegasLimitOptions, 'random'> | AimdLimitOptions;
  /** One sample per window (`true` = 100 ms–1 s windows, or the window's options) or per request (`false`); default true. */
  readonly windowed?: boolean | WindowedLimitOptions;
  /** Calls allowed to wait when the limit is reached (the limiter's `queueSize`); 0 sheds at once. Default 0. */
  readonly queueSize?: number;
  /** Longest wait in the queue (the limiter's `queueTimeout`); default 1 s. Needs `queueSize`. */
  readonly queueTimeout?: Duration;
}

const DEFAULT_WINDOW: WindowedLimitOptions = { minWindow: 100, maxWindow: 1000 };
const ALGORITHMS: readonly LimitAlgorithmName[] = ['default', 'gradient2', 'vegas', 'aimd', 'fixed'];

/**
 * Validates a limiter spec and returns a factory of one limiter per server.
 * @throws HR_SIM_INVALID_OPTION naming the field under `path` (e.g. `servers.0.limiter.options.minLimit`)
 */
export function limiterFactory(spec: LimiterSpec, path: string): (engine: SimEngine, random: Random) => ConcurrencyLimiter {
  if (typeof spec !== 'object' || spec === null || !ALGORITHMS.includes(spec.algorithm))
    throw invalidOption(`${path}.algorithm`, (spec as LimiterSpec | null)?.algorithm, `use one of ${ALGORITHMS.join(', ')}`);
  if (spec.algorithm === 'fixed' && !(Number.isInteger(spec.limit) && spec.limit! >= 1))
    throw invalidOption(`${path}.limit`, spec.limit, 'use the fixed limit, an integer ≥ 1, e.g. 40');
  if (spec.algorithm !== 'fixed' && spec.limit !== undefined)
    throw invalidOption(`${path}.limit`, spec.limit, 'set limit only with algorithm "fixed"');
  if (spec.algorithm === 'default' && (spec.options !== undefined || spec.windowed !== undefined))
    throw invalidOption(`${path}.algorithm`, spec.algorithm, 'name the algorithm (gradient2, vegas, aimd) to give it options or a window');
  if (spec.queueSize !== undefined && !(Number.isInteger(spec.queueSize) && spec.queueSize >= 0))
    throw invalidOption(`${path}.queueSize`, spec.queueSize, 'use the number of calls that may wait, an integer ≥ 0, e.g. 100');
  if (spec.queueTimeout !== undefined && !(spec.queueSize! > 0))
    throw invalidOption(`${path}.queueTimeout`, spec.queueTimeout, 'set queueSize too: without a queue nothing waits');
  const queue = {
    ...(spec.queueSize === undefined ? {} : { queueSize: spec.queueSize }),
    ...(spec.queueTimeout === undefined ? {} : { queueTimeout: spec.queueTimeout }),
  };
  relabelled(path, () => new ConcurrencyLimiter({ limit: 1, ...queue }));
  // Build the parts once now, so a bad option fails at validation, named by its path.
  if (spec.algorithm !== 'default') {
    relabelled(`${path}.options`, () => algorithm(spec, new SeededRandom(1)));
    relabelled(`${path}.windowed`, () => windowed(spec, new FixedLimit(1)));
  }
  return (engine, random) =>
    new ConcurrencyLimiter({
      clock: engine.clock,
      random,
      ...queue,
      ...(spec.algorithm === 'default' ? {} : { limit: windowed(spec, algorithm(spec, random)) }),
    });
}

function algorithm(spec: LimiterSpec, random: Random): LimitAlgorithm {
  const options = (spec.options ?? {}) as Record<string, unknown>;
  switch (spec.algorithm) {
    case 'gradient2':
      return new Gradient2Limit(options as Gradient2LimitOptions);
    case 'vegas':
      return new VegasLimit({ ...(options as VegasLimitOptions), random });
    case 'aimd':
      return new AimdLimit(options as AimdLimitOptions);
    default:
      return new FixedLimit(spec.limit!);
  }
}

function windowed(spec: LimiterSpec, inner: LimitAlgorithm): LimitAlgorithm {
  const w = spec.windowed ?? true;
  if (w === false || spec.algorithm === 'fixed') return inner;
  return new WindowedLimit(inner, w === true ? DEFAULT_WINDOW : w);
}
