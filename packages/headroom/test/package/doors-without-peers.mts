// Run by peers-absent.test.ts in a child process whose optional peers cannot be resolved
// (block-peers.mjs). Imports every door like a user does, uses what needs no peer, and reports,
// as one JSON line, what each piece that does need a peer said.
const doors = [
  'headroom',
  'headroom/cache',
  'headroom/partition',
  'headroom/balance',
  'headroom/latency',
  'headroom/chaos',
  'headroom/scale',
  'headroom/sim',
];
const imported: string[] = [];
for (const door of doors) {
  await import(door);
  imported.push(door);
}

const { Cache } = await import('headroom/cache');
const cache = new Cache<string>({ maxEntries: 100, ttl: '1m' });
const loaded = await cache.getOrLoad('k', () => 'v');
await cache.close();

const { Balancer, BalancedDispatcher, httpProbe } = await import('headroom/balance');
const { TiedHttpServer } = await import('headroom/latency');

/** What `fn` throws: its code and message, or null when it does not throw. */
function thrown(fn: () => unknown): { code: unknown; message: string } | null {
  try {
    fn();
    return null;
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
}

const balancer = new Balancer({ endpoints: ['http://127.0.0.1:9'] });
const result = {
  imported,
  loaded,
  blockedImport: await import('redis').then(
    () => 'loaded',
    (error: { code?: string }) => error.code,
  ),
  dispatcher: thrown(() => new BalancedDispatcher(balancer)),
  probe: thrown(() => httpProbe()),
  tied: thrown(() => new TiedHttpServer({ peers: ['http://127.0.0.1:9'] })),
};
balancer.close();
console.log(JSON.stringify(result));
