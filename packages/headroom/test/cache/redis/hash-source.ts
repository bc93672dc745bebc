/**
 * A stand-in system of record for write-behind tests, visible across processes: values in a
 * Redis hash, and every applied write appended to a per-key log.
 */
import type { Source } from '../../../src/cache/index.js';
import type { connectClient } from '@headroom/testkit/redis-servers';

export function redisHashSource(client: Awaited<ReturnType<typeof connectClient>>, prefix: string, writeMs: number): Source<{ v: number }> {
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, writeMs));
  return {
    async get(key) {
      const raw = await client.hGet(`${prefix}:source`, key);
      return raw === null || raw === undefined ? undefined : (JSON.parse(raw) as { v: number });
    },
    async set(key, value) {
      await pause();
      await client.hSet(`${prefix}:source`, key, JSON.stringify(value));
      await client.rPush(`${prefix}:log:${key}`, String(value.v));
    },
    async delete(key) {
      await pause();
      await client.hDel(`${prefix}:source`, key);
      await client.rPush(`${prefix}:log:${key}`, 'deleted');
    },
  };
}
