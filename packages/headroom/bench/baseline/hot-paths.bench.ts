/**
 * The hot paths of this checkout against another checkout of Headroom (an older commit), in one
 * process and one interleaved run — so the ratio new/old is not moved by load from other jobs,
 * which lands on both alike. The other checkout is named by `HEADROOM_BASELINE` (its root; it needs
 * its own `npm ci`); its library sources are imported directly (`src/` before the workspace split,
 * `packages/headroom/src/` after). Run, e.g. against the last commit before the split:
 *
 *   git worktree add /tmp/headroom-old 65d782c && (cd /tmp/headroom-old && npm ci)
 *   HEADROOM_BASELINE=/tmp/headroom-old npm run bench -- baseline
 *
 * Suites: the cache's synchronous hit (100k keys, Zipf 0.99; with and without a 1 h TTL), its
 * async `getOrLoad` hit, `pick()` of two pickers at 3, 30 and 300 endpoints, and L2 hits on the
 * machine's Redis (127.0.0.1:6379) at 100 in flight. Without `HEADROOM_BASELINE` every suite
 * prints one line saying how to run it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomUUID } from 'node:crypto';
import { do_not_optimize } from 'mitata';
import { createClient } from 'redis';
import * as cacheNew from '../../src/cache/index.js';
import * as balanceNew from '../../src/balance/index.js';
import { SeededRandom } from '../../src/core/random.js';
import { report, type ReportTable } from '../harness.js';
import { T0, warmCore } from '../balance/warm-core.js';
import { interleaved, interleavedAsync } from '../interleaved.js';
import { zipfSampler } from '../../test/cache/traces.js';
import { median } from '../summary.js';

const BASE = process.env['HEADROOM_BASELINE'];
const NEW = 'this checkout';
const OLD = 'baseline';

type CacheModule = typeof cacheNew;
type BalanceModule = typeof balanceNew;

/** The baseline's library sources, or undefined without HEADROOM_BASELINE. */
async function baseline(): Promise<{ cache: CacheModule; balance: BalanceModule; root: string } | undefined> {
  if (BASE === undefined || BASE === '') return undefined;
  const src = [join(BASE, 'packages/headroom/src'), join(BASE, 'src')].find((dir) => existsSync(join(dir, 'cache/index.ts')));
  if (src === undefined) throw new Error(`HEADROOM_BASELINE=${BASE}: no src/cache/index.ts or packages/headroom/src/cache/index.ts there`);
  const load = (module: string): Promise<unknown> => import(pathToFileURL(join(src, module, 'index.ts')).href);
  return { cache: (await load('cache')) as CacheModule, balance: (await load('balance')) as BalanceModule, root: src };
}

const skipped: ReportTable = {
  header: ['suite'],
  rows: [['skipped: set HEADROOM_BASELINE to the root of another checkout (with its own npm ci)']],
};

/** Adds the new/old time ratios (of medians and of best batches) of every pair of cases named `<label> (this checkout)` / `<label> (baseline)`. */
function withRatios(table: ReportTable, root: string): ReportTable {
  const times = new Map(table.rows.map((r) => [String(r[0]), [Number(r[1]), Number(r[2])] as const]));
  const notes = [...(table.notes ?? []), `baseline: ${root}`];
  for (const [name, [median, best]] of times) {
    if (!name.endsWith(`(${NEW})`)) continue;
    const old = times.get(name.replace(`(${NEW})`, `(${OLD})`));
    if (old !== undefined)
      notes.push(
        `${name.replace(` (${NEW})`, '')}: new/old time ${(median / old[0]).toFixed(2)} (medians), ${(best / old[1]).toFixed(2)} (best batches); < 1 is faster`,
      );
  }
  return { ...table, notes };
}

const N = 100_000;
const keys = Array.from({ length: N }, (_, i) => `product:${100_000 + i}`);
function zipfSequence(seed: number): () => string {
  const draw = zipfSampler(N, 0.99, new SeededRandom(seed));
  const seq = Int32Array.from({ length: 65_536 }, () => draw());
  let i = 0;
  return () => keys[seq[(i = (i + 1) & 65_535)]!]!;
}

/**
 * A cache from either side: `new Cache(options)` now, `createCache(options)` before the
 * conventions (issue 14) made it a class.
 */
function makeCache<V>(module: CacheModule, options: cacheNew.CacheOptions<V>): cacheNew.Cache<V> {
  const factory = (module as unknown as { createCache?: (o: cacheNew.CacheOptions<V>) => cacheNew.Cache<V> }).createCache;
  return factory === undefined ? new module.Cache<V>(options) : factory(options);
}

function filled(module: CacheModule, options: cacheNew.CacheOptions<number>): cacheNew.Cache<number> {
  const cache = makeCache(module, options);
  for (let i = 0; i < N; i++) void cache.set(keys[i]!, i);
  return cache;
}

report('baseline: cache get hit, 100k keys, Zipf 0.99 (getSync; with and without a 1 h TTL)', async () => {
  const base = await baseline();
  if (base === undefined) return skipped;
  const next = zipfSequence(7);
  const cases: Record<string, () => unknown> = {};
  for (const [side, module] of [
    [NEW, cacheNew],
    [OLD, base.cache],
  ] as const) {
    const plain = filled(module, { maxEntries: N, random: new SeededRandom(1) });
    const ttl = filled(module, { maxEntries: N, ttl: '1h', random: new SeededRandom(1) });
    cases[`tinylfu getSync (${side})`] = () => plain.getSync(next());
    cases[`tinylfu getSync, ttl 1h (${side})`] = () => ttl.getSync(next());
  }
  return withRatios(interleaved(cases, `tinylfu getSync (${OLD})`, { rounds: 21, batchMs: 20 }), base.root);
});

report('baseline: cache getOrLoad hit (async, each call awaited), 100k keys, Zipf 0.99', async () => {
  const base = await baseline();
  if (base === undefined) return skipped;
  const next = zipfSequence(8);
  const loader = (): number => 0;
  const fresh = filled(cacheNew, { maxEntries: N, random: new SeededRandom(1) });
  const old = filled(base.cache, { maxEntries: N, random: new SeededRandom(1) });
  const table = await interleavedAsync(
    { [`getOrLoad (${NEW})`]: () => fresh.getOrLoad(next(), loader), [`getOrLoad (${OLD})`]: () => old.getOrLoad(next(), loader) },
    `getOrLoad (${OLD})`,
    { rounds: 21, batchMs: 20 },
  );
  return withRatios(table, base.root);
});

/** The balancer core bench/balance/pick.bench.ts times, built from `module` (this checkout's or the baseline's). */
function pickCase(module: BalanceModule, n: number, p2cPeakEwma: boolean): () => void {
  const c = p2cPeakEwma
    ? warmCore(module, n, module.p2c(), module.peakEwma())
    : warmCore(module, n, module.roundRobin(), module.outstanding());
  let now = T0 + 10;
  return () => {
    now += 0.001;
    do_not_optimize(c.pick(now, undefined));
  };
}

report('baseline: balance pick(), round-robin and P2C + peak-EWMA, 3 / 30 / 300 endpoints', async () => {
  const base = await baseline();
  if (base === undefined) return skipped;
  const cases: Record<string, () => unknown> = {};
  for (const n of [3, 30, 300]) {
    for (const p2c of [false, true]) {
      const label = `${p2c ? 'P2C + peak-EWMA' : 'round-robin'}, ${n} endpoints`;
      cases[`${label} (${NEW})`] = pickCase(balanceNew, n, p2c);
      cases[`${label} (${OLD})`] = pickCase(base.balance, n, p2c);
    }
  }
  return withRatios(interleaved(cases, `round-robin, 3 endpoints (${OLD})`), base.root);
});

report('baseline: cache L2 hits at 100 in flight (20k keys in Redis, L1 holding 1%)', async () => {
  const base = await baseline();
  if (base === undefined) return skipped;
  const KEYS = 20_000;
  const prefix = `hrbench-base-${randomUUID().slice(0, 8)}`;
  const value = { id: 1, name: 'a product name', price: 12.5, tags: ['x', 'y'] };
  const connect = async (): Promise<ReturnType<typeof createClient>> => {
    const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
    client.on('error', () => {});
    await client.connect();
    return client;
  };
  const sides = [
    [NEW, cacheNew],
    [OLD, base.cache],
  ] as const;
  const clients = await Promise.all(sides.map(() => connect()));
  const caches = sides.map(([side, module], k) =>
    makeCache<typeof value>(module, {
      namespace: 'bench',
      maxEntries: KEYS / 100,
      ttl: '10m',
      random: new SeededRandom(1),
      // A generous bound, so the fill below survives a busy machine (the bound costs the same at any value).
      l2: module.redisTier({ client: clients[k]! as never, prefix: `${prefix}-${side === NEW ? 'new' : 'old'}`, timeout: 5000 }),
    }),
  );
  const names = Array.from({ length: KEYS }, (_, i) => `item:${i}`);
  for (const cache of caches)
    for (let i = 0; i < KEYS; i += 100) await Promise.all(names.slice(i, i + 100).map((k) => cache.set(k, value)));
  const random = new SeededRandom(5);
  const order = Int32Array.from({ length: 1 << 16 }, () => random.int(KEYS));
  const loader = (): typeof value => value;
  const throughput = async (cache: cacheNew.Cache<typeof value>, ms: number): Promise<number> => {
    const end = performance.now() + ms;
    let done = 0;
    await Promise.all(
      Array.from({ length: 100 }, async (_, w) => {
        for (let i = w; performance.now() < end; i += 100) {
          await cache.getOrLoad(names[order[i & 0xffff]!]!, loader);
          done++;
        }
      }),
    );
    return done / (ms / 1000);
  };
  const rounds: number[][] = [[], []];
  for (const cache of caches) await throughput(cache, 500);
  for (let r = 0; r < 7; r++) for (const k of r % 2 === 0 ? [0, 1] : [1, 0]) rounds[k]!.push(await throughput(caches[k]!, 1000));
  for (const cache of caches) await cache.close();
  for await (const found of clients[0]!.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
    if (found.length > 0) await clients[0]!.del(found);
  await Promise.all(clients.map((c) => c.close()));
  const [fresh, old] = [median(rounds[0]!), median(rounds[1]!)];
  const perRound = rounds[0]!.map((x, i) => (x / rounds[1]![i]!).toFixed(2)).join(', ');
  return {
    header: ['case', 'ops/s (median of 7 rounds)', 'vs baseline'],
    rows: [
      [`getOrLoad served from L2 (${NEW})`, Math.round(fresh), `${(fresh / old).toFixed(2)}×`],
      [`getOrLoad served from L2 (${OLD})`, Math.round(old), '1.00×'],
    ],
    notes: [
      `7 interleaved 1 s rounds per side (order alternating) after 500 ms of warm-up; new/old throughput per round: ${perRound}.`,
      `baseline: ${base.root}`,
    ],
  };
});
