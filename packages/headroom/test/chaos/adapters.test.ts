import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { SeededRandom } from '../../src/core/random.js';
import { systemClock } from '../../src/core/clock.js';
import {
  CHAOS_RULE_HEADER,
  EventLoopStaller,
  FaultInjector,
  InjectedFaultError,
  faultyFetch,
  faultyHandler,
  faultyRedis,
  stallEventLoop,
} from '../../src/chaos/index.js';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('faultyHandler on a real node:http server: status, abort, latency and untouched routes', { timeout: 30_000 }, async (t) => {
  const chaos = new FaultInjector({
    random: new SeededRandom(1),
    faults: [
      { name: 'orders-down', status: 503, select: { prefix: '/orders' } },
      { name: 'reset', abort: true, select: { keys: ['/reset'] } },
      { name: 'slow', latency: 300, select: { keys: ['/slow'] } },
      { name: 'hang', hang: true, select: { keys: ['/hang'] } },
    ],
  });
  const server = createServer(faultyHandler((_req, res) => res.end('real'), chaos));
  t.after(() => server.close());
  const base = await listen(server);
  const down = await fetch(`${base}/orders/1?x=1`);
  assert.equal(down.status, 503);
  assert.equal(down.headers.get(CHAOS_RULE_HEADER), 'orders-down');
  await assert.rejects(fetch(`${base}/reset`), (e: unknown) => e instanceof TypeError);
  const start = performance.now();
  assert.equal(await (await fetch(`${base}/slow`)).text(), 'real');
  assert.ok(performance.now() - start >= 290, 'the latency fault delayed the response');
  await assert.rejects(fetch(`${base}/hang`, { signal: AbortSignal.timeout(200) }), /timeout|aborted/i);
  assert.equal(await (await fetch(`${base}/users`)).text(), 'real');
});

test('faultyFetch: status answers synthetically, errors reject like a network failure', { timeout: 30_000 }, async (t) => {
  const server = createServer((_req, res) => res.end('real'));
  t.after(() => server.close());
  const base = await listen(server);
  const chaos = new FaultInjector({
    faults: [
      { status: 429, select: { pattern: '/limited$' } },
      { error: true, select: { pattern: '/broken$' } },
    ],
  });
  const f = faultyFetch(fetch, chaos);
  assert.equal((await f(`${base}/limited`)).status, 429);
  await assert.rejects(f(`${base}/broken`), (e: unknown) => e instanceof TypeError && e.cause instanceof InjectedFaultError);
  assert.equal(await (await f(`${base}/fine`)).text(), 'real');
});

test('faultyRedis on the real Redis: selected keys fail, others and the client itself are untouched', { timeout: 30_000 }, async (t) => {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  await client.connect();
  t.after(() => client.close());
  const chaos = new FaultInjector({ faults: [{ timeout: 50, select: { prefix: 'h7chaos:bad:' } }] });
  const redis = faultyRedis(client, chaos, { commands: ['get', 'set'] });
  await redis.set('h7chaos:good', 'v');
  assert.equal(await redis.get('h7chaos:good'), 'v');
  await assert.rejects(redis.get('h7chaos:bad:1'), (e: unknown) => e instanceof InjectedFaultError && e.kind === 'timeout');
  await redis.del('h7chaos:good');
  assert.equal(await client.get('h7chaos:good'), null);
});

test('stallEventLoop blocks the loop: a 1 ms timer fires only after the stall', { timeout: 30_000 }, async () => {
  const start = performance.now();
  const fired = new Promise<number>((resolve) => setTimeout(() => resolve(performance.now() - start), 1));
  const blocked = stallEventLoop(150, { clock: systemClock });
  assert.ok(blocked >= 150);
  assert.ok((await fired) >= 150);
  const staller = new EventLoopStaller({ stall: 20, every: 30 }).start();
  // Until it has stalled twice (a loaded machine fires its timer later), not for a fixed time.
  const deadline = performance.now() + 10_000;
  while (staller.stalls < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 30));
  staller.stop();
  assert.ok(staller.stalls >= 2, `stalls ${staller.stalls}`);
});
