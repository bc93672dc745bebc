/**
 * `serveLoadOverRedis` and `runLoadOverRedis` when Redis fails, in this process, against a
 * redis-server of the test's own (killed, restarted, frozen with SIGSTOP) and a real local HTTP
 * server: a worker on a reconnecting client waits a loss out and reports it; on a client that does
 * not reconnect it ends with `HR_SCALE_REDIS_LOST` instead of spinning or hanging; a coordinator
 * whose connection is gone for good keeps what arrived and reports the running workers lost.
 * The end-to-end cases (the `headroom scale` commands) are in packages/cli/test/scale.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startCountingServer, type CountingServer } from '@headroom/testkit/counting-server';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';
import { isHeadroomError } from '../../src/index.js';
import { runLoadOverRedis, serveLoadOverRedis, type RedisConnectionEvent, type RedisListClient } from '../../src/scale/index.js';

let server: CountingServer;
let redis: OwnRedis;

before(async () => {
  server = await startCountingServer();
  redis = await startRedis(0);
});
after(async () => {
  await redis.stop();
  await server.close();
});

/** A connected node-redis client; `reconnect: false` gives up on the first loss. */
async function client(reconnect: boolean): Promise<RedisListClient & { destroy(): void; isOpen: boolean }> {
  const c = createClient({ url: redis.url, socket: { reconnectStrategy: reconnect ? 50 : false } });
  c.on('error', () => undefined);
  await c.connect();
  return c as unknown as RedisListClient & { destroy(): void; isOpen: boolean };
}

/** Resolves when `check` holds, polling every 20 ms; rejects after `limitMs`. */
async function until(check: () => boolean, limitMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!check()) {
    if (performance.now() - t0 > limitMs) throw new Error(`not within ${limitMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a worker on a reconnecting client waits a Redis restart out, says so, and serves the next run', { timeout: 60_000 }, async () => {
  const c = await client(true);
  const events: RedisConnectionEvent['type'][] = [];
  let ready = false;
  const controller = new AbortController();
  const serving = serveLoadOverRedis({
    redis: c,
    prefix: 'hr-test:faults:a',
    name: 'w',
    once: true,
    signal: controller.signal,
    onReady: () => (ready = true),
    onConnection: (e) => events.push(e.type),
  });
  try {
    await until(() => ready, 10_000, 'the worker is ready');
    await redis.kill();
    await until(() => events.includes('lost'), 10_000, 'the worker reports the loss');
    await redis.restart();
    await until(() => events.includes('restored'), 10_000, 'the worker reports Redis back');
    const coordinator = await client(false);
    try {
      const before = server.served;
      const r = await runLoadOverRedis(
        { url: server.url, load: { kind: 'closed', concurrency: 2, duration: '500ms' } },
        { redis: coordinator, expectWorkers: 1, prefix: 'hr-test:faults:a' },
      );
      assert.deepEqual(
        r.workers.map((w) => [w.name, w.lost]),
        [['w', null]],
      );
      assert.ok(r.ok > 0);
      assert.equal(r.ok, server.served - before);
    } finally {
      coordinator.destroy();
    }
    await serving; // once: it resolves after its run
    assert.deepEqual(events, ['lost', 'restored'], 'one report per loss, one when it is back');
  } finally {
    controller.abort();
    await serving.catch(() => undefined);
    c.destroy();
  }
});

test('a worker on a client that does not reconnect ends with HR_SCALE_REDIS_LOST when Redis dies', { timeout: 30_000 }, async () => {
  const c = await client(false);
  let ready = false;
  const serving = serveLoadOverRedis({ redis: c, prefix: 'hr-test:faults:b', onReady: () => (ready = true) });
  const ended = serving.then(
    () => null,
    (e: unknown) => e,
  ); // held from the start: it may reject while the test still waits for the kill
  try {
    await until(() => ready, 10_000, 'the worker is ready');
    await redis.kill();
    const error = await ended;
    assert.ok(isHeadroomError(error, 'HR_SCALE_REDIS_LOST') && /does not reconnect/.test(error.message), String(error));
  } finally {
    await redis.restart();
    if (c.isOpen) c.destroy();
  }
});

test(
  'a coordinator whose connection dies mid-run keeps what arrived and reports the running worker lost',
  { timeout: 60_000 },
  async () => {
    const workerClient = await client(true);
    const controller = new AbortController();
    let ready = false;
    const serving = serveLoadOverRedis({
      redis: workerClient,
      prefix: 'hr-test:faults:c',
      name: 'w',
      signal: controller.signal,
      onReady: () => (ready = true),
    });
    const coordinator = await client(false);
    try {
      await until(() => ready, 10_000, 'the worker is ready');
      let rows = 0;
      const running = runLoadOverRedis(
        { url: server.url, load: { kind: 'closed', concurrency: 2, duration: '20s' } },
        { redis: coordinator, expectWorkers: 1, prefix: 'hr-test:faults:c', onProgress: () => rows++ },
      );
      await until(() => rows >= 2, 15_000, 'two merged rows arrived');
      await redis.kill();
      const r = await running;
      assert.match(r.workers[0]!.lost ?? '', /^worker 0 \(w\): the run's connection to Redis closed .* does not reconnect/);
      assert.ok(r.timeline.length >= 2, 'the rows that arrived are kept');
    } finally {
      controller.abort();
      await serving.catch(() => undefined);
      workerClient.destroy();
      if (coordinator.isOpen) coordinator.destroy();
      await redis.restart();
    }
  },
);

test('a worker stopped while Redis is frozen ends at once, its pop and pushes given up', { timeout: 30_000 }, async () => {
  const c = await client(true);
  const controller = new AbortController();
  let ready = false;
  const serving = serveLoadOverRedis({ redis: c, prefix: 'hr-test:faults:d', signal: controller.signal, onReady: () => (ready = true) });
  try {
    await until(() => ready, 10_000, 'the worker is ready');
    redis.freeze();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // its blocking pop now waits on the frozen server
    const t0 = performance.now();
    controller.abort();
    await serving;
    assert.ok(performance.now() - t0 < 3000, `stopped in ${Math.round(performance.now() - t0)} ms`);
  } finally {
    redis.thaw();
    c.destroy();
  }
});

test(
  'a run whose Redis is frozen while workers join ends after the heartbeat timeout with HR_SCALE_WORKERS_MISSING saying so',
  { timeout: 30_000 },
  async () => {
    const coordinator = await client(false);
    try {
      const running = runLoadOverRedis(
        { url: server.url, load: { kind: 'closed', concurrency: 1, duration: '1s' } },
        { redis: coordinator, expectWorkers: 1, prefix: 'hr-test:faults:e', heartbeatTimeout: '1s', joinTimeout: '60s' },
      );
      const ended = running.then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((resolve) => setTimeout(resolve, 300)); // its job is pushed and its pop waits
      redis.freeze();
      const t0 = performance.now();
      const error = await ended;
      assert.ok(isHeadroomError(error, 'HR_SCALE_WORKERS_MISSING') && /Redis did not answer for 2 s/.test(error.message), String(error));
      assert.ok(performance.now() - t0 < 10_000, `ended ${Math.round(performance.now() - t0)} ms after the freeze`);
    } finally {
      redis.thaw();
      coordinator.destroy();
    }
  },
);

test(
  'a job left behind by a run that died is given up after its join timeout, and the worker serves the next run',
  { timeout: 30_000 },
  async () => {
    const prefix = 'hr-test:faults:f';
    const c = await client(true);
    const coordinator = await client(false);
    const controller = new AbortController();
    const runs: string[] = [];
    // what a coordinator that died after pushing its jobs (or froze in the join) leaves on the list
    const orphan = { runId: 'dead', index: 0, plan: { url: server.url, load: { kind: 'closed', concurrency: 1, duration: '1s' } } };
    await coordinator.rPush(
      `${prefix}:jobs`,
      JSON.stringify({ ...orphan, events: `${prefix}:run:dead:events`, control: `${prefix}:run:dead:control:0`, joinTimeoutMs: 1000 }),
    );
    const serving = serveLoadOverRedis({ redis: c, prefix, signal: controller.signal, onRun: (e) => runs.push(e.type) });
    try {
      const r = await runLoadOverRedis(
        { url: server.url, load: { kind: 'closed', concurrency: 1, duration: '500ms' } },
        { redis: coordinator, expectWorkers: 1, prefix, joinTimeout: '10s' },
      );
      assert.equal(r.workers[0]!.lost, null);
      assert.ok(r.ok > 0);
      controller.abort();
      await serving; // its 'finished' comes after the result it pushed
      assert.deepEqual(runs, ['started', 'finished'], 'only the live run ran');
    } finally {
      controller.abort();
      await serving;
      c.destroy();
      coordinator.destroy();
    }
  },
);

test(
  'what is not a job on the list (not JSON, keys outside the run, a bad plan) is dropped with a reason, and the worker serves the next run',
  { timeout: 30_000 },
  async () => {
    const prefix = 'hr-test:faults:g';
    const c = await client(true);
    const coordinator = await client(false);
    const controller = new AbortController();
    const rejected: string[] = [];
    const plan = { url: server.url, load: { kind: 'closed', concurrency: 1, duration: '1s' } };
    const job = { runId: 'x1', index: 0, plan, events: `${prefix}:run:x1:events`, control: `${prefix}:run:x1:control:0` };
    for (const junk of [
      'rm -rf /',
      JSON.stringify({ ...job, events: 'somebody:else:key' }),
      JSON.stringify({ ...job, plan: { url: server.url, load: { kind: 'closed', concurrency: 0, duration: '1s' } } }),
    ])
      await coordinator.rPush(`${prefix}:jobs`, junk);
    const serving = serveLoadOverRedis({ redis: c, prefix, signal: controller.signal, onRejectedJob: (reason) => rejected.push(reason) });
    try {
      const r = await runLoadOverRedis(
        { url: server.url, load: { kind: 'closed', concurrency: 1, duration: '300ms' } },
        { redis: coordinator, expectWorkers: 1, prefix, joinTimeout: '10s' },
      );
      assert.equal(r.workers[0]!.lost, null);
      assert.equal(rejected.length, 3, rejected.join('; '));
      assert.match(rejected[0]!, /^not JSON: "rm -rf \/"$/);
      assert.match(rejected[1]!, /^events: not hr-test:faults:g:run:x1:events$/);
      assert.match(rejected[2]!, /^plan: .*plan\.load\.concurrency/);
    } finally {
      controller.abort();
      await serving;
      c.destroy();
      coordinator.destroy();
    }
  },
);
