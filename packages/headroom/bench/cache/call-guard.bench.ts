/**
 * What bounding every Redis call costs, on the machine's Redis (127.0.0.1:6379): raw node-redis
 * GET against the same GET with node-redis's own per-command `timeout` (a timer and an
 * AbortSignal per command) and the same GET through the tier's `CallGuard` (one clock timer for
 * all pending calls) — the figure in src/cache/call-guard.ts. 100 GETs in flight over 1k keys;
 * each case warmed up for 500 ms, then timed in 5 interleaved 1 s rounds, median. Run:
 * `npm run bench -- "cache L2: a bound on every call"`. Keys use a prefix unique to the run and are
 * deleted afterwards.
 */
import { SeededRandom } from '../../src/core/random.js';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { CallGuard } from '../../src/cache/call-guard.js';
import { systemClock } from '../../src/core/clock.js';
import { report } from '../harness.js';
import { median } from '../summary.js';

const IN_FLIGHT = 100;
const TIMEOUT_MS = 250;
const prefix = `hrbench-guard-${randomUUID().slice(0, 8)}`;
const keys = Array.from({ length: 1000 }, (_, i) => `${prefix}:item:${i}`);

async function throughput(op: (i: number) => Promise<unknown>, ms: number): Promise<number> {
  const end = performance.now() + ms;
  let done = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      for (let i = w; performance.now() < end; i += IN_FLIGHT) {
        await op(i);
        done++;
      }
    }),
  );
  return done / (ms / 1000);
}

report('cache L2: a bound on every call — node-redis per-command timeout vs the tier’s call guard (GET, 100 in flight)', async () => {
  const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  await Promise.all(keys.map((k) => client.set(k, 'a short value of about forty bytes......')));
  const timed = client.withCommandOptions({ timeout: TIMEOUT_MS });
  const guard = new CallGuard({
    tier: 'redis',
    clock: systemClock,
    timeoutMs: TIMEOUT_MS,
    breaker: {
      failureThreshold: 5,
      backoff: { initialMs: 1000, maxMs: 30_000, multiplier: 2, jitter: 'none' },
      random: new SeededRandom(1),
    },
  });
  const cases: Record<string, (i: number) => Promise<unknown>> = {
    'raw GET, no bound': (i) => client.get(keys[i % 1000]!),
    [`GET with node-redis timeout: ${TIMEOUT_MS}`]: (i) => timed.get(keys[i % 1000]!),
    [`GET through CallGuard (${TIMEOUT_MS} ms)`]: (i) => guard.run('get', () => client.get(keys[i % 1000]!)),
  };
  const rounds = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]));
  for (const op of Object.values(cases)) await throughput(op, 500);
  const names = Object.keys(cases);
  for (let round = 0; round < 5; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length]!;
      rounds.get(name)!.push(await throughput(cases[name]!, 1000));
    }
  }
  await client.del(keys);
  await client.close();
  const peer = median(rounds.get('raw GET, no bound')!);
  return {
    header: ['case', 'ops/s (median)', 'ops/s (rounds)', 'vs raw GET'],
    rows: names.map((name) => {
      const r = rounds.get(name)!;
      return [name, Math.round(median(r)), r.map((x) => Math.round(x / 1000) + 'k').join(' '), `${(median(r) / peer).toFixed(2)}×`];
    }),
    notes: ['5 interleaved rounds of 1 s per case (rotating order) after 500 ms of warm-up each.'],
  };
});
