/**
 * The channel watch's rule on a virtual clock with scripted probes (the real channel, frozen with
 * SIGSTOP, is tested in redis/silent-channel.test.ts): a probe unanswered for the timeout, or a
 * failed one, makes the channel silent; any answer, even a late one, makes it live again; a
 * suspected stall probes at once; a lost connection is `down` until it reports ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelWatch } from '../../src/cache/adapters/channel-watch.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { deferred, flushMicrotasks, type Deferred } from './helpers.js';

function setup(): { clock: VirtualClock; watch: ChannelWatch; probes: Deferred<void>[]; changes: boolean[] } {
  const clock = new VirtualClock();
  const probes: Deferred<void>[] = [];
  const changes: boolean[] = [];
  const watch = new ChannelWatch({
    clock,
    intervalMs: 1000,
    timeoutMs: 100,
    probe: () => {
      const d = deferred<void>();
      probes.push(d);
      return d.promise;
    },
    onChange: (live) => changes.push(live),
  });
  return { clock, watch, probes, changes };
}

test('connected and answering: live; a probe left unanswered for the timeout: silent; its late answer: live again', async () => {
  const { clock, watch, probes, changes } = setup();
  assert.equal(watch.state, 'connecting');
  watch.transport(true);
  assert.equal(watch.state, 'live');
  await clock.advanceBy(1000); // first heartbeat
  assert.equal(probes.length, 1);
  probes[0]!.resolve();
  await flushMicrotasks();
  assert.equal(watch.state, 'live');
  await clock.advanceBy(1000);
  assert.equal(probes.length, 2);
  await clock.advanceBy(99);
  assert.equal(watch.state, 'live');
  await clock.advanceBy(1);
  assert.equal(watch.state, 'silent');
  await clock.advanceBy(900); // next heartbeat: another probe while the first is still unanswered
  assert.equal(probes.length, 3);
  probes[1]!.resolve(); // the old probe comes back: the channel delivers again
  await flushMicrotasks();
  assert.equal(watch.state, 'live');
  assert.deepEqual(changes, [true, false, true]);
  watch.close();
  assert.equal(watch.state, 'closed');
});

test('a failed probe makes the channel silent at once; a suspected stall probes without waiting for the heartbeat', async () => {
  const { clock, watch, probes, changes } = setup();
  watch.transport(true);
  watch.suspect();
  assert.equal(probes.length, 1);
  watch.suspect(); // one probe at a time
  assert.equal(probes.length, 1);
  probes[0]!.reject(new Error('circuit open'));
  await flushMicrotasks();
  assert.equal(watch.state, 'silent');
  watch.suspect(); // only a live channel is suspected; a silent one is probed by the heartbeat
  assert.equal(probes.length, 1);
  await clock.advanceBy(1000);
  probes[1]!.resolve();
  await flushMicrotasks();
  assert.equal(watch.state, 'live');
  assert.deepEqual(changes, [true, false, true]);
  watch.close();
});

test('a lost connection is down (no probes) until it reports ready; a probe answered meanwhile does not bring it back', async () => {
  const { clock, watch, probes, changes } = setup();
  watch.transport(true);
  watch.suspect();
  watch.transport(false);
  assert.equal(watch.state, 'down');
  probes[0]!.resolve();
  await flushMicrotasks();
  assert.equal(watch.state, 'down');
  await clock.advanceBy(5000);
  assert.equal(probes.length, 1, 'no probes while the connection is down');
  watch.transport(true);
  assert.equal(watch.state, 'live');
  assert.ok(watch.lastHeardAt > 0);
  assert.deepEqual(changes, [true, false, true]);
  watch.close();
  watch.transport(true);
  assert.equal(watch.state, 'closed');
});
