/**
 * `runLoadOverRedis`'s bookkeeping when Redis takes a command late, with a fake node-redis client
 * (in-memory lists) for what a real server cannot be made to do on cue: take every command but
 * one start. The real-server faults (killed, restarted, frozen) are in redis-faults.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoadOverRedis, type RedisConnectionControl, type RedisListClient } from '../../src/scale/index.js';

/** Lists in memory; a `start` is never answered (a Redis that froze for that one command), and every job is joined at once. */
function fakeRedis(): RedisListClient {
  const lists = new Map<string, string[]>();
  const list = (key: string): string[] => lists.get(key) ?? (lists.set(key, []), lists.get(key)!);
  const client: RedisListClient = {
    rPush: async (key, element) => {
      if (element === 'start') return new Promise(() => {});
      list(key).push(element);
      if (key.endsWith(':jobs')) {
        const job = JSON.parse(element) as { index: number; events: string };
        list(job.events).push(JSON.stringify({ type: 'joined', index: job.index, name: `w${job.index}` }));
      }
      return 1;
    },
    blPop: async (key, timeoutSec) => {
      const l = list(key);
      if (l.length > 0) return { key, element: l.shift()! };
      await new Promise((resolve) => setTimeout(resolve, timeoutSec * 1000));
      return null;
    },
    lRem: async () => 0,
    del: async () => 0,
    expire: async () => 1,
    duplicate: () => Object.assign(Object.create(client) as RedisListClient, connection()),
  };
  return client;
}

function connection(): RedisConnectionControl {
  return { on: () => undefined, connect: async () => undefined, close: async () => undefined, destroy: () => undefined, isOpen: true };
}

test(
  'a start Redis does not take in time leaves every worker still to start on the heartbeat clock: the run ends with them lost',
  { timeout: 30_000 },
  async () => {
    const t0 = performance.now();
    // a real connection keeps the process alive while its command waits; the fake's never-answered start does not
    const alive = setInterval(() => undefined, 1000);
    const r = await runLoadOverRedis(
      { url: 'http://127.0.0.1:9/', load: { kind: 'closed', concurrency: 2, duration: '1s' } },
      { redis: fakeRedis(), expectWorkers: 2, prefix: 'fake', heartbeatTimeout: '1s' },
    ).finally(() => clearInterval(alive));
    assert.deepEqual(
      r.workers.map((w) => w.lost !== null),
      [true, true],
      'both workers lost: neither was started',
    );
    assert.ok(performance.now() - t0 < 10_000, `ended in ${Math.round(performance.now() - t0)} ms`);
  },
);
