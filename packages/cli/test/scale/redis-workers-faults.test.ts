/**
 * Runs through Redis when Redis fails: each test starts its own redis-server on a free loopback
 * port and kills, restarts or freezes it (SIGSTOP) under a `headroom scale worker` or a
 * coordinating `headroom scale run`, against a real local HTTP server. A worker must outlive a
 * Redis restart and serve the next run; neither command may hang on a frozen Redis. The bounds
 * below are several times what a quiet machine takes; nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCountingServer, type CountingServer } from '@headroom/testkit/counting-server';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';
import { headroom, killAll, waitFor, type Running } from './headroom-process.js';

let server: CountingServer;
let redis: OwnRedis;

before(async () => {
  server = await startCountingServer();
  redis = await startRedis(0);
});
after(async () => {
  killAll();
  await redis.stop();
  await server.close();
});

/** Resolves with the exit of `running` and the seconds it took, or rejects after `limitMs`. */
async function exitWithin(
  running: Running,
  limitMs: number,
): Promise<{ status: number | null; stdout: string; stderr: string; seconds: number }> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${limitMs} ms later: ${running.stderr}`)), limitMs);
  });
  try {
    const r = await Promise.race([running.exited, late]);
    return { ...r, seconds: (performance.now() - t0) / 1000 };
  } finally {
    clearTimeout(timer);
  }
}

test(
  'a worker outlives a Redis restart: it says it lost Redis, says when it is back, and serves the next run',
  { timeout: 60_000 },
  async () => {
    const worker = headroom('scale', 'worker', '--redis', redis.url, '--name', 'survivor', '--once');
    await waitFor(worker, /waiting for runs/);
    await redis.kill();
    await waitFor(worker, /lost Redis at redis:\/\/127\.0\.0\.1:\d+\/? \(.+\); reconnecting/);
    await redis.restart();
    await waitFor(worker, /Redis at .* is back; waiting for runs/);
    const servedBefore = server.served;
    const run = await exitWithin(
      headroom(
        'scale',
        'run',
        server.url,
        '--concurrency',
        '2',
        '--duration',
        '1s',
        '--redis',
        redis.url,
        '--expect-workers',
        '1',
        '--json',
      ),
      30_000,
    );
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout) as { ok: number; workers: { name: string; lost: string | null }[] };
    assert.deepEqual(
      out.workers.map((w) => [w.name, w.lost]),
      [['survivor', null]],
    );
    assert.ok(out.ok > 0);
    assert.equal(out.ok, server.served - servedBefore, 'every request the server answered is counted');
    assert.equal((await exitWithin(worker, 10_000)).status, 0, '--once: the worker exits after its run');
  },
);

test('Ctrl-C stops a worker whose Redis is frozen, at once', { timeout: 60_000 }, async () => {
  const worker = headroom('scale', 'worker', '--redis', redis.url);
  await waitFor(worker, /waiting for runs/);
  redis.freeze();
  try {
    await new Promise((resolve) => setTimeout(resolve, 1500)); // a blocking pop is now waiting on the frozen server
    worker.child.kill('SIGINT');
    const r = await exitWithin(worker, 5000);
    assert.equal(r.status, 0, r.stderr);
  } finally {
    redis.thaw();
  }
});

test(
  'a run whose Redis freezes mid-run ends after the heartbeat timeout, the worker reported lost, and exits 1',
  { timeout: 60_000 },
  async () => {
    const worker = headroom('scale', 'worker', '--redis', redis.url, '--name', 'w0');
    await waitFor(worker, /waiting for runs/);
    const run = headroom(
      'scale',
      'run',
      server.url,
      '--rate',
      '50',
      '--duration',
      '20s',
      '--redis',
      redis.url,
      '--expect-workers',
      '1',
      '--heartbeat-timeout',
      '2s',
      '--json',
    );
    await waitFor(worker, /^run: /m);
    redis.freeze();
    try {
      const r = await exitWithin(run, 15_000);
      assert.equal(r.status, 1, r.stderr);
      const out = JSON.parse(r.stdout) as { workers: { name: string; lost: string | null }[] };
      assert.match(out.workers[0]!.lost ?? '', /worker 0 \(w0\): Redis did not answer for 3 s/);
      assert.match(r.stderr, /warning: worker 0 \(w0\): Redis did not answer/);
    } finally {
      redis.thaw();
    }
    worker.child.kill('SIGINT');
    assert.equal((await exitWithin(worker, 10_000)).status, 0);
  },
);
