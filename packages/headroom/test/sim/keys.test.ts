import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KetamaRing } from '../../src/partition/index.js';
import { ZipfSampler } from '../../src/scale/index.js';
import { SeededRandom, seedFromEnv } from '../../src/core/random.js';
import {
  builtinScenarios,
  replicate,
  runModel,
  validateScenario,
  type ModelSpec,
  type PartitionerSpec,
  type ServerGroupSpec,
} from '../../src/sim/index.js';

const SERVERS = 10;
const KEYS = 100_000;
const CAPACITY = 2000;
const ids = Array.from({ length: SERVERS }, (_, i) => `s${i}`);

// Zipf keys (100,000, exponent 0.99) at 6,000 calls/s over 10 servers, each behind a cache of
// 2,000 keys; by default 40 s, hit ratios measured over the last 20 (the caches warm).
const cached = (policy: 'tinylfu' | 'lru', partitioner: PartitionerSpec | undefined, warmup: number = 20_000): ModelSpec => {
  const group: ServerGroupSpec = {
    count: SERVERS,
    workers: 4,
    service: { type: 'lognormal', median: '4ms', sigma: 0.5 },
    cache: { capacity: CAPACITY, policy },
  };
  return {
    duration: '40s',
    warmup,
    arrivals: { type: 'poisson', ratePerSec: 6000 },
    keys: { type: 'zipf', count: KEYS, exponent: 0.99 },
    servers: [group],
    ...(partitioner === undefined ? {} : { partitioner }),
  };
};

/**
 * The best hit ratio any cache of `CAPACITY` keys per server can have under independent Zipf
 * requests: each server holding the most popular keys it owns (by ketama's placement).
 */
function oracleHitRatio(): number {
  const zipf = new ZipfSampler({ n: KEYS, exponent: 0.99, random: new SeededRandom(1) });
  const ring = new KetamaRing(ids);
  const mass = ids.map(() => [] as number[]);
  for (let r = 0; r < KEYS; r++) mass[ring.locateIndex(`key:${r}`)]!.push(zipf.probability(r));
  return mass.reduce((sum, m) => sum + m.slice(0, CAPACITY).reduce((a, b) => a + b, 0), 0);
}

test('keys and caches: routing by key (ketama) lets each cache hold its own hot keys; W-TinyLFU beats LRU; hits cost no service time', () => {
  const seed = seedFromEnv(41);
  const replay = `HEADROOM_SEED=${seed}`;
  const tiny = runModel(cached('tinylfu', 'ketama'), seed);
  const lru = runModel(cached('lru', 'ketama'), seed);
  const spread = runModel(cached('tinylfu', undefined), seed);
  const bound = oracleHitRatio();
  const h = (r: typeof tiny): number => r.cache!.hitRatio;
  // ~120,000 lookups: the sd of a hit ratio near 0.8 is ~0.001.
  assert.ok(h(tiny) <= bound + 0.005, `TinyLFU ${h(tiny).toFixed(4)} above the oracle's ${bound.toFixed(4)}. ${replay}`);
  assert.ok(h(tiny) >= bound - 0.08, `TinyLFU ${h(tiny).toFixed(4)} far below the oracle's ${bound.toFixed(4)}. ${replay}`);
  // Same seed, so the same requests: the difference's sd is ~0.0015; 0.005 is > 3 sd.
  assert.ok(h(tiny) > h(lru) + 0.005, `TinyLFU ${h(tiny).toFixed(4)} vs LRU ${h(lru).toFixed(4)}. ${replay}`);
  assert.ok(h(tiny) > h(spread) + 0.1, `by key ${h(tiny).toFixed(4)} vs spread by p2c ${h(spread).toFixed(4)}. ${replay}`);
  assert.ok(tiny.meanSojournMs < lru.meanSojournMs, 'more hits, less time in system');
  // Measured from the start: one lookup per call, and the servers served exactly the misses.
  const whole = runModel({ ...cached('tinylfu', 'ketama', 0), duration: '5s' }, seed);
  assert.equal(whole.cache!.hits + whole.cache!.misses, whole.calls);
  assert.equal(
    whole.served.reduce((a, b) => a + b, 0),
    whole.cache!.misses,
  );
});

test('a recorded trace (inline or a file) routes each key to its ketama owner, and to the next owner while that one is down', () => {
  const trace = ['user:42', 'user:7', 'user:42', 'cart:9', 'user:42'];
  const ring = new KetamaRing(ids);
  const owner = ring.locateIndex('user:42');
  const others = trace.filter((k) => k !== 'user:42').map((k) => ring.locateIndex(k));
  const fallback = ring.withoutNode(`s${owner}`);
  const ownerWhileDown = Number(fallback.locate('user:42').slice(1));
  const dir = mkdtempSync(join(tmpdir(), 'headroom-sim-keys-'));
  try {
    const file = join(dir, 'trace.txt');
    writeFileSync(file, `${trace.join('\n')}\n\n`);
    for (const keys of [{ type: 'trace', keys: trace } as const, { type: 'trace', file } as const]) {
      const seen = new Map<number, number>();
      runModel(
        {
          duration: '10s',
          arrivals: { type: 'constant', ratePerSec: 500 },
          keys,
          partitioner: 'ketama',
          servers: [{ count: SERVERS, service: { type: 'constant', value: 1 } }],
          faults: [
            { atMs: 4000, action: 'crash', servers: [owner] },
            { atMs: 7000, action: 'restart', servers: [owner] },
          ],
        },
        1,
        {
          onDispatch: (atMs, _c, server) => {
            // Constant arrivals: call i (from 0) at (i + 1) × 2 ms, taking trace key i mod 5; faults
            // at an instant run before the calls of that instant.
            const i = Math.round(atMs / 2) - 1;
            if (trace[((i % trace.length) + trace.length) % trace.length] === 'user:42') {
              const expected = atMs >= 4000 && atMs < 7000 ? ownerWhileDown : owner;
              assert.equal(server, expected, `user:42 at ${atMs} ms went to s${server}, expected s${expected}`);
            } else {
              assert.ok(others.includes(server) || (atMs >= 4000 && atMs < 7000), `another key at ${atMs} ms went to s${server}`);
            }
            seen.set(server, (seen.get(server) ?? 0) + 1);
          },
        },
      );
      assert.ok((seen.get(owner) ?? 0) > 1000, `${JSON.stringify([...seen])}`);
      assert.ok((seen.get(ownerWhileDown) ?? 0) > 300);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('keys, partitioners and caches are validated with the path of the field', () => {
  const base = cached('tinylfu', 'ketama');
  const group = base.servers[0]!;
  const fails = (spec: unknown, path: RegExp): void => assert.throws(() => runModel(spec as ModelSpec, 1), path);
  fails({ ...base, keys: { type: 'zipf', count: KEYS, exponent: -1 } }, /keys\.exponent/);
  fails({ ...base, keys: { type: 'zipf', count: 0, exponent: 1 } }, /keys\.count/);
  fails({ ...base, keys: { type: 'trace', file: '/nonexistent/trace.txt' } }, /keys\.file/);
  fails({ ...base, keys: { type: 'lognormal' } }, /keys\.type/);
  fails({ ...base, partitioner: 'chord' }, /partitioner/);
  fails({ ...base, partitioner: { type: 'bounded-load', loadFactor: 0.5 } }, /partitioner\.loadFactor/);
  fails({ ...base, keys: undefined, servers: [{ ...group, cache: undefined }] }, /partitioner.*keys/);
  fails({ ...base, keys: undefined, partitioner: undefined }, /servers\.0\.cache/);
  fails({ ...base, servers: [{ ...group, cache: { capacity: 0 } }] }, /servers\.0\.cache\.capacity/);
  assert.throws(
    () => validateScenario({ name: 'x', model: { ...base, servers: [{ ...group, cache: { size: 10 } }] } }),
    /model\.servers\.0\.cache\.size: unknown field/,
  );
});

test('every built-in scenario is a valid scenario', () => {
  for (const s of builtinScenarios) assert.doesNotThrow(() => validateScenario(s), s.name);
});

test('a model with every optional part is deterministic: same seed, same results and trace hash, in a worker thread too', async () => {
  const spec: ModelSpec = {
    ...cached('tinylfu', { type: 'bounded-load', loadFactor: 1.25 }, 2000),
    duration: '6s',
    series: '1s',
    clients: { count: 2, picker: 'p2c', load: 'peak-ewma', health: { interval: '500ms' }, hedge: { percentile: 95 } },
    servers: [{ ...cached('tinylfu', 'ketama').servers[0]!, limiter: { algorithm: 'vegas' } }],
    faults: [
      { atMs: 2000, action: 'crash', servers: [4] },
      { atMs: 4000, action: 'restart', servers: [4] },
    ],
  };
  const a = runModel(spec, 5);
  const b = runModel(spec, 5);
  assert.deepEqual(a, b);
  assert.deepEqual((await replicate(spec, { seeds: [5], threads: 1 })).runs[0], a);
  assert.notEqual(runModel(spec, 6).traceHash, a.traceHash);
  assert.ok(a.cache!.hits > 0 && a.limiter!.admitted > 0 && a.series!.atMs.length >= 6);
});
