/**
 * Multi-host runs through Redis, on loopback: two `headroom scale worker` processes join a run that
 * `headroom scale run --redis … --expect-workers 2` coordinates through the local Redis
 * (127.0.0.1:6379), against a real local HTTP server. Each test uses its own key prefix and checks
 * that nothing is left under it. Nothing here asserts a speed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { startCountingServer, type CountingServer } from '@headroom/testkit/counting-server';
import { headroom, killAll, waitFor } from './headroom-process.js';

const REDIS = 'redis://127.0.0.1:6379';
const RUN_PREFIX = `headroom-test:scale:${process.pid}`;
let server: CountingServer;
let url = '';

async function keysUnder(prefix: string): Promise<string[]> {
  const client = await createClient({ url: REDIS }).connect();
  try {
    return await client.keys(`${prefix}*`);
  } finally {
    await client.close();
  }
}

before(async () => {
  server = await startCountingServer();
  url = server.url;
});
after(async () => {
  killAll();
  await server.close();
  const client = await createClient({ url: REDIS }).connect();
  const left = await client.keys(`${RUN_PREFIX}*`);
  if (left.length > 0) await client.del(left);
  await client.close();
});

test('two worker processes join one run through Redis: their histograms merge into one, every request counted once', async () => {
  const prefix = `${RUN_PREFIX}:a`;
  const workers = [0, 1].map((i) => headroom('scale', 'worker', '--redis', REDIS, '--prefix', prefix, '--name', `w${i}`, '--once'));
  await Promise.all(workers.map((w) => waitFor(w, /waiting for runs/)));
  const servedBefore = server.served;
  const run = headroom(
    'scale',
    'run',
    url,
    '--concurrency',
    '4',
    '--duration',
    '1500ms',
    '--redis',
    REDIS,
    '--expect-workers',
    '2',
    '--prefix',
    prefix,
    '--json',
  );
  const r = await run.exited;
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ok: number;
    sent: number;
    latencyMs: { count: number };
    workers: { name: string; ok: number; lost: string | null; load: { concurrency: number } }[];
  };
  assert.deepEqual(out.workers.map((w) => [w.lost, w.load.concurrency]).sort(), [
    [null, 2],
    [null, 2],
  ]);
  assert.deepEqual(out.workers.map((w) => w.name).sort(), ['w0', 'w1']);
  assert.ok(out.ok > 0);
  assert.equal(out.latencyMs.count, out.ok, 'the merged histogram holds every success');
  assert.equal(
    out.workers.reduce((s, w) => s + w.ok, 0),
    out.ok,
  );
  assert.equal(out.ok, server.served - servedBefore, 'every request the server answered is counted once');
  assert.match(r.stderr, /joined: w[01], w[01]/);
  assert.match(r.stderr, /^\[ {3}1s\] done .* \(2 workers, percentiles merged\)$/m);
  for (const w of workers) assert.equal((await w.exited).status, 0, '--once: the worker exits after its run');
  assert.deepEqual(await keysUnder(prefix), [], 'the run cleaned up its keys');
});

test('a worker that vanishes mid-run is reported lost, with its share missing, and the command exits 1', async () => {
  const prefix = `${RUN_PREFIX}:b`;
  const workers = [0, 1].map((i) => headroom('scale', 'worker', '--redis', REDIS, '--prefix', prefix, '--name', `w${i}`));
  await Promise.all(workers.map((w) => waitFor(w, /waiting for runs/)));
  const run = headroom(
    'scale',
    'run',
    url,
    '--rate',
    '100',
    '--duration',
    '4s',
    '--redis',
    REDIS,
    '--expect-workers',
    '2',
    '--prefix',
    prefix,
    '--heartbeat-timeout',
    '3s',
    '--json',
  );
  await waitFor(workers[1]!, /^run: /m);
  workers[1]!.child.kill('SIGKILL');
  const r = await run.exited;
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ok: number;
    latencyMs: { count: number };
    workers: { name: string; ok: number; lost: string | null }[];
  };
  const lost = out.workers.find((w) => w.name === 'w1')!;
  const kept = out.workers.find((w) => w.name === 'w0')!;
  assert.match(lost.lost ?? '', /worker \d \(w1\) went silent for \d+ s/);
  assert.equal(kept.lost, null);
  assert.equal(out.latencyMs.count, kept.ok, 'only the reporting worker is in the figures');
  assert.match(r.stderr, /warning: worker \d \(w1\) went silent .*missing from these figures/);
  workers[0]!.child.kill('SIGTERM');
  await workers[0]!.exited;
  assert.deepEqual(await keysUnder(prefix), []);
});

test('too few workers: a clear error after the join timeout, the jobs withdrawn; bad credentials in the URL: a clear error', async () => {
  const prefix = `${RUN_PREFIX}:c`;
  const r = await headroom(
    'scale',
    'run',
    url,
    '--concurrency',
    '2',
    '--duration',
    '1s',
    '--redis',
    REDIS,
    '--expect-workers',
    '2',
    '--prefix',
    prefix,
    '--join-timeout',
    '1500ms',
  ).exited;
  assert.equal(r.status, 1);
  assert.match(r.stderr, /0 of 2 workers joined within 1.5 s: start more with `headroom scale worker --redis <url>`/);
  assert.deepEqual(await keysUnder(prefix), [], 'the jobs nobody took are withdrawn');
  const auth = await headroom('scale', 'worker', '--redis', 'redis://nobody:secret@127.0.0.1:6379', '--prefix', prefix).exited;
  assert.equal(auth.status, 1);
  assert.match(
    auth.stderr,
    /cannot connect to Redis at redis:\/\/nobody:\*\*\*@127\.0\.0\.1:6379\/?: .*(WRONGPASS|invalid username-password)/i,
  );
  assert.doesNotMatch(auth.stderr, /secret/);
  const scheme = await headroom('scale', 'worker', '--redis', 'http://127.0.0.1:6379').exited;
  assert.equal(scheme.status, 1);
  assert.match(scheme.stderr, /Invalid option --redis: got "http:\/\/127.0.0.1:6379"/);
});
