/**
 * Child process hosting one latency-experiment backend (test/latency/http-backend.ts), so server
 * work never shares the load generator's event loop. Configured by one JSON argument; talks to the
 * parent over IPC: it sends `{ origin }` once listening, answers `{ type: 'stats' }` with its
 * counters, takes `{ type: 'peers', peers }`, and exits on `{ type: 'close' }` or when the parent goes.
 */
import { SeededRandom } from '../../src/core/random.js';
import { ConcurrencyLimiter } from '../../src/latency/index.js';
import { startBackend } from '../../test/latency/http-backend.js';

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
  /** Put the default adaptive limiter in front, optionally with a queue. */
  readonly limiter?: { readonly queueSize: number; readonly queueTimeoutMs: number };
}

const config = JSON.parse(process.argv[2]!) as ChildBackendConfig;
const random = new SeededRandom(config.seed);
const limiter = config.limiter === undefined ? undefined : new ConcurrencyLimiter(config.limiter);
const limits: number[] = [];
if (limiter !== undefined) setInterval(() => limits.push(limiter.limit), 50).unref();
const backend = await startBackend({
  workers: config.workers,
  serviceMs: () => config.serviceMs * (1 - config.spread + 2 * config.spread * random.next()),
  random: random.fork('stall'),
  ...(config.stallRate === undefined ? {} : { stallRate: config.stallRate, stallMs: config.stallMs! }),
  ...(config.tied === undefined ? {} : { tied: config.tied }),
  ...(config.abandonOnDisconnect === undefined ? {} : { abandonOnDisconnect: config.abandonOnDisconnect }),
  ...(limiter === undefined ? {} : { limiter }),
});
process.on('message', (message: { type: string; peers?: string[] }) => {
  if (message.type === 'peers') backend.setPeers(message.peers!);
  else if (message.type === 'stats') {
    process.send!({
      type: 'stats',
      executed: backend.executed(),
      received: backend.received(),
      tied: backend.tied()?.stats(),
      limits: limits.splice(0),
    });
  } else if (message.type === 'close') void backend.close().then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
process.send!({ origin: backend.origin });
