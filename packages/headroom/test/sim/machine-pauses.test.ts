// Pauses shared by every server of a machine (`machinePauses`, docs/sim.md "The model"): at each,
// every server stops all its workers at once, through the same `Server.pause` as its own pauses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHeadroomError } from '../../src/core/errors.js';
import { sampler } from '../../src/sim/distributions.js';
import { SimEngine } from '../../src/sim/engine.js';
import { checkModel, runModel, type ModelSpec, type PauseSpec } from '../../src/sim/index.js';
import { Server, type Job } from '../../src/sim/server.js';

const pauses: PauseSpec = {
  interval: { type: 'exponential', mean: '50ms' },
  duration: { type: 'uniform', min: '2ms', max: '8ms' },
};

const fleet = (shared: boolean): ModelSpec => ({
  duration: '5s',
  arrivals: { type: 'poisson', ratePerSec: 500 },
  clients: { picker: 'p2c', load: 'peak-ewma' },
  servers: [
    { count: 2, workers: 'unbounded', service: { type: 'exponential', mean: '4ms' }, ...(shared ? {} : { pauses }) },
    { count: 1, workers: 2, discipline: 'ps', service: { type: 'exponential', mean: '4ms' }, ...(shared ? {} : { pauses }) },
  ],
  ...(shared ? { machinePauses: pauses } : {}),
});

/** Each pause start, ms → the servers that paused then and the lengths they paused for. */
function pausesOf(spec: ModelSpec): Map<number, { servers: number[]; lengths: number[] }> {
  const at = new Map<number, { servers: number[]; lengths: number[] }>();
  runModel(spec, 7, {
    onPause: (atMs, server, lengthMs) => {
      const e = at.get(atMs) ?? { servers: [], lengths: [] };
      e.servers.push(server);
      e.lengths.push(lengthMs);
      at.set(atMs, e);
    },
  });
  return at;
}

test('machine pauses stop every server at the same instant for the same length', () => {
  const shared = pausesOf(fleet(true));
  assert.ok(shared.size > 50, `${shared.size} pauses`);
  for (const [atMs, { servers, lengths }] of shared) {
    assert.deepEqual(servers, [0, 1, 2], `servers paused at ${atMs} ms`);
    assert.ok(
      lengths.every((l) => l === lengths[0]),
      `lengths at ${atMs} ms: ${lengths.join(', ')}`,
    );
  }
  // The same pauses as each server's own: every pause is one server's alone.
  const own = pausesOf(fleet(false));
  assert.ok(own.size > 150, `${own.size} pauses`);
  assert.ok(
    [...own.values()].every((e) => e.servers.length === 1),
    'independent pauses never coincide',
  );
});

test('a pause while the server is paused stops its workers for the union of the two (FIFO and PS)', () => {
  for (const discipline of ['fifo', 'ps'] as const) {
    const engine = new SimEngine({ seed: 1 });
    let doneAt = -1;
    const host = { finished: () => (doneAt = engine.now), lengthChanged: () => {} };
    const server = new Server(0, 1, discipline, sampler({ type: 'constant', value: '10ms' }), engine.random.seed, engine, host, undefined);
    const job: Job = { runIndex: -1, remaining: 10, withdrawn: false, served: () => {}, admit: () => true };
    server.arrive(job);
    // paused over [2, 7], then [4, 6] (inside it: nothing more), then [6, 10] (3 ms more)
    for (const [atMs, lengthMs] of [
      [2, 5],
      [4, 2],
      [6, 4],
    ] as const)
      engine.at(atMs, { handle: () => server.pause(lengthMs) }, 1, 0);
    engine.run();
    assert.equal(doneAt, 18, `${discipline}: 10 ms of work and 8 ms paused`);
  }
});

test('machinePauses is validated by path', () => {
  const bad = { ...fleet(true), machinePauses: { interval: { type: 'exponential', mean: '-1ms' }, duration: pauses.duration } };
  assert.throws(
    () => checkModel(bad as ModelSpec),
    (e: unknown) => isHeadroomError(e) && /machinePauses\.interval\.mean/.test((e as Error).message),
  );
  assert.throws(
    () => checkModel({ ...fleet(true), machinePauses: { interval: pauses.interval } } as unknown as ModelSpec),
    (e: unknown) => isHeadroomError(e, 'HR_SIM_INVALID_OPTION') && /machinePauses\.duration/.test((e as Error).message),
  );
});
