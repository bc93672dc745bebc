/**
 * Stampede: 1,000 concurrent reads of one missing key, with a 20 ms loader (real time). Counts
 * loader runs for Headroom's `getOrLoad`, lru-cache's `fetch`, bentocache's `getOrSet`,
 * cache-manager's `wrap`, cacheable's `getOrSet`, and naive cache-aside (get, load on a miss,
 * set) as the baseline that stampedes.
 */
import { Cache } from '../../src/cache/index.js';
import { SeededRandom } from '../../src/core/random.js';
import { report } from '../harness.js';
import { bento, cacheManager, cacheable } from './peers.js';
import { LRUCache } from 'lru-cache';

const CALLERS = 1000;
const LOAD_MS = 20;

function slowLoader(counter: { loads: number }): () => Promise<string> {
  return async () => {
    counter.loads++;
    await new Promise((resolve) => setTimeout(resolve, LOAD_MS));
    return 'value';
  };
}

async function measure(run: (load: () => Promise<string>) => Promise<unknown>): Promise<[number, number]> {
  const counter = { loads: 0 };
  const load = slowLoader(counter);
  const started = performance.now();
  const values = await Promise.all(Array.from({ length: CALLERS }, () => run(load)));
  const elapsed = performance.now() - started;
  if (!values.every((v) => v === 'value')) throw new Error('a caller got a wrong value');
  return [counter.loads, elapsed];
}

report(`cache: stampede, ${CALLERS} concurrent reads of one missing key, ${LOAD_MS} ms loader`, async () => {
  const headroom = new Cache<string>({ random: new SeededRandom(1) });
  // lru-cache's fetchMethod receives the per-call loader through `context`.
  const fetching = new LRUCache<string, string, () => Promise<string>>({ max: 100, fetchMethod: (_key, _stale, { context }) => context() });
  const bentoCache = bento(100);
  const manager = cacheManager();
  const able = cacheable();
  const naive = new Cache<string>({ random: new SeededRandom(2) });
  const cases: Array<[string, (load: () => Promise<string>) => Promise<unknown>]> = [
    ['headroom getOrLoad', (load) => headroom.getOrLoad('k', load)],
    ['lru-cache fetch', (load) => fetching.fetch('k', { context: load })],
    ['bentocache getOrSet', (load) => bentoCache.getOrSet({ key: 'k', factory: load })],
    ['cache-manager wrap', (load) => manager.wrap('k', load)],
    ['cacheable getOrSet', (load) => able.getOrSet('k', load)],
    [
      'naive cache-aside (get, load, set)',
      async (load) => {
        const hit = naive.getSync('k');
        if (hit !== undefined) return hit;
        const value = await load();
        await naive.set('k', value);
        return value;
      },
    ],
  ];
  const rows: (string | number)[][] = [];
  for (const [name, run] of cases) {
    const [loads, elapsed] = await measure(run);
    rows.push([name, loads, Math.round(elapsed * 10) / 10]);
  }
  await bentoCache.disconnectAll();
  return { header: ['implementation', 'loader runs', 'wall time (ms)'], rows, notes: ['Goal: exactly 1 loader run for Headroom.'] };
});
