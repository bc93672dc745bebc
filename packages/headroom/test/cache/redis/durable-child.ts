/**
 * A process with a durable write-behind queue, for the crash test: enqueues `versions` writes
 * to each of `keys` keys (interleaved), reports "enqueued", and keeps draining until killed.
 * The "source" is a Redis hash plus a per-key log of applied versions, so the parent can see
 * exactly what reached it. Args: redis url, prefix, keys, versions, source write ms.
 */
import { Cache, durableWriteBehind } from '../../../src/cache/index.js';
import { connectClient } from '@headroom/testkit/redis-servers';
import { redisHashSource } from './hash-source.js';

const [url, prefix, keyCount, versions, writeMs] = process.argv.slice(2).map((a, i) => (i < 2 ? a : Number(a))) as [
  string,
  string,
  number,
  number,
  number,
];
const client = await connectClient(url);
const source = redisHashSource(await connectClient(url), prefix, writeMs);
const queue = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), source, {
  client,
  prefix,
  lockTtl: '1s',
  block: '50ms',
  batchSize: 20,
});
for (let v = 1; v <= versions; v++) {
  await Promise.all(Array.from({ length: keyCount }, (_, k) => queue.set(`k${k}`, { v })));
}
process.send!({ type: 'enqueued' });
