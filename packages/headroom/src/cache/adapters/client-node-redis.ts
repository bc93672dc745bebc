/**
 * The Redis tier's connection over node-redis (`redis` v5): a client from `createClient` or a
 * cluster from `createCluster`, already connected. Values are read through a view of the client
 * whose blob strings come back as Buffers (`withTypeMapping`); the dedicated connections are
 * `duplicate()`s — RESP3 with `emitInvalidate` for tracking, one per master on a Cluster.
 */
import type { RedisConnection, SubscriberConnection, TrackingConnection } from './redis-connection.js';
import { dedicatedNodeRedis, type NodeRedisConnection } from '../../core/node-redis-dedicated.js';
import { onEveryReady } from './redis-connection.js';

/**
 * RESP3's type byte of a blob string (`$`), node-redis's `RESP_TYPES.BLOB_STRING`. Written here
 * rather than imported from `redis`, so that importing headroom/cache loads no Redis client (the
 * user brings theirs); a test pins it to node-redis's constant.
 */
export const RESP_BLOB_STRING = 36;

/** Reply type mapping that returns blob strings as Buffers, so binary values come back intact. */
export const BUFFER_REPLIES: Record<number, unknown> = { [RESP_BLOB_STRING]: Buffer };

/** The node-redis client or cluster surface the tier uses. */
export interface RedisLike {
  get(key: string): Promise<unknown>;
  mGet(keys: string[]): Promise<unknown>;
  publish(channel: string, message: string): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: (string | Buffer)[] }): Promise<unknown>;
  withTypeMapping(mapping: Record<number, unknown>): unknown;
  duplicate(overrides?: Record<string, unknown>): unknown;
  readonly isOpen: boolean;
}

/** True when `client` looks like a node-redis client or cluster. */
export function isNodeRedis(client: unknown): client is RedisLike {
  return typeof client === 'object' && client !== null && typeof (client as RedisLike).evalSha === 'function';
}

interface Subscriber extends NodeRedisConnection {
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
}

interface Tracker extends NodeRedisConnection {
  sendCommand(args: string[]): Promise<unknown>;
}

interface NodeRedisCluster {
  masters: unknown[];
  nodeClient(node: unknown): Promise<{ duplicate(overrides: object): unknown }>;
}

/** The tier's connection over a node-redis client or cluster. */
export function nodeRedisConnection(client: RedisLike): RedisConnection {
  const bin = client.withTypeMapping(BUFFER_REPLIES) as RedisLike;
  const cluster = typeof (client as { getSlotMaster?: unknown }).getSlotMaster === 'function';
  return {
    library: 'node-redis',
    cluster,
    getBuffer: (key) => bin.get(key) as Promise<Buffer | null>,
    mgetBuffer: (keys) => bin.mGet(keys) as Promise<(Buffer | null)[]>,
    getString: (key) => client.get(key) as Promise<string | null>,
    mgetString: (keys) => client.mGet(keys) as Promise<(string | null)[]>,
    evalSha: (sha, keys, args) => bin.evalSha(sha, { keys, arguments: args }),
    eval: (source, keys, args) => bin.eval(source, { keys, arguments: args }),
    publish: (channel, message) => client.publish(channel, message),
    subscriber: () => subscriber(client.duplicate() as Subscriber),
    tracking: async () => {
      const overrides = { RESP: 3, emitInvalidate: true };
      if (!cluster) return [tracker(client.duplicate(overrides) as Tracker)];
      const c = client as unknown as NodeRedisCluster;
      return Promise.all(c.masters.map(async (node) => tracker((await c.nodeClient(node)).duplicate(overrides) as Tracker)));
    },
  };
}

function subscriber(conn: Subscriber): SubscriberConnection {
  let state: (up: boolean) => void = () => {};
  const dedicated = dedicatedNodeRedis(conn);
  return {
    onState: (listener) => {
      state = listener;
    },
    start: async (channels) => {
      for (const event of ['error', 'reconnecting', 'end', 'node-error', 'node-reconnecting']) conn.on(event, () => state(false));
      // node-redis subscribes again by itself after a reconnect; 'ready' follows.
      for (const event of ['ready', 'node-ready']) conn.on(event, () => state(true));
      await dedicated.connect();
      for (const [channel, listener] of channels) await conn.subscribe(channel, listener);
    },
    close: () => dedicated.close(),
  };
}

function tracker(conn: Tracker): TrackingConnection {
  let state: (up: boolean) => void = () => {};
  const dedicated = dedicatedNodeRedis(conn);
  return {
    onState: (listener) => {
      state = listener;
    },
    start: (prefix, onInvalidate) => {
      // The client turns plain tracking on at every (re)connect; switch it to BCAST on our prefix.
      const setup = onEveryReady(async () => {
        await conn.sendCommand(['CLIENT', 'TRACKING', 'OFF']);
        await conn.sendCommand(['CLIENT', 'TRACKING', 'ON', 'BCAST', 'PREFIX', prefix]);
      }, state);
      for (const event of ['error', 'reconnecting', 'end']) conn.on(event, () => state(false));
      conn.on('ready', setup.ready);
      conn.on('invalidate', (key: unknown) =>
        onInvalidate(key === null ? null : Buffer.isBuffer(key) ? key.toString('utf8') : String(key)),
      );
      dedicated.connect().catch(setup.failed);
      return setup.first;
    },
    ping: () => conn.sendCommand(['PING']),
    close: () => dedicated.close(),
  };
}
