// A server group's `pausesAt`: pauses at recorded times, repeated every `every`, through the same
// Server.pause as drawn ones; a bad record is refused naming the entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { runModel } from '../../src/sim/index.js';
import { ONE_SERVER } from './one-server.js';

const base = ONE_SERVER;

test('each recorded pause stops the servers at its time for its length, and the record repeats every `every`', () => {
  const pauses: [number, number, number][] = [];
  runModel(
    {
      ...base,
      servers: [
        {
          ...base.servers[0]!,
          count: 2,
          pausesAt: {
            at: [
              [5, 2],
              [30, 4],
            ],
            every: '50ms',
          },
        },
      ],
    },
    1,
    { onPause: (atMs, server, lengthMs) => pauses.push([atMs, server, lengthMs]) },
  );
  const expected = [5, 30, 55, 80, 105, 130, 155, 180].flatMap((t, k) => [0, 1].map((s) => [t, s, k % 2 === 0 ? 2 : 4]));
  assert.deepEqual(
    pauses.filter(([t]) => t < 200),
    expected,
  );
});

test('a pause stops the call in service and holds the ones that arrive: 30 ms at 100.5 ms', () => {
  const bare = runModel(base, 1);
  assert.ok(Math.abs(bare.latency.max - 1) < 0.01, `${bare.latency.max}`);
  const paused = runModel({ ...base, servers: [{ ...base.servers[0]!, pausesAt: { at: [[100.5, 30]] } }] }, 1);
  // the call of 100 ms, half done, finishes at 131 (31 ms); those of 110, 120 and 130 ms wait for it (22, 13, 4 ms)
  assert.ok(Math.abs(paused.latency.max - 31) < 0.05, `${paused.latency.max}`);
  assert.ok(
    Math.abs(paused.latency.mean - (bare.latency.mean * paused.calls + 30 + 21 + 12 + 3) / paused.calls) < 0.01,
    `${paused.latency.mean}`,
  );
  assert.equal(paused.calls, bare.calls);
});

test('a record out of order, a pause without length, or a period not after the last start is refused, naming the entry', () => {
  const bad = (pausesAt: unknown, pattern: RegExp) =>
    assert.throws(
      () => runModel({ ...base, servers: [{ ...base.servers[0]!, pausesAt: pausesAt as never }] }, 1),
      (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && pattern.test((e as Error).message),
    );
  bad(
    {
      at: [
        [10, 2],
        [5, 2],
      ],
    },
    /servers\.0\.pausesAt\.at\.1.*in order of their start/,
  );
  bad({ at: [[10, 0]] }, /servers\.0\.pausesAt\.at\.0.*positive length/);
  bad({ at: [[10, 2, 3]] }, /servers\.0\.pausesAt\.at\.0/);
  bad({ at: [[10, 2], null] }, /servers\.0\.pausesAt\.at\.1.*use \[startMs, lengthMs\]/);
  bad(
    {
      at: [
        [10, 2],
        [40, 2],
      ],
      every: '40ms',
    },
    /servers\.0\.pausesAt\.every.*longer than the last start \(40 ms\)/,
  );
  bad({ at: 'soon' }, /servers\.0\.pausesAt\.at.*list of \[startMs, lengthMs\]/);
  bad({ at: [], evry: 5 }, /servers\.0\.pausesAt\.evry: .*unknown field/);
});
