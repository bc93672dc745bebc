// The clients' `stallsAt`: event-loop stalls at recorded times (a replay of a real client's loop
// lags), held for the union with the drawn `stalls`; a bad record is refused naming the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { runModel } from '../../src/sim/index.js';
import { ONE_SERVER } from './one-server.js';

const base = ONE_SERVER;

const near = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 0.01, `${what}: ${actual}, expected ${expected}`);

test('a recorded stall holds the answers and the sends of the client until it ends: 30 ms at 100.5 ms', () => {
  const bare = runModel(base, 1);
  near(bare.latency.max, 1, 'unstalled max');
  const stalled = runModel({ ...base, clients: { stallsAt: { at: [[100.5, 30]] } } }, 1);
  // the answer of the call of 100 ms arrives at 101 and is read at 130.5 (30.5 ms); the calls of
  // 110, 120 and 130 ms are sent at 130.5 and queue at the one worker (21.5, 12.5, 3.5 ms)
  near(stalled.latency.max, 30.5, 'stalled max');
  near(stalled.latency.mean * stalled.calls - bare.latency.mean * bare.calls, 29.5 + 20.5 + 11.5 + 2.5, 'added latency');
  assert.equal(stalled.calls, bare.calls);
});

test('the record repeats every `every`', () => {
  const once = runModel({ ...base, clients: { stallsAt: { at: [[0.5, 5]] } } }, 1);
  const every = runModel({ ...base, clients: { stallsAt: { at: [[0.5, 5]], every: '50ms' } } }, 1);
  // stalls at 0.5, 50.5, 100.5 and 150.5 ms: the answers of the calls of 50, 100 and 150 ms, due
  // 1 ms after their sends, are read at the stall's end, 4.5 ms later (the first stall is before any call)
  near(every.latency.mean * every.calls - once.latency.mean * once.calls, 3 * 4.5, 'added latency');
});

test('a recorded stall and a drawn one hold the client for their union, whichever ends last', () => {
  // drawn stalls of 10 ms, the first from 95 to 105 ms (the next at 200 ms)
  const stalls = { interval: { type: 'constant', value: '95ms' }, duration: { type: 'constant', value: '10ms' } } as const;
  // the recorded stall, 100–120, outlasts the drawn one: the call of 100 ms is sent at 120 (21 ms), that of 110 queues behind it (12 ms)
  const later = runModel({ ...base, clients: { stalls, stallsAt: { at: [[100, 20]] } } }, 1);
  near(later.latency.max, 21, 'recorded stall ends last');
  // the recorded stall, 89.5–97.5, ends first: the drawn one holds the call of 90 ms until 105 (16 ms)
  const earlier = runModel({ ...base, clients: { stalls, stallsAt: { at: [[89.5, 8]] } } }, 1);
  near(earlier.latency.max, 16, 'drawn stall ends last');
  // the drawn stall alone: the call of 100 ms is sent at 105 (6 ms)
  near(runModel({ ...base, clients: { stalls } }, 1).latency.max, 6, 'drawn stall alone');
});

test('a bad record is refused, naming the entry under clients.stallsAt', () => {
  const bad = (stallsAt: unknown, pattern: RegExp) =>
    assert.throws(
      () => runModel({ ...base, clients: { stallsAt: stallsAt as never } }, 1),
      (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && pattern.test((e as Error).message),
    );
  bad({ at: [[10, 0]] }, /clients\.stallsAt\.at\.0.*positive length/);
  bad(
    {
      at: [
        [10, 2],
        [5, 2],
      ],
    },
    /clients\.stallsAt\.at\.1.*in order of their start/,
  );
  bad({ at: [[40, 2]], every: '30ms' }, /clients\.stallsAt\.every.*longer than the last start/);
  bad({ at: [[1, 2]], evry: '30ms' }, /clients\.stallsAt\.evry.*unknown field/);
});
