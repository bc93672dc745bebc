/**
 * A process that shuts down while a Redis connection is reconnecting and its TCP connect is in
 * flight (for close-reconnecting.test.ts, which runs it in a network namespace of its own, as
 * root). It drops new connections' SYNs to its Redis (iptables), breaks connections (CLIENT KILL),
 * and shuts down while their reconnects wait for a SYN to be answered; 300 ms into the shutdown
 * it lets SYNs through again, so the attempts succeed. It prints each step, and must then exit.
 *
 * Args: redis url, library (node-redis | ioredis), mode — which connections the library opened
 * itself are broken, and closed by the shutdown:
 * `tier`: the cache's tier's (subscriber, tracking); `write-behind`: a durable write-behind
 * queue's stream reader (node-redis); `worker`: a scale worker's blocking connection (node-redis);
 * `client` / `client-unguarded` (node-redis): none — the user's client is broken and closed, with
 * and without the docs' line that keeps a connection which comes up after `close()` from holding
 * the process.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createClient } from 'redis';
import { Cache, durableWriteBehind, redisTier, type RedisTierOptions } from '../../../src/cache/index.js';
import { serveLoadOverRedis, type RedisWorkerOptions } from '../../../src/scale/index.js';
import { CLIENT_LIBRARIES } from './clients.js';

type Mode = 'tier' | 'write-behind' | 'worker' | 'client' | 'client-unguarded';
const [url, libraryName, mode] = process.argv.slice(2) as [string, string, Mode];
const library = CLIENT_LIBRARIES.find((l) => l.name === libraryName)!;
const rule = ['INPUT', '-i', 'lo', '-p', 'tcp', '--dport', new URL(url).port, '--syn', '-j', 'DROP'];
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Either {
  sendCommand?(args: string[]): Promise<unknown>;
  call?(...args: string[]): Promise<unknown>;
  on(event: string, listener: () => void): void;
  isOpen: boolean;
  unref(): void;
}
const send = (client: unknown, args: string[]): Promise<unknown> => {
  const c = client as Either;
  return c.call !== undefined ? c.call(...args) : c.sendCommand!(args);
};

/** The user's client: the test kit's, or in the client modes one made here, as the docs make it, with or without their line. */
async function userClient(): Promise<{ client: RedisTierOptions<unknown>['client']; close(): Promise<unknown> }> {
  if (mode !== 'client' && mode !== 'client-unguarded') return library.connect(url);
  const made = createClient({ url, disableOfflineQueue: true });
  made.on('error', () => {});
  if (mode === 'client') {
    // the docs' line (docs/cache.md, "Closing while Redis reconnects")
    made.on('connect', () => {
      if (!made.isOpen) made.unref();
    });
  }
  await made.connect();
  return { client: made, close: () => made.close() };
}
const user = await userClient();
const admin = await library.connect(url);
const client = user.client as unknown as Either;
const userId = String(await send(user.client, ['CLIENT', 'ID']));
const adminId = String(await send(admin.client, ['CLIENT', 'ID']));
const others = async (): Promise<string[]> =>
  [...String(await send(admin.client, ['CLIENT', 'LIST'])).matchAll(/id=(\d+)/g)]
    .map((m) => m[1]!)
    .filter((id) => id !== userId && id !== adminId);

/** Starts what the mode closes; resolves to its shutdown. */
async function start(): Promise<() => Promise<void>> {
  if (mode === 'write-behind') {
    const cache = new Cache<string>({ namespace: 'closing' });
    const rows = new Map<string, string>();
    const source = {
      get: async (key: string) => rows.get(key),
      set: async (key: string, value: string) => void rows.set(key, value),
      delete: async (key: string) => void rows.delete(key),
    };
    const queue = durableWriteBehind(cache, source, { client: user.client as never, prefix: 'closing', block: '50ms' });
    await queue.set('k', 'v');
    await queue.flush(10_000);
    return async () => {
      await queue.close();
      await cache.close();
    };
  }
  if (mode === 'worker') {
    const stop = new AbortController();
    // A lost connection ends the worker with its error (its caller decides what next): printed here.
    const serving = serveLoadOverRedis({
      redis: user.client as unknown as RedisWorkerOptions['redis'],
      signal: stop.signal,
      prefix: 'closing',
    }).catch((error: unknown) => console.log(`the worker ended with: ${String(error)}`));
    while ((await others()).length === 0) await pause(20); // its blocking connection is up
    return async () => {
      stop.abort();
      await serving;
    };
  }
  const cache = new Cache<string>({ namespace: 'closing', ttl: '1m', l2: redisTier({ client: user.client }) });
  await cache.getOrLoad('k', () => 'v');
  return () => cache.close();
}

const shutDown = await start();
const victims = mode === 'client' || mode === 'client-unguarded' ? [userId] : await others();
execFileSync('iptables', ['-I', ...rule]);
for (const id of victims) await send(admin.client, ['CLIENT', 'KILL', 'ID', id]);
await pause(300); // the reconnects' SYNs are out, and dropped
console.log(`broke ${victims.length} connection(s)`);
await admin.close();
setTimeout(() => execFile('iptables', ['-D', ...rule]), 300).unref();
client.on('connect', () => console.log('the user client connected after close()'));
const t0 = performance.now();
await shutDown();
console.log(`${mode} closed in ${Math.round(performance.now() - t0)} ms`);
await user.close();
console.log('shut down');
