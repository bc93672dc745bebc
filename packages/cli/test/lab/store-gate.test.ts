import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock, isHeadroomError } from 'headroom';
import { StoreGate } from '../../src/lab/service/store-gate.js';

test('at most poolSize queries run at once, each after the emulated round trip, in FIFO order', async () => {
  const clock = new VirtualClock();
  const gate = new StoreGate({ poolSize: 2, latencyMs: 10, clock });
  const t0 = clock.now();
  const finished: { id: number; at: number }[] = [];
  const all = Array.from({ length: 5 }, (_, id) =>
    gate.run(async () => {
      finished.push({ id, at: clock.now() - t0 });
      return id;
    }, id === 4),
  );
  await clock.advanceBy(30);
  assert.deepEqual(await Promise.all(all), [0, 1, 2, 3, 4]);
  // Capacity = 2 per 10 ms: the 5 queries finish in waves at 10, 20 and 30 ms.
  assert.deepEqual(
    finished.map((f) => f.at),
    [10, 10, 20, 20, 30],
  );
  assert.deepEqual(
    finished.map((f) => f.id),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(gate.counters(), { queries: 5, hotKeyQueries: 1, maxQueued: 3 });
});

test('close() fails waiting queries at once with HR_LAB_GATE_CLOSED; running ones finish', async () => {
  const clock = new VirtualClock();
  const gate = new StoreGate({ poolSize: 1, latencyMs: 5, clock });
  const first = gate.run(() => Promise.resolve('first'), false);
  const waiting = gate.run(() => Promise.resolve('never'), false);
  const waitingResult = waiting.then(
    () => 'resolved',
    (e: unknown) => (isHeadroomError(e, 'HR_LAB_GATE_CLOSED') ? 'closed' : String(e)),
  );
  await Promise.resolve();
  gate.close();
  assert.equal(await waitingResult, 'closed');
  await clock.advanceBy(5);
  assert.equal(await first, 'first');
  await assert.rejects(
    gate.run(() => Promise.resolve(1), false),
    (e) => isHeadroomError(e, 'HR_LAB_GATE_CLOSED'),
  );
  assert.equal(gate.counters().queries, 1);
});

test('a failing query releases its slot', async () => {
  const clock = new VirtualClock();
  const gate = new StoreGate({ poolSize: 1, latencyMs: 0, clock });
  await assert.rejects(
    gate.run(() => Promise.reject(new Error('boom')), false),
    /boom/,
  );
  assert.equal(await gate.run(() => Promise.resolve('next'), false), 'next');
});
