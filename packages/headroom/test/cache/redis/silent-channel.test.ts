/**
 * A frozen Redis is not a lost connection: its sockets stay open, nothing is answered, and an
 * instance hears no invalidation from the others. The rule (docs/cache.md, "When the channel
 * falls silent"): once a heartbeat (or a call) goes unanswered for `timeout`, L1 is no longer
 * trusted — reads reload, L1 only backs stale-if-error — and once the channel answers again,
 * every entry held from before is revalidated on its next read. Own redis-server on a free
 * port, frozen with SIGSTOP and thawed with SIGCONT, under pub/sub and tracking, with node-redis
 * and with ioredis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisTier, Cache, type CacheEvent } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { notificationBarrier } from './barrier.js';
import { CLIENT_LIBRARIES, type ClientLibrary } from './clients.js';
import { redisFixture } from './fixture.js';

const redis = redisFixture(true, 'silent');
let seed = 0;

async function instance(library: ClientLibrary, namespace: string, invalidation: 'pubsub' | 'tracking'): Promise<Cache<string>> {
  const { client } = await redis.client(library);
  return redis.keep(
    new Cache<string>({
      namespace,
      ttl: '1h',
      staleIfError: '1h',
      random: new SeededRandom(++seed),
      l2: redisTier<string>({
        client,
        invalidation,
        timeout: '500ms',
        heartbeat: '200ms',
        circuit: { backoff: { initial: '100ms', max: '200ms' } },
      }),
    }),
  );
}

/** The next `tier-connection` event of `cache` with `up`; rejects after 10 s (the rule was not applied). */
function connection(cache: Cache<string>, up: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`no tier-connection ${up ? 'up' : 'down'} event within 10 s`));
    }, 10_000);
    const sub = cache.on((e: CacheEvent) => {
      if (e.type !== 'tier-connection' || e.up !== up) return;
      clearTimeout(timer);
      sub.dispose();
      resolve();
    });
  });
}

for (const library of CLIENT_LIBRARIES)
  for (const invalidation of ['pubsub', 'tracking'] as const) {
    test(`${library.name}, ${invalidation}: while Redis is frozen L1 is not trusted, and after it resumes held entries are revalidated`, async () => {
      const ns = `silent-${library.name}-${invalidation}`;
      const a = await instance(library, ns, invalidation);
      const b = await instance(library, ns, invalidation);
      let source = 'v1';
      for (const k of ['k1', 'k2', 'k3']) await b.set(k, source);
      await notificationBarrier(redis.admin, [a, b] as Cache<unknown>[], { prefix: 'hr', namespace: ns, invalidation });
      for (const k of ['k1', 'k2', 'k3']) assert.equal(await a.getOrLoad(k, () => 'unexpected load'), 'v1');
      assert.equal(a.getSync('k1'), 'v1'); // held in A's L1, fresh

      const silent = connection(a, false);
      redis.server.freeze();
      try {
        source = 'v2';
        await assert.rejects(b.delete('k1'), { code: 'HR_CACHE_TIER_TIMEOUT' }); // B's invalidation cannot reach A now
        await silent; // A noticed the silence by itself (A made no call)
        assert.equal(a.health().status, 'degraded');
        assert.equal(a.getSync('k1'), undefined, 'A still trusts an L1 entry while it cannot hear invalidations');
        assert.equal(await a.getOrLoad('k1', () => source), 'v2'); // reloaded, not served from L1
        assert.equal(
          await a.getOrLoad('k2', () => {
            throw new Error('the source is down too');
          }),
          'v1',
        ); // stale-if-error still works
      } finally {
        const live = connection(a, true);
        redis.server.thaw();
        await live;
      }
      assert.equal(a.health().status, 'ok');
      // k3 was held from before the silence: its next read asks Redis instead of trusting L1.
      const l2Hits = a.stats().l2Hits;
      assert.equal(await a.getOrLoad('k3', () => 'unexpected load'), 'v1');
      assert.equal(a.stats().l2Hits, l2Hits + 1, 'k3 was served from L1 without being revalidated');
      // B's delete was rejected: it may not have happened. B retries it, as the docs say, and A hears it.
      await b.delete('k1');
      await notificationBarrier(redis.admin, [a, b] as Cache<unknown>[], { prefix: 'hr', namespace: ns, invalidation });
      assert.equal(await a.getOrLoad('k1', () => source), 'v2');
    });
  }

/** Resolves `p`'s time to settle, ms, or rejects when it has not settled within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number, what: string): Promise<number> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} still pending after ${ms} ms`)), ms)));
  try {
    await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
  return performance.now() - t0;
}

for (const library of CLIENT_LIBRARIES)
  for (const invalidation of ['pubsub', 'tracking'] as const) {
    test(`${library.name}, ${invalidation}: cache.close() resolves at once while Redis is frozen — its probes unanswered, or a reconnect's handshake waiting`, async () => {
      for (const moment of ['probes in flight', 'reconnect handshake in flight'] as const) {
        const ns = `frozen-close-${library.name}-${invalidation}-${moment.length}`;
        const cache = await instance(library, ns, invalidation);
        await cache.set('k', 'v');
        const silent = connection(cache, false);
        if (moment === 'reconnect handshake in flight') {
          // break every connection but the admin's, then freeze at once: the reconnects' TCP connects
          // succeed (the kernel answers them) and their handshakes wait on the frozen server
          const adminId = String(await redis.admin.sendCommand(['CLIENT', 'ID']));
          const ids = [...String(await redis.admin.sendCommand(['CLIENT', 'LIST'])).matchAll(/id=(\d+)/g)].map((m) => m[1]!);
          for (const id of ids) if (id !== adminId) await redis.admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
        }
        redis.server.freeze();
        try {
          await silent; // its heartbeat went unanswered (or the connection dropped): commands are in flight
          const ms = await settlesWithin(cache.close(), 2_000, `cache.close() (${moment})`);
          assert.ok(ms < 2_000);
        } finally {
          redis.server.thaw();
        }
      }
    });
  }
