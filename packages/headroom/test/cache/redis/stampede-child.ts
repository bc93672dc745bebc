/**
 * One "instance" for the cross-process stampede test: connects, reports ready, waits for
 * "go", then fires N concurrent getOrLoad of one missing key whose loader counts its runs in
 * Redis. Args: redis url, key prefix, callers.
 */
import { Cache, redisTier } from '../../../src/cache/index.js';
import { connectClient } from '@headroom/testkit/redis-servers';

const [url, prefix, callers] = process.argv.slice(2) as [string, string, string];
const client = await connectClient(url);
const counter = await connectClient(url);
const cache = new Cache<string>({
  namespace: 'stampede',
  ttl: '1m',
  l2: redisTier<string>({ client, prefix, timeout: '2s', leaseTtl: '5s' }),
});
const loader = async (): Promise<string> => {
  await counter.incr(`${prefix}:loads`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return 'value';
};
process.send!({ type: 'ready' });
process.once('message', async () => {
  const values = await Promise.all(Array.from({ length: Number(callers) }, () => cache.getOrLoad('hot', loader)));
  process.send!({ type: 'done', correct: values.filter((v) => v === 'value').length, l2Hits: cache.stats().l2Hits });
  await cache.close();
  await client.close();
  await counter.close();
  process.disconnect();
});
