/**
 * No stale set, proved over interleavings: reads (single and batched, with and without abort
 * signals), loader completions and failures in any order, source writes followed by delete /
 * set / invalidateTag / clear, and time passing through soft TTL and stale-while-revalidate.
 *
 * Every source write is immediately followed by its invalidation, so at every step:
 *  1. any value the cache holds for a key carries the source's current version;
 *  2. every read returns a version at least as new as the source's version when the read began
 *     ("the next read loads fresh": no read joins a load started before an invalidation).
 * Loaders read the source when they start and finish whenever the test says — the worst case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cache, createCache } from '../../src/cache/index.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { flushMicrotasks } from './helpers.js';

const KEYS = ['a', 'b', 'c'] as const;
const tagOf = (key: string): string => (key === 'c' ? 'odd' : 'even');

type Command =
  | { t: 'read'; key: number; withSignal: boolean }
  | { t: 'readMany'; keys: number[] }
  | { t: 'complete'; i: number }
  | { t: 'fail'; i: number }
  | { t: 'abort'; i: number }
  | { t: 'writeDelete'; key: number }
  | { t: 'writeSet'; key: number }
  | { t: 'writeTag'; tag: number }
  | { t: 'writeAll' }
  | { t: 'advance'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('read' as const), key: fc.nat(2), withSignal: fc.boolean() }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('readMany' as const), keys: fc.array(fc.nat(2), { minLength: 1, maxLength: 4 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('complete' as const), i: fc.nat(7) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('fail' as const), i: fc.nat(7) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('abort' as const), i: fc.nat(7) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('writeDelete' as const), key: fc.nat(2) }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('writeSet' as const), key: fc.nat(2) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('writeTag' as const), tag: fc.nat(1) }), weight: 1 },
  { arbitrary: fc.constant({ t: 'writeAll' as const }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }), weight: 2 },
);

interface PendingLoad {
  settle(ok: boolean): void;
}

const OPTIONS = { ttl: 100, staleWhileRevalidate: 100, staleIfError: 300 } as const;
const makeCache = (clock: VirtualClock): Cache<string> => createCache<string>({ clock, random: new SeededRandom(3), ...OPTIONS });

async function run(commands: readonly Command[], make = makeCache): Promise<void> {
  const clock = new VirtualClock();
  const cache = make(clock);
  const version = new Map<string, number>(KEYS.map((k) => [k, 0]));
  const pending: PendingLoad[] = [];
  const aborters: AbortController[] = [];
  const failures: string[] = [];
  const readSource = (key: string): string => `${key}@${version.get(key)}`;
  const versionOf = (value: string): number => Number(value.split('@')[1]);
  // A loader reads the source now and completes when the test settles it.
  const load = (key: string): Promise<string> => {
    const value = readSource(key);
    return new Promise<string>((resolve, reject) => pending.push({ settle: (ok) => (ok ? resolve(value) : reject(new Error('source failed'))) }));
  };
  const check = (where: string): void => {
    for (const key of KEYS) {
      const held = cache.peek(key);
      if (held !== undefined && versionOf(held) !== version.get(key)) failures.push(`${where}: cache holds ${held}, source is at ${version.get(key)}`);
    }
  };
  const expectFresh = (p: Promise<unknown>, key: string, minVersion: number): void => {
    p.then((value) => {
      if (typeof value === 'string' && versionOf(value) < minVersion) failures.push(`read of ${key} begun at v${minVersion} returned ${value}`);
    }, () => {});
  };
  const bump = (key: string): void => void version.set(key, version.get(key)! + 1);
  for (const [step, c] of commands.entries()) {
    switch (c.t) {
      case 'read': {
        const key = KEYS[c.key]!;
        const controller = new AbortController();
        aborters.push(controller);
        const options = { tags: [tagOf(key)], ...(c.withSignal ? { signal: controller.signal } : {}) };
        expectFresh(cache.getOrLoad(key, ({ key: k }) => load(k), options), key, version.get(key)!);
        break;
      }
      case 'readMany': {
        const keys = c.keys.map((i) => KEYS[i]!);
        const before = keys.map((k) => version.get(k)!);
        const p = cache.getOrLoadMany(keys, async (missing) => {
          const values = missing.map(readSource);
          await new Promise<void>((resolve, reject) => pending.push({ settle: (ok) => (ok ? resolve() : reject(new Error('source failed'))) }));
          return values;
        }, { tags: (v: string) => [tagOf(v.split('@')[0]!)] });
        p.then((values) => values.forEach((v, j) => {
          if (v !== undefined && versionOf(v) < before[j]!) failures.push(`batch read of ${keys[j]} begun at v${before[j]} returned ${v}`);
        }), () => {});
        break;
      }
      case 'complete':
      case 'fail':
        if (pending.length > 0) pending.splice(c.i % pending.length, 1)[0]!.settle(c.t === 'complete');
        break;
      case 'abort':
        if (aborters.length > 0) aborters[c.i % aborters.length]!.abort(new Error('caller left'));
        break;
      case 'writeDelete':
        bump(KEYS[c.key]!);
        await cache.delete(KEYS[c.key]!);
        break;
      case 'writeSet':
        bump(KEYS[c.key]!);
        await cache.set(KEYS[c.key]!, readSource(KEYS[c.key]!), { tags: [tagOf(KEYS[c.key]!)] });
        break;
      case 'writeTag': {
        const tag = c.tag === 0 ? 'even' : 'odd';
        for (const key of KEYS) if (tagOf(key) === tag) bump(key);
        await cache.invalidateTag(tag);
        break;
      }
      case 'writeAll':
        for (const key of KEYS) bump(key);
        await cache.clear();
        break;
      case 'advance':
        await clock.advanceBy(c.ms);
        break;
    }
    await flushMicrotasks();
    check(`step ${step} (${c.t})`);
  }
  while (pending.length > 0) {
    pending.shift()!.settle(true);
    await flushMicrotasks();
    check('drain');
  }
  await cache.close();
  assert.deepEqual(failures, []);
}

test('no stale set and fresh reads after invalidation, over random interleavings (fast-check, seed 20250101)', async () => {
  await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 120, size: 'max' }), (commands) => run(commands)), { seed: 20250101, numRuns: 300 });
});

test('the property can fail: a cache whose delete forgets to invalidate is caught', async () => {
  class ForgetfulCache extends Cache<string> {
    override delete(): Promise<boolean> {
      return Promise.resolve(false);
    }
  }
  await assert.rejects(fc.assert(fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 120, size: 'max' }),
    (commands) => run(commands, (clock) => new ForgetfulCache({ clock, random: new SeededRandom(3), ...OPTIONS }))), { seed: 20250101, numRuns: 300 }),
  /Property failed/);
});
