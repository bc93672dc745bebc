/**
 * headroom — the core seams shared by every module: injected time and randomness, placement
 * hashes, durations, backoff, the call `Outcome`, errors, events, the latency histogram and plain-text tables. Each concern has its own door:
 * `headroom/cache`, `headroom/partition`, `headroom/balance`, `headroom/latency`,
 * `headroom/chaos`, `headroom/scale`, `headroom/sim`.
 */
export { type Clock, type TimerHandle, SystemClock, systemClock, sleep } from './core/clock.js';
export { VirtualClock, type VirtualClockOptions } from './core/virtual-clock.js';
export { CoarseClock } from './core/coarse-clock.js';
export { type Random, SeededRandom, seedFromEnv, defaultRandom } from './core/random.js';
export { type HashInput, xxh32, xxh64, xxh64Into } from './core/hash.js';
export { murmur3x86128Into, hash64Into, hash53 } from './core/murmur3.js';
export { type Duration, parseDuration, parseOptionalDuration, parsePositiveDuration } from './core/duration.js';
export {
  type Backoff,
  type BackoffOptions,
  type BackoffDefaults,
  type Jitter,
  resolveBackoff,
  backoffDelay,
  backoffCeiling,
} from './core/backoff.js';
export { type Outcome } from './core/outcome.js';
export {
  HeadroomError,
  type HeadroomErrorOptions,
  type ErrorDetails,
  isHeadroomError,
  InvalidOptionError,
  AssertionFailedError,
  DeadlineExceededError,
  LoadShedError,
  toError,
} from './core/errors.js';
export { type Disposable, type Listener, Emitter } from './core/events.js';
export { assert } from './core/assert.js';
export { LatencyHistogram, type HistogramSnapshot } from './core/histogram.js';
export { renderTable, type Cell } from './core/table.js';
export { dedicatedNodeRedis, type DedicatedNodeRedis, type NodeRedisConnection } from './core/node-redis-dedicated.js';
