/**
 * A drainer that dies at the worst moment for the crash test: it queues one write, drains it to
 * the source, and is killed (SIGKILL) right after the first of the two commands that finish an
 * entry (XDEL/XACK) reaches Redis. Args: redis url, prefix.
 */
import { Cache, durableWriteBehind } from '../../../src/cache/index.js';
import { connectClient } from '@headroom/testkit/redis-servers';
import { redisHashSource } from './hash-source.js';

const [url, prefix] = process.argv.slice(2) as [string, string];
const client = await connectClient(url);
const send = client.sendCommand.bind(client);
client.sendCommand = (async (...args: Parameters<typeof send>) => {
  const reply = await send(...args);
  if (args[0][0] === 'XDEL' || args[0][0] === 'XACK') process.kill(process.pid, 'SIGKILL');
  return reply;
}) as typeof client.sendCommand;
const source = redisHashSource(await connectClient(url), prefix, 1);
const queue = durableWriteBehind(new Cache<{ v: number }>({ namespace: 'wb' }), source, { client, prefix, lockTtl: '1s', block: '50ms' });
await queue.set('a', { v: 1 });
