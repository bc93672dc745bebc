/**
 * The Redis connection of `headroom scale run --redis` and `headroom scale worker`: node-redis from
 * a URL — `redis://[user:password@]host:port[/db]` (AUTH with the credentials in the URL) or
 * `rediss://…` (TLS) — connected at once, without retrying, so a wrong address or password is a
 * clear error rather than a silent wait. A worker's connection reconnects once it has been up
 * (`reconnect`), so the worker outlives a Redis restart; a run's does not (it ends the run).
 */
import { dedicatedNodeRedis, HeadroomError, type NodeRedisConnection } from 'headroom';
import type { RedisListClient } from 'headroom/scale';
import { createClient } from 'redis';
import { invalidScaleFlag } from './errors.js';

/** A connected client and how to close it. */
export interface RedisHandle {
  readonly client: RedisListClient;
  /** Destroys the connection once no reconnect is in flight (commands still pending reject); never rejects. */
  close(): Promise<void>;
}

/** Options of {@link connectRedis}. */
export interface ConnectOptions {
  /** Reconnect after a loss, once the first connect succeeded (pauses of 100 ms doubling to 2 s); default false. */
  readonly reconnect?: boolean;
}

/** The pause before reconnect number `retries` (from 0), ms: 100 doubling to 2,000. */
function reconnectDelayMs(retries: number): number {
  return Math.min(100 * 2 ** Math.min(retries, 5), 2000);
}

/**
 * Connects to `url`.
 * @throws HR_SCALE_INVALID_OPTION for a URL that is not redis:// or rediss://
 * @throws HR_SCALE_REDIS_UNREACHABLE when the connection or AUTH fails
 */
export async function connectRedis(url: string, options: ConnectOptions = {}): Promise<RedisHandle> {
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
  let connected = false;
  const client = createClient({
    url,
    socket: {
      // the first connect fails at once (a wrong address is an error, not a wait); later losses are waited out when asked
      reconnectStrategy: (retries: number) => (connected && options.reconnect === true ? reconnectDelayMs(retries) : false),
      connectTimeout: 10_000,
    },
  });
  let lastError: unknown = null;
  client.on('error', (e: unknown) => (lastError = e));
  // closed by destroying it once no connect is in flight: a frozen Redis never answers what close() would wait for
  const connection = dedicatedNodeRedis(client as unknown as NodeRedisConnection);
  try {
    await connection.connect();
    connected = true;
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
  return { client: client as unknown as RedisListClient, close: () => connection.close() };
}

/** The URL with its password replaced by `***`. */
export function redactedUrl(url: URL): string {
  if (url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.password = '***';
  return copy.href;
}
