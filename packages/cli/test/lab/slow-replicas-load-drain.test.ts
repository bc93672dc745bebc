/**
 * The wait between the slow-replicas-load scenario's segments, on a virtual clock: it lasts as long
 * as a replica still starts store queries (the backlog round-robin leaves the slow replica) and
 * ends a quiet period after the last one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from 'headroom';
import { drainReplicas } from '../../src/lab/scenarios/slow-replicas-load-drain.js';

/** Store-query counters of three replicas; the first runs a backlog of `backlog` queries, 2 per 50 ms. */
function fleet(clock: VirtualClock, backlog: number): () => Promise<readonly number[]> {
  const startMs = clock.now();
  return () => Promise.resolve([Math.min(backlog, 2 * Math.floor((clock.now() - startMs) / 50)) + 1_000, 5_000, 5_000]);
}

test('drainReplicas waits until the slow replica has run its backlog, then a quiet period', async () => {
  const clock = new VirtualClock();
  // 210 queued queries at 40 per second: the last starts at 5,200 ms.
  const done = drainReplicas(fleet(clock, 210), { clock, pollMs: 50, quietMs: 200, maxMs: 30_000 });
  await clock.advanceBy(10_000);
  const result = await done;
  assert.equal(result.idle, true);
  assert.ok(result.waitedMs >= 5_200 + 200 && result.waitedMs <= 5_200 + 200 + 50, `waited ${result.waitedMs} ms`);
});

test('drainReplicas ends after the quiet period when nothing is queued', async () => {
  const clock = new VirtualClock();
  const done = drainReplicas(fleet(clock, 0), { clock, pollMs: 50, quietMs: 200, maxMs: 30_000 });
  await clock.advanceBy(1_000);
  assert.deepEqual(await done, { waitedMs: 200, idle: true });
});

test('drainReplicas gives up at maxMs while queries still start, and says so', async () => {
  const clock = new VirtualClock();
  const done = drainReplicas(fleet(clock, 1e9), { clock, pollMs: 50, quietMs: 200, maxMs: 2_000 });
  await clock.advanceBy(3_000);
  assert.deepEqual(await done, { waitedMs: 2_000, idle: false });
});

test('drainReplicas rejects with the reason when its signal aborts', async () => {
  const clock = new VirtualClock();
  const controller = new AbortController();
  const done = drainReplicas(fleet(clock, 1e9), { clock, pollMs: 50, quietMs: 200, maxMs: 30_000, signal: controller.signal });
  await clock.advanceBy(500);
  controller.abort(new Error('stopped'));
  await assert.rejects(done, /stopped/);
});
