/**
 * No stale set, proved over interleavings, in one process (the model and its checks are in
 * no-stale-set-model.ts; the same property across two instances on the real Redis is in
 * redis/no-stale-set-shared.property.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cache, type Loader, type LoadOptions } from '../../src/cache/index.js';
import { SeededRandom } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { flushMicrotasks } from './helpers.js';
import { commandsFor, hasRacingInvalidation, runModel, type Command } from './no-stale-set-model.js';

const OPTIONS = { ttl: 100, staleWhileRevalidate: 100, staleIfError: 300 } as const;
const SEED = 20250101;

async function run(commands: readonly Command[], make: (clock: VirtualClock) => Cache<string>): Promise<void> {
  const clock = new VirtualClock();
  const cache = make(clock);
  const failures = await runModel(commands, { caches: [cache], clock, settle: flushMicrotasks });
  await cache.close();
  assert.deepEqual(failures, []);
}

const real = (clock: VirtualClock): Cache<string> => new Cache<string>({ clock, random: new SeededRandom(3), ...OPTIONS });

test(`no stale set and fresh reads after invalidation, over random interleavings (fast-check, seed ${SEED})`, async () => {
  await fc.assert(
    fc.asyncProperty(commandsFor(1), (commands) => run(commands, real)),
    { seed: SEED, numRuns: 300 },
  );
});

/**
 * The mutant every invalidation works in, but whose loads write their result back with `set`
 * when they finish — the classic cache-aside stale set: a `delete` (or tag, or clear) racing the
 * load is performed, then overwritten by the value read before it.
 */
class WriteBackCache extends Cache<string> {
  override getOrLoad(key: string, loader: Loader<string>, options?: LoadOptions<string>): Promise<string | undefined> {
    return super.getOrLoad(
      key,
      async (context) => {
        const value = await loader(context);
        if (value !== undefined) await this.set(key, value, options?.tags === undefined ? {} : { tags: options.tags });
        return value;
      },
      options,
    );
  }
}

test("the property catches a racing invalidation: a mutant that stores a load's result over the invalidation fails, with a read, an invalidation and the completion in its counterexample", async () => {
  const result = await fc.check(
    fc.asyncProperty(commandsFor(1), (commands) =>
      run(commands, (clock) => new WriteBackCache({ clock, random: new SeededRandom(3), ...OPTIONS })),
    ),
    { seed: SEED, numRuns: 300 },
  );
  assert.equal(result.failed, true, 'the mutant passed: the property cannot see the race');
  const [commands] = result.counterexample!;
  assert.ok(hasRacingInvalidation(commands), `the counterexample has no racing invalidation: ${JSON.stringify(commands)}`);
  assert.match(String(result.errorInstance), /holds [abc]@\d+, source is at/);
});
