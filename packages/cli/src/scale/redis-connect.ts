/**
 * The Redis connection of `headroom scale run --redis` and `headroom scale worker`: node-redis from
 * a URL — `redis://[user:password@]host:port[/db]` (AUTH with the credentials in the URL) or
 * `rediss://…` (TLS) — connected at once, without retrying, so a wrong address or password is a
 * clear error rather than a silent wait.
 */
import { HeadroomError } from 'headroom';
import type { RedisListClient } from 'headroom/scale';
import { createClient } from 'redis';
import { invalidScaleFlag } from './errors.js';

/** A connected client and how to close it. */
export interface RedisHandle {
  readonly client: RedisListClient;
  close(): Promise<void>;
}

/**
 * Connects to `url`.
 * @throws HR_SCALE_INVALID_OPTION for a URL that is not redis:// or rediss://
 * @throws HR_SCALE_REDIS_UNREACHABLE when the connection or AUTH fails
 */
export async function connectRedis(url: string): Promise<RedisHandle> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidScaleFlag(
      '--redis',
      url,
      'use a Redis URL such as redis://127.0.0.1:6379, redis://user:password@host:6379 or rediss://host:6380',
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw invalidScaleFlag(
      '--redis',
      url,
      'use a Redis URL such as redis://127.0.0.1:6379, redis://user:password@host:6379 or rediss://host:6380',
    );
  const shown = redactedUrl(parsed);
  const client = createClient({ url, socket: { reconnectStrategy: false, connectTimeout: 10_000 } });
  let lastError: unknown = null;
  client.on('error', (e: unknown) => (lastError = e));
  try {
    await client.connect();
  } catch (error) {
    const cause = lastError ?? error;
    throw new HeadroomError(
      'HR_SCALE_REDIS_UNREACHABLE',
      `cannot connect to Redis at ${shown}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
        details: { url: shown },
      },
    );
  }
  return { client: client as unknown as RedisListClient, close: () => client.close() };
}

/** The URL with its password replaced by `***`. */
export function redactedUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
