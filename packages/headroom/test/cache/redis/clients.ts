/**
 * The two client libraries the shared tier accepts, as factories, so that one suite of
 * shared-tier tests runs over both: node-redis (`redis`) and ioredis, each on a single server
 * and on the test Cluster. Both fail fast while disconnected (node-redis `disableOfflineQueue`,
 * ioredis `enableOfflineQueue: false`) and reconnect quickly, as the docs recommend.
 */
import { Cluster, Redis } from 'ioredis';
import { connectClient, connectCluster } from '@headroom/testkit/redis-servers';
import type { RedisTierOptions } from '../../../src/cache/index.js';

/** A connected client of either library, with the few commands the tests send it directly. */
export interface TestClient {
  /** The client to pass to `redisTier({ client })`. */
  readonly client: RedisTierOptions<unknown>['client'];
  /** A round trip: every command sent before it has run (one connection answers in order). */
  ping(): Promise<unknown>;
  /** GET as a string. */
  get(key: string): Promise<string | null>;
  close(): Promise<void>;
}

/** A client library the tier accepts. */
export interface ClientLibrary {
  readonly name: 'node-redis' | 'ioredis';
  /** A connected client of `url` (redis://host:port). */
  connect(url: string): Promise<TestClient>;
  /** A connected client of the test Cluster whose node is at `url` (redis://host:port). */
  connectCluster(url: string): Promise<TestClient>;
}

const nodeRedis: ClientLibrary = {
  name: 'node-redis',
  async connect(url) {
    const client = await connectClient(url);
    return { client, ping: () => client.ping(), get: (key) => client.get(key), close: async () => void (await client.close()) };
  },
  async connectCluster(url) {
    const client = await connectCluster(url);
    return {
      client,
      ping: () => client.sendCommand(undefined, true, ['PING']),
      get: (key) => client.get(key),
      close: async () => void (await client.close()),
    };
  },
};

/** Reconnect delays like the node-redis clients of the test kit: 50 ms growing to 200 ms. */
const retryStrategy = (attempt: number): number => Math.min(50 + attempt * 20, 200);

const ioredis: ClientLibrary = {
  name: 'ioredis',
  async connect(url) {
    const { hostname, port } = new URL(url);
    const client = new Redis({ host: hostname, port: Number(port), enableOfflineQueue: false, lazyConnect: true, retryStrategy });
    client.on('error', () => {});
    await client.connect();
    return ioHandle(client);
  },
  async connectCluster(url) {
    const { hostname, port } = new URL(url);
    const client = new Cluster([{ host: hostname, port: Number(port) }], {
      enableOfflineQueue: false,
      lazyConnect: true,
      clusterRetryStrategy: retryStrategy,
    });
    client.on('error', () => {});
    await client.connect();
    return ioHandle(client);
  },
};

function ioHandle(client: Redis | Cluster): TestClient {
  return {
    client,
    ping: () => client.ping(),
    get: (key) => client.get(key),
    close: async () => {
      client.disconnect();
    },
  };
}

/** Both libraries, node-redis first. */
export const CLIENT_LIBRARIES: readonly ClientLibrary[] = [nodeRedis, ioredis];
