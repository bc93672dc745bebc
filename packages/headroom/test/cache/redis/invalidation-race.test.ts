/**
 * An invalidation racing a load, across instances on the machine's Redis: instance A loads a
 * key (its loader reads v1 and is slow); meanwhile the source moves to v2 and an instance
 * invalidates — by tag, by key, by a direct set or by clearing the namespace. A's late result
 * must then reach no L1 and no Redis entry that another instance would serve: a third instance
 * reads v2. Under both pub/sub and tracking invalidation, with node-redis and with ioredis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisTier, Cache, type LoadOptions } from '../../../src/cache/index.js';
import { SeededRandom } from '../../../src/core/random.js';
import { notificationBarrier } from './barrier.js';
import { CLIENT_LIBRARIES, type ClientLibrary } from './clients.js';
import { redisFixture } from './fixture.js';

const redis = redisFixture(false, 'race');
let seed = 0;

async function instance(library: ClientLibrary, namespace: string, invalidation: 'pubsub' | 'tracking'): Promise<Cache<string>> {
  const { client } = await redis.client(library);
  const cache = redis.keep(
    new Cache<string>({
      namespace,
      ttl: '1m',
      random: new SeededRandom(++seed),
      l2: redisTier<string>({ client, prefix: redis.prefix, invalidation, timeout: '2s' }),
    }),
  );
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

for (const library of CLIENT_LIBRARIES)
  for (const invalidation of ['pubsub', 'tracking'] as const) {
    for (const path of ['invalidateTag', 'dynamic tags', 'delete', 'set', 'clear'] as const) {
      for (const by of ['b', 'a'] as Invalidator[]) {
        test(`${library.name}, ${invalidation}: ${path} by instance ${by.toUpperCase()} during A's load keeps A's old value out of every L1 and of Redis`, async () => {
          const ns = `${library.name}-${invalidation}-${path.replace(' ', '-')}-${by}`;
          const make = (): Promise<Cache<string>> => instance(library, ns, invalidation);
          const [a, b, c] = [await make(), await make(), await make()];
          let source = 'v1';
          let started!: () => void;
          const loading = new Promise<void>((resolve) => {
            started = resolve;
          });
          let finish!: () => void;
          const gate = new Promise<void>((resolve) => {
            finish = resolve;
          });
          const options: LoadOptions<string> = path === 'dynamic tags' ? { tags: () => ['t'] } : { tags: ['t'] };
          // A's loader reads the source, then takes its time.
          const aRead = a.getOrLoad(
            'k',
            async () => {
              const read = source;
              started();
              await gate;
              return read;
            },
            options,
          );
          await loading; // A holds the key's lease and has read v1
          source = 'v2';
          await invalidate(by === 'a' ? a : b, path);
          finish();
          assert.equal(await aRead, 'v1'); // A's caller asked before the change
          await notificationBarrier(redis.admin, [a, b, c] as Cache<unknown>[], { prefix: redis.prefix, namespace: ns, invalidation });
          const fromSource = (): string => source;
          assert.equal(
            await c.getOrLoad('k', fromSource, options),
            'v2',
            'a third instance was served the value loaded before the invalidation',
          );
          assert.equal(await b.getOrLoad('k', fromSource, options), 'v2', 'instance B was served the value loaded before the invalidation');
          assert.equal(await a.getOrLoad('k', fromSource, options), 'v2', 'instance A kept the value it loaded before the invalidation');
        });
      }
    }
  }
