/**
 * Child process hosting one latency-experiment backend (test/support/http-backend.ts), so server
 * work never shares the load generator's event loop. Configured by one JSON argument; talks to the
 * parent over IPC: it sends `{ origin }` once listening, answers `{ type: 'stats' }` with its
 * counters, takes `{ type: 'peers', peers }`, and exits on `{ type: 'close' }` or when the parent goes.
 */
import { systemClock } from '../../src/core/clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { ConcurrencyLimiter, FixedLimit } from '../../src/latency/index.js';
import { startHttpBackend } from '../../test/support/http-backend.js';

/** The backend's configuration, as JSON. */
export interface ChildBackendConfig {
  readonly workers: number;
  readonly serviceMs: number;
  /** Service time is uniform in [1 − spread, 1 + spread] × serviceMs. */
  readonly spread: number;
  readonly seed: number;
  readonly stallRate?: number;
  readonly stallMs?: number;
  readonly tied?: boolean;
  readonly abandonOnDisconnect?: boolean;
  /**
   * Put a concurrency limiter in front, optionally with a queue: the default adaptive one, or a
   * fixed limit of `fixed` requests.
   */
  readonly limiter?: { readonly queueSize: number; readonly queueTimeout: number; readonly fixed?: number };
  /** Deadline-aware server: drop work that cannot finish by its caller's deadline (test/support/http-backend.ts). */
  readonly deadlineAware?: { readonly needMs: number };
  /**
   * Process-wide pauses, GC-like: every `everyMs`, starting `offsetMs` after start, the whole
   * process stops for `ms` (its event loop blocked: no request on this replica progresses).
   */
  readonly pause?: { readonly everyMs: number; readonly ms: number; readonly offsetMs: number };
}

const config = JSON.parse(process.argv[2]!) as ChildBackendConfig;
const random = new SeededRandom(config.seed);
const limiter =
  config.limiter === undefined
    ? undefined
    : new ConcurrencyLimiter({
        queueSize: config.limiter.queueSize,
        queueTimeout: config.limiter.queueTimeout,
        ...(config.limiter.fixed === undefined ? {} : { limit: new FixedLimit(config.limiter.fixed) }),
      });
const limits: number[] = [];
if (limiter !== undefined) setInterval(() => limits.push(limiter.limit), 50).unref();
const backend = await startHttpBackend({
  workers: config.workers,
  serviceMs: () => config.serviceMs * (1 - config.spread + 2 * config.spread * random.next()),
  ...(config.stallRate === undefined ? {} : { stall: { rate: config.stallRate, ms: config.stallMs!, random: random.fork('stall') } }),
  ...(config.tied === undefined ? {} : { tied: config.tied }),
  ...(config.abandonOnDisconnect === undefined ? {} : { abandonOnDisconnect: config.abandonOnDisconnect }),
  ...(limiter === undefined ? {} : { limiter }),
  ...(config.deadlineAware === undefined ? {} : { deadlineAware: config.deadlineAware }),
});
let pauses = 0;
if (config.pause !== undefined) {
  const { everyMs, ms, offsetMs } = config.pause;
  // Atomics.wait blocks this thread as a stop-the-world collection does, without spinning a core.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const started = systemClock.now();
  const pauseAt = (k: number): void => {
    systemClock.setTimer(Math.max(0, started + offsetMs + k * everyMs - systemClock.now()), () => {
      Atomics.wait(cell, 0, 0, ms);
      pauses++;
      pauseAt(k + 1);
    });
  };
  pauseAt(0);
}
process.on('message', (message: { type: string; peers?: string[] }) => {
  if (message.type === 'peers') backend.setPeers(message.peers!);
  else if (message.type === 'stats') {
    process.send!({
      type: 'stats',
      executed: backend.fifo.executed,
      received: backend.hits,
      dropped: backend.dropped,
      pauses,
      tied: backend.tied?.stats(),
      limits: limits.splice(0),
    });
  } else if (message.type === 'close') void backend.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send!({ origin: backend.origin });
