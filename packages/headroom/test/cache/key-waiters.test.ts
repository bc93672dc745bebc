/**
 * Waiting for another process's load: a notification wakes the key's waiters; one that arrived
 * between the lease request and the wait (it overtook the "busy" reply) is not missed; the
 * timer and the caller's signal bound every wait. Virtual clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyWaiters } from '../../src/cache/adapters/key-waiters.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { flushMicrotasks } from './helpers.js';

function settledFlag(p: Promise<void>): { done: boolean } {
  const flag = { done: false };
  void p.then(() => {
    flag.done = true;
  });
  return flag;
}

test('a notification wakes the waiters of its key only; the timer and the signal bound a wait', async () => {
  const clock = new VirtualClock();
  const waiters = new KeyWaiters(clock);
  const never = new AbortController().signal;
  const a = settledFlag(waiters.wait('a', 1000, never));
  const b = settledFlag(waiters.wait('b', 1000, never));
  const aborter = new AbortController();
  const c = settledFlag(waiters.wait('c', 1000, aborter.signal));
  waiters.notify('a');
  await flushMicrotasks();
  assert.deepEqual([a.done, b.done, c.done], [true, false, false]);
  aborter.abort();
  await flushMicrotasks();
  assert.equal(c.done, true);
  await clock.advanceBy(1000);
  assert.equal(b.done, true);
});

test('a notification that overtook the busy reply is not missed: the wait after it returns at once', async () => {
  const clock = new VirtualClock();
  const waiters = new KeyWaiters(clock);
  const never = new AbortController().signal;
  const mark = waiters.mark(); // taken before the lease request
  waiters.notify('k'); // the holder's store, heard before the busy reply
  waiters.expect('k', mark);
  const late = settledFlag(waiters.wait('k', 60_000, never));
  await flushMicrotasks();
  assert.equal(late.done, true);
  // Without a notification since the mark, the wait is a real one.
  waiters.expect('k', waiters.mark());
  const real = settledFlag(waiters.wait('k', 60_000, never));
  waiters.notify('other');
  await flushMicrotasks();
  assert.equal(real.done, false);
  waiters.notifyAll(); // a clear: every key may have changed
  await flushMicrotasks();
  assert.equal(real.done, true);
});

test('past the remembered keys, an old mark errs on the side of waking', async () => {
  const clock = new VirtualClock();
  const waiters = new KeyWaiters(clock);
  const mark = waiters.mark();
  waiters.notify('k');
  for (let i = 0; i < 5000; i++) waiters.notify(`other-${i}`); // 'k' is forgotten
  waiters.expect('k', mark);
  const woke = settledFlag(waiters.wait('k', 60_000, new AbortController().signal));
  await flushMicrotasks();
  assert.equal(woke.done, true);
});
