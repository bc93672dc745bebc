/**
 * An invalidation racing a load, across instances on the machine's Redis: instance A loads a
 * key (its loader reads v1 and is slow); meanwhile the source moves to v2 and an instance
 * invalidates — by tag, by key, by a direct set or by clearing the namespace. A's late result
 * must then reach no L1 and no Redis entry that another instance would serve: a third instance
 * reads v2. Under both pub/sub and tracking invalidation.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCache, redisTier, type Cache, type LoadOptions } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { notificationBarrier } from './barrier.js';
import { SHARED_REDIS_URL, connectClient, uniquePrefix } from './servers.js';

type Client = Awaited<ReturnType<typeof connectClient>>;
const clients: Client[] = [];
const caches: Cache<string>[] = [];
let admin: Client;
const prefix = uniquePrefix('race');

before(async () => {
  admin = await connectClient(SHARED_REDIS_URL);
});

after(async () => {
  await Promise.all(caches.map((c) => c.close()));
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length > 0) await admin.del(keys);
  await Promise.all([...clients, admin].map((c) => c.close()));
});

async function instance(namespace: string, invalidation: 'pubsub' | 'tracking'): Promise<Cache<string>> {
  const client = await connectClient(SHARED_REDIS_URL);
  clients.push(client);
  const cache = createCache<string>({
    namespace, ttl: '1m', random: new SeededRandom(caches.length + 1),
    l2: redisTier<string>({ client, prefix, invalidation, timeout: '2s' }),
  });
  caches.push(cache);
  await cache.getOrLoad('warm-up', () => 'w'); // attached, namespace version known
  return cache;
}

type Invalidator = 'a' | 'b';
type Path = 'invalidateTag' | 'dynamic tags' | 'delete' | 'set' | 'clear';

/** Invalidates key `k` (tag `t`) by `path`, as the application would after writing v2 to its source. */
async function invalidate(cache: Cache<string>, path: Path): Promise<void> {
  if (path === 'invalidateTag' || path === 'dynamic tags') await cache.invalidateTag('t');
  else if (path === 'delete') await cache.delete('k');
  else if (path === 'set') await cache.set('k', 'v2', { tags: ['t'] });
  else await cache.clear();
}

for (const invalidation of ['pubsub', 'tracking'] as const) {
  for (const path of ['invalidateTag', 'dynamic tags', 'delete', 'set', 'clear'] as const) {
    for (const by of ['b', 'a'] as Invalidator[]) {
      test(`${invalidation}: ${path} by instance ${by.toUpperCase()} during A's load keeps A's old value out of every L1 and of Redis`, async () => {
        const ns = `${invalidation}-${path.replace(' ', '-')}-${by}`;
        const [a, b, c] = [await instance(ns, invalidation), await instance(ns, invalidation), await instance(ns, invalidation)];
        let source = 'v1';
        let started!: () => void;
        const loading = new Promise<void>((resolve) => { started = resolve; });
        let finish!: () => void;
        const gate = new Promise<void>((resolve) => { finish = resolve; });
        const options: LoadOptions<string> = path === 'dynamic tags' ? { tags: () => ['t'] } : { tags: ['t'] };
        // A's loader reads the source, then takes its time.
        const aRead = a.getOrLoad('k', async () => {
          const read = source;
          started();
          await gate;
          return read;
        }, options);
        await loading; // A holds the key's lease and has read v1
        source = 'v2';
        await invalidate(by === 'a' ? a : b, path);
        finish();
        assert.equal(await aRead, 'v1'); // A's caller asked before the change
        await notificationBarrier(admin, [a, b, c] as Cache<unknown>[], { prefix, namespace: ns, invalidation });
        const fromSource = (): string => source;
        assert.equal(await c.getOrLoad('k', fromSource, options), 'v2', 'a third instance was served the value loaded before the invalidation');
        assert.equal(await b.getOrLoad('k', fromSource, options), 'v2', 'instance B was served the value loaded before the invalidation');
        assert.equal(await a.getOrLoad('k', fromSource, options), 'v2', 'instance A kept the value it loaded before the invalidation');
      });
    }
  }
}
