/**
 * Late execution: a command whose call timed out on the client still runs on the server once
 * a frozen redis-server (SIGSTOP) resumes (SIGCONT). No such late command may leave a lease
 * that blocks the other instances, or write a value its caller was told had failed.
 * Own server on a free port; with node-redis and with ioredis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisTier, Cache } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { CLIENT_LIBRARIES, type ClientLibrary, type TestClient } from './clients.js';
import { redisFixture } from './fixture.js';

const redis = redisFixture(true, 'late');
let seed = 0;

async function instance(
  library: ClientLibrary,
  namespace: string,
  options: { staleWhileRevalidate?: number } = {},
): Promise<{ cache: Cache<string>; client: TestClient }> {
  const client = await redis.client(library);
  const cache = redis.keep(
    new Cache<string>({
      namespace,
      ttl: '1h',
      random: new SeededRandom(++seed),
      ...options,
      // The breaker must not refuse the calls this test wants sent (and left to run late).
      l2: redisTier<string>({ client: client.client, timeout: '500ms', circuit: { failureThreshold: 1000 } }),
    }),
  );
  return { cache, client };
}

/** Resolves once every command sent on `client` before this call has run (one connection answers in order). */
async function drained(client: TestClient): Promise<void> {
  await client.ping();
}

for (const library of CLIENT_LIBRARIES) {
  test(`${library.name}: a lease request that timed out and ran late leaves no lease behind (background refresh while Redis is frozen)`, async () => {
    const ns = `orphan-${library.name}`;
    const a = await instance(library, ns, { staleWhileRevalidate: 3_600_000 });
    // The server knows every script by now, so the frozen request is an EVALSHA that will run.
    await a.cache.getOrLoad('warm-up', () => 'w');
    await a.cache.set('k', 'v1', { ttl: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20)); // 'k' is stale now, inside stale-while-revalidate
    redis.server.freeze();
    let refreshed!: () => void;
    const refresh = new Promise<void>((resolve) => {
      refreshed = resolve;
    });
    const sub = a.cache.on((e) => {
      if (e.type === 'load') refreshed();
    });
    try {
      // Served stale at once; the background refresh asks for the lease, times out, and loads without it.
      assert.equal(await a.cache.getOrLoad('k', () => 'v2'), 'v1');
      await refresh;
    } finally {
      sub.dispose();
      redis.server.thaw();
    }
    await drained(a.client);
    assert.equal(await redis.admin.exists(`hr:${ns}:0:{k}:lease`), 0, 'the late lease request left a lease nobody holds');
    // Another instance is not kept waiting: it takes the lease and stores its load in Redis.
    const b = await instance(library, ns, { staleWhileRevalidate: 3_600_000 });
    await redis.admin.del(`hr:${ns}:0:{k}`);
    assert.equal(await b.cache.getOrLoad('k', () => 'from-b'), 'from-b');
    assert.match(String(await redis.admin.get(`hr:${ns}:0:{k}`)), /from-b/);
  });

  test(`${library.name}: a set whose call timed out does not write its value when it runs late`, async () => {
    const ns = `late-set-${library.name}`;
    const a = await instance(library, ns);
    await a.cache.set('k', 'before');
    redis.server.freeze();
    try {
      await assert.rejects(a.cache.set('k', 'timed-out'), { code: 'HR_CACHE_TIER_TIMEOUT' });
    } finally {
      redis.server.thaw();
    }
    await drained(a.client);
    const held = await redis.admin.get(`hr:${ns}:0:{k}`);
    assert.doesNotMatch(String(held), /timed-out/, 'the set was reported failed, yet its value landed in Redis');
    assert.equal(await redis.admin.exists(`hr:${ns}:0:{k}:lease`), 0);
  });
}
