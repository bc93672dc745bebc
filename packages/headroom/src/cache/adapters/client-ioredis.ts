/**
 * The Redis tier's connection over ioredis (v5): a `Redis` or a `Cluster`, already connected.
 * Values are read with the `…Buffer` commands; scripts go through `callBuffer('evalsha', …)`,
 * which a Cluster routes by the script's keys (they share a hash tag, hence one slot).
 *
 * ioredis speaks RESP2 only, so client tracking is redirected: each tracking connection asks
 * for its own id, turns on `CLIENT TRACKING ON REDIRECT <own id> BCAST PREFIX …` and subscribes
 * to `__redis__:invalidate` — again at every reconnect, since the id changes. Dedicated
 * connections are `duplicate()`s (same server, AUTH and TLS) that subscribe again by this code,
 * not by ioredis's `autoResubscribe`, so they report up only once subscribed. On a Cluster the
 * pub/sub duplicate is a Cluster, whose own subscriber connection moves to another node when
 * its node goes away; it reports no per-node events, so the channel watch's probes (not a
 * transport event) notice a subscriber that stopped delivering.
 */
import type { RedisConnection, SubscriberConnection, TrackingConnection } from './redis-connection.js';
import { onEveryReady } from './redis-connection.js';

/** The ioredis `Redis` or `Cluster` surface that tells it apart (the rest is used through {@link ioRedisConnection}). */
export interface IoRedisLike {
  readonly isCluster: boolean;
  getBuffer(key: string): Promise<Buffer | null>;
  callBuffer(command: string, args: (string | Buffer | number)[]): Promise<unknown>;
}

/** True when `client` looks like an ioredis `Redis` or `Cluster`. */
export function isIoRedis(client: unknown): client is IoRedisLike {
  if (typeof client !== 'object' || client === null) return false;
  const c = client as Partial<IoRedisLike>;
  return typeof c.isCluster === 'boolean' && typeof c.callBuffer === 'function' && typeof c.getBuffer === 'function';
}

/** The commands and events of an ioredis `Redis` (and of a `Cluster`) the adapter uses. */
interface IoClient extends IoRedisLike {
  get(key: string): Promise<string | null>;
  mgetBuffer(keys: string[]): Promise<(Buffer | null)[]>;
  mget(keys: string[]): Promise<(string | null)[]>;
  publish(channel: string, message: string): Promise<unknown>;
  call(command: string, args: (string | number)[]): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  connect(): Promise<void>;
  disconnect(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
}

interface IoRedis extends IoClient {
  duplicate(override?: Record<string, unknown>): IoRedis;
}

interface IoCluster extends IoClient {
  duplicate(startupNodes?: unknown[], override?: Record<string, unknown>): IoCluster;
  nodes(role: 'master'): IoRedis[];
}

/** Options of every dedicated connection: connected by the tier, subscribed again by the tier after a reconnect. */
const DEDICATED = { lazyConnect: true, autoResubscribe: false };

/** The tier's connection over an ioredis `Redis` or `Cluster`. */
export function ioRedisConnection(client: IoRedisLike): RedisConnection {
  const c = client as IoClient;
  const cluster = client.isCluster;
  return {
    library: 'ioredis',
    cluster,
    getBuffer: (key) => c.getBuffer(key),
    mgetBuffer: (keys) => c.mgetBuffer(keys),
    getString: (key) => c.get(key),
    mgetString: (keys) => c.mget(keys),
    evalSha: (sha, keys, args) => c.callBuffer('evalsha', [sha, keys.length, ...keys, ...args]),
    eval: (source, keys, args) => c.callBuffer('eval', [source, keys.length, ...keys, ...args]),
    publish: (channel, message) => c.publish(channel, message),
    subscriber: () =>
      cluster ? clusterSubscriber((c as IoCluster).duplicate([], { lazyConnect: true })) : subscriber((c as IoRedis).duplicate(DEDICATED)),
    tracking: async () => {
      if (!cluster) return [tracker((c as IoRedis).duplicate(DEDICATED))];
      // A Cluster's node connections do not reconnect (the Cluster replaces them); these must.
      return (c as IoCluster).nodes('master').map((node) => tracker(node.duplicate({ ...DEDICATED, retryStrategy: reconnectDelay })));
    },
  };
}

/** Delay before the next reconnect attempt of a tracking connection to a Cluster node (ioredis's own default). */
function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 50, 2000);
}

/** Reports `state(false)` on every event by which ioredis says a connection was lost. */
function downOn(conn: IoClient, state: (up: boolean) => void): void {
  for (const event of ['error', 'close', 'reconnecting', 'end']) conn.on(event, () => state(false));
}

function subscriber(conn: IoRedis): SubscriberConnection {
  let state: (up: boolean) => void = () => {};
  return {
    onState: (listener) => {
      state = listener;
    },
    start: (channels) => {
      const setup = onEveryReady(async () => {
        await conn.subscribe(...channels.keys());
      }, state);
      downOn(conn, state);
      conn.on('message', (channel: string, message: string) => channels.get(channel)?.(message));
      conn.on('ready', setup.ready);
      conn.connect().catch(setup.failed);
      return setup.first;
    },
    close: async () => conn.disconnect(),
  };
}

function clusterSubscriber(conn: IoCluster): SubscriberConnection {
  let state: (up: boolean) => void = () => {};
  return {
    onState: (listener) => {
      state = listener;
    },
    start: async (channels) => {
      for (const event of ['close', 'reconnecting', 'end']) conn.on(event, () => state(false));
      conn.on('ready', () => state(true));
      conn.on('message', (channel: string, message: string) => channels.get(channel)?.(message));
      await conn.connect();
      await conn.subscribe(...channels.keys());
    },
    close: async () => conn.disconnect(),
  };
}

function tracker(conn: IoRedis): TrackingConnection {
  let state: (up: boolean) => void = () => {};
  return {
    onState: (listener) => {
      state = listener;
    },
    start: (prefix, onInvalidate) => {
      const setup = onEveryReady(async () => {
        const id = await conn.call('CLIENT', ['ID']);
        await conn.call('CLIENT', ['TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix]);
        await conn.subscribe('__redis__:invalidate');
      }, state);
      downOn(conn, state);
      // RESP2 invalidations: a message whose payload is the changed keys (null: everything).
      conn.on('messageBuffer', (_channel: Buffer, keys: Buffer[] | Buffer | null) => {
        if (keys === null) onInvalidate(null);
        else for (const key of Array.isArray(keys) ? keys : [keys]) onInvalidate(key.toString('utf8'));
      });
      conn.on('ready', setup.ready);
      conn.connect().catch(setup.failed);
      return setup.first;
    },
    ping: () => conn.ping(),
    close: async () => conn.disconnect(),
  };
}
