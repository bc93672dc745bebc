/**
 * Redis down, slow and restarting, with a redis-server this test owns (on a free port): callers
 * never hang or fail because of Redis; the circuit opens and closes; L1 turns stale while the
 * notifications are down. Once with node-redis, then with ioredis (a fresh server each).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { redisTier, Cache, type CacheEvent } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { startRedis, type OwnRedis } from '@headroom/testkit/redis-servers';
import { CLIENT_LIBRARIES, type TestClient } from './clients.js';

let server: OwnRedis;
let client: TestClient;
let cache: Cache<string>;
let events: CacheEvent[] = [];

/**
 * Runs `readers` loops of getOrLoad for `ms`; returns the slowest call, the errors, the calls, and
 * the longest this event loop was blocked meanwhile (`stallMs`: on a busy machine, a call can take
 * that long without waiting on anything).
 */
async function load(
  ms: number,
  loader: (key: string) => string,
  readers = 20,
): Promise<{ slowestMs: number; errors: number; calls: number; stallMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const end = Date.now() + ms;
  let slowestMs = 0;
  let errors = 0;
  let calls = 0;
  await Promise.all(
    Array.from({ length: readers }, async (_, r) => {
      for (let i = 0; Date.now() < end; i++) {
        const key = `k${(r * 7 + i) % 30}`;
        const started = Date.now();
        try {
          await cache.getOrLoad(key, ({ key: k }) => loader(k));
        } catch {
          errors++;
        }
        calls++;
        slowestMs = Math.max(slowestMs, Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    }),
  );
  delay.disable();
  return { slowestMs, errors, calls, stallMs: delay.max / 1e6 };
}

/**
 * Resolves once the cache uses Redis again: a write reached it through the client, the
 * notifications are up and the circuit is closed. The write is what proves the client itself is
 * back: after a restart its reconnect can trail the subscriber's, and a circuit that never opened
 * (too few failed calls while Redis was down) says nothing about it.
 */
async function backInUse(): Promise<void> {
  const deadline = Date.now() + 5000;
  const inUse = (): boolean => cache.stats().l2?.notifications === true && cache.stats().l2?.circuit === 'closed';
  for (;;) {
    const wrote = await cache.set('probe', 'p').then(
      () => true,
      () => false,
    );
    if (wrote && inUse()) return;
    assert.ok(Date.now() < deadline, `redis-server not back in use within 5 s: ${JSON.stringify(cache.stats().l2)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `write` until it succeeds (at most 20 tries): for setting up, where a timed-out write is not what is tested. */
async function settled(write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (e) {
      if (attempt >= 20) throw e;
    }
  }
}

for (const library of CLIENT_LIBRARIES)
  describe(library.name, () => {
    before(async () => {
      events = [];
      server = await startRedis(0, ['--enable-debug-command', 'yes']);
      client = await library.connect(server.url);
      cache = new Cache<string>({
        namespace: 'faults',
        ttl: '1h',
        staleIfError: '1h',
        random: new SeededRandom(4),
        l2: redisTier<string>({
          client: client.client,
          timeout: '100ms',
          circuit: { failureThreshold: 3, backoff: { initial: '200ms', max: '400ms' } },
        }),
      });
      cache.on((e) => {
        if (e.type === 'tier-error' || e.type === 'tier-connection') events.push(e);
      });
    });

    after(async () => {
      await cache.close();
      await client.close().catch(() => {});
      await server.stop();
    });

    test('Redis killed mid-load and restarted: no caller hangs or fails, the circuit opens then closes, L2 is used again', async () => {
      // Seed entries; a write that hit the 100 ms bound on a busy machine is simply sent again.
      for (let i = 0; i < 30; i++) await settled(() => cache.set(`k${i}`, `v${i}`));
      const during = load(1500, (k) => `db-${k}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await server.kill();
      // The failing calls open the circuit (3 failures); wait for it rather than a fixed time.
      const opened = Date.now() + 5000;
      while (cache.stats().l2?.circuit === 'closed' && Date.now() < opened) await new Promise((resolve) => setTimeout(resolve, 20));
      const stats = cache.stats();
      assert.equal(stats.l2?.circuit === 'open' || stats.l2?.circuit === 'half-open', true, `circuit ${stats.l2?.circuit}`);
      assert.equal(stats.l2?.notifications, false);
      const health = cache.health();
      assert.equal(health.status, 'degraded');
      assert.equal(health.tier?.channel, 'down');
      assert.notEqual(health.tier?.circuit, 'closed');
      await server.restart();
      const outcome = await during;
      assert.equal(outcome.errors, 0);
      // No call waited on Redis: the slowest took under 1 s beyond the longest event-loop stall.
      assert.ok(
        outcome.slowestMs < 1000 + outcome.stallMs,
        `slowest call took ${outcome.slowestMs} ms (loop stalled ${outcome.stallMs} ms)`,
      );
      assert.ok(events.some((e) => e.type === 'tier-connection' && !e.up));
      assert.ok(events.some((e) => e.type === 'tier-error'));
      // Back to normal: the breaker closes after a probe and writes reach Redis again.
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        try {
          await cache.set('after', 'restart');
          if (cache.stats().l2?.circuit === 'closed' && cache.stats().l2?.notifications) break;
        } catch {
          /* still opening */
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(cache.stats().l2?.circuit, 'closed');
      assert.equal(cache.stats().l2?.notifications, true);
      assert.equal(cache.health().status, 'ok');
      assert.equal(await client.get('hr:faults:0:{after}').then((v) => v?.endsWith('"restart"')), true);
    });

    test('while notifications are down, L1 entries are stale: reads reload, and a failing loader gets them through stale-if-error', async () => {
      await cache.set('s', 'held-s');
      await cache.set('t', 'held-t');
      assert.equal(cache.getSync('s'), 'held-s');
      const down = new Promise<void>((resolve) => {
        const sub = cache.on((e) => {
          if (e.type === 'tier-connection' && !e.up) {
            sub.dispose();
            resolve();
          }
        });
      });
      await server.kill();
      try {
        await down;
        assert.equal(cache.getSync('s'), undefined); // no longer fresh
        assert.equal(await cache.getOrLoad('s', () => 'from-db'), 'from-db'); // reloaded, not served from L1
        assert.equal(
          await cache.getOrLoad('t', () => {
            throw new Error('db down too');
          }),
          'held-t',
        ); // stale-if-error
      } finally {
        await server.restart();
      }
    });

    test('slow Redis (DEBUG SLEEP): calls time out at the bound and the loader answers', async () => {
      const sleeper = spawnSync('redis-cli', ['-p', String(server.port), 'DEBUG', 'SLEEP', '0'], { encoding: 'utf8' });
      assert.equal(sleeper.stdout.trim(), 'OK');
      // The call must reach a sleeping Redis through a closed circuit. On a busy machine the channel's
      // probes can fail and open the circuit before the call is made (it would then skip Redis):
      // such a round proves nothing, so wake up, let the circuit close, and put Redis to sleep again.
      for (let round = 1; ; round++) {
        await backInUse();
        const before = cache.stats().l2!.timeouts;
        const { awake } = await putToSleep(server.port, 2);
        if (cache.stats().l2?.circuit !== 'closed' && round < 5) {
          await awake;
          continue;
        }
        let woke = false;
        void awake.then(() => (woke = true));
        const from = events.length;
        const seen = (): string[] =>
          events
            .slice(from)
            .map((e) =>
              e.type === 'tier-error'
                ? `${e.operation}: ${e.error.message} (${String((e.error as { cause?: unknown }).cause)})`
                : `connection ${e.type === 'tier-connection' && e.up}`,
            );
        assert.equal(cache.stats().l2?.circuit, 'closed', 'the circuit was open at the call in 5 rounds');
        assert.equal(await cache.getOrLoad(`slow-key-${round}`, () => 'from-loader'), 'from-loader');
        // The call answered while Redis was still asleep (2 s): it did not wait for Redis.
        assert.equal(woke, false, 'the call waited until redis-server woke up');
        assert.ok(cache.stats().l2!.timeouts > before, `${JSON.stringify(cache.stats().l2)} after ${JSON.stringify(seen())}`);
        await awake;
        return;
      }
    });
  });

/**
 * Sends `DEBUG SLEEP <seconds>` on its own connection and resolves once the server is asleep: a
 * PING on another connection goes unanswered for 250 ms (a fixed wait after spawning redis-cli
 * raced the server on a busy machine: the call then found Redis awake and nothing timed out).
 * `awake` resolves when the sleep's reply arrives.
 */
async function putToSleep(port: number, seconds: number): Promise<{ awake: Promise<void> }> {
  const sleeper = connect(port, '127.0.0.1');
  const awake = new Promise<void>((resolve, reject) => {
    sleeper.once('data', () => {
      sleeper.destroy();
      resolve();
    });
    sleeper.once('error', reject);
  });
  sleeper.write(`DEBUG SLEEP ${seconds}\r\n`);
  const giveUp = Date.now() + 5000;
  for (;;) {
    const answered = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1', () => probe.write('PING\r\n'));
      const timer = setTimeout(() => {
        probe.destroy();
        resolve(false);
      }, 250);
      probe.once('data', () => {
        clearTimeout(timer);
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!answered) return { awake };
    assert.ok(Date.now() < giveUp, `redis-server on ${port} did not go to sleep within 5 s`);
  }
}
