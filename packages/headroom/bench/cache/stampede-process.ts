/**
 * One process of the cross-process stampede benchmark: builds the named library's cache,
 * reports ready, and on "go" fires 1,000 concurrent reads of one missing key whose 100 ms
 * loader counts its runs in Redis. Args: library, redis url, key prefix.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache as createCacheManager } from 'cache-manager';
import { Cacheable } from 'cacheable';
import { createClient } from 'redis';
import { Cache, redisTier } from '../../src/cache/index.js';

const [library, url, prefix] = process.argv.slice(2) as [string, string, string];
const connect = async (): Promise<ReturnType<typeof createClient>> => {
  const c = createClient({ url, disableOfflineQueue: true });
  c.on('error', () => {});
  await c.connect();
  return c;
};
const counter = await connect();
const loader = async (): Promise<string> => {
  await counter.incr(`${prefix}:loads`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return 'value';
};

let read: () => Promise<unknown>;
let close: () => Promise<unknown>;
if (library === 'headroom') {
  const client = await connect();
  const cache = new Cache<string>({ namespace: 'stampede', ttl: '1m', l2: redisTier<string>({ client, prefix, timeout: '2s' }) });
  read = () => cache.getOrLoad('hot', loader);
  close = async () => {
    await cache.close();
    await client.close();
  };
} else if (library === 'bentocache') {
  const bento = new BentoCache({
    default: 't',
    prefix,
    stores: {
      t: bentostore()
        .useL1Layer(memoryDriver({ maxItems: 100 }))
        .useL2Layer(redisDriver({ connection: { host: '127.0.0.1', port: 6379 } })),
    },
  });
  read = () => bento.getOrSet({ key: 'hot', factory: loader, ttl: '1m' });
  close = () => bento.disconnectAll();
} else if (library === 'cache-manager') {
  const manager = createCacheManager();
  read = () => manager.wrap('hot', loader);
  close = () => manager.disconnect();
} else {
  const able = new Cacheable();
  read = () => able.getOrSet('hot', loader);
  close = () => able.disconnect();
}
process.send!({ type: 'ready' });
process.once('message', async () => {
  await Promise.all(Array.from({ length: 1000 }, () => read()));
  process.send!({ type: 'done' });
  await close();
  await counter.close();
  process.disconnect();
});
