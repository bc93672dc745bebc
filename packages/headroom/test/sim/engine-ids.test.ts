// The engine's event ids are small integers (a generation above a slot): what a stale id may
// and may not cancel, and the clock's timer handles, exact at any age.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimEngine } from '../../src/sim/engine.js';

const noop = { handle: (): void => {} };

test('event ids stay small integers however often a slot is reused', () => {
  const engine = new SimEngine();
  const ids = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const id = engine.after(1, noop, 0, 0);
    assert.equal(id | 0, id, `id ${id} is not a 32-bit integer`);
    assert.ok(id >= 0);
    if (i < 512) ids.add(id);
    engine.run();
  }
  assert.equal(ids.size, 512, 'one slot, reused: 512 distinct ids before the generation wraps');
});

test('a stale id cancels nothing while its slot is reused up to 511 times', () => {
  const engine = new SimEngine();
  const stale = engine.after(1, noop, 0, 0);
  engine.run();
  for (let reuse = 1; reuse < 512; reuse++) {
    let ran = false;
    engine.after(1, { handle: () => (ran = true) }, 0, 0);
    engine.cancel(stale);
    engine.run();
    assert.equal(ran, true, `reuse ${reuse}: the stale id cancelled the slot's new event`);
  }
});

test('a timer handle cancelled after its timer ran cancels nothing, even after 512 reuses of its slot', () => {
  const engine = new SimEngine();
  let fired = 0;
  const handle = engine.clock.setTimer(1, () => fired++);
  engine.run();
  for (let reuse = 1; reuse <= 1024; reuse++) {
    let ran = false;
    engine.after(1, { handle: () => (ran = true) }, 0, 0);
    handle.cancel();
    engine.run();
    assert.equal(ran, true, `reuse ${reuse}: the old handle cancelled the slot's new event`);
  }
  assert.equal(fired, 1);
  const pending = engine.clock.setTimer(5, () => fired++);
  pending.cancel();
  engine.run();
  assert.equal(fired, 1, 'a pending timer is cancelled');
});
