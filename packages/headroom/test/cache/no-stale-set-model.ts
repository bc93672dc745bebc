/**
 * The no-stale-set property's model, shared by the in-process test (no-stale-set.property.test.ts)
 * and the two-instance test on the real Redis (redis/no-stale-set-shared.property.test.ts).
 *
 * Commands: reads (single and batched, with and without abort signals) on any instance, loader
 * completions and failures in any order, source writes followed by their invalidation — delete,
 * set, invalidateTag or clear, through any instance — and time passing through soft TTL and
 * stale-while-revalidate. Loaders read the source when they start and finish whenever the
 * commands say: the worst case for a racing invalidation.
 *
 * With several instances, an invalidation reaches the others when the commands deliver it
 * (`deliver`): until then an instance may legitimately serve what it holds, as a real one does
 * while the notification is on its way — and a load it finishes meanwhile must still not get
 * past the shared tier. So "heard" below is the source's version as of the last invalidation the
 * instance made itself or was delivered (with one instance, always the current version).
 *
 * After every command (and once the harness has let its effects settle) it checks:
 *  1. no instance holds a value older than what it has heard;
 *  2. the shared tier, if any, serves no value older than the source — ever;
 *  3. every read returns a version at least as new as the instance had heard when the read
 *     began ("the next read loads fresh": no read joins a load started before an invalidation).
 */
import fc from 'fast-check';
import type { Cache } from '../../src/cache/index.js';
import type { VirtualClock } from '../../src/core/virtual-clock.js';

export const KEYS = ['a', 'b', 'c'] as const;
const tagOf = (key: string): string => (key === 'c' ? 'odd' : 'even');

/** One step; `via` is the instance that reads or invalidates. */
export type Command =
  | { t: 'read'; key: number; withSignal: boolean; via: number }
  | { t: 'readMany'; keys: number[]; via: number }
  | { t: 'complete'; i: number }
  | { t: 'fail'; i: number }
  | { t: 'abort'; i: number }
  | { t: 'writeDelete'; key: number; via: number }
  | { t: 'writeSet'; key: number; via: number }
  | { t: 'writeTag'; tag: number; via: number }
  | { t: 'writeAll'; via: number }
  | { t: 'advance'; ms: number }
  | { t: 'deliver'; via: number };

/** Commands that change the source and invalidate. */
export const WRITES: ReadonlySet<Command['t']> = new Set(['writeDelete', 'writeSet', 'writeTag', 'writeAll']);

/** Command sequences for `instances` cache instances. */
export function commandsFor(instances: number, maxLength = 120): fc.Arbitrary<Command[]> {
  const via = fc.nat(instances - 1);
  const command: fc.Arbitrary<Command> = fc.oneof(
    { arbitrary: fc.record({ t: fc.constant('read' as const), key: fc.nat(2), withSignal: fc.boolean(), via }), weight: 4 },
    {
      arbitrary: fc.record({ t: fc.constant('readMany' as const), keys: fc.array(fc.nat(2), { minLength: 1, maxLength: 4 }), via }),
      weight: 1,
    },
    { arbitrary: fc.record({ t: fc.constant('complete' as const), i: fc.nat(7) }), weight: 4 },
    { arbitrary: fc.record({ t: fc.constant('fail' as const), i: fc.nat(7) }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('abort' as const), i: fc.nat(7) }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('writeDelete' as const), key: fc.nat(2), via }), weight: 2 },
    { arbitrary: fc.record({ t: fc.constant('writeSet' as const), key: fc.nat(2), via }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('writeTag' as const), tag: fc.nat(1), via }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('writeAll' as const), via }), weight: 1 },
    { arbitrary: fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }), weight: 2 },
    { arbitrary: fc.record({ t: fc.constant('deliver' as const), via }), weight: instances > 1 ? 3 : 0 },
  );
  return fc.array(command, { minLength: 10, maxLength, size: 'max' });
}

/** The instances under test and how to wait for them. */
export interface Harness {
  readonly caches: readonly Cache<string>[];
  readonly clock: VirtualClock;
  /** Lets what the last command started run to where it waits on a loader, a timer or nothing. */
  settle(): Promise<void>;
  /** The value the shared tier would serve another instance for `key` (absent without a tier). */
  served?(key: string): Promise<string | undefined>;
  /** Hands instance `via` the invalidations other instances made (absent: they arrive at once). */
  deliver?(via: number): Promise<void>;
}

/** Runs `commands` against `harness`; resolves to the violations found (empty when the property held). */
export async function runModel(commands: readonly Command[], harness: Harness): Promise<string[]> {
  const { caches, clock } = harness;
  const version = new Map<string, number>(KEYS.map((k) => [k, 0]));
  const pending: { settle(ok: boolean): void }[] = [];
  const aborters: AbortController[] = [];
  const failures: string[] = [];
  const readSource = (key: string): string => `${key}@${version.get(key)}`;
  const versionOf = (value: string): number => Number(value.split('@')[1]);
  const instance = (via: number): Cache<string> => caches[via % caches.length]!;
  const heard = caches.map(() => new Map(version));
  const hearing = (via: number): Map<string, number> => (harness.deliver === undefined ? version : heard[via % caches.length]!);
  /** Instance `via` invalidated `keys` itself: it knows at once. */
  const invalidated = (via: number, keys: readonly string[]): void => {
    for (const key of keys) hearing(via).set(key, version.get(key)!);
  };
  // A loader reads the source now and completes when the commands settle it.
  const load = (key: string): Promise<string> => {
    const value = readSource(key);
    return new Promise<string>((resolve, reject) =>
      pending.push({ settle: (ok) => (ok ? resolve(value) : reject(new Error('source failed'))) }),
    );
  };
  const check = async (where: string): Promise<void> => {
    for (const key of KEYS) {
      for (const [i, cache] of caches.entries()) {
        const held = cache.peek(key);
        if (held !== undefined && versionOf(held) < hearing(i).get(key)!)
          failures.push(
            `${where}: instance ${i} holds ${held}, source is at ${version.get(key)}, invalidated as far as it knows at ${hearing(i).get(key)}`,
          );
      }
      const served = await harness.served?.(key);
      if (served !== undefined && versionOf(served) !== version.get(key))
        failures.push(`${where}: the shared tier serves ${served}, source is at ${version.get(key)}`);
    }
  };
  const expectFresh = (p: Promise<unknown>, key: string, minVersion: number): void => {
    p.then(
      (value) => {
        if (typeof value === 'string' && versionOf(value) < minVersion)
          failures.push(`read of ${key} begun at v${minVersion} returned ${value}`);
      },
      () => {},
    );
  };
  const bump = (key: string): void => void version.set(key, version.get(key)! + 1);
  for (const [step, c] of commands.entries()) {
    switch (c.t) {
      case 'read': {
        const key = KEYS[c.key]!;
        const controller = new AbortController();
        aborters.push(controller);
        const options = { tags: [tagOf(key)], ...(c.withSignal ? { signal: controller.signal } : {}) };
        expectFresh(
          instance(c.via).getOrLoad(key, ({ key: k }) => load(k), options),
          key,
          hearing(c.via).get(key)!,
        );
        break;
      }
      case 'readMany': {
        const keys = c.keys.map((i) => KEYS[i]!);
        const before = keys.map((k) => hearing(c.via).get(k)!);
        const p = instance(c.via).getOrLoadMany(
          keys,
          async (missing) => {
            const values = missing.map(readSource);
            await new Promise<void>((resolve, reject) =>
              pending.push({ settle: (ok) => (ok ? resolve() : reject(new Error('source failed'))) }),
            );
            return values;
          },
          { tags: (v: string) => [tagOf(v.split('@')[0]!)] },
        );
        p.then(
          (values) =>
            values.forEach((v, j) => {
              if (v !== undefined && versionOf(v) < before[j]!)
                failures.push(`batch read of ${keys[j]} begun at v${before[j]} returned ${v}`);
            }),
          () => {},
        );
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
        invalidated(c.via, [KEYS[c.key]!]);
        await instance(c.via).delete(KEYS[c.key]!);
        break;
      case 'writeSet':
        bump(KEYS[c.key]!);
        invalidated(c.via, [KEYS[c.key]!]);
        await instance(c.via).set(KEYS[c.key]!, readSource(KEYS[c.key]!), { tags: [tagOf(KEYS[c.key]!)] });
        break;
      case 'writeTag': {
        const tag = c.tag === 0 ? 'even' : 'odd';
        const tagged = KEYS.filter((key) => tagOf(key) === tag);
        for (const key of tagged) bump(key);
        invalidated(c.via, tagged);
        await instance(c.via).invalidateTag(tag);
        break;
      }
      case 'writeAll':
        for (const key of KEYS) bump(key);
        invalidated(c.via, KEYS);
        await instance(c.via).clear();
        break;
      case 'deliver':
        if (harness.deliver !== undefined) {
          // Everything invalidated so far has reached the harness (it settled): now the instance knows.
          for (const key of KEYS) hearing(c.via).set(key, version.get(key)!);
          await harness.deliver(c.via % caches.length);
        }
        break;
      case 'advance':
        await clock.advanceBy(c.ms);
        break;
    }
    await harness.settle();
    await check(`step ${step} (${c.t})`);
  }
  const deliverAll = async (): Promise<void> => {
    if (harness.deliver === undefined) return;
    for (const [i, known] of heard.entries()) {
      for (const key of KEYS) known.set(key, version.get(key)!);
      await harness.deliver(i);
    }
  };
  while (pending.length > 0) {
    pending.shift()!.settle(true);
    await harness.settle();
    await deliverAll();
    await harness.settle();
    await check('drain');
  }
  await deliverAll();
  await harness.settle();
  await check('end');
  return failures;
}

/**
 * True when `commands` hold a load racing an invalidation: a read, then an invalidating write,
 * then a completion — what a counterexample must contain to show the race was caught.
 */
export function hasRacingInvalidation(commands: readonly Command[]): boolean {
  const read = commands.findIndex((c) => c.t === 'read' || c.t === 'readMany');
  if (read < 0) return false;
  const write = commands.findIndex((c, i) => i > read && WRITES.has(c.t));
  return write >= 0 && commands.some((c, i) => i > write && c.t === 'complete');
}
