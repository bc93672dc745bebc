/**
 * End to end over loopback HTTP: three backends in a child process, one 10× slower (5 ms vs
 * 50 ms service time, 8 workers each, so the slow one also has a tenth of the capacity), the
 * same open-loop load for each strategy (fixed arrival rate; latency measured from each
 * request's intended send time, so a stalled client cannot hide queueing — no coordinated
 * omission). Strategies: round-robin, least-request (full scan over outstanding), P2C + outstanding
 * (Envoy's LEAST_REQUEST), P2C + peak-EWMA (Linkerd/Finagle) through `BalancedDispatcher`, and
 * undici's own `BalancedPool`. Each gets a fresh balancer/pool, a 0.5 s unrecorded warm-up, then
 * `RUN_MS` of recorded load. Goal: P2C + peak-EWMA p99 ≤ 0.5 × round-robin's and below BalancedPool's.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BalancedPool, request, type Dispatcher } from 'undici';
import { LatencyHistogram } from '../../src/core/histogram.js';
import { SeededRandom, seedFromEnv } from '../../src/core/random.js';
import {
  BalancedDispatcher, createBalancer, leastLoaded, outstanding, p2c, peakEwma, roundRobin,
  type LoadMetricFactory, type PickerFactory,
} from '../../src/balance/index.js';
import { report } from '../harness.js';

const RATE_PER_SEC = 400;
const WARMUP_MS = 500;
const RUN_MS = 5_000;
const BACKENDS = ['5:8', '5:8', '50:8'];
const SERVICE = 'http://service.internal/work';

interface Result { readonly p50: number; readonly p99: number; readonly max: number; readonly throughput: number; readonly errors: number; readonly slowShare: number }

/** Sends `RATE_PER_SEC` GETs per second for `durationMs` through `dispatcher`; records latency from the intended send time. */
async function openLoop(dispatcher: Dispatcher, durationMs: number, record: boolean, slowOrigin: string, seen: (origin: string) => void): Promise<Omit<Result, 'slowShare'> & { slow: number; total: number }> {
  const histogram = new LatencyHistogram();
  const intervalMs = 1000 / RATE_PER_SEC;
  const total = Math.round((durationMs / 1000) * RATE_PER_SEC);
  const start = performance.now();
  let sent = 0;
  let done = 0;
  let errors = 0;
  let slow = 0;
  let lastDone = start;
  await new Promise<void>((resolve) => {
    const fire = (intendedAt: number): void => {
      request(SERVICE, { dispatcher }).then(async (res) => {
        const origin = res.headers['x-origin'];
        await res.body.dump();
        if (res.statusCode !== 200) errors++;
        if (origin === slowOrigin) slow++;
        if (typeof origin === 'string') seen(origin);
      }, () => { errors++; }).finally(() => {
        lastDone = performance.now();
        if (record) histogram.record(lastDone - intendedAt);
        if (++done === total) resolve();
      });
    };
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      while (sent < due) fire(start + sent++ * intervalMs);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
  const s = histogram.snapshot();
  return { p50: s.p50, p99: s.p99, max: s.max, throughput: (done * 1000) / (lastDone - start), errors, slow, total };
}

async function withBackends<R>(fn: (origins: string[]) => Promise<R>): Promise<R> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./backends.child.ts', import.meta.url)), ...BACKENDS], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`backend child exited with ${code}`)));
    });
    return await fn(JSON.parse(line) as string[]);
  } finally {
    child.stdin.end();
    child.kill();
  }
}

report('balance end to end: 3 loopback HTTP backends, one 10× slower, open loop', () => withBackends(async (origins) => {
  const slowOrigin = origins[2]!;
  const strategies: Array<[string, () => { dispatcher: Dispatcher; close: () => Promise<void> }]> = [];
  const ours = (picker: PickerFactory, load: LoadMetricFactory) => () => {
    const balancer = createBalancer({ endpoints: origins, picker, load, random: new SeededRandom(seedFromEnv(1)) });
    const dispatcher = new BalancedDispatcher(balancer);
    return { dispatcher, close: async () => { await dispatcher.close(); balancer.close(); } };
  };
  strategies.push(['round-robin', ours(roundRobin(), outstanding())]);
  strategies.push(['least-request (full scan)', ours(leastLoaded(), outstanding())]);
  strategies.push(['P2C + outstanding', ours(p2c(), outstanding())]);
  strategies.push(['P2C + peak-EWMA', ours(p2c(), peakEwma())]);
  strategies.push(['undici BalancedPool', () => {
    const pool = new BalancedPool(origins);
    return { dispatcher: pool, close: () => pool.close() };
  }]);
  const rows: Array<[string, number, number, number, number, string, number]> = [];
  const results = new Map<string, Result>();
  for (const [name, make] of strategies) {
    const { dispatcher, close } = make();
    const noop = (): void => {};
    await openLoop(dispatcher, WARMUP_MS, false, slowOrigin, noop);
    const r = await openLoop(dispatcher, RUN_MS, true, slowOrigin, noop);
    await close();
    const result = { ...r, slowShare: r.slow / r.total };
    results.set(name, result);
    rows.push([name, r.p50, r.p99, r.max, r.throughput, `${(result.slowShare * 100).toFixed(1)} %`, r.errors]);
  }
  const p2cP99 = results.get('P2C + peak-EWMA')!.p99;
  const rrP99 = results.get('round-robin')!.p99;
  const poolP99 = results.get('undici BalancedPool')!.p99;
  return {
    header: ['strategy', 'p50 ms', 'p99 ms', 'max ms', 'req/s', 'to slow', 'errors'],
    rows,
    notes: [
      `offered ${RATE_PER_SEC} req/s for ${RUN_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up; backends ${BACKENDS.join(', ')} (service ms : workers)`,
      `P2C + peak-EWMA p99 = ${(p2cP99 / rrP99).toFixed(2)} × round-robin's (goal ≤ 0.5: ${p2cP99 <= 0.5 * rrP99 ? 'met' : 'NOT met'}), `
        + `${(p2cP99 / poolP99).toFixed(2)} × BalancedPool's (goal < 1: ${p2cP99 < poolP99 ? 'met' : 'NOT met'})`,
    ],
  };
}));
