/**
 * Setup shared by the Redis tests: connections and caches made during a test file are closed
 * after it; an own server (SIGSTOP-able) is stopped, and keys under a shared-Redis prefix are
 * deleted. Call at the top level of a test file (it registers before/after hooks).
 */
import { after, before } from 'node:test';
import { SHARED_REDIS_URL, connectClient, startRedis, uniquePrefix, type OwnRedis } from '@headroom/testkit/redis-servers';
import type { ClientLibrary, TestClient } from './clients.js';

export type Client = Awaited<ReturnType<typeof connectClient>>;

/** What a test file gets. */
export interface RedisFixture {
  /** The server's URL (an own server's, or the machine's Redis). */
  readonly url: string;
  /** The own server (throws on the machine's Redis). */
  readonly server: OwnRedis;
  /** A connection for inspecting Redis directly. */
  readonly admin: Client;
  /** The key prefix the file's caches use. */
  readonly prefix: string;
  /** A new connection of `library`, closed after the file. */
  client(library: ClientLibrary): Promise<TestClient>;
  /** Closes `closable` after the file (before the connections). */
  keep<T extends { close(): Promise<unknown> }>(closable: T): T;
}

/**
 * @param own - true: start an own redis-server on a free port (it can be frozen and killed);
 *              false: use the machine's Redis under a prefix unique to this run
 */
export function redisFixture(own: boolean, label: string): RedisFixture {
  let server: OwnRedis | undefined;
  let admin: Client | undefined;
  const clients: TestClient[] = [];
  const closables: { close(): Promise<unknown> }[] = [];
  const prefix = own ? 'hr' : uniquePrefix(label);
  const url = (): string => server?.url ?? SHARED_REDIS_URL;
  before(async () => {
    if (own) server = await startRedis(0);
    admin = await connectClient(url());
  });
  after(async () => {
    server?.thaw();
    await Promise.all(closables.map((c) => c.close().catch(() => {})));
    if (!own)
      for await (const keys of admin!.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length > 0) await admin!.del(keys);
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await admin!.close().catch(() => {});
    await server?.stop();
  });
  return {
    get url() {
      return url();
    },
    get server() {
      if (server === undefined) throw new Error("this fixture uses the machine's Redis, not an own server");
      return server;
    },
    get admin() {
      return admin!;
    },
    prefix,
    async client(library) {
      const client = await library.connect(url());
      clients.push(client);
      return client;
    },
    keep(closable) {
      closables.push(closable);
      return closable;
    },
  };
}
