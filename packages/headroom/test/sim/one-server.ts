/**
 * The smallest model the simulator's event-level tests reason about by hand: one server with one
 * worker and 1 ms of work per call, a call every 10 ms from 10 ms on, for 200 ms, no warm-up — so
 * every call's latency is 1 ms unless the test's stall or pause changes it.
 */
import type { ModelSpec } from '../../src/sim/index.js';

/** One server, one worker, 1 ms of work per call, a call every 10 ms from 10 ms on (see the file comment). */
export const ONE_SERVER: ModelSpec = {
  duration: '200ms',
  warmup: 0,
  arrivals: { type: 'constant', ratePerSec: 100 },
  servers: [{ count: 1, service: { type: 'constant', value: '1ms' } }],
};
